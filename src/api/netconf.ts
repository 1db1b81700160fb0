// netclaim's CNI config (stdin, `"type": "netclaim"`): every field Multus's thin plugin reads
// (multus-cni pkg/types/types.go `NetConf`, defaults from conf.go `GetDefaultNetConf`), with Multus's
// JSON names and types, plus netclaim's `daemonSocket`, `podResourcesSocket`, `driverName`, `stateDir` and
// `deviceInfoDir` (the last four: claim-to-network correlation in the standalone plugin) and
// `attachConcurrency`. Unknown
// keys are kept in `raw`, as Multus tolerates them.
//
// Multus's rules, kept: `clusterNetwork` or `delegates` is required, and `delegates` is ignored when
// `clusterNetwork` is set (a warning here); `globalNamespaces` is a comma-separated string (items trimmed;
// "" means ["default"]; any other value replaces "default"); `systemNamespaces` defaults to
// ["kube-system"] (JSON null clears it, as Go's decoder does); `logToStderr` defaults to true; log
// rotation defaults to maxAge 5 days, maxSize 100 MB, maxBackups 5, compress true; `logLevel` is one of
// debug, verbose, error, panic (case-insensitive; default panic) — an unknown level is reported as a
// warning and ignored, as Multus does — mapped to our levels (debug→debug, verbose→info, error→error,
// panic→fatal; our own level names are accepted too). `null` counts as absent; an empty confDir, cniDir,
// binDir, multusNamespace, podResourcesSocket, stateDir or deviceInfoDir means the default (Multus would use "").
// netclaim's extra checks: delegates are checked as CNI configs (netconf-delegate.ts), clusterNetwork and
// defaultNetworks entries are classified (netconf-network-ref.ts), auxiliaryCNIChainName must match
// Multus's pattern, driverName must be a DNS subdomain. `prevResult` is kept as JSON (the CNI layer parses
// it with the config's version).
//
// A bad config throws a CodedError "INVALID_NETWORK_CONFIG" (CNI code 7), or "DECODE_FAILURE" (6) for bad
// JSON, whose message names the field: `netclaim config: field "namespaceIsolation": expected boolean,
// got string`.
//
// Public API: `NetConf`, `NETCONF_DEFAULTS`, `parseNetConf`, `netConfSchema`, `mapLogLevel`.
import type { z } from "zod";
import type { LogLevel } from "../common/logger.ts";
import { delegateConfigIssues, netConfError } from "./netconf-delegate.ts";
import type { DelegateConfig } from "./netconf-delegate.ts";
import { describeIssues, isJsonObject, kindOf } from "./netconf-issues.ts";
import type { JsonObject } from "./netconf-issues.ts";
import { parseNetworkReference } from "./netconf-network-ref.ts";
import type { NetworkReference } from "./netconf-network-ref.ts";
import type { RuntimeConfig } from "./netconf-runtime-config.ts";
import { mapLogLevel, NETCONF_DEFAULTS, netConfSchema, parseGlobalNamespaces } from "./netconf-schema.ts";
import type { ParsedNetConf } from "./netconf-schema.ts";

export { mapLogLevel, NETCONF_DEFAULTS, netConfSchema } from "./netconf-schema.ts";

export interface NetConf {
  /** The config as given: every key, unknown ones included, in Multus's wire format. */
  raw: JsonObject;
  cniVersion: string;
  name: string;
  type: string;
  capabilities: Record<string, boolean>;
  runtimeConfig: RuntimeConfig;
  prevResult?: JsonObject;
  kubeconfig: string;
  clusterNetwork: string;
  clusterNetworkRef?: NetworkReference;
  defaultNetworks: string[];
  defaultNetworkRefs: NetworkReference[];
  /** Parsed `delegates`; [] when clusterNetwork is set (Multus ignores them then). */
  delegates: DelegateConfig[];
  multusNamespace: string;
  confDir: string;
  cniDir: string;
  binDir: string;
  readinessindicatorfile: string;
  namespaceIsolation: boolean;
  /** Parsed from the comma-separated wire string. */
  globalNamespaces: string[];
  systemNamespaces: string[];
  /** Ours, mapped from Multus's level. */
  logLevel: LogLevel;
  logFile: string;
  logToStderr: boolean;
  logOptions: { maxAge: number; maxSize: number; maxBackups: number; compress: boolean };
  auxiliaryCNIChainName: string;
  retryDeleteOnError: boolean;
  /** Absent: standalone (the plugin itself reads the API server). */
  daemonSocket?: string;
  podResourcesSocket: string;
  driverName: string;
  /** The kubelet plugin's --state-dir: its checkpoint tells the pod's claim devices (correlation). */
  stateDir: string;
  /** Where NPWG device-info files are written (and device plugins' files read). */
  deviceInfoDir: string;
  /** Secondary networks attached at once after the default network (1: one after the other, as Multus). */
  attachConcurrency: number;
  /** Tolerated problems worth a log line. */
  warnings: string[];
}

const AUX_CHAIN_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_DNS_SUBDOMAIN = 253;

type Issue = z.core.$ZodIssue;
const issue = (path: PropertyKey[], message: string): Issue => ({ code: "custom", path, message });

function networkRef(value: string, path: PropertyKey[], issues: Issue[]): NetworkReference | undefined {
  const ref = parseNetworkReference(value);
  if ("problem" in ref) {
    issues.push(issue(path, ref.problem));
    return undefined;
  }
  return ref;
}

