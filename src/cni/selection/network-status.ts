// The `k8s.v1.cni.cncf.io/network-status` annotation value, built from each attachment's CNI result.
//
// API:
//   buildNetworkStatuses(outcomes)     → NetworkStatus[], in the order given
//   serializeNetworkStatuses(statuses) → the annotation value, byte for byte as Multus writes it
//   (parsing: network-status-parse.ts)
//
// Shape: the NAD client's NetworkStatus (pkg/apis/k8s.cni.cncf.io/v1/types.go): name, interface, ips, mac,
// mtu, default, dns, device-info, gateway — that key order, empty values left out (Go omitempty), except
// `dns`, which Go never omits (`{}` when empty). Rules: the NAD client's CreateNetworkStatuses
// (pkg/utils/net-attach-def.go), which Multus calls once per delegate result:
// - exactly one interface in the result: one entry; `interface`/`mac`/`mtu` only if that interface has a
//   sandbox; every IP of the result; `gateway` = the gateways of its default routes;
// - otherwise one entry per sandbox interface (none for a result without interfaces), each with the
//   result's default-route gateways and DNS; an IP goes to the entry of its `interface` index (dropped if
//   that interface has no sandbox), an IP without index to the last entry; for the default network only
//   the interface of the first IP having both a gateway and an index is `default` (the first sandbox
//   interface when no IP has both).
// IPs are written without prefix length, as Go's net.IP.String() prints them. A default route is one
// whose destination address is 0.0.0.0 or :: (Go's isDefaultRoute looks at the address, not the prefix).
// Where netclaim differs: a default route without a gateway contributes nothing (Go writes "<nil>").
//
// Name: `namespace/name` for a NAD (selectionDisplayName), the CNI config's `name` for a cluster network
// read from a file; a clusterNetwork given as a NAD name is that NAD, `<multusNamespace>/<name>`.
// Multus writes network-status once, after every ADD succeeded, and never on DEL (its DEL path calls the
// writer with no statuses, which writes nothing); the annotation stays on the pod until the pod goes.
import { goIpString, parseGoCidr, parseGoIp } from "./go-compat.ts";
import type { CniDnsLike, CniInterfaceLike, CniResultLike } from "./cni-result.ts";

export const NETWORK_STATUS_ANNOTATION = "k8s.v1.cni.cncf.io/network-status";

export interface NetworkStatusDns {
  readonly nameservers?: readonly string[];
  readonly domain?: string;
  readonly search?: readonly string[];
  readonly options?: readonly string[];
}

export interface PciDeviceInfo {
  readonly "pci-address"?: string;
  readonly "vhost-net"?: string;
  readonly "rdma-device"?: string;
  readonly "pf-pci-address"?: string;
  readonly "representor-device"?: string;
}

export interface VdpaDeviceInfo {
  readonly "parent-device"?: string;
  readonly driver?: string;
  readonly path?: string;
  readonly "pci-address"?: string;
  readonly "pf-pci-address"?: string;
  readonly "representor-device"?: string;
}

export interface VhostUserDeviceInfo {
  readonly mode?: string;
  readonly path?: string;
}

export interface MemifDeviceInfo {
  readonly role?: string;
  readonly path?: string;
  readonly mode?: string;
}

/** The device-info file format (NAD client DeviceInfo, spec version 1.1.0). */
export interface DeviceInfo {
  readonly type?: string;
  readonly version?: string;
  readonly pci?: PciDeviceInfo;
  readonly vdpa?: VdpaDeviceInfo;
  readonly "vhost-user"?: VhostUserDeviceInfo;
  readonly memif?: MemifDeviceInfo;
}

export interface NetworkStatus {
  readonly name: string;
  readonly interface?: string;
  readonly ips?: readonly string[];
  readonly mac?: string;
  readonly mtu?: number;
  readonly default?: boolean;
  readonly dns: NetworkStatusDns;
  readonly "device-info"?: DeviceInfo;
  readonly gateway?: readonly string[];
}

export interface AttachmentOutcome {
  /** The network-status name (see the header). */
  readonly name: string;
  /** Whether this is the pod's default network (Multus's master delegate). */
  readonly isDefault: boolean;
  readonly result: CniResultLike;
  /** What the device-info file said, when there is one. */
  readonly deviceInfo?: DeviceInfo;
}

export const DEVICE_INFO_KEYS = ["type", "version", "pci", "vdpa", "vhost-user", "memif"] as const;
export const DEVICE_INFO_SECTION_KEYS = {
  pci: ["pci-address", "vhost-net", "rdma-device", "pf-pci-address", "representor-device"],
  vdpa: ["parent-device", "driver", "path", "pci-address", "pf-pci-address", "representor-device"],
  "vhost-user": ["mode", "path"],
  memif: ["role", "path", "mode"],
} as const;

type Entries = Record<string, unknown>;

function nonEmptyEntries(entries: Entries): Entries {
  const out: Entries = {};
  for (const [key, value] of Object.entries(entries)) {
    if (value === undefined || value === "" || value === 0 || value === false) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[key] = value;
  }
  return out;
}

