// The zod schema of netclaim's CNI config with Multus's defaults, and the two value mappings Multus
// applies (log level, globalNamespaces). netconf.ts builds the `NetConf` from its output; the rules are
// described there.
//
// Public API: `NETCONF_DEFAULTS`, `netConfSchema`, `ParsedNetConf`, `mapLogLevel`, `parseGlobalNamespaces`.
import { z } from "zod";
import type { LogLevel } from "../common/logger.ts";
import { LOG_LEVELS } from "../common/logger.ts";
import { runtimeConfigSchema } from "./netconf-runtime-config.ts";

export const NETCONF_DEFAULTS = {
  confDir: "/etc/cni/multus/net.d",
  cniDir: "/var/lib/cni/multus",
  binDir: "/opt/cni/bin",
  multusNamespace: "kube-system",
  globalNamespaces: ["default"],
  systemNamespaces: ["kube-system"],
  logLevel: "panic",
  logToStderr: true,
  logOptions: { maxAge: 5, maxSize: 100, maxBackups: 5, compress: true },
  podResourcesSocket: "/var/lib/kubelet/pod-resources/kubelet.sock",
  driverName: "netclaim.dev",
  stateDir: "/var/lib/netclaim",
  deviceInfoDir: "/var/run/k8s.cni.cncf.io/devinfo",
  attachConcurrency: 1,
} as const;

/** `null` or absent → `fallback`. */
function withDefault<T extends z.ZodType>(schema: T, fallback: z.output<T>) {
  return schema.nullish().transform((v): z.output<T> => v ?? fallback);
}
const noNul = z.string().refine((s) => !s.includes("\0"), "must not contain a NUL byte");
/** A path; "" → the default. */
const dir = (fallback: string) => withDefault(noNul, fallback).transform((v) => (v === "" ? fallback : v));
const count = z.number().int().min(0);
const strings = z.array(z.string());

export const netConfSchema = z.looseObject({
  cniVersion: withDefault(z.string(), ""),
  name: withDefault(z.string(), ""),
  type: withDefault(z.string(), ""),
  capabilities: withDefault(z.record(z.string(), z.boolean()), {}),
  ipam: z.looseObject({ type: z.string().nullish() }).nullish(),
  dns: z
    .looseObject({
      nameservers: strings.nullish(),
      domain: z.string().nullish(),
      search: strings.nullish(),
      options: strings.nullish(),
    })
    .nullish(),
  runtimeConfig: withDefault(runtimeConfigSchema, {}),
  prevResult: z.record(z.string(), z.unknown()).nullish(),
  kubeconfig: withDefault(noNul, ""),
  clusterNetwork: withDefault(z.string(), ""),
  defaultNetworks: withDefault(strings, []),
  delegates: withDefault(z.array(z.record(z.string(), z.unknown())), []),
  multusNamespace: withDefault(z.string(), NETCONF_DEFAULTS.multusNamespace).transform(
    (v) => v || NETCONF_DEFAULTS.multusNamespace,
  ),
  confDir: dir(NETCONF_DEFAULTS.confDir),
  cniDir: dir(NETCONF_DEFAULTS.cniDir),
  binDir: dir(NETCONF_DEFAULTS.binDir),
  readinessindicatorfile: withDefault(noNul, ""),
  namespaceIsolation: withDefault(z.boolean(), false),
  globalNamespaces: withDefault(z.string(), ""),
  // absent → the default; null → [] (Go sets a slice to nil on null)
  systemNamespaces: strings
    .nullable()
    .optional()
    .transform((v) => (v === undefined ? [...NETCONF_DEFAULTS.systemNamespaces] : (v ?? []))),
  logLevel: withDefault(z.string(), ""),
  logFile: withDefault(noNul, ""),
  logToStderr: withDefault(z.boolean(), NETCONF_DEFAULTS.logToStderr),
  logOptions: withDefault(
    z.object({
      maxAge: count.nullish(),
      maxSize: count.nullish(),
      maxBackups: count.nullish(),
      compress: z.boolean().nullish(),
    }),
    {},
  ),
  auxiliaryCNIChainName: withDefault(z.string(), ""),
  retryDeleteOnError: withDefault(z.boolean(), false),
  daemonSocket: noNul.nullish(),
  podResourcesSocket: dir(NETCONF_DEFAULTS.podResourcesSocket),
  driverName: withDefault(z.string(), NETCONF_DEFAULTS.driverName),
  stateDir: dir(NETCONF_DEFAULTS.stateDir),
  deviceInfoDir: dir(NETCONF_DEFAULTS.deviceInfoDir),
  attachConcurrency: withDefault(z.number().int().min(1).max(64), NETCONF_DEFAULTS.attachConcurrency),
});

export type ParsedNetConf = z.output<typeof netConfSchema>;

const MULTUS_LEVELS: Readonly<Record<string, LogLevel>> = {
  debug: "debug",
  verbose: "info",
  error: "error",
  panic: "fatal",
};

/** Multus's level (or one of ours) → ours; undefined for an unknown level. "" is Multus's default. */
export function mapLogLevel(level: string): LogLevel | undefined {
  const word = (level === "" ? NETCONF_DEFAULTS.logLevel : level).toLowerCase();
  const multus = MULTUS_LEVELS[word];
  if (multus !== undefined) return multus;
  return (LOG_LEVELS as readonly string[]).includes(word) ? (word as LogLevel) : undefined;
}

/** Comma-separated, items trimmed, empty items dropped; "" → ["default"]. */
export function parseGlobalNamespaces(raw: string): string[] {
  if (raw === "") return [...NETCONF_DEFAULTS.globalNamespaces];
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}
