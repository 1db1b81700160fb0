// The capability args ("runtimeConfig") delegates receive. Pure.
//
// Runtimes spell them differently: containerd (go-cni) marshals Go structs without json tags, so the
// nested keys are Go field names ("HostPort", "IngressRate", "Servers"); CRI-O uses the CNI conventions'
// camelCase ("hostPort", "ingressRate"). Go plugins (and Multus, which decodes into tagged structs)
// accept both because Go's JSON decoding ignores case. `normaliseRuntimeConfig` rewrites both to the
// conventions' names so that what netclaim stores and passes on is one spelling; keys it does not know
// are kept as they are.
//
// `runtimeConfigFor` is libcni's injectRuntimeConfig: a plugin gets only the capabilities its config
// declares `true`, and only those the runtime (or netclaim) has a value for.
import { isJsonObject } from "./json.ts";
import type { JsonObject } from "./json.ts";

/** Lower-cased spelling → the CNI conventions' name. */
type KeyTable = Readonly<Record<string, string>>;

function tableOf(names: readonly string[]): KeyTable {
  return Object.fromEntries(names.map((n) => [n.toLowerCase(), n]));
}

const TOP_LEVEL = tableOf([
  "portMappings",
  "bandwidth",
  "ips",
  "mac",
  "deviceID",
  "infinibandGUID",
  "dns",
  "aliases",
  "cgroupPath",
  "ipRanges",
]);
const PORT_MAPPING = tableOf(["hostPort", "containerPort", "protocol", "hostIP"]);
const BANDWIDTH = tableOf(["ingressRate", "ingressBurst", "egressRate", "egressBurst"]);
const DNS = tableOf(["servers", "searches", "options", "domain"]);
const IP_RANGE = tableOf(["subnet", "rangeStart", "rangeEnd", "gateway"]);

/**
 * The runtimeConfig keys Multus itself understands (its RuntimeConfig struct); it drops every other key
 * before delegates see them. netclaim keeps the others (dns, aliases, cgroupPath, ...): a caller that
 * wants Multus's narrower behaviour filters with this list.
 */
export const MULTUS_RUNTIME_CONFIG_KEYS = [
  "portMappings",
  "bandwidth",
  "ips",
  "mac",
  "infinibandGUID",
  "deviceID",
  "CNIDeviceInfoFile",
] as const;

/** Keys renamed by `table` (case-insensitively); a key already in canonical spelling wins. */
function renameKeys(value: JsonObject, table: KeyTable): JsonObject {
  const out = new Map<string, unknown>();
  const canonicalSeen = new Set<string>();
  for (const [key, inner] of Object.entries(value)) {
    const canonical = table[key.toLowerCase()] ?? key;
    if (key !== canonical && canonicalSeen.has(canonical)) continue;
    if (key === canonical) canonicalSeen.add(canonical);
    out.set(canonical, inner);
  }
  return Object.fromEntries(out);
}

function renameIfObject(value: unknown, table: KeyTable): unknown {
  return isJsonObject(value) ? renameKeys(value, table) : value;
}

function renameEach(value: unknown, table: KeyTable): unknown {
  return Array.isArray(value) ? value.map((item) => renameIfObject(item, table)) : value;
}

const NESTED: Readonly<Record<string, (value: unknown) => unknown>> = {
  portMappings: (v) => renameEach(v, PORT_MAPPING),
  bandwidth: (v) => renameIfObject(v, BANDWIDTH),
  dns: (v) => renameIfObject(v, DNS),
  ipRanges: (v) => (Array.isArray(v) ? v.map((set) => renameEach(set, IP_RANGE)) : v),
};

/** Capability args in the CNI conventions' spelling, whichever runtime produced them. */
export function normaliseRuntimeConfig(raw: unknown): JsonObject {
  if (!isJsonObject(raw)) return {};
  const top = renameKeys(raw, TOP_LEVEL);
  return Object.fromEntries(Object.entries(top).map(([key, value]) => [key, NESTED[key]?.(value) ?? value]));
}

/**
 * The `runtimeConfig` one plugin receives: every capability its `capabilities` sets to true that
 * `available` has a value for (libcni: present in CapabilityArgs, even when null).
 */
export function runtimeConfigFor(capabilities: unknown, available: JsonObject): JsonObject {
  if (!isJsonObject(capabilities)) return {};
  const picked = new Map<string, unknown>();
  for (const [capability, enabled] of Object.entries(capabilities)) {
    if (enabled === true && Object.hasOwn(available, capability) && available[capability] !== undefined) {
      picked.set(capability, available[capability]);
    }
  }
  return Object.fromEntries(picked);
}
