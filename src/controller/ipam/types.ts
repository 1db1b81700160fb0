// The shapes the IPAM decisions read and write, as plain JSON: the parts of a resource.k8s.io/v1
// ResourceClaim (kubernetes/api resource/v1/types.go; v1beta1's flat requests read too), of a
// NetworkAttachmentDefinition, and the status.devices[] entries the controller owns.
//
// Public API: `DRIVER_NAME`, `FIELD_MANAGER`, `IP_ALLOCATION_FINALIZER`, `IP_POOL_ANNOTATION`,
// `NAD_RESOURCE_NAME_ANNOTATION`, `RESOURCE_NAME_ATTRIBUTE`, `ADDRESSES_CONDITION`, `ConditionReason`,
// `Condition`, `DeviceRef`, `deviceRefKey`, `AllocationResult`, `ResourceClaim`, `DeviceStatusEntry`,
// `NadView`, `claimKey`.
import type { AllocationConfigEntry } from "../../api/network-device-config.ts";

export const DRIVER_NAME = "netclaim.dev";
/** Field manager of every controller write (status.devices server-side apply, finalizers, pool status). */
export const FIELD_MANAGER = "netclaim.dev/controller";
/** On a claim while it holds addresses. */
export const IP_ALLOCATION_FINALIZER = "netclaim.dev/ip-allocation";
/** On a NAD: the IPPool its devices' addresses come from (shared with the node side: src/api). */
export { IP_POOL_ANNOTATION } from "../../api/claim-addresses.ts";
export const NAD_RESOURCE_NAME_ANNOTATION = "k8s.v1.cni.cncf.io/resourceName";
/** The device attribute (ResourceSlice) Multus-style resource names live in. */
export const RESOURCE_NAME_ATTRIBUTE = "k8s.cni.cncf.io/resourceName";
/** The status.devices[].conditions type the controller owns (the node side reads it: src/api). */
export { ADDRESSES_CONDITION } from "../../api/claim-addresses.ts";

export const CONDITION_REASONS = [
  "Allocated",
  "PoolExhausted",
  "PoolNotFound",
  "InvalidPool",
  "InvalidConfig",
  "AmbiguousPool",
] as const;
export type ConditionReason = (typeof CONDITION_REASONS)[number];

/** metav1.Condition. */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** A device of an allocation result: the status.devices list-map key. `pool` is the ResourceSlice pool. */
export interface DeviceRef {
  driver: string;
  pool: string;
  device: string;
  shareID?: string;
}

export function deviceRefKey(ref: DeviceRef): string {
  return `${ref.driver}/${ref.pool}/${ref.device}/${ref.shareID ?? ""}`;
}

/** status.allocation.devices.results[] (DeviceRequestAllocationResult). */
export interface AllocationResult extends DeviceRef {
  /** "req" or "req/subreq". */
  request: string;
  adminAccess?: boolean;
}

interface DeviceSubRequest {
  name: string;
  deviceClassName?: string;
}

/** spec.devices.requests[]: v1 (`exactly` / `firstAvailable`) or v1beta1 (flat `deviceClassName`). */
export interface DeviceRequest {
  name: string;
  exactly?: { deviceClassName?: string };
  firstAvailable?: DeviceSubRequest[];
  deviceClassName?: string;
}

/** status.devices[] (AllocatedDeviceStatus, KEP-4817). */
export interface DeviceStatusEntry extends DeviceRef {
  conditions?: Condition[];
  data?: unknown;
  networkData?: { interfaceName?: string; ips?: string[]; hardwareAddress?: string };
}

export interface ResourceClaim {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    namespace?: string;
    name?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    deletionTimestamp?: string;
    finalizers?: string[];
  };
  spec?: { devices?: { requests?: DeviceRequest[] } };
  status?: {
    allocation?: { devices?: { results?: AllocationResult[]; config?: AllocationConfigEntry[] } };
    devices?: DeviceStatusEntry[];
  };
}

/** A NetworkAttachmentDefinition of the claim's namespace, as the decisions read it. */
export interface NadView {
  namespace: string;
  name: string;
  /** `k8s.v1.cni.cncf.io/resourceName`, if any. */
  resourceName?: string;
  /** `netclaim.dev/ip-pool`, if any. */
  ipPool?: string;
}

/** "namespace/name". */
export function claimKey(claim: Pick<ResourceClaim, "metadata">): string {
  return `${claim.metadata?.namespace ?? ""}/${claim.metadata?.name ?? ""}`;
}
