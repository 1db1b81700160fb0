// Claim-scoped IPAM: addresses from IPPools for the allocated devices of network ResourceClaims,
// persistent for the claim's life, recorded in the claim's status.devices[].networkData.ips.
//
// ## For the controller runtime
//
//   const ipam = createIpam({ kube, logger, driverName });        // or new IpamReconciler({ ...ports })
//   await ipam.resync(signal);                 // once when leading, then every few minutes
//   await ipam.reconcileClaim("ns/name", signal);
//   await ipam.reconcilePool("pool-a", signal);
//
// Entry points (IpamReconciler):
//   reconcileClaim(key)   key "namespace/name" of a ResourceClaim. Idempotent; safe to run again at any
//                         time. Enqueue it on every claim add/update/delete event (the claim's own
//                         status writes come back as updates: they end in a no-op). Resolves with a
//                         ClaimReconcileResult; rejects on API failures (requeue with rate limiting).
//                         Must not run concurrently for the same key (per-key de-duplication); may run
//                         concurrently for different keys.
//                         result.waitingOn   pools the claim is stuck on (exhausted/missing/invalid);
//                         result.freedPools  pools that got addresses back → requeue
//                                            claimsWaitingFor(pool) of each.
//   reconcilePool(name)   rewrites the pool's status (allocated, size, free, Ready, Exhausted) from one
//                         full list of IPAllocations. Enqueue on IPPool add/update; afterwards requeue
//                         result.waitingClaims (the claims that were stuck on it).
//   resync()              lists every IPAllocation, then every claim; deletes the IPAllocations whose
//                         claim uid no longer exists (a claim that vanished while the controller was
//                         down), refills the address book, rewrites every pool's status. Run when
//                         leadership starts and periodically. result.freedPools as above.
//   claimsWaitingFor(pool)
//
// Ports (ports.ts), all consumer-owned; ipam-k8s.ts implements them over KubeClient (k8sIpamPorts):
//   ClaimReader, PoolReader, NetworkReader   may be informer caches.
//   AllocationStore                          K8sAllocationStore: consistent lists per reconcile (simple,
//                                            one full read of the collection per claim);
//                                            CachedAllocationStore: an informer plus this process's own
//                                            writes — use it at scale (the runtime does, one per
//                                            leadership term): start(signal), waitForSync().
//   ClaimReader.listClaims                   must be a consistent read (the resync lists allocations,
//                                            then claims: a uid missing then is gone for good).
//   ClaimFinalizers, ClaimStatusWriter, PoolStatusWriter, EventRecorder.
//
// ## Guarantees
// - No address goes to two claims: one IPAllocation object per address, named from pool + address, and
//   its create is the lock (AlreadyExists = taken) — even with two controllers acting at once.
// - A device has one address per family of its pool. Two controllers racing on the same claim may both
//   obtain one; the next pass keeps one (the one the status shows) and releases the other.
// - The claim carries finalizer netclaim.dev/ip-allocation from before its first IPAllocation is created
//   until its last one is deleted; deletion releases everything.
// - An exhausted, missing or invalid pool shows as condition AddressesAllocated=False (reason
//   PoolExhausted / PoolNotFound / InvalidPool) on the device's status entry plus one Warning Event per
//   change; other claims and pools are unaffected.
// - IPAllocations of a deleted pool are kept while their claim lives (the address is in use); the
//   resync reports how many there are (allocationsOfMissingPools). Deleting them is left to whoever
//   decides a deleted pool's addresses are dead (the garbage collector), e.g. with
//   AllocationStore.delete.
//
// Public API: re-exported below.
import type { Logger } from "../../common/logger.ts";
import type { Clock } from "../../common/clock.ts";
import { IpamReconciler } from "./ipam-reconciler.ts";
import { k8sIpamPorts } from "./ipam-k8s.ts";
import type { K8sIpamOptions } from "./ipam-k8s.ts";
import type { IpamPorts } from "./ports.ts";

export { IpamReconciler } from "./ipam-reconciler.ts";
export type { IpamReconcilerOptions } from "./ipam-reconciler.ts";
export type { ClaimReconcileResult, PoolReconcileResult, ResyncResult } from "./results.ts";
export type * from "./ports.ts";
export { IP_ALLOCATIONS, k8sIpamPorts, K8sAllocationStore } from "./ipam-k8s.ts";
export { CachedAllocationStore } from "./allocation-cache.ts";
export type { CachedAllocationStoreOptions } from "./allocation-cache.ts";
export type { K8sIpamOptions } from "./ipam-k8s.ts";
export {
  ADDRESSES_CONDITION,
  DRIVER_NAME,
  FIELD_MANAGER,
  IP_ALLOCATION_FINALIZER,
  IP_POOL_ANNOTATION,
} from "./types.ts";
export type { PoolUsage } from "./pool-status.ts";

export interface CreateIpamOptions extends K8sIpamOptions {
  driverName?: string;
  logger?: Logger;
  clock?: Clock;
  /** Replace some ports (e.g. informer-backed readers); the rest come from k8sIpamPorts. */
  ports?: Partial<IpamPorts>;
}

/** The reconciler over the API client: what `netclaim controller` builds. */
export function createIpam(opts: CreateIpamOptions): IpamReconciler {
  const ports = { ...k8sIpamPorts(opts), ...opts.ports };
  return new IpamReconciler({
    ...ports,
    ...(opts.driverName === undefined ? {} : { driverName: opts.driverName }),
    ...(opts.logger === undefined ? {} : { logger: opts.logger }),
    ...(opts.clock === undefined ? {} : { clock: opts.clock }),
  });
}
