// The pure prepare decision for one claim of a NodePrepareResources batch: from the ResourceClaim read
// from the API server, the claim the kubelet named, our driver name and this node's devices, compute the
// devices to prepare — or one error that names the claim and what is wrong. Nothing is touched here; the
// shell records the plan in the checkpoint ("preparing"), applies it, writes the CDI spec and marks the
// claim prepared. Errors are per claim, so one bad claim never fails the rest of the batch.
//
// Steps: the claim's UID must be the one the kubelet asked for (a claim deleted and re-created under
// the same name is another claim); it must be allocated; the allocation's results for our driver are
// grouped per device (pool, device, shareID — one device may serve several requests); each device must
// exist on this node; the claim's config entries for our driver must all be valid (src/api/
// network-device-config.ts), and each device gets the merged config of its requests (later requests'
// fields over earlier ones', in allocation order); then plan-device.ts decides each device.
// Addresses: a device the netclaim controller has given addresses (its status.devices[] entry with
// AddressesAllocated True, src/api/claim-addresses.ts) records them (`ips`), so the CNI side hands them to
// the delegate without an API read. A device whose config names an `ipPool` but has no complete set yet
// fails the claim with WAITING_FOR_ADDRESSES, which the kubelet retries: the controller usually writes
// them within moments of the scheduler's allocation, and a pod attached without them would run without
// its address. (A pool named only by the NAD's netclaim.dev/ip-pool annotation is not visible here: such a
// device is prepared without `ips`, and the CNI side reads them from the API when it attaches.)
//
// Public API: `PLAN_ERROR_CODES`, `PlanErrorCode`, `PlanClaimInput`, `ClaimPlan`, `planClaimPrepare`,
// `podUIDsOf`, `groupAllocationResults`, `withAddresses`.
import type { PreparedDeviceRecord } from "../../api/checkpoint.ts";
import { controllerAddresses } from "../../api/claim-addresses.ts";
import { configForRequests, parseClaimDeviceConfigs } from "../../api/network-device-config.ts";
import type { ClaimIdentity } from "../checkpoint/checkpoint-updates.ts";
import { planDevice } from "./plan-device.ts";
import type { DeviceAllocation } from "./plan-device.ts";
import { deviceKey } from "./plan-types.ts";
import type { AllocationResult, NodeDevice, ResourceClaim } from "./plan-types.ts";

export const PLAN_ERROR_CODES = [
  "UID_MISMATCH",
  "NOT_ALLOCATED",
  "NO_DEVICES",
  "DEVICE_NOT_FOUND",
  "DEVICE_NAME_CONFLICT",
  "INVALID_CONFIG",
  "UNSUPPORTED_CONFIG",
  "WAITING_FOR_ADDRESSES",
] as const;
export type PlanErrorCode = (typeof PLAN_ERROR_CODES)[number];

export interface PlanClaimInput {
  /** The ResourceClaim as the API server returned it. */
  claim: ResourceClaim;
  /** The claim the kubelet asked for. */
  requested: ClaimIdentity;
  driverName: string;
  /** This node's devices by `deviceKey(pool, name)`. */
  nodeDevices: ReadonlyMap<string, NodeDevice>;
}

export type ClaimPlan =
  | { ok: true; claim: ClaimIdentity; podUIDs: string[]; devices: PreparedDeviceRecord[] }
  | { ok: false; claim: ClaimIdentity; code: PlanErrorCode; message: string };

/** UIDs of the pods in status.reservedFor (core group, resource "pods"), in order. */
export function podUIDsOf(claim: ResourceClaim): string[] {
  return (claim.status?.reservedFor ?? [])
    .filter((r) => r.resource === "pods" && (r.apiGroup ?? "") === "")
    .map((r) => r.uid);
}

