// The opaque device config of netclaim's devices (DESIGN.md "Opaque device config"): a DeviceClass's or a
// ResourceClaim's `spec.devices.config[].opaque.parameters` for driver `netclaim.dev`:
//   apiVersion: netclaim.dev/v1alpha1, kind: NetworkDeviceConfig,
//   driver (kernel | vfio-pci), mtu, mac, vlan, trust, spoofChk, ifName, ipPool — all optional.
// Strict: an unknown field is an error that names it. Limits are the kernel's: mtu 68 (ETH_MIN_MTU) to
// 65535 (ETH_MAX_MTU); vlan 0–4094 (4095 is reserved; 0 means untagged); mac a unicast, non-zero
// 48-bit address ("02:00:00:00:00:01", stored lower-case); ifName as dev_valid_name() accepts it (1–15
// bytes, not "." or "..", no "/", ":" or whitespace) and without "%" (a name template to the kernel);
// ipPool an IPPool's name (a DNS subdomain).
//
// Resolution follows the kubelet plugin's view of a claim: the config entries of the ALLOCATION result
// (`status.allocation.devices.config[]`, each with `source` FromClass | FromClaim and `requests`), not the
// claim's spec — the allocation already carries the class's entries. Entries for other drivers are
// ignored. An entry applies to a request when its `requests` is empty, names the request, or names the
// main request of a subrequest result ("req" applies to "req/sub"; "req/sub" only to that subrequest).
// Precedence, lowest first: class entries, then claim entries, each in list order. Fields merge: each
// field takes its value from the highest-precedence entry that sets it (so a class may set `driver` and
// a claim `mac`); there is no way to unset a field a class set, only to override it.
//
// Every entry for our driver is validated, whether or not it applies to one of our results: a bad entry
// fails the claim with a CodedError "INVALID_CONFIG" naming the claim, the entry and the field:
//   claim default/net-a: config entry 1 (FromClaim): field "mtu": must be at least 68, got number 20
//
// Public API: `NETWORK_DEVICE_CONFIG_API_VERSION`, `NETWORK_DEVICE_CONFIG_KIND`, `NETWORK_DEVICE_DRIVERS`,
// `NetworkDeviceConfig`, `parseNetworkDeviceConfig`, `networkDeviceConfigProblems`, `AllocationConfigEntry`,
// `ClaimConfigView`, `ParsedConfigEntry`, `parseClaimDeviceConfigs`, `configForRequest`, `configForRequests`,
// `requestMatches`, `resolveDeviceConfig`, `appliedDeviceConfigSchema`, `macProblem`, `ifNameProblem`.
import { z } from "zod";
import { CodedError } from "../common/errors.ts";
import { describeIssue, formatPath, isJsonObject, kindOf } from "./netconf-issues.ts";

export const NETWORK_DEVICE_CONFIG_API_VERSION = "netclaim.dev/v1alpha1";
export const NETWORK_DEVICE_CONFIG_KIND = "NetworkDeviceConfig";
export const NETWORK_DEVICE_DRIVERS = ["kernel", "vfio-pci"] as const;
export type NetworkDeviceDriver = (typeof NETWORK_DEVICE_DRIVERS)[number];

export const MIN_MTU = 68;
export const MAX_MTU = 65535;
export const MAX_VLAN_ID = 4094;
/** IFNAMSIZ (16) less the terminating NUL. */
export const MAX_IFNAME_BYTES = 15;
const MAX_DNS_SUBDOMAIN_LENGTH = 253;

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The validated config, without apiVersion/kind; absent fields are not set. */
export interface NetworkDeviceConfig {
  driver?: NetworkDeviceDriver;
  mtu?: number;
  /** Lower-case. */
  mac?: string;
  vlan?: number;
  trust?: boolean;
  spoofChk?: boolean;
  ifName?: string;
  ipPool?: string;
}

/** Why `mac` is not a usable unicast MAC address, or undefined. */
export function macProblem(mac: string): string | undefined {
  if (!MAC_RE.test(mac)) return `expected a MAC address like "02:00:00:00:00:01", got ${JSON.stringify(mac)}`;
  const octets = mac.split(":").map((o) => Number.parseInt(o, 16));
  if (((octets[0] ?? 0) & 1) === 1) return `${mac} is a multicast address (the first octet is odd)`;
  if (octets.every((o) => o === 0)) return "the all-zero address is not usable";
  return undefined;
}

