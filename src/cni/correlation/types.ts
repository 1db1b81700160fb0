// The data correlation works on: the devices a pod was given, as each source sees them, and the networks
// that ask for one. Plain data, no behaviour.
//
// Public API: `DEVICE_SOURCE_NAMES`, `DeviceSourceName`, `CANDIDATE_KINDS`, `CandidateKind`,
// `CandidateDevice`, `DeviceNeed`, `CorrelationRule`, `NetworkDeviceOutcome`, `RESOURCE_NAME_ANNOTATION`,
// `IP_POOL_ANNOTATION`.

/** The NAD annotation naming the resource a network's device comes from (Multus's). */
export const RESOURCE_NAME_ANNOTATION = "k8s.v1.cni.cncf.io/resourceName";
/** The NAD annotation naming the IPPool its devices' addresses come from (src/api/claim-addresses.ts). */
export { IP_POOL_ANNOTATION } from "../../api/claim-addresses.ts";

/** Where a device was seen, in the order they are asked. */
export const DEVICE_SOURCE_NAMES = ["checkpoint", "podresources", "api"] as const;
export type DeviceSourceName = (typeof DEVICE_SOURCE_NAMES)[number];

/** The checkpoint's device kinds, "unknown" when no source said. */
export const CANDIDATE_KINDS = ["sriov-vf", "subfunction", "netdev", "unknown"] as const;
export type CandidateKind = (typeof CANDIDATE_KINDS)[number];

/**
 * One device of the pod. `origin` "claim": a DRA device of one of the pod's ResourceClaims (driver, pool,
 * device name its allocation result). `origin` "device-plugin": a device-plugin device from PodResources
 * (`resourceNameAttr` its resource_name, `deviceIDAttr` and `device` its device ID; no claim, driver
 * or pool).
 */
export interface CandidateDevice {
  origin: "claim" | "device-plugin";
  /** Every source that reported it, first the one that reported it first. */
  sources: DeviceSourceName[];
  /** The ResourceClaim (namespace/name); "" for device-plugin devices. */
  claimNamespace: string;
  claimName: string;
  /** pod.spec.resourceClaims[].name the claim is referenced by, when known. */
  podClaimName?: string;
  /** The allocation's request names (`req` or `req/sub`); [] when no source said. */
  requestNames: string[];
  /** The DeviceClass of the request, when known (API). */
  className?: string;
  driver: string;
  pool: string;
  device: string;
  shareID?: string;
  /** The device's `k8s.cni.cncf.io/resourceName` attribute (device-plugin: its resource name). */
  resourceNameAttr?: string;
  /** The device's `k8s.cni.cncf.io/deviceID` attribute (device-plugin: its device ID). */
  deviceIDAttr?: string;
  kind: CandidateKind;
  pciAddress?: string;
  pfPciAddress?: string;
  /** The host netdev (as prepared). */
  ifName?: string;
  rdmaDevice?: string;
  /** Fully qualified CDI device IDs (`vendor/class=name`). */
  cdiDeviceIds: string[];
  /**
   * The addresses the netclaim controller allocated for the device (CIDR form, IPv4 first): from the
   * checkpoint (recorded at prepare) or the claim's status (API). Handed to the delegate as
   * runtimeConfig.ips. Absent: none known.
   */
  allocatedIps?: string[];
  /** The IPPool the device's opaque config names (checkpoint): it needs `allocatedIps` to attach. */
  ipPool?: string;
}

/** A network that asks for a device (its NAD has a resourceName). */
export interface DeviceNeed {
  /** Position of the network in attach order. */
  index: number;
  /** `namespace/name` of the NAD. */
  network: string;
  resourceName: string;
  /** The NAD's IP_POOL_ANNOTATION: the device needs the controller's addresses to attach. */
  ipPool?: string;
  /**
   * The driver whose claim devices the controller gives addresses to (netconf driverName), set with
   * `ipPool`: a device of another driver behind such a NAD does not wait for them.
   */
  ipPoolDriver?: string;
}

/** Which of DESIGN.md's rules gave the device. */
export type CorrelationRule = "attribute" | "claim-request" | "device-plugin";

export type NetworkDeviceOutcome =
  | { kind: "device"; need: DeviceNeed; device: CandidateDevice; rule: CorrelationRule }
  | { kind: "missing"; need: DeviceNeed; message: string };
