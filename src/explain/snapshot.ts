// What `netclaim explain pod` reads from the cluster, as plain API objects: the pod, the NADs its
// networks name, its ResourceClaims, the DeviceClasses those claims (and the NADs' resourceNames) name,
// and the ResourceSlices of its node. The reader (reader.ts) fetches exactly these; an object that is not
// in the snapshot did not exist. Plus the settings the CNI side would apply (its CNI config's, or
// Multus's defaults). Plain data, no behaviour besides building the settings.
//
// Public API: `ExplainPod`, `ExplainContainer`, `ExplainNad`, `ExplainClaim`, `ExplainRequest`,
// `ExplainDeviceClass`, `ExplainSnapshot`, `ClusterNetworkSetting`, `ExplainSettings`, `settingsFrom`.
import type { NetConf } from "../api/netconf.ts";
import { NETCONF_DEFAULTS } from "../api/netconf-schema.ts";
import type { NetworkReference } from "../api/netconf-network-ref.ts";
import type { StatusDeviceEntry } from "../api/claim-addresses.ts";
import type { ApiAllocationResult, ApiPod } from "../cni/correlation/api-candidates.ts";
import type { ResourceSlice } from "../k8s/resource-slice-types.ts";
import type { KubeObject } from "../k8s/types.ts";

export interface ExplainContainer {
  name: string;
  resources?: {
    limits?: Record<string, unknown>;
    requests?: Record<string, unknown>;
    claims?: { name: string; request?: string }[];
  };
}

export type ExplainPod = ApiPod & {
  spec?: { containers?: ExplainContainer[]; initContainers?: ExplainContainer[] };
  status?: { phase?: string };
};

export interface ExplainNad extends KubeObject {
  spec?: { config?: string };
}

export interface CelSelector {
  cel?: { expression: string };
}

interface RequestBody {
  deviceClassName?: string;
  selectors?: CelSelector[];
  allocationMode?: string;
  count?: number;
}

export interface ExplainRequest {
  name: string;
  exactly?: RequestBody;
  firstAvailable?: (RequestBody & { name: string })[];
}

export interface ExplainClaim extends KubeObject {
  spec?: {
    devices?: {
      requests?: ExplainRequest[];
      config?: { requests?: string[]; opaque?: { driver: string; parameters?: unknown } }[];
    };
  };
  status?: {
    allocation?: {
      devices?: {
        results?: (ApiAllocationResult & { adminAccess?: boolean })[];
        config?: { source: string; requests?: string[]; opaque?: { driver: string; parameters?: unknown } }[];
      };
    };
    devices?: (StatusDeviceEntry & {
      conditions?: { type: string; status: string; reason?: string; message?: string }[] | null;
      networkData?: { interfaceName?: string; ips?: string[] | null; hardwareAddress?: string } | null;
    })[];
    reservedFor?: { resource?: string; name?: string; uid?: string }[];
  };
}

export interface ExplainDeviceClass extends KubeObject {
  spec?: { selectors?: CelSelector[]; extendedResourceName?: string };
}

export interface ExplainSnapshot {
  pod: ExplainPod;
  /** The NADs that exist, of those the pod's networks name. */
  nads: readonly ExplainNad[];
  /** The pod's ResourceClaims that exist (its namespace). */
  claims: readonly ExplainClaim[];
  /** The DeviceClasses that exist, of those named by the claims' requests and the NADs' resourceNames. */
  deviceClasses: readonly ExplainDeviceClass[];
  /** The node's ResourceSlices (every driver); for an unscheduled pod, every slice of the driver. */
  slices: readonly ResourceSlice[];
}

/** Where the pod's default network comes from when no annotation replaces it. */
export type ClusterNetworkSetting =
  /** No CNI config given: the node's, which the API does not show. */
  | { kind: "unknown" }
  | { kind: "reference"; ref: NetworkReference }
  /** Static `delegates`: the first is the default network, the others follow for every pod. */
  | { kind: "delegates"; names: readonly string[] };

/** The CNI side's settings explain applies (its config's, or Multus's defaults). */
export interface ExplainSettings {
  driverName: string;
  /** "defaults" (no --cni-config) or the config file read. */
  source: string;
  multusNamespace: string;
  namespaceIsolation: boolean;
  globalNamespaces: readonly string[];
  systemNamespaces: readonly string[];
  clusterNetwork: ClusterNetworkSetting;
  defaultNetworkRefs: readonly NetworkReference[];
}

/** The settings of a parsed CNI config, or Multus's defaults when there is none. */
export function settingsFrom(
  driverName: string,
  conf?: NetConf,
  source: string = conf === undefined ? "defaults" : "cni-config",
): ExplainSettings {
  if (conf === undefined) {
    return {
      driverName,
      source,
      multusNamespace: NETCONF_DEFAULTS.multusNamespace,
      namespaceIsolation: false,
      globalNamespaces: [...NETCONF_DEFAULTS.globalNamespaces],
      systemNamespaces: [...NETCONF_DEFAULTS.systemNamespaces],
      clusterNetwork: { kind: "unknown" },
      defaultNetworkRefs: [],
    };
  }
  const clusterNetwork: ClusterNetworkSetting =
    conf.clusterNetworkRef !== undefined
      ? { kind: "reference", ref: conf.clusterNetworkRef }
      : { kind: "delegates", names: conf.delegates.map((d) => d.name) };
  return {
    driverName,
    source,
    multusNamespace: conf.multusNamespace,
    namespaceIsolation: conf.namespaceIsolation,
    globalNamespaces: conf.globalNamespaces,
    systemNamespaces: conf.systemNamespaces,
    clusterNetwork,
    defaultNetworkRefs: conf.clusterNetworkRef === undefined ? [] : conf.defaultNetworkRefs,
  };
}
