// The inputs of the prepare decisions, as plain JSON shapes: the resource.k8s.io/v1 ResourceClaim parts
// the kubelet plugin reads (kubernetes/api resource/v1/types.go), and the node's devices as discovery
// reports them (structural; discovery's own type carries more).
//
// Public API: `AllocationResult`, `ResourceClaimConsumer`, `ResourceClaim`, `NodeDevice`, `deviceKey`,
// `resourceNameOf`, `RESOURCE_NAME_ATTRIBUTE`.
import type { AllocationConfigEntry } from "../../api/network-device-config.ts";
import type { DeviceKind } from "../../api/checkpoint.ts";
import type { StatusDeviceEntry } from "../../api/claim-addresses.ts";

export const RESOURCE_NAME_ATTRIBUTE = "k8s.cni.cncf.io/resourceName";

/** status.allocation.devices.results[] (DeviceRequestAllocationResult). */
export interface AllocationResult {
  /** "req" or "req/subreq". */
  request: string;
  driver: string;
  pool: string;
  device: string;
  adminAccess?: boolean;
  shareID?: string;
}

/** status.reservedFor[] (ResourceClaimConsumerReference). */
export interface ResourceClaimConsumer {
  apiGroup?: string;
  resource: string;
  name: string;
  uid: string;
}

export interface ResourceClaim {
  apiVersion?: string;
  kind?: string;
  metadata?: { namespace?: string; name?: string; uid?: string; deletionTimestamp?: string };
  status?: {
    allocation?: {
      devices?: { results?: AllocationResult[]; config?: AllocationConfigEntry[] };
      allocationTimestamp?: string;
    };
    reservedFor?: ResourceClaimConsumer[];
    /** The drivers' and the netclaim controller's entries (KEP-4817): the controller's addresses. */
    devices?: StatusDeviceEntry[];
  };
}

/** A device of this node, as discovery reports it. */
export interface NodeDevice {
  name: string;
  kind: DeviceKind;
  pciAddress?: string;
  /** The netdev, when the device has one in the host namespace now. */
  ifName?: string;
  pfName?: string;
  vfIndex?: number;
  /** The bound driver ("vfio-pci", "iavf", ...); absent or "" when unbound. */
  driver?: string;
  iommuGroup?: string | number;
  resourceName?: string;
  attributes?: Record<string, { string?: string; int?: number; bool?: boolean; version?: string }>;
}

/** The key of a device in the node-device map: "<pool>/<device>". */
export function deviceKey(pool: string, device: string): string {
  return `${pool}/${device}`;
}

/** The device's `k8s.cni.cncf.io/resourceName`, from the field or the attribute. */
export function resourceNameOf(device: NodeDevice): string | undefined {
  return device.resourceName ?? device.attributes?.[RESOURCE_NAME_ATTRIBUTE]?.string;
}
