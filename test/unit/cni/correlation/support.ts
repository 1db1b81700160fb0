// Builders shared by the correlation tests: checkpoint entries as the kubelet plugin writes them, and
// the claim / slice / pod objects of resource.k8s.io/v1 as the API server serves them.
import type { Checkpoint, PreparedClaimEntry, PreparedDeviceRecord } from "../../../../src/api/checkpoint.ts";
import type { KubeObject } from "../../../harness/api-server/index.ts";

export const DRIVER = "netclaim.dev";
export const NODE = "node-1";

export function preparedDevice(
  deviceName: string,
  fields: Partial<PreparedDeviceRecord> = {},
): PreparedDeviceRecord {
  return {
    requestNames: ["nic"],
    poolName: NODE,
    deviceName,
    kind: "netdev",
    ifName: deviceName,
    resourceName: "sf-pool-1",
    cdiDeviceIDs: [`${DRIVER}/net=claim-uid-${deviceName}`],
    config: {},
    ...fields,
  };
}

export interface PreparedClaimSpec {
  namespace?: string;
  name: string;
  podUIDs: string[];
  devices: PreparedDeviceRecord[];
  state?: PreparedClaimEntry["state"];
}

export function checkpointOf(claims: Record<string, PreparedClaimSpec>): Checkpoint {
  const at = "2026-11-30T10:00:00.000Z";
  const out: Checkpoint = { claims: {} };
  for (const [uid, spec] of Object.entries(claims)) {
    out.claims[uid] = {
      namespace: spec.namespace ?? "ns1",
      name: spec.name,
      state: spec.state ?? "prepared",
      podUIDs: spec.podUIDs,
      devices: spec.devices,
      createdAt: at,
      updatedAt: at,
    };
  }
  return out;
}

export interface ClaimSpec {
  namespace?: string;
  name: string;
  /** request name → DeviceClass. */
  requests: Record<string, string>;
  results: { request: string; device: string; driver?: string; pool?: string; shareID?: string }[];
}

export function claimObject(spec: ClaimSpec): KubeObject {
  return {
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceClaim",
    metadata: { namespace: spec.namespace ?? "ns1", name: spec.name },
    spec: {
      devices: {
        requests: Object.entries(spec.requests).map(([name, deviceClassName]) => ({
          name,
          exactly: { deviceClassName },
        })),
      },
    },
    status: {
      allocation: {
        devices: {
          results: spec.results.map((r) => ({
            request: r.request,
            driver: r.driver ?? DRIVER,
            pool: r.pool ?? NODE,
            device: r.device,
            ...(r.shareID === undefined ? {} : { shareID: r.shareID }),
          })),
        },
      },
    },
  };
}

export interface SliceDeviceSpec {
  name: string;
  /** Attribute name → string value. */
  attributes: Record<string, string>;
}

export function sliceObject(
  name: string,
  devices: SliceDeviceSpec[],
  fields: { driver?: string; node?: string; pool?: string; generation?: number } = {},
): KubeObject {
  return {
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceSlice",
    metadata: { name },
    spec: {
      driver: fields.driver ?? DRIVER,
      nodeName: fields.node ?? NODE,
      pool: { name: fields.pool ?? NODE, generation: fields.generation ?? 1, resourceSliceCount: 1 },
      devices: devices.map((d) => ({
        name: d.name,
        attributes: Object.fromEntries(Object.entries(d.attributes).map(([k, v]) => [k, { string: v }])),
      })),
    },
  };
}

export interface PodSpec {
  namespace?: string;
  name: string;
  uid: string;
  /** pod claim name → { claim: a directly named claim } or { template: generated claim name }. */
  claims: Record<string, { claim?: string; generated?: string }>;
}

export function podObject(spec: PodSpec): KubeObject {
  const entries = Object.entries(spec.claims);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { namespace: spec.namespace ?? "ns1", name: spec.name, uid: spec.uid },
    spec: {
      nodeName: NODE,
      containers: [{ name: "app", image: "app" }],
      resourceClaims: entries.map(([name, ref]) =>
        ref.claim !== undefined
          ? { name, resourceClaimName: ref.claim }
          : { name, resourceClaimTemplateName: `${name}-template` },
      ),
    },
    status: {
      resourceClaimStatuses: entries
        .filter(([, ref]) => ref.generated !== undefined)
        .map(([name, ref]) => ({ name, resourceClaimName: ref.generated })),
    },
  };
}
