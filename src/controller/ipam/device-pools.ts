// Pure: which IPPool each allocated device of a claim takes its addresses from.
//
// Devices: the claim's allocation results for our driver, except admin-access ones (monitoring access to
// a device someone else uses gets no addresses).
// Pool, in order:
//   1. `ipPool` of the device's opaque NetworkDeviceConfig — the allocation's config entries for our
//      driver, class entries under claim entries (resolveDeviceConfig, the kubelet plugin's resolution);
//   2. else a NetworkAttachmentDefinition of the claim's namespace carrying `netclaim.dev/ip-pool` whose
//      `k8s.v1.cni.cncf.io/resourceName` equals the DeviceClass name of the device's request (subrequest
//      for "req/sub" results) or the device's `k8s.cni.cncf.io/resourceName` attribute. Kept simple on
//      purpose: no pod annotation is read (a claim may serve several pods, or none yet), only NADs of the
//      claim's own namespace count, and NADs naming different pools for one device are an error
//      (AmbiguousPool) rather than a guess;
//   3. else the device needs no addresses.
// A bad config entry fails every device of the claim with InvalidConfig (the kubelet plugin refuses the
// claim for the same reason).
//
// Public API: `DeviceNeed`, `DevicePoolInputs`, `claimDevices`, `requestDeviceClass`, `resolveDevicePools`.
import { configForRequest, parseClaimDeviceConfigs } from "../../api/network-device-config.ts";
import { deviceRefKey } from "./types.ts";
import type { AllocationResult, ConditionReason, DeviceRef, NadView, ResourceClaim } from "./types.ts";

export interface DeviceNeed {
  ref: DeviceRef;
  request: string;
  /** The IPPool; absent together with `problem`. */
  pool?: string;
  source?: "config" | "nad";
  problem?: { reason: ConditionReason; message: string };
}

export interface DevicePoolInputs {
  claim: ResourceClaim;
  driverName: string;
  /** NADs of the claim's namespace (only those with `netclaim.dev/ip-pool` matter). */
  nads: readonly NadView[];
  /** deviceRefKey → the device's `k8s.cni.cncf.io/resourceName` attribute, where known. */
  deviceResourceNames: ReadonlyMap<string, string>;
}

function refOf(result: AllocationResult): DeviceRef {
  const ref: DeviceRef = { driver: result.driver, pool: result.pool, device: result.device };
  if (result.shareID !== undefined && result.shareID !== "") ref.shareID = result.shareID;
  return ref;
}

/** The claim's allocation results for our driver that can carry addresses. */
export function claimDevices(claim: ResourceClaim, driverName: string): AllocationResult[] {
  const results = claim.status?.allocation?.devices?.results ?? [];
  return results.filter((r) => r.driver === driverName && r.adminAccess !== true);
}

/** The DeviceClass a result's request (or subrequest) asked for. */
export function requestDeviceClass(claim: ResourceClaim, request: string): string | undefined {
  const [main, sub] = request.split("/", 2);
  const found = claim.spec?.devices?.requests?.find((r) => r.name === main);
  if (found === undefined) return undefined;
  if (sub !== undefined) return found.firstAvailable?.find((s) => s.name === sub)?.deviceClassName;
  return found.exactly?.deviceClassName ?? found.deviceClassName;
}

function poolFromNads(
  inputs: DevicePoolInputs,
  result: AllocationResult,
): Omit<DeviceNeed, "ref" | "request"> {
  const names = new Set<string>();
  const deviceClass = requestDeviceClass(inputs.claim, result.request);
  if (deviceClass !== undefined) names.add(deviceClass);
  const attribute = inputs.deviceResourceNames.get(deviceRefKey(refOf(result)));
  if (attribute !== undefined) names.add(attribute);
  const matching = inputs.nads.filter(
    (n) => n.ipPool !== undefined && n.resourceName !== undefined && names.has(n.resourceName),
  );
  const pools = [...new Set(matching.map((n) => n.ipPool!))].sort();
  if (pools.length === 0) return {};
  if (pools.length === 1) return { pool: pools[0]!, source: "nad" };
  const nads = matching.map((n) => `${n.namespace}/${n.name} (${n.ipPool})`).join(", ");
  return {
    problem: {
      reason: "AmbiguousPool",
      message: `NetworkAttachmentDefinitions name different IP pools: ${nads}`,
    },
  };
}

/** One entry per device that needs addresses (or cannot get them for a reason worth reporting). */
export function resolveDevicePools(inputs: DevicePoolInputs): DeviceNeed[] {
  const devices = claimDevices(inputs.claim, inputs.driverName);
  const parsed = parseClaimDeviceConfigs(inputs.claim, inputs.driverName);
  const needs: DeviceNeed[] = [];
  for (const result of devices) {
    const base = { ref: refOf(result), request: result.request };
    if (!parsed.ok) {
      needs.push({ ...base, problem: { reason: "InvalidConfig", message: parsed.error.message } });
      continue;
    }
    const fromConfig = configForRequest(parsed.entries, result.request).config.ipPool;
    if (fromConfig !== undefined) {
      needs.push({ ...base, pool: fromConfig, source: "config" });
      continue;
    }
    const fromNad = poolFromNads(inputs, result);
    if (fromNad.pool !== undefined || fromNad.problem !== undefined) needs.push({ ...base, ...fromNad });
  }
  return needs;
}
