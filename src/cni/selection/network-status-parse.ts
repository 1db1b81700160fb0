// Reading network-status back: the annotation value (e.g. to see what an earlier ADD wrote) and the
// device-info files that device plugins and CNI plugins write (NAD client LoadDeviceInfoFromCNI).
//
// API:
//   parseNetworkStatuses(value)  annotation value → SelectionResult<NetworkStatus[]> (INVALID_NETWORK_STATUS)
//   parseDeviceInfo(document)    a decoded device-info JSON document → SelectionResult<DeviceInfo>
//
// Decoding is encoding/json's, like the Go readers: keys match case-insensitively, unknown keys are
// ignored, null is the zero value, a wrong JSON type fails. Results are normalized (Go key order,
// omitempty), so parseNetworkStatuses(serializeNetworkStatuses(x)) equals x for normalized x.
import { decodeGoFields } from "./go-compat.ts";
import {
  catchFieldError,
  integer,
  optionalArray,
  optionalBoolean,
  optionalObject,
  optionalString,
  optionalStrings,
  FieldError,
} from "./json-fields.ts";
import {
  DEVICE_INFO_KEYS,
  DEVICE_INFO_SECTION_KEYS,
  NETWORK_STATUS_ANNOTATION,
  normalizeDeviceInfo,
  normalizeNetworkStatus,
} from "./network-status.ts";
import type { DeviceInfo, NetworkStatus, NetworkStatusDns } from "./network-status.ts";
import { fail, isPlainObject, jsonTypeOf, succeed } from "./types.ts";
import type { SelectionResult } from "./types.ts";

const STATUS_FIELDS = [
  "name",
  "interface",
  "ips",
  "mac",
  "mtu",
  "default",
  "dns",
  "device-info",
  "gateway",
] as const;
const DNS_FIELDS = ["nameservers", "domain", "search", "options"] as const;

function decodeSection(
  value: unknown,
  path: string,
  keys: readonly string[],
): Record<string, string> | undefined {
  const object = optionalObject(value, path);
  if (object === undefined) return undefined;
  const f = decodeGoFields(object, keys);
  const out: Record<string, string> = {};
  for (const key of keys) {
    const text = optionalString(f.get(key), `${path}.${key}`);
    if (text !== undefined) out[key] = text;
  }
  return out;
}

function decodeDeviceInfo(value: Record<string, unknown>, path: string): DeviceInfo {
  const f = decodeGoFields(value, DEVICE_INFO_KEYS);
  const at = (key: string): string => (path === "" ? key : `${path}.${key}`);
  const info: Record<string, unknown> = {
    type: optionalString(f.get("type"), at("type")),
    version: optionalString(f.get("version"), at("version")),
  };
  for (const key of ["pci", "vdpa", "vhost-user", "memif"] as const) {
    info[key] = decodeSection(f.get(key), at(key), DEVICE_INFO_SECTION_KEYS[key]);
  }
  return normalizeDeviceInfo(info);
}

function decodeDns(value: unknown): NetworkStatusDns {
  const object = optionalObject(value, "dns");
  if (object === undefined) return {};
  const f = decodeGoFields(object, DNS_FIELDS);
  return {
    nameservers: optionalStrings(f.get("nameservers"), "dns.nameservers"),
    domain: optionalString(f.get("domain"), "dns.domain"),
    search: optionalStrings(f.get("search"), "dns.search"),
    options: optionalStrings(f.get("options"), "dns.options"),
  };
}

function decodeStatus(element: unknown): NetworkStatus {
  if (!isPlainObject(element)) throw new FieldError(`must be an object, got ${jsonTypeOf(element)}`);
  const f = decodeGoFields(element, STATUS_FIELDS);
  const info = optionalObject(f.get("device-info"), "device-info");
  return normalizeNetworkStatus({
    name: optionalString(f.get("name"), "name") ?? "",
    interface: optionalString(f.get("interface"), "interface"),
    ips: optionalStrings(f.get("ips"), "ips"),
    mac: optionalString(f.get("mac"), "mac"),
    mtu: integer(f.get("mtu"), "mtu"),
    default: optionalBoolean(f.get("default"), "default"),
    dns: decodeDns(f.get("dns")),
    ...(info !== undefined ? { "device-info": decodeDeviceInfo(info, "device-info") } : {}),
    gateway: optionalStrings(f.get("gateway"), "gateway"),
  });
}

/** Parse a `k8s.v1.cni.cncf.io/network-status` value; `null` is an empty list, as for Go. */
export function parseNetworkStatuses(value: string): SelectionResult<NetworkStatus[]> {
  const invalid = (message: string): SelectionResult<NetworkStatus[]> =>
    fail("INVALID_NETWORK_STATUS", `${NETWORK_STATUS_ANNOTATION}: ${message}`);
  let document: unknown;
  try {
    document = JSON.parse(value);
  } catch (err) {
    return invalid(`invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const decoded = catchFieldError(() => optionalArray(document, "value") ?? [], "");
  if (!decoded.ok) return invalid(decoded.message);
  const statuses: NetworkStatus[] = [];
  for (const [i, element] of decoded.value.entries()) {
    const status = catchFieldError(() => decodeStatus(element), `entry ${i + 1}: `);
    if (!status.ok) return invalid(status.message);
    statuses.push(status.value);
  }
  return succeed(statuses);
}

/** A device-info document (already JSON-decoded) as the NAD client reads it. */
export function parseDeviceInfo(document: unknown): SelectionResult<DeviceInfo> {
  const decoded = catchFieldError(() => {
    if (!isPlainObject(document)) throw new FieldError(`must be an object, got ${jsonTypeOf(document)}`);
    return decodeDeviceInfo(document, "");
  }, "device-info: ");
  return decoded.ok ? succeed(decoded.value) : fail("INVALID_NETWORK_STATUS", decoded.message);
}
