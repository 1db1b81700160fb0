// The addresses the netclaim controller gives a claim's device, as every part reads them. The controller
// (src/controller/ipam) records them in the claim's status.devices[] entry of the device (list-map key
// driver, pool, device, shareID): `networkData.ips` (CIDR form with the pool's prefix length, IPv4 first)
// and its condition `AddressesAllocated`. Only status True means the set is complete: False (the pool is
// exhausted, missing or invalid) may list part of it, and no condition means the controller has not
// decided yet. The kubelet plugin reads them at prepare (its checkpoint records them for the CNI side),
// the CNI side from the API as a fallback; the parts never import each other, so the names live here.
// A device needs addresses when its opaque config names `ipPool`, or when the NAD it is attached through
// carries IP_POOL_ANNOTATION.
//
// Public API: `ADDRESSES_CONDITION`, `IP_POOL_ANNOTATION`, `StatusDeviceEntry`, `DeviceKey`,
// `ControllerAddresses`, `controllerAddresses`, `sameAddresses`, `isInterfaceAddressText`.
import { interfaceAddress, parseInterfaceAddress } from "./ip-address.ts";

/** The status.devices[].conditions type the controller owns. */
export const ADDRESSES_CONDITION = "AddressesAllocated";
/** On a NAD: the IPPool its devices' addresses come from. */
export const IP_POOL_ANNOTATION = "netclaim.dev/ip-pool";

/** The parts of a status.devices[] entry (AllocatedDeviceStatus, KEP-4817) read here. */
export interface StatusDeviceEntry {
  driver: string;
  pool: string;
  device: string;
  shareID?: string | null;
  conditions?: { type: string; status: string; reason?: string; message?: string }[] | null;
  networkData?: { ips?: string[] | null } | null;
}

/** A device of an allocation result: the entry's list-map key. */
export interface DeviceKey {
  driver: string;
  pool: string;
  device: string;
  shareID?: string | undefined;
}

export type ControllerAddresses =
  /** AddressesAllocated True: every address the device gets. */
  | { state: "allocated"; ips: string[] }
  /** AddressesAllocated not True: the condition's reason and message. */
  | { state: "pending"; reason: string; message: string }
  /** No entry with the condition: the controller has not written (or the device needs none). */
  | { state: "none" };

/** What the controller recorded for `key` in `entries` (see the header). Pure. */
export function controllerAddresses(
  entries: readonly StatusDeviceEntry[] | null | undefined,
  key: DeviceKey,
): ControllerAddresses {
  const entry = (entries ?? []).find(
    (e) =>
      e.driver === key.driver &&
      e.pool === key.pool &&
      e.device === key.device &&
      (e.shareID ?? "") === (key.shareID ?? ""),
  );
  const condition = entry?.conditions?.find((c) => c.type === ADDRESSES_CONDITION);
  if (entry === undefined || condition === undefined) return { state: "none" };
  const ips = (entry.networkData?.ips ?? []).filter((ip) => typeof ip === "string" && ip !== "");
  if (condition.status === "True" && ips.length > 0) return { state: "allocated", ips: [...ips] };
  return {
    state: "pending",
    reason: condition.reason ?? "",
    message: condition.message ?? (condition.status === "True" ? "no addresses listed" : ""),
  };
}

/** Whether `text` is an interface address in CIDR form ("10.0.0.5/24", "fd00::5/64"). */
export function isInterfaceAddressText(text: string): boolean {
  return typeof parseInterfaceAddress(text) !== "string";
}

function canonical(text: string): string | undefined {
  const parsed = parseInterfaceAddress(text);
  return typeof parsed === "string" ? undefined : interfaceAddress(parsed.ip, parsed.prefix);
}

/** Whether the two lists hold the same interface addresses (any order, any valid spelling). Pure. */
export function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  const left = a.map(canonical);
  const right = b.map(canonical);
  if (left.includes(undefined) || right.includes(undefined)) return false;
  const x = [...new Set(left)].sort();
  const y = [...new Set(right)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