function parseDelegates(data: ParsedNetConf, issues: Issue[], warnings: string[]): DelegateConfig[] {
  if (data.clusterNetwork !== "") {
    if (data.delegates.length > 0) warnings.push('"delegates" is ignored because "clusterNetwork" is set');
    return [];
  }
  if (data.delegates.length === 0) {
    issues.push(issue([], 'at least one of "clusterNetwork" or "delegates" must be given'));
    return [];
  }
  const delegates: DelegateConfig[] = [];
  data.delegates.forEach((entry, i) => {
    const checked = delegateConfigIssues(entry);
    if (checked.ok) delegates.push({ ...checked.config, source: `netclaim config delegates[${i}]` });
    else issues.push(...checked.issues.map((x) => ({ ...x, path: ["delegates", i, ...x.path] })));
  });
  return delegates;
}

function checkNames(data: ParsedNetConf, issues: Issue[]): void {
  if (data.auxiliaryCNIChainName !== "" && !AUX_CHAIN_RE.test(data.auxiliaryCNIChainName)) {
    const message = `expected a name matching ${AUX_CHAIN_RE.source}, got ${JSON.stringify(data.auxiliaryCNIChainName)}`;
    issues.push(issue(["auxiliaryCNIChainName"], message));
  }
  const driver = data.driverName;
  if (driver.length > MAX_DNS_SUBDOMAIN || !DNS_SUBDOMAIN_RE.test(driver)) {
    issues.push(
      issue(["driverName"], `expected a DNS subdomain such as "netclaim.dev", got ${JSON.stringify(driver)}`),
    );
  }
}

function logSettings(data: ParsedNetConf, warnings: string[]): Pick<NetConf, "logLevel" | "logOptions"> {
  let logLevel = mapLogLevel(data.logLevel);
  if (logLevel === undefined) {
    warnings.push(
      `unknown logLevel ${JSON.stringify(data.logLevel)} ignored (expected debug, verbose, error or panic)`,
    );
    logLevel = mapLogLevel("") ?? "fatal";
  }
  const defaults = NETCONF_DEFAULTS.logOptions;
  const o = data.logOptions;
  return {
    logLevel,
    logOptions: {
      maxAge: o.maxAge ?? defaults.maxAge,
      maxSize: o.maxSize ?? defaults.maxSize,
      maxBackups: o.maxBackups ?? defaults.maxBackups,
      compress: o.compress ?? defaults.compress,
    },
  };
}

function build(data: ParsedNetConf, raw: JsonObject): { conf: NetConf; issues: Issue[] } {
  const issues: Issue[] = [];
  const warnings: string[] = [];
  const delegates = parseDelegates(data, issues, warnings);
  const clusterNetworkRef =
    data.clusterNetwork === "" ? undefined : networkRef(data.clusterNetwork, ["clusterNetwork"], issues);
  const defaultNetworkRefs = data.defaultNetworks.flatMap(
    (v, i) => networkRef(v, ["defaultNetworks", i], issues) ?? [],
  );
  checkNames(data, issues);
  const conf: NetConf = {
    raw,
    cniVersion: data.cniVersion,
    name: data.name,
    type: data.type,
    capabilities: data.capabilities,
    runtimeConfig: data.runtimeConfig,
    kubeconfig: data.kubeconfig,
    clusterNetwork: data.clusterNetwork,
    defaultNetworks: data.defaultNetworks,
    defaultNetworkRefs,
    delegates,
    multusNamespace: data.multusNamespace,
    confDir: data.confDir,
    cniDir: data.cniDir,
    binDir: data.binDir,
    readinessindicatorfile: data.readinessindicatorfile,
    namespaceIsolation: data.namespaceIsolation,
    globalNamespaces: parseGlobalNamespaces(data.globalNamespaces),
    systemNamespaces: data.systemNamespaces,
    ...logSettings(data, warnings),
    logFile: data.logFile,
    logToStderr: data.logToStderr,
    auxiliaryCNIChainName: data.auxiliaryCNIChainName,
    retryDeleteOnError: data.retryDeleteOnError,
    podResourcesSocket: data.podResourcesSocket,
    driverName: data.driverName,
    stateDir: data.stateDir,
    deviceInfoDir: data.deviceInfoDir,
    attachConcurrency: data.attachConcurrency,
    warnings,
  };
  if (clusterNetworkRef !== undefined) conf.clusterNetworkRef = clusterNetworkRef;
  if (data.prevResult !== undefined && data.prevResult !== null) conf.prevResult = data.prevResult;
  if (data.daemonSocket !== undefined && data.daemonSocket !== null && data.daemonSocket !== "")
    conf.daemonSocket = data.daemonSocket;
  return { conf, issues };
}

const WHAT = "netclaim config";

function decode(input: string | Uint8Array | JsonObject): JsonObject {
  if (isJsonObject(input) && !(input instanceof Uint8Array)) return input;
  const text = typeof input === "string" ? input : Buffer.from(input).toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw netConfError("DECODE_FAILURE", `${WHAT}: not valid JSON: ${(err as Error).message}`);
  }
  if (!isJsonObject(value))
    throw netConfError("INVALID_NETWORK_CONFIG", `${WHAT}: expected a JSON object, got ${kindOf(value)}`);
  return value;
}

/** Parses and checks netclaim's CNI config (JSON text, bytes or a parsed object). Throws, naming the field. */
export function parseNetConf(input: string | Uint8Array | JsonObject): NetConf {
  const raw = decode(input);
  const parsed = netConfSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success)
    throw netConfError("INVALID_NETWORK_CONFIG", describeIssues(WHAT, parsed.error.issues));
  const { conf, issues } = build(parsed.data, raw);
  if (issues.length > 0) throw netConfError("INVALID_NETWORK_CONFIG", describeIssues(WHAT, issues));
  return conf;
}
