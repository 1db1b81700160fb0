// What the reconciler's entry points report to the runtime: enough to requeue the right keys and to
// feed metrics (allocations, releases, pool usage).
//
// Public API: `ClaimReconcileResult`, `PoolReconcileResult`, `ResyncResult`.
import type { PoolUsage } from "./pool-status.ts";

export interface ClaimReconcileResult {
  /** Addresses held or allocated; released (deleting / deallocated); nothing to do; the claim is gone. */
  action: "allocated" | "released" | "none" | "gone";
  /** Addresses this pass obtained (created, or adopted from a racing controller). */
  created: number;
  released: number;
  /** Pools this claim waits on (exhausted, missing, invalid): requeue it when they change. */
  waitingOn: string[];
  /** Pools that got addresses back: requeue the claims waiting on them (`claimsWaitingFor`). */
  freedPools: string[];
}

export interface PoolReconcileResult {
  pool: string;
  exists: boolean;
  /** Absent for a missing or invalid pool. */
  usage?: PoolUsage;
  statusWritten: boolean;
  /** Claims whose last reconcile waited on this pool: requeue them after a pool change. */
  waitingClaims: string[];
}

export interface ResyncResult {
  /** IPAllocations deleted because their claim no longer exists. */
  released: number;
  freedPools: string[];
  pools: PoolReconcileResult[];
  /** IPAllocations naming a pool that does not exist (kept while their claim lives; see index.ts). */
  allocationsOfMissingPools: number;
}