/** Our driver's results, one entry per (pool, device, shareID) with every request it serves. */
export function groupAllocationResults(
  results: readonly AllocationResult[],
  driverName: string,
): DeviceAllocation[] {
  const byKey = new Map<string, DeviceAllocation>();
  for (const result of results) {
    if (result.driver !== driverName) continue;
    const key = JSON.stringify([result.pool, result.device, result.shareID ?? ""]);
    const existing = byKey.get(key);
    if (existing !== undefined) {
      if (!existing.requestNames.includes(result.request)) existing.requestNames.push(result.request);
      existing.adminAccess ||= result.adminAccess === true;
      continue;
    }
    byKey.set(key, {
      requestNames: [result.request],
      poolName: result.pool,
      deviceName: result.device,
      ...(result.shareID === undefined ? {} : { shareID: result.shareID }),
      adminAccess: result.adminAccess === true,
    });
  }
  return [...byKey.values()];
}

function duplicateName(allocations: readonly DeviceAllocation[]): DeviceAllocation | undefined {
  const pools = new Map<string, string>();
  for (const a of allocations) {
    const pool = pools.get(a.deviceName);
    if (pool !== undefined && pool !== a.poolName) return a;
    pools.set(a.deviceName, a.poolName);
  }
  return undefined;
}

/** The record with the controller's addresses, or why it must wait for them (see the header). */
export function withAddresses(
  record: PreparedDeviceRecord,
  claim: ResourceClaim,
  driverName: string,
): PreparedDeviceRecord | string {
  const key = {
    driver: driverName,
    pool: record.poolName,
    device: record.deviceName,
    shareID: record.shareID,
  };
  const addresses = controllerAddresses(claim.status?.devices, key);
  if (addresses.state === "allocated") return { ...record, ips: addresses.ips };
  const pool = record.config.ipPool;
  if (pool === undefined) return record;
  const why =
    addresses.state === "pending" ? `${addresses.reason}: ${addresses.message}` : "none allocated yet";
  return `waiting for addresses from the netclaim controller: IPPool ${pool}, ${why}`;
}

/** The plan for one claim, or the reason it cannot be prepared. */
export function planClaimPrepare(input: PlanClaimInput): ClaimPlan {
  const { claim, requested, driverName } = input;
  const label = `claim ${requested.namespace}/${requested.name}`;
  const fail = (code: PlanErrorCode, message: string): ClaimPlan => ({
    ok: false,
    claim: requested,
    code,
    message: `${label}: ${message}`,
  });
  const uid = claim.metadata?.uid;
  if (uid !== requested.uid) {
    return fail(
      "UID_MISMATCH",
      `the API server has UID ${uid ?? "(none)"}, the kubelet asked for ${requested.uid}`,
    );
  }
  const allocation = claim.status?.allocation;
  if (allocation === undefined) return fail("NOT_ALLOCATED", "not allocated");
  const allocations = groupAllocationResults(allocation.devices?.results ?? [], driverName);
  if (allocations.length === 0)
    return fail("NO_DEVICES", `the allocation has no devices of driver ${driverName}`);
  const clash = duplicateName(allocations);
  if (clash !== undefined) {
    return fail("DEVICE_NAME_CONFLICT", `device name ${clash.deviceName} is allocated from two pools`);
  }
  const configs = parseClaimDeviceConfigs(claim, driverName);
  if (!configs.ok)
    return { ok: false, claim: requested, code: "INVALID_CONFIG", message: configs.error.message };
  const devices: PreparedDeviceRecord[] = [];
  for (const a of allocations) {
    const device = input.nodeDevices.get(deviceKey(a.poolName, a.deviceName));
    const what = `device ${a.poolName}/${a.deviceName} (request ${a.requestNames.join(", ")})`;
    if (device === undefined) return fail("DEVICE_NOT_FOUND", `${what} is not on this node`);
    const config = configForRequests(configs.entries, a.requestNames);
    const planned = planDevice({ driverName, claimUID: requested.uid, allocation: a, device, config });
    if (!planned.ok) return fail("UNSUPPORTED_CONFIG", `${what}: ${planned.problem}`);
    const addressed = withAddresses(planned.record, claim, driverName);
    if (typeof addressed === "string") return fail("WAITING_FOR_ADDRESSES", `${addressed} (${what})`);
    devices.push(addressed);
  }
  return { ok: true, claim: requested, podUIDs: podUIDsOf(claim), devices };
}