/** Why `name` is not a Linux interface name, or undefined (net/core/dev.c dev_valid_name, and no "%"). */
export function ifNameProblem(name: string): string | undefined {
  if (name === "") return "must not be empty";
  if (Buffer.byteLength(name, "utf8") > MAX_IFNAME_BYTES) {
    return `${JSON.stringify(name)} is longer than ${MAX_IFNAME_BYTES} bytes`;
  }
  if (name === "." || name === "..") return `${JSON.stringify(name)} is not a valid interface name`;
  const bad = /[/:%\s]/.exec(name);
  if (bad !== null) return `${JSON.stringify(name)} contains ${JSON.stringify(bad[0])}`;
  return undefined;
}

function checked(problem: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const found = problem(value);
    if (found !== undefined) ctx.addIssue({ code: "custom", message: found });
  });
}

const ipPoolName = checked((name) => {
  if (name.length > MAX_DNS_SUBDOMAIN_LENGTH) return `longer than ${MAX_DNS_SUBDOMAIN_LENGTH} characters`;
  if (!DNS_SUBDOMAIN_RE.test(name))
    return `${JSON.stringify(name)} is not a valid IPPool name (a DNS subdomain)`;
  return undefined;
});

const configFields = {
  driver: z.enum(NETWORK_DEVICE_DRIVERS).optional(),
  mtu: z.int().min(MIN_MTU).max(MAX_MTU).optional(),
  mac: checked(macProblem)
    .transform((m) => m.toLowerCase())
    .optional(),
  vlan: z.int().min(0).max(MAX_VLAN_ID).optional(),
  trust: z.boolean().optional(),
  spoofChk: z.boolean().optional(),
  ifName: checked(ifNameProblem).optional(),
  ipPool: ipPoolName.optional(),
};

const networkDeviceConfigSchema = z.strictObject({
  apiVersion: z.literal(NETWORK_DEVICE_CONFIG_API_VERSION),
  kind: z.literal(NETWORK_DEVICE_CONFIG_KIND),
  ...configFields,
});

/** A config as resolved and stored (the checkpoint's `config`): the fields, without apiVersion/kind. */
export const appliedDeviceConfigSchema = z.strictObject(configFields);

function problemText(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    const names = issue.keys.map((k) => JSON.stringify(formatPath([...issue.path, k]))).join(", ");
    return `unknown field${issue.keys.length === 1 ? "" : "s"} ${names}`;
  }
  return describeIssue(issue);
}

/** Every problem of `raw` as a NetworkDeviceConfig, each naming its field; [] when it is valid. */
export function networkDeviceConfigProblems(raw: unknown): string[] {
  if (!isJsonObject(raw)) return [`expected an object, got ${kindOf(raw)}`];
  const parsed = networkDeviceConfigSchema.safeParse(raw, { reportInput: true });
  return parsed.success ? [] : parsed.error.issues.map(problemText);
}

