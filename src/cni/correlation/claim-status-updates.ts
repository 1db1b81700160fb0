// What the CNI side reports in ResourceClaim status.devices after an ADD, per claim. Pure.
// The attached devices are grouped by claim (one apply per claim, carrying every entry the CNI side has
// for it); the network data comes from each network's result — the pod-side interface, its MAC, its
// addresses as CIDRs (at most 16, unique, as the API allows). Only the devices of `driverName` are kept:
// status.devices entries belong to their driver, and the API server lets a node write only its own
// driver's (resourceclaims/driver, resourceNames [driver]).
// The netclaim controller owns `networkData.ips` of the entries whose addresses it allocated (server-side
// apply, its own field manager, src/controller/ipam/claim-status.ts). When the delegate used them (static
// IPAM given them as runtimeConfig.ips) the CNI side leaves `ips` out of its entry: the controller stays the
// field's only owner, free to change it later (a family added to the pool, addresses collected), and the
// entry still says the same. A delegate that assigned other addresses reports its own, so the apply
// conflicts on `ips` and the write fails naming the field (logged; the ADD stands) rather than overwriting
// the controller's: a mismatch worth seeing.
//
// Public API: `AttachedClaimDevice`, `ClaimStatusUpdate`, `claimStatusUpdates`.
import { sameAddresses } from "../../api/claim-addresses.ts";
import type { ClaimDeviceStatus } from "../engine/ports.ts";
import type { Result100 } from "../protocol/result.ts";
import type { CandidateDevice } from "./types.ts";

const MAX_IPS = 16;

export interface AttachedClaimDevice {
  /** `ns/name` of the network. */
  network: string;
  /** The pod-side interface name. */
  ifName: string;
  device: CandidateDevice;
  result: Result100;
}

export interface ClaimStatusUpdate {
  claim: { namespace: string; name: string };
  devices: ClaimDeviceStatus[];
}

function networkData(attached: AttachedClaimDevice): ClaimDeviceStatus["networkData"] {
  const { result, ifName } = attached;
  const inPod = result.interfaces
    .map((iface, index) => ({ iface, index }))
    .filter(({ iface }) => iface.sandbox !== undefined && iface.sandbox !== "");
  const mine = inPod.find(({ iface }) => iface.name === ifName) ?? inPod[0];
  const ips = result.ips
    .filter((ip) => mine === undefined || ip.interface === undefined || ip.interface === mine.index)
    .map((ip) => ip.address);
  const allocated = attached.device.allocatedIps ?? [];
  const controllers = allocated.length > 0 && sameAddresses(ips, allocated);
  const data: ClaimDeviceStatus["networkData"] = { interfaceName: mine?.iface.name ?? ifName };
  if (!controllers) data.ips = [...new Set(ips)].slice(0, MAX_IPS);
  if (mine?.iface.mac !== undefined && mine.iface.mac !== "") data.hardwareAddress = mine.iface.mac;
  return data;
}

/** One update per claim, in the order first attached. Pure. */
export function claimStatusUpdates(
  attached: readonly AttachedClaimDevice[],
  options: { driverName: string; pod: string },
): ClaimStatusUpdate[] {
  const byClaim = new Map<string, ClaimStatusUpdate>();
  for (const item of attached) {
    const { device } = item;
    if (device.origin !== "claim" || device.driver !== options.driverName || device.claimName === "")
      continue;
    const key = `${device.claimNamespace}/${device.claimName}`;
    let update = byClaim.get(key);
    if (update === undefined) {
      update = { claim: { namespace: device.claimNamespace, name: device.claimName }, devices: [] };
      byClaim.set(key, update);
    }
    const status: ClaimDeviceStatus = {
      driver: device.driver,
      pool: device.pool,
      device: device.device,
      networkData: networkData(item),
      message: `attached to pod ${options.pod} as ${item.ifName} (network ${item.network})`,
    };
    if (device.shareID !== undefined) status.shareID = device.shareID;
    update.devices.push(status);
  }
  return [...byClaim.values()];
}
