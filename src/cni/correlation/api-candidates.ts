// The pod's devices as the API server shows them (resource.k8s.io/v1). Pure.
//   pod → its claims: each spec.resourceClaims[] entry (pod claim name) with its ResourceClaim — named
//     directly (resourceClaimName) or, for a template, in status.resourceClaimStatuses[] (Multus reads
//     only the latter, so it misses directly named claims) — and the DRA extended-resource claim
//     (status.extendedResourceClaimStatus);
//   claim → its allocation results (request, driver, pool, device, shareID), the request's DeviceClass
//     from spec.devices.requests (`exactly`, or the `firstAvailable` subrequest of a `req/sub` result);
//   ResourceSlices of the node and driver → the device's attributes: k8s.cni.cncf.io/resourceName and
//     k8s.cni.cncf.io/deviceID (Multus's), resource.kubernetes.io/pciBusID, and the driver's own ifName,
//     pciAddress, pfPciAddress and type (netclaim publishes these; any driver may), unqualified or under
//     the driver's domain. Only the slices of a pool's highest generation count.
//   claim → the addresses the netclaim controller allocated for each device: its status.devices[] entry
//     with AddressesAllocated True (src/api/claim-addresses.ts), as `allocatedIps`.
// An unallocated claim has no devices yet; a result whose device no slice lists keeps its claim, request
// and class (rule 2 can still match it) without attributes. The API holds no CDI IDs.
//
// Public API: `ApiPod`, `ApiClaim`, `ApiSlice`, `PodClaimRef`, `podClaimRefs`, `SliceDeviceIndex`,
// `indexSlices`, `apiCandidates`.
import { controllerAddresses } from "../../api/claim-addresses.ts";
import type { StatusDeviceEntry } from "../../api/claim-addresses.ts";
import type { KubeObject } from "../../k8s/types.ts";
import { CANDIDATE_KINDS } from "./types.ts";
import type { CandidateDevice, CandidateKind } from "./types.ts";

type Name = string | null | undefined;

export interface ApiPod extends KubeObject {
  spec?: {
    nodeName?: string;
    resourceClaims?: { name: string; resourceClaimName?: Name; resourceClaimTemplateName?: Name }[];
  };
  status?: {
    resourceClaimStatuses?: { name: string; resourceClaimName?: Name }[];
    extendedResourceClaimStatus?: { resourceClaimName?: Name };
  };
}

interface ApiRequest {
  name: string;
  exactly?: { deviceClassName?: string };
  firstAvailable?: { name: string; deviceClassName?: string }[];
}

export interface ApiAllocationResult {
  request: string;
  driver: string;
  pool: string;
  device: string;
  shareID?: string;
}

export interface ApiClaim extends KubeObject {
  spec?: { devices?: { requests?: ApiRequest[] } };
  status?: {
    allocation?: { devices?: { results?: ApiAllocationResult[] } };
    /** KEP-4817 entries: the netclaim controller's carry the device's addresses. */
    devices?: StatusDeviceEntry[];
  };
}

export interface ApiAttribute {
  string?: string;
  int?: number;
  bool?: boolean;
  version?: string;
}

export interface ApiSliceDevice {
  name: string;
  attributes?: Record<string, ApiAttribute>;
}

export interface ApiSlice extends KubeObject {
  spec?: {
    driver?: string;
    pool?: { name?: string; generation?: number };
    devices?: ApiSliceDevice[];
  };
}

export interface PodClaimRef {
  /** pod.spec.resourceClaims[].name; undefined for the extended-resource claim. */
  podClaimName?: string;
  claimName: string;
}

const present = (name: Name): name is string => typeof name === "string" && name !== "";

export function podClaimRefs(pod: ApiPod): PodClaimRef[] {
  const statuses = pod.status?.resourceClaimStatuses ?? [];
  const refs: PodClaimRef[] = [];
  for (const entry of pod.spec?.resourceClaims ?? []) {
    const generated = statuses.find((s) => s.name === entry.name)?.resourceClaimName;
    const claimName = present(entry.resourceClaimName) ? entry.resourceClaimName : generated;
    if (present(claimName)) refs.push({ podClaimName: entry.name, claimName });
  }
  const extended = pod.status?.extendedResourceClaimStatus?.resourceClaimName;
  if (present(extended) && !refs.some((r) => r.claimName === extended)) refs.push({ claimName: extended });
  return refs;
}