/** Key order and Go omitempty for a device-info object: empty strings dropped, present sections kept. */
export function normalizeDeviceInfo(info: DeviceInfo): DeviceInfo {
  const section = (key: keyof typeof DEVICE_INFO_SECTION_KEYS): Entries | undefined => {
    const value = info[key] as Entries | undefined;
    if (value === undefined) return undefined;
    return nonEmptyEntries(Object.fromEntries(DEVICE_INFO_SECTION_KEYS[key].map((k) => [k, value[k]])));
  };
  return nonEmptyEntries({
    type: info.type,
    version: info.version,
    pci: section("pci"),
    vdpa: section("vdpa"),
    "vhost-user": section("vhost-user"),
    memif: section("memif"),
  });
}

export function normalizeDns(dns: CniDnsLike | undefined): NetworkStatusDns {
  return nonEmptyEntries({
    nameservers: dns?.nameservers !== undefined ? [...dns.nameservers] : undefined,
    domain: dns?.domain,
    search: dns?.search !== undefined ? [...dns.search] : undefined,
    options: dns?.options !== undefined ? [...dns.options] : undefined,
  });
}

/** A NetworkStatus with Go's key order and omitempty applied (`name` and `dns` are always present). */
export function normalizeNetworkStatus(status: NetworkStatus): NetworkStatus {
  const info = status["device-info"];
  return {
    name: status.name,
    ...nonEmptyEntries({
      interface: status.interface,
      ips: status.ips !== undefined ? [...status.ips] : undefined,
      mac: status.mac,
      mtu: status.mtu,
      default: status.default,
    }),
    dns: normalizeDns(status.dns),
    ...nonEmptyEntries({
      "device-info": info !== undefined ? normalizeDeviceInfo(info) : undefined,
      gateway: status.gateway !== undefined ? [...status.gateway] : undefined,
    }),
  };
}

function plainIp(address: string): string {
  const withoutPrefix = address.includes("/") ? address.slice(0, address.indexOf("/")) : address;
  const ip = parseGoIp(withoutPrefix);
  return ip === undefined ? withoutPrefix : goIpString(ip);
}

function defaultGateways(result: CniResultLike): string[] {
  const gateways: string[] = [];
  for (const route of result.routes ?? []) {
    const dst = parseGoCidr(route.dst);
    if (dst === undefined || route.gw === undefined) continue;
    const address = goIpString(dst.ip);
    if (address === "0.0.0.0" || address === "::") gateways.push(plainIp(route.gw));
  }
  return gateways;
}

function entry(
  outcome: AttachmentOutcome,
  iface: CniInterfaceLike | undefined,
  fields: Partial<NetworkStatus>,
): NetworkStatus {
  const inPod = iface !== undefined && iface.sandbox !== undefined && iface.sandbox !== "";
  return normalizeNetworkStatus({
    name: outcome.name,
    ...(inPod ? { interface: iface.name, mac: iface.mac, mtu: iface.mtu } : {}),
    dns: normalizeDns(outcome.result.dns),
    gateway: defaultGateways(outcome.result),
    ...(outcome.deviceInfo !== undefined ? { "device-info": outcome.deviceInfo } : {}),
    ...fields,
  });
}

function multiInterfaceStatuses(outcome: AttachmentOutcome): NetworkStatus[] {
  const { result, isDefault } = outcome;
  const ips = result.ips ?? [];
  const gatewayIndex =
    ips.find((ip) => ip.gateway !== undefined && ip.interface !== undefined)?.interface ?? -1;
  const slots: { index: number; iface: CniInterfaceLike; isDefault: boolean; ips: string[] }[] = [];
  let defaultTaken = false;
  for (const [index, iface] of (result.interfaces ?? []).entries()) {
    if (iface.sandbox === undefined || iface.sandbox === "") continue;
    const mine: boolean = isDefault && !defaultTaken && (gatewayIndex === -1 || index === gatewayIndex);
    defaultTaken ||= mine;
    slots.push({ index, iface, isDefault: mine, ips: [] });
  }
  for (const ip of ips) {
    const slot = ip.interface === undefined ? slots.at(-1) : slots.find((s) => s.index === ip.interface);
    slot?.ips.push(plainIp(ip.address));
  }
  return slots.map((s) => entry(outcome, s.iface, { default: s.isDefault, ips: s.ips }));
}

/** The statuses of one attachment's result (see the header for the rules). */
export function networkStatusesOf(outcome: AttachmentOutcome): NetworkStatus[] {
  const interfaces = outcome.result.interfaces ?? [];
  if (interfaces.length !== 1) return multiInterfaceStatuses(outcome);
  const ips = (outcome.result.ips ?? []).map((ip) => plainIp(ip.address));
  return [entry(outcome, interfaces[0], { default: outcome.isDefault, ips })];
}

/** Statuses of every attachment, in the order given: pass them in delegate order, default network first. */
export function buildNetworkStatuses(outcomes: readonly AttachmentOutcome[]): NetworkStatus[] {
  return outcomes.flatMap((outcome) => networkStatusesOf(outcome));
}

/** Go's json.Marshal escapes these inside strings; they cannot occur outside strings in JSON. */
function goHtmlEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The annotation value: each entry indented by 4 (Go MarshalIndent), joined by "," inside "[...]". */
export function serializeNetworkStatuses(statuses: readonly NetworkStatus[]): string {
  const parts = statuses.map((s) => goHtmlEscape(JSON.stringify(normalizeNetworkStatus(s), null, 4)));
  return `[${parts.join(",")}]`;
}
