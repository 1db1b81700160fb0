// Pure decision: which IPAllocations name an IPPool that no longer exists, and may go. The IPAM
// resync already deletes the allocations of claims that no longer exist (src/controller/ipam); this
// covers the other half: a deleted pool's addresses, which IPAM keeps while their claims live. A
// pool is gone for good once it has been missing for a grace period (counted from when this
// controller first saw it missing): a pool deleted by mistake and put back keeps its addresses.
import type { IPAllocation } from "../../api/ip-address.ts";

export const DEFAULT_POOL_GC_GRACE_MS = 5 * 60_000;

export interface AllocationGcInput {
  allocations: readonly IPAllocation[];
  /** The pools that exist. */
  pools: ReadonlySet<string>;
  /** pool → when it was first seen missing (from earlier passes). */
  missingSince: ReadonlyMap<string, number>;
  nowMs: number;
  gracePeriodMs: number;
}

export interface AllocationGcPlan {
  /** Allocations of pools missing for the whole grace period. */
  remove: IPAllocation[];
  /** pool → first seen missing, for pools that still have allocations (the next pass's input). */
  missingSince: Map<string, number>;
  /** When the next pool's grace ends; undefined when nothing waits. */
  nextInMs: number | undefined;
}

export function planAllocationGc(input: AllocationGcInput): AllocationGcPlan {
  const byPool = new Map<string, IPAllocation[]>();
  for (const a of input.allocations) {
    if (input.pools.has(a.spec.pool)) continue;
    byPool.set(a.spec.pool, [...(byPool.get(a.spec.pool) ?? []), a]);
  }
  const remove: IPAllocation[] = [];
  const missingSince = new Map<string, number>();
  let nextInMs: number | undefined;
  for (const [pool, allocations] of [...byPool].sort(([a], [b]) => a.localeCompare(b))) {
    const since = input.missingSince.get(pool) ?? input.nowMs;
    const dueMs = since + input.gracePeriodMs;
    if (input.nowMs >= dueMs) {
      remove.push(...allocations);
      continue;
    }
    missingSince.set(pool, since);
    nextInMs = Math.min(nextInMs ?? Infinity, dueMs - input.nowMs);
  }
  return { remove, missingSince, nextInMs };
}
