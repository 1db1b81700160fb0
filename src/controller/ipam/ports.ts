// What the IPAM reconciler needs from the world, as small interfaces it owns. ipam-k8s.ts implements
// them over the API client; tests use hand-written fakes (test/unit/controller/ipam/fakes.ts). Every read
// answers undefined for NotFound and throws (with context) on anything else.
//
// Public API: `ClaimIdentity`, `ClaimReader`, `PoolReader`, `NetworkReader`, `AllocationStore`,
// `ClaimFinalizers`, `FinalizerAddResult`, `ClaimStatusWriter`, `PoolStatusWriter`, `EventRecorder`,
// `IpamPorts`.
import type { IPAllocation } from "../../api/ip-address.ts";
import type { IPPool, IPPoolStatus } from "../../api/ip-pool.ts";
import type { ClaimEvent } from "./claim-status.ts";
import type { DeviceRef, DeviceStatusEntry, NadView, ResourceClaim } from "./types.ts";

export interface ClaimIdentity {
  namespace: string;
  name: string;
  uid: string;
}

export interface ClaimReader {
  getClaim(namespace: string, name: string, signal?: AbortSignal): Promise<ResourceClaim | undefined>;
  /** Every claim of the cluster (resync: which claim uids still exist). Must be a consistent read. */
  listClaims(signal?: AbortSignal): Promise<ClaimIdentity[]>;
}

export interface PoolReader {
  getPool(name: string, signal?: AbortSignal): Promise<IPPool | undefined>;
  listPools(signal?: AbortSignal): Promise<IPPool[]>;
}

export interface NetworkReader {
  /** NADs of the namespace that carry `netclaim.dev/ip-pool`. */
  listPoolNads(namespace: string, signal?: AbortSignal): Promise<NadView[]>;
  /** The published device's `k8s.cni.cncf.io/resourceName` attribute, if any. */
  deviceResourceName(ref: DeviceRef, signal?: AbortSignal): Promise<string | undefined>;
}

/**
 * IPAllocation objects. Lists must show at least every write this process made (K8sAllocationStore reads
 * consistently; CachedAllocationStore lays its own writes over an informer): the reconciler decides
 * from them what a claim already holds. Objects that fail validation are left out of lists.
 */
export interface AllocationStore {
  listByClaimUid(uid: string, signal?: AbortSignal): Promise<IPAllocation[]>;
  listByClaimNamespace(namespace: string, signal?: AbortSignal): Promise<IPAllocation[]>;
  listAll(signal?: AbortSignal): Promise<IPAllocation[]>;
  get(name: string, signal?: AbortSignal): Promise<IPAllocation | undefined>;
  /** The created object, or undefined when the name is taken (AlreadyExists): the address is held. */
  create(allocation: IPAllocation, signal?: AbortSignal): Promise<IPAllocation | undefined>;
  /** Deletes that object (uid precondition); false when it was gone or is another object now. */
  delete(name: string, uid: string | undefined, signal?: AbortSignal): Promise<boolean>;
}

/** "deleting"/"gone": the claim can no longer take a finalizer (nothing may be allocated for it). */
export type FinalizerAddResult = "added" | "deleting" | "gone";

/** `netclaim.dev/ip-allocation` on claims; both retry write conflicts themselves. */
export interface ClaimFinalizers {
  add(claim: ResourceClaim, signal?: AbortSignal): Promise<FinalizerAddResult>;
  /** Nothing to do when the claim or the finalizer is gone already. */
  remove(claim: ResourceClaim, signal?: AbortSignal): Promise<void>;
}

/** Server-side apply of the controller's status.devices entries (the whole set: omitted ones go). */
export interface ClaimStatusWriter {
  applyDeviceStatuses(
    claim: { namespace: string; name: string },
    entries: readonly DeviceStatusEntry[],
    signal?: AbortSignal,
  ): Promise<void>;
}

export interface PoolStatusWriter {
  applyPoolStatus(name: string, status: IPPoolStatus, signal?: AbortSignal): Promise<void>;
}

export interface EventRecorder {
  recordClaimEvent(claim: ClaimIdentity, event: ClaimEvent, signal?: AbortSignal): Promise<void>;
}

export interface IpamPorts {
  claims: ClaimReader;
  pools: PoolReader;
  networks: NetworkReader;
  allocations: AllocationStore;
  finalizers: ClaimFinalizers;
  claimStatus: ClaimStatusWriter;
  poolStatus: PoolStatusWriter;
  events: EventRecorder;
}
