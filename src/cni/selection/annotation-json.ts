// The JSON form of the networks annotation: an array of objects with the keys of Multus's
// NetworkSelectionElement (pkg/types/types.go). Used by annotations.ts, which adds the annotation's key
// to every message.
//
// Decoding follows encoding/json as Multus uses it: keys match case-insensitively, unknown keys are
// ignored, `null` means absent, a value of the wrong JSON type fails the whole annotation. Validation is
// Multus's (ips: IP or CIDR; mac and infiniband-guid: net.ParseMAC; default-route: IPs) plus checks for
// things that cannot exist, which Multus only discovers later (NAD lookup, link creation): an empty or
// malformed name or namespace, an interface name the kernel refuses. Keys honoured:
//   name, namespace, interface, interfaceRequest (pre-3.2 alias, used when interface is empty), ips,
//   mac, infiniband-guid, default-route, portMappings, bandwidth, cni-args, deviceID, and
//   ipam-claim-reference (Multus parses none; netclaim passes it on).
import { checkInterfaceName } from "./interface-names.ts";
import { jsonNameProblem, namespaceProblem } from "./object-names.ts";
import { decodeGoFields, isGoIpOrCidr, parseGoIp, parseGoMac } from "./go-compat.ts";
import {
  FieldError,
  catchFieldError,
  integer,
  optionalArray,
  optionalObject,
  optionalString,
  optionalStrings,
} from "./json-fields.ts";
import { isPlainObject, jsonTypeOf } from "./types.ts";
import type { Bandwidth, NetworkSelection, PortMapping } from "./types.ts";

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const SELECTION_FIELDS = [
  "name",
  "namespace",
  "ips",
  "mac",
  "infiniband-guid",
  "interface",
  "interfaceRequest",
  "portMappings",
  "bandwidth",
  "deviceID",
  "cni-args",
  "default-route",
  "ipam-claim-reference",
] as const;
const PORT_MAPPING_FIELDS = ["hostPort", "containerPort", "protocol", "hostIP"] as const;
const BANDWIDTH_FIELDS = ["ingressRate", "ingressBurst", "egressRate", "egressBurst"] as const;

function portMappings(value: unknown, path: string): PortMapping[] | undefined {
  return optionalArray(value, path)?.map((item, i) => {
    const at = `${path}[${i}]`;
    if (!isPlainObject(item)) throw new FieldError(`${at} must be an object, got ${jsonTypeOf(item)}`);
    const f = decodeGoFields(item, PORT_MAPPING_FIELDS);
    const protocol = optionalString(f.get("protocol"), `${at}.protocol`);
    const hostIP = optionalString(f.get("hostIP"), `${at}.hostIP`);
    return {
      hostPort: integer(f.get("hostPort"), `${at}.hostPort`),
      containerPort: integer(f.get("containerPort"), `${at}.containerPort`),
      ...(protocol !== undefined && protocol !== "" ? { protocol } : {}),
      ...(hostIP !== undefined && hostIP !== "" ? { hostIP } : {}),
    };
  });
}

function bandwidth(value: unknown, path: string): Bandwidth | undefined {
  const object = optionalObject(value, path);
  if (object === undefined) return undefined;
  const f = decodeGoFields(object, BANDWIDTH_FIELDS);
  return {
    ingressRate: integer(f.get("ingressRate"), `${path}.ingressRate`),
    ingressBurst: integer(f.get("ingressBurst"), `${path}.ingressBurst`),
    egressRate: integer(f.get("egressRate"), `${path}.egressRate`),
    egressBurst: integer(f.get("egressBurst"), `${path}.egressBurst`),
  };
}

function checkIps(ips: readonly string[] | undefined): void {
  ips?.forEach((ip, i) => {
    if (!isGoIpOrCidr(ip))
      throw new FieldError(`ips[${i}] ${JSON.stringify(ip)} is not an IP address or CIDR`);
  });
}

function checkGateways(gateways: readonly string[] | undefined): void {
  gateways?.forEach((gw, i) => {
    if (parseGoIp(gw) === undefined)
      throw new FieldError(`default-route[${i}] ${JSON.stringify(gw)} is not an IP address`);
  });
}

