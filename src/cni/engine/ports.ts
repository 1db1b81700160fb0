// What the CNI engine needs from the world, as small interfaces it owns. Standalone mode implements them
// with direct API reads (src/cni/standalone); the daemon mode (later) with informer caches, so a warm ADD
// reads nothing from the API server. Tests use hand-written fakes (test/fakes/cni-*.ts).
import type { DelegateConfig } from "../../api/netconf-delegate.ts";
import type { DeviceInfoFile } from "../../api/device-info.ts";
import type { CandidateDevice, DeviceNeed, DeviceSourceName } from "../correlation/types.ts";
import type { DefaultRouteInstruction } from "../selection/default-route.ts";

/** The parts of a Pod the engine uses. */
export interface PodInfo {
  namespace: string;
  name: string;
  uid: string;
  annotations: Readonly<Record<string, string>>;
  /** The pod's resourceVersion when read, for optimistic writes. */
  resourceVersion?: string;
}

/** The parts of a NetworkAttachmentDefinition (k8s.cni.cncf.io/v1) the engine uses. */
export interface NetworkAttachmentDefinition {
  namespace: string;
  name: string;
  annotations: Readonly<Record<string, string>>;
  /** spec.config: one plugin or a conflist as JSON text; empty/absent means "file in confDir". */
  config?: string;
}

/** Reads of the cluster. `undefined` means NotFound; other failures throw (with context). */
export interface ClusterView {
  getPod(namespace: string, name: string, signal?: AbortSignal): Promise<PodInfo | undefined>;
  getNetworkAttachmentDefinition(
    namespace: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<NetworkAttachmentDefinition | undefined>;
}

/** Writes the pod's `k8s.v1.cni.cncf.io/network-status` annotation (retrying conflicts itself). */
export interface NetworkStatusWriter {
  writeNetworkStatus(
    pod: Pick<PodInfo, "namespace" | "name" | "uid">,
    value: string,
    signal?: AbortSignal,
  ): Promise<void>;
}

/** CNI config files on the node (confDir, clusterNetwork given as a path). */
export interface ConfFiles {
  /** The config in `dir` whose network `name` equals `networkName` (Multus's lookup), or undefined. */
  findByNetworkName(dir: string, networkName: string): Promise<DelegateConfig | undefined>;
  /** One config file by path; throws naming the file when it is missing or invalid. */
  load(path: string): Promise<DelegateConfig>;
}

/** The readiness indicator file: present = the default network is up. */
export interface ReadinessGate {
  isReady(path: string): Promise<boolean>;
  /** Resolves when the file exists; rejects (naming the file and the wait) after timeoutMs. */
  waitReady(path: string, timeoutMs: number, signal?: AbortSignal): Promise<void>;
}

// ---- added by the engine (not in the lead's first version) ------------------------------------------

/**
 * Default-route changes inside the pod for one attachment (Multus does them with netlink in the pod's
 * netns after each delegate ADD): delete the interface's default routes of the families the instruction
 * does not keep, then add `default via <gw> dev <ifname>` for a "replace". Only called when the
 * instruction changes something. Production: IpRouteApplier (ip-route-applier.ts), `ip route` run through
 * `nsenter --net=<netns>`.
 */
export interface DefaultRouteApplier {
  apply(netns: string, instruction: DefaultRouteInstruction, signal?: AbortSignal): Promise<void>;
}

// ---- added for correlation (issue 5): which device belongs to which network ---------------------------

/** What the engine asks a DeviceSource: the pod, and the networks that need a device. */
export interface DeviceQuery {
  pod: { namespace: string; name: string; uid: string };
  /** In attach order; never empty. */
  needs: readonly DeviceNeed[];
}

export interface DeviceAnswer {
  /** The pod's devices, every source's merged, in the order the sources listed them. */
  candidates: CandidateDevice[];
  /** The sources that answered, in the order asked. */
  consulted: DeviceSourceName[];
}

/**
 * The devices a pod was given: DRA devices of its claims and device-plugin devices. Production: the
 * LayeredDeviceSource of src/cni/correlation (the kubelet plugin's checkpoint, PodResources, the API).
 * Absent: NAD resourceNames are ignored, as before correlation existed.
 */
export interface DeviceSource {
  devicesFor(query: DeviceQuery, signal?: AbortSignal): Promise<DeviceAnswer>;
}

/**
 * NPWG device-info files (src/cni/correlation/device-info-store.ts in production). Absent: no files are
 * written and CNIDeviceInfoFile is not offered.
 */
export interface DeviceInfoStore {
  /** The CNI device-info file path for a unique name. */
  cniPath(fileName: string): string;
  /** A device plugin's file for one device, or undefined when there is none. */
  readDevicePluginInfo(resourceName: string, deviceId: string): Promise<DeviceInfoFile | undefined>;
  write(path: string, info: DeviceInfoFile): Promise<void>;
  /** undefined when the file does not exist. */
  read(path: string): Promise<DeviceInfoFile | undefined>;
  /** false when there was nothing to remove. */
  remove(path: string): Promise<boolean>;
}

/** One device's entry in ResourceClaim status.devices (KEP-4817), as the CNI side reports it. */
export interface ClaimDeviceStatus {
  driver: string;
  pool: string;
  device: string;
  shareID?: string;
  /** `ips` absent: the netclaim controller's addresses, which it reports itself (claim-status-updates.ts). */
  networkData: { interfaceName: string; ips?: string[]; hardwareAddress?: string };
  /** The Ready condition's message. */
  message: string;
}

/** Writes the CNI side's status.devices entries of one claim (retrying conflicts itself). */
export interface ClaimStatusWriter {
  writeDeviceStatuses(
    claim: { namespace: string; name: string },
    devices: readonly ClaimDeviceStatus[],
    signal?: AbortSignal,
  ): Promise<void>;
}