/** Validates `parameters`; throws a CodedError "INVALID_CONFIG" listing every problem. */
export function parseNetworkDeviceConfig(raw: unknown): NetworkDeviceConfig {
  const problems = networkDeviceConfigProblems(raw);
  if (problems.length > 0) throw new CodedError("INVALID_CONFIG", problems.join("; "));
  const { apiVersion: _v, kind: _k, ...fields } = networkDeviceConfigSchema.parse(raw);
  return dropUndefined(fields);
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------------------------------------------
// Resolution from a claim's allocation result.

/** One `status.allocation.devices.config[]` entry (resource.k8s.io/v1 DeviceAllocationConfiguration). */
export interface AllocationConfigEntry {
  source?: string;
  requests?: string[];
  opaque?: { driver?: string; parameters?: unknown };
}

/** The parts of a ResourceClaim that config resolution reads. */
export interface ClaimConfigView {
  metadata?: { namespace?: string; name?: string };
  status?: { allocation?: { devices?: { config?: AllocationConfigEntry[] } } };
}

export const CONFIG_SOURCES = ["FromClass", "FromClaim"] as const;
export type ConfigSource = (typeof CONFIG_SOURCES)[number];

export interface ParsedConfigEntry {
  /** Index in status.allocation.devices.config. */
  index: number;
  source: ConfigSource;
  /** [] applies to every request. */
  requests: string[];
  config: NetworkDeviceConfig;
}

export type ParseClaimConfigsResult =
  { ok: true; entries: ParsedConfigEntry[] } | { ok: false; error: CodedError<"INVALID_CONFIG"> };

function claimName(claim: ClaimConfigView): string {
  return `${claim.metadata?.namespace ?? ""}/${claim.metadata?.name ?? ""}`;
}

function entryError(claim: ClaimConfigView, index: number, source: string, problems: string[]) {
  const what = `claim ${claimName(claim)}: config entry ${index} (${source})`;
  return new CodedError("INVALID_CONFIG", `${what}: ${problems.join("; ")}`);
}

/**
 * Our driver's entries of the claim's allocation config, validated, in precedence order (lowest
 * first: class entries, then claim entries). The first bad entry fails the claim.
 */
export function parseClaimDeviceConfigs(claim: ClaimConfigView, driverName: string): ParseClaimConfigsResult {
  const raw = claim.status?.allocation?.devices?.config ?? [];
  const parsed: ParsedConfigEntry[] = [];
  for (const [index, entry] of raw.entries()) {
    if (entry.opaque?.driver !== driverName) continue;
    const source = entry.source ?? "";
    if (!(CONFIG_SOURCES as readonly string[]).includes(source)) {
      const problem = `field "source": expected one of "FromClass", "FromClaim", got ${JSON.stringify(source)}`;
      return { ok: false, error: entryError(claim, index, source || "no source", [problem]) };
    }
    const problems = networkDeviceConfigProblems(entry.opaque.parameters);
    if (problems.length > 0) return { ok: false, error: entryError(claim, index, source, problems) };
    const config = parseNetworkDeviceConfig(entry.opaque.parameters);
    parsed.push({ index, source: source as ConfigSource, requests: entry.requests ?? [], config });
  }
  const rank = (e: ParsedConfigEntry) => (e.source === "FromClass" ? 0 : 1);
  parsed.sort((a, b) => rank(a) - rank(b) || a.index - b.index);
  return { ok: true, entries: parsed };
}

/** Whether an entry with `requests` applies to the allocation result of `request` (maybe "main/sub"). */
export function requestMatches(requests: readonly string[], request: string): boolean {
  if (requests.length === 0) return true;
  const main = request.split("/")[0] ?? request;
  return requests.some((r) => r === request || r === main);
}

export interface ResolvedDeviceConfig {
  config: NetworkDeviceConfig;
  /** The entries that applied, lowest precedence first. */
  sources: { index: number; source: ConfigSource }[];
}

/** Merges the entries that apply to `request`, field by field, higher precedence winning. */
export function configForRequest(
  entries: readonly ParsedConfigEntry[],
  request: string,
): ResolvedDeviceConfig {
  const config: NetworkDeviceConfig = {};
  const sources: ResolvedDeviceConfig["sources"] = [];
  for (const entry of entries) {
    if (!requestMatches(entry.requests, request)) continue;
    Object.assign(config, entry.config);
    sources.push({ index: entry.index, source: entry.source });
  }
  return { config, sources };
}

/** The config of a device serving several requests: each request's config merged, later requests over earlier. */
export function configForRequests(
  entries: readonly ParsedConfigEntry[],
  requests: readonly string[],
): NetworkDeviceConfig {
  return Object.assign(
    {},
    ...requests.map((r) => configForRequest(entries, r).config),
  ) as NetworkDeviceConfig;
}

export type ResolveDeviceConfigResult =
  ({ ok: true } & ResolvedDeviceConfig) | { ok: false; error: CodedError<"INVALID_CONFIG"> };

/** The config for one request of an allocated claim: parse + merge. */
export function resolveDeviceConfig(
  claim: ClaimConfigView,
  driverName: string,
  request: string,
): ResolveDeviceConfigResult {
  const parsed = parseClaimDeviceConfigs(claim, driverName);
  if (!parsed.ok) return parsed;
  return { ok: true, ...configForRequest(parsed.entries, request) };
}