function checkHardwareAddress(value: string | undefined, key: string, what: string): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (parseGoMac(value) === undefined)
    throw new FieldError(`${key} ${JSON.stringify(value)} is not a valid ${what}`);
  return value;
}

function identity(f: Map<string, unknown>, defaultNamespace: string): { namespace: string; name: string } {
  const name = optionalString(f.get("name"), "name") ?? "";
  const namespace = optionalString(f.get("namespace"), "namespace") ?? "";
  if (namespace !== "") {
    const problem = namespaceProblem(namespace);
    if (problem !== undefined) throw new FieldError(problem);
  }
  if (name === "") throw new FieldError("name is required");
  const problem = jsonNameProblem(name);
  if (problem !== undefined) throw new FieldError(problem);
  return { namespace: namespace === "" ? defaultNamespace : namespace, name };
}

function interfaceName(f: Map<string, unknown>): string | undefined {
  const current = optionalString(f.get("interface"), "interface");
  const deprecated = optionalString(f.get("interfaceRequest"), "interfaceRequest");
  const chosen = current !== undefined && current !== "" ? current : deprecated;
  if (chosen === undefined || chosen === "") return undefined;
  const problem = checkInterfaceName(chosen);
  if (problem !== undefined) throw new FieldError(problem);
  return chosen;
}

function nonEmpty<T extends string>(key: string, value: T | undefined): Record<string, T> {
  return value === undefined || value === "" ? {} : { [key]: value };
}

function selectionFromObject(element: Record<string, unknown>, defaultNamespace: string): NetworkSelection {
  const f = decodeGoFields(element, SELECTION_FIELDS);
  const { namespace, name } = identity(f, defaultNamespace);
  const ifname = interfaceName(f);
  const ips = optionalStrings(f.get("ips"), "ips");
  checkIps(ips);
  const mac = checkHardwareAddress(optionalString(f.get("mac"), "mac"), "mac", "MAC address");
  const guid = optionalString(f.get("infiniband-guid"), "infiniband-guid");
  checkHardwareAddress(guid, "infiniband-guid", "InfiniBand GUID");
  const defaultRoute = optionalStrings(f.get("default-route"), "default-route");
  checkGateways(defaultRoute);
  const ports = portMappings(f.get("portMappings"), "portMappings");
  const limits = bandwidth(f.get("bandwidth"), "bandwidth");
  const args = optionalObject(f.get("cni-args"), "cni-args");
  return {
    namespace,
    name,
    ...nonEmpty("interfaceName", ifname),
    ...(ips !== undefined ? { ips } : {}),
    ...nonEmpty("mac", mac),
    ...nonEmpty("infinibandGuid", guid),
    ...(defaultRoute !== undefined ? { defaultRoute } : {}),
    ...(ports !== undefined ? { portMappings: ports } : {}),
    ...(limits !== undefined ? { bandwidth: limits } : {}),
    ...(args !== undefined ? { cniArgs: args } : {}),
    ...nonEmpty("deviceId", optionalString(f.get("deviceID"), "deviceID")),
    ...nonEmpty("ipamClaimReference", optionalString(f.get("ipam-claim-reference"), "ipam-claim-reference")),
  };
}

/** Parse the JSON form. Messages do not name the annotation; the caller prefixes its key. */
export function parseJsonSelections(text: string, defaultNamespace: string): Parsed<NetworkSelection[]> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `invalid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!Array.isArray(document)) {
    return { ok: false, message: `must be a JSON array of objects, got ${jsonTypeOf(document)}` };
  }
  const selections: NetworkSelection[] = [];
  for (const [i, element] of (document as unknown[]).entries()) {
    if (!isPlainObject(element)) {
      return { ok: false, message: `entry ${i + 1}: must be an object, got ${jsonTypeOf(element)}` };
    }
    const decoded = catchFieldError(() => selectionFromObject(element, defaultNamespace), `entry ${i + 1}: `);
    if (!decoded.ok) return decoded;
    selections.push(decoded.value);
  }
  return { ok: true, value: selections };
}
