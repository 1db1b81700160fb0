// CDI spec shapes (cncf-tags/container-device-interface SPEC.md and specs-go/config.go, spec 1.1.0), as
// JSON. Modelled in full enough for `minimumCdiVersion` to see every versioned field; netclaim itself
// emits only env and deviceNodes (path, type), which cdiVersion 0.3.0 carries (0.5.0 once a device name
// starts with a digit, as `<claimUID>-<device>` often does).

export interface CdiDeviceNode {
  path: string;
  /** Added in 0.5.0. */
  hostPath?: string;
  /** "b", "c", "u" or "p". */
  type?: string;
  major?: number;
  minor?: number;
  fileMode?: number;
  /** Any of "rwm"; default "rwm". */
  permissions?: string;
  uid?: number;
  gid?: number;
}

export interface CdiMount {
  hostPath: string;
  containerPath: string;
  /** Added in 0.4.0. */
  type?: string;
  options?: string[];
}

export interface CdiHook {
  /** createRuntime | createContainer | startContainer | poststart | poststop (prestart is deprecated). */
  hookName: string;
  path: string;
  args?: string[];
  env?: string[];
  timeout?: number;
}

/** Added in 0.7.0; schemata and enableMonitoring in 1.1.0. */
export interface CdiIntelRdt {
  closID?: string;
  l3CacheSchema?: string;
  memBwSchema?: string;
  enableCMT?: boolean;
  enableMBM?: boolean;
  schemata?: string[];
  enableMonitoring?: boolean;
}

/** Added in 1.1.0 (OCI runtime-spec 1.3 linux.netDevices). */
export interface CdiNetDevice {
  hostInterfaceName: string;
  name: string;
}

export interface CdiContainerEdits {
  /** "KEY=VALUE". */
  env?: string[];
  deviceNodes?: CdiDeviceNode[];
  hooks?: CdiHook[];
  mounts?: CdiMount[];
  intelRdt?: CdiIntelRdt;
  /** Added in 0.7.0. */
  additionalGids?: number[];
  netDevices?: CdiNetDevice[];
}

export interface CdiDevice {
  name: string;
  /** Added in 0.6.0. */
  annotations?: Record<string, string>;
  containerEdits: CdiContainerEdits;
}

export interface CdiSpec {
  cdiVersion: string;
  /** "<vendor>/<class>". */
  kind: string;
  /** Added in 0.6.0. */
  annotations?: Record<string, string>;
  devices: CdiDevice[];
  /** Applied when any device of the spec is injected. */
  containerEdits?: CdiContainerEdits;
}
