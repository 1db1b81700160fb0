// Plain data the stand-in kubelet works on: the parts of a pod and its ResourceClaims that the
// kubelet's DRA manager and PodResources server look at, and what a prepare left behind.
import type { DRAPluginClient as DraV1Client } from "../../../src/generated/dra-v1/k8s/io/kubelet/pkg/apis/dra/v1/DRAPlugin.ts";
import type { DRAPluginClient as DraV1beta1Client } from "../../../src/generated/dra-v1beta1/k8s/io/kubelet/pkg/apis/dra/v1beta1/DRAPlugin.ts";

/** A pod.spec.resourceClaims entry, resolved to its ResourceClaim (in the pod's namespace). */
export interface StandInClaim {
  /** pod.spec.resourceClaims[].name — what containers reference. */
  podClaimName: string;
  /** The ResourceClaim's metadata.name and metadata.uid. */
  name: string;
  uid: string;
  /** Drivers in the claim's status.allocation.devices.results (one prepare call each). */
  drivers: string[];
}

/** Device-plugin devices of one resource assigned to a container (PodResources ContainerDevices). */
export interface StandInContainerDevices {
  resource_name: string;
  device_ids: string[];
}

export interface StandInContainer {
  name: string;
  /** pod claim names listed in this container's resources.claims. */
  claims?: string[];
  devices?: StandInContainerDevices[];
}

export interface StandInPod {
  uid: string;
  namespace: string;
  name: string;
  claims: StandInClaim[];
  containers: StandInContainer[];
}

/** A device as a plugin returned it from NodePrepareResources. */
export interface PreparedDevice {
  requestNames: string[];
  poolName: string;
  deviceName: string;
  cdiDeviceIds: string[];
  shareId?: string;
}

/** One claim after a successful prepare: its devices, per driver. */
export interface PreparedClaim {
  claim: StandInClaim;
  namespace: string;
  devicesByDriver: Map<string, PreparedDevice[]>;
}

/** A registered DRA plugin as the plugin watcher knows it. */
export interface RegisteredPlugin {
  driverName: string;
  /** Registration socket the plugin was found at. */
  socketPath: string;
  /** Where the DRA service is served (PluginInfo.endpoint, or the registration socket). */
  endpoint: string;
  supportedVersions: string[];
  /** Registration order; the most recent registration of a driver wins. */
  sequence: number;
  /** The DRA service chosen at registration and a client for it (dialled at registration). */
  dra: DraConnection;
}

export type DraConnection =
  | { service: "v1.DRAPlugin"; client: DraV1Client }
  | { service: "v1beta1.DRAPlugin"; client: DraV1beta1Client };

/** Who the DRA client asks for a driver's plugin (the plugin watcher). */
export interface PluginLookup {
  getPlugin(driverName: string): RegisteredPlugin | undefined;
}