function classOf(claim: ApiClaim, request: string): string | undefined {
  const [name, sub] = request.split("/", 2);
  const found = (claim.spec?.devices?.requests ?? []).find((r) => r.name === name);
  if (found === undefined) return undefined;
  if (sub === undefined) return found.exactly?.deviceClassName;
  return found.firstAvailable?.find((s) => s.name === sub)?.deviceClassName;
}

/** `pool\0device` → the device, over the slices of each pool's highest generation. */
export type SliceDeviceIndex = Map<string, ApiSliceDevice>;

const deviceKey = (pool: string, device: string): string => `${pool}\0${device}`;

export function indexSlices(slices: readonly ApiSlice[]): SliceDeviceIndex {
  const newest = new Map<string, number>();
  for (const slice of slices) {
    const pool = slice.spec?.pool?.name ?? "";
    const generation = slice.spec?.pool?.generation ?? 0;
    newest.set(pool, Math.max(newest.get(pool) ?? generation, generation));
  }
  const index: SliceDeviceIndex = new Map();
  for (const slice of slices) {
    const pool = slice.spec?.pool?.name ?? "";
    if ((slice.spec?.pool?.generation ?? 0) !== newest.get(pool)) continue;
    for (const device of slice.spec?.devices ?? []) index.set(deviceKey(pool, device.name), device);
  }
  return index;
}

function attribute(device: ApiSliceDevice | undefined, driver: string, name: string): string | undefined {
  const attrs = device?.attributes ?? {};
  const value = attrs[name] ?? (name.includes("/") ? undefined : attrs[`${driver}/${name}`]);
  return typeof value?.string === "string" && value.string !== "" ? value.string : undefined;
}

function kindOf(value: string | undefined): CandidateKind {
  return (CANDIDATE_KINDS as readonly string[]).includes(value ?? "") ? (value as CandidateKind) : "unknown";
}

/** The claim's allocated devices, `index` giving each driver's slices of the pod's node. */
export function apiCandidates(
  claim: ApiClaim,
  ref: PodClaimRef,
  index: ReadonlyMap<string, SliceDeviceIndex>,
): CandidateDevice[] {
  const namespace = claim.metadata?.namespace ?? "";
  return (claim.status?.allocation?.devices?.results ?? []).map((result): CandidateDevice => {
    const device = index.get(result.driver)?.get(deviceKey(result.pool, result.device));
    const attr = (name: string): string | undefined => attribute(device, result.driver, name);
    const candidate: CandidateDevice = {
      origin: "claim",
      sources: ["api"],
      claimNamespace: namespace,
      claimName: ref.claimName,
      requestNames: [result.request],
      driver: result.driver,
      pool: result.pool,
      device: result.device,
      kind: kindOf(attr("type")),
      cdiDeviceIds: [],
    };
    const optional: [keyof CandidateDevice, string | undefined][] = [
      ["podClaimName", ref.podClaimName],
      ["className", classOf(claim, result.request)],
      ["shareID", result.shareID],
      ["resourceNameAttr", attr("k8s.cni.cncf.io/resourceName")],
      ["deviceIDAttr", attr("k8s.cni.cncf.io/deviceID")],
      ["pciAddress", attr("resource.kubernetes.io/pciBusID") ?? attr("pciAddress")],
      ["pfPciAddress", attr("pfPciAddress")],
      ["ifName", attr("ifName")],
    ];
    for (const [key, value] of optional)
      if (value !== undefined && value !== "") candidate[key] = value as never;
    const addresses = controllerAddresses(claim.status?.devices, result);
    if (addresses.state === "allocated") candidate.allocatedIps = addresses.ips;
    return candidate;
  });
}
