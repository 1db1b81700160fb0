// The answer of `netclaim explain pod`: the JSON shape `-o json` prints (docs/explain.md documents it;
// `schemaVersion` changes when a field changes meaning or goes away, not when one is added), and what the
// human renderer reads. Plain data.
//
// Public API: `EXPLANATION_SCHEMA_VERSION`, `FINDING_CODES`, `FindingCode`, `Severity`, `Finding`,
// `NetworkStatus`, `Explanation`, `NetworkExplanation`, `NadExplanation`, `DeviceExplanation`,
// `AddressesExplanation`, `ClassCheck`, `DeviceEvaluation`, `SelectorRef`, `ClaimExplanation`,
// `ResultExplanation`, `RequestExplanation`, `finding`.
import type { CorrelationRule } from "../cni/correlation/types.ts";
import type { NetworkOrigin } from "../cni/engine/resolve-networks.ts";
import type { InterfaceNameSource } from "../cni/selection/interface-names.ts";

export const EXPLANATION_SCHEMA_VERSION = 1;

export const FINDING_CODES = [
  // pod level
  "INVALID_ANNOTATION",
  "INTERFACE_NAME",
  // a network
  "CLUSTER_NETWORK_UNKNOWN",
  "CONF_DIR_NETWORK",
  "NAD_NOT_FOUND",
  "NAMESPACE_ISOLATION",
  "INVALID_NAD_CONFIG",
  "INVALID_DEVICE_ID_FORMAT",
  "NO_CLAIM",
  "NO_MATCHING_DEVICE",
  "DEVICE_TAKEN",
  "DEVICE_PLUGIN_RESOURCE",
  "NO_DEVICE_CLASS",
  "CLASS_SELECTS",
  "ADDRESSES_PENDING",
  "POOL_EXHAUSTED",
  // a claim
  "CLAIM_NOT_GENERATED",
  "CLAIM_NOT_FOUND",
  "CLAIM_NOT_ALLOCATED",
  "DEVICE_NOT_PUBLISHED",
  "INVALID_CLAIM_CONFIG",
  "POD_LEVEL_CLAIM",
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

/** "error": the ADD would fail for it; "warning": worth a look; "info": context. */
export type Severity = "error" | "warning" | "info";

export interface Finding {
  severity: Severity;
  code: FindingCode;
  message: string;
}

export function finding(severity: Severity, code: FindingCode, message: string): Finding {
  return { severity, code, message };
}

/**
 * "ok": resolves; "missing": the ADD would fail for it; "deferred": decided on the node only (a
 * device-plugin resource, a confDir file, the node's cluster network).
 */
export type NetworkStatus = "ok" | "missing" | "deferred";

export interface Explanation {
  schemaVersion: typeof EXPLANATION_SCHEMA_VERSION;
  pod: { namespace: string; name: string; uid?: string; node?: string; phase?: string };
  driverName: string;
  /** Where the CNI settings came from: "defaults" or the --cni-config file. */
  settings: string;
  /** In attach order; index 0 is the pod's default network. */
  networks: NetworkExplanation[];
  claims: ClaimExplanation[];
  /** Pod-level findings (annotations that do not parse, interface names). */
  findings: Finding[];
  /** Every network resolves and no error was found: exit 0. */
  resolved: boolean;
}

export interface NetworkExplanation {
  index: number;
  /** `namespace/name` of the NAD, or the CNI config's name. */
  name: string;
  origin: NetworkOrigin;
  interface?: { name: string; source: InterfaceNameSource };
  /** What the pod's annotation entry asked for. */
  request?: { namespace: string; name: string; interface?: string; ips?: string[]; mac?: string };
  nad?: NadExplanation;
  device?: DeviceExplanation;
  addresses?: AddressesExplanation;
  /** For a NAD with a resourceName: the DeviceClass of that name against the node's devices. */
  resourceClass?: ClassCheck;
  status: NetworkStatus;
  findings: Finding[];
}

export interface NadExplanation {
  namespace: string;
  name: string;
  found: boolean;
  resourceName?: string;
  ipPool?: string;
  /** spec.config (its kind and plugin types), or the confDir file named after the network. */
  config?: { source: "spec.config" | "conf-dir"; kind?: "conf" | "conflist"; types?: string[] };
}

export interface DeviceExplanation {
  rule: CorrelationRule;
  /** `driver/pool/device`. */
  device: string;
  driver: string;
  pool: string;
  name: string;
  shareID?: string;
  claim: string;
  podClaimName?: string;
  request: string;
  className?: string;
  /** Whether a current ResourceSlice of the node lists it (its attributes are known). */
  published: boolean;
  resourceNameAttribute?: string;
  pciAddress?: string;
  ifName?: string;
  /** What the delegate gets as deviceID (handover.ts). */
  deviceId?: string;
}

export interface AddressesExplanation {
  /** The controller's (AddressesAllocated True) or the CNI side's report (networkData). */
  ips: string[];
  interfaceName?: string;
  hardwareAddress?: string;
  /** The IPPool the device's addresses come from, when one is named. */
  ipPool?: string;
  allocated?: { status: string; reason: string; message: string };
  ready?: { status: string; reason: string; message: string };
}

export interface SelectorRef {
  source: "class" | "request";
  className?: string;
  index: number;
  expression: string;
}

export interface DeviceEvaluation {
  device: string;
  matches: boolean;
  rejectedBy?: SelectorRef & { outcome: "false" | "error"; message?: string };
}

export interface ClassCheck {
  className: string;
  found: boolean;
  /** Kept by the netclaim controller for this driver. */
  managed: boolean;
  selectors: SelectorRef[];
  /** Where the devices were taken from: the node, or every node of the driver. */
  scope: string;
  matching: string[];
  devices: DeviceEvaluation[];
}

export interface ClaimExplanation {
  podClaimName?: string;
  name?: string;
  source: "claim" | "template" | "extended-resource";
  found: boolean;
  /** Containers whose resources.claims name it; [] for a pod-level claim. */
  containers: string[];
  allocated: boolean;
  results: ResultExplanation[];
  requests: RequestExplanation[];
  findings: Finding[];
}

export interface ResultExplanation {
  request: string;
  device: string;
  shareID?: string;
  published: boolean;
  resourceNameAttribute?: string;
  /** The network that takes it, if any. */
  network?: string;
}

export interface RequestExplanation {
  /** `req` or `req/sub`. */
  name: string;
  className?: string;
  classFound: boolean;
  selectors: SelectorRef[];
  scope: string;
  matching: string[];
  devices: DeviceEvaluation[];
}
