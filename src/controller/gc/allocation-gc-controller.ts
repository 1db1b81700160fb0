// Garbage collection of IPAllocations whose IPPool is gone (decision in stale-allocations.ts). One
// key, "scan": a full list of IPAllocations (the runtime hands in IPAM's informer-backed store; a stale
// entry costs nothing, its delete finds it gone) against the pools the informer knows; run at
// start, when a pool is deleted or added, when a grace period ends, and every scan period. Before
// deleting a pool's allocations the pool is read from the API (the cache may lag behind a pool just
// created); each delete carries the allocation's uid. The claim of each deleted allocation is
// handed to onReleased, so IPAM brings the claim's status in step.
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import { silentLogger } from "../../common/logger.ts";
import type { Logger } from "../../common/logger.ts";
import type { IPAllocation } from "../../api/ip-address.ts";
import type { KubeObject } from "../../k8s/types.ts";
import { Controller } from "../runtime/controller.ts";
import type { ControllerObserver, ReconcileResult, SyncSource } from "../runtime/controller.ts";
import type { InformerView } from "../runtime/informer-view.ts";
import { DEFAULT_POOL_GC_GRACE_MS, planAllocationGc } from "./stale-allocations.ts";

export const ALLOCATION_GC_CONTROLLER_NAME = "ip-allocation-gc";
const SCAN_KEY = "scan";
const DEFAULT_SCAN_PERIOD_MS = 10 * 60_000;

/** What the collector needs of the IPAM store (src/controller/ipam's AllocationStore fits). */
export interface AllocationGcStore {
  listAll(signal?: AbortSignal): Promise<IPAllocation[]>;
  /** false when it was gone or is another object now. */
  delete(name: string, uid: string | undefined, signal?: AbortSignal): Promise<boolean>;
}

export interface AllocationGcControllerOptions {
  pools: InformerView<KubeObject>;
  /** More to wait for before the first scan (an informer-backed store). */
  waitFor?: readonly SyncSource[];
  store: AllocationGcStore;
  /** A live read of one pool: undefined when it does not exist. */
  getPool: (name: string, signal?: AbortSignal) => Promise<unknown>;
  gracePeriodMs?: number;
  scanPeriodMs?: number;
  /** "namespace/name" of the claim whose allocation was deleted. */
  onReleased?: (claimKey: string, allocation: IPAllocation) => void;
  clock?: Clock;
  logger?: Logger;
  observer?: ControllerObserver;
}

export class AllocationGcController {
  readonly controller: Controller;
  readonly #opts: AllocationGcControllerOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #missingSince = new Map<string, number>();

  constructor(opts: AllocationGcControllerOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? realClock;
    this.#logger = (opts.logger ?? silentLogger()).child({ component: ALLOCATION_GC_CONTROLLER_NAME });
    this.controller = new Controller({
      name: ALLOCATION_GC_CONTROLLER_NAME,
      reconcile: (_key, signal) => this.scan(signal),
      waitFor: [opts.pools, ...(opts.waitFor ?? [])],
      clock: this.#clock,
      logger: opts.logger ?? silentLogger(),
      ...(opts.observer === undefined ? {} : { observer: opts.observer }),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const scan = (): void => this.controller.enqueue(SCAN_KEY);
    const remove = this.#opts.pools.addEventHandler({
      onAdd: (_obj, initial) => (initial ? undefined : scan()),
      onDelete: scan,
    });
    scan();
    try {
      await this.controller.run(signal);
    } finally {
      remove();
    }
  }

  /** One pass; resolves with when to look again. */
  async scan(signal: AbortSignal): Promise<ReconcileResult> {
    const allocations = await this.#opts.store.listAll(signal);
    const pools = new Set(this.#opts.pools.list().map((p) => p.metadata?.name ?? ""));
    const plan = planAllocationGc({
      allocations,
      pools,
      missingSince: this.#missingSince,
      nowMs: this.#clock.now(),
      gracePeriodMs: this.#opts.gracePeriodMs ?? DEFAULT_POOL_GC_GRACE_MS,
    });
    for (const pool of plan.missingSince.keys()) {
      if (!this.#missingSince.has(pool)) this.#logger.info({ pool }, "IPPool gone; its allocations wait");
    }
    this.#missingSince = plan.missingSince;
    const livePools = new Map<string, boolean>();
    for (const allocation of plan.remove) {
      const pool = allocation.spec.pool;
      if (!livePools.has(pool)) livePools.set(pool, (await this.#opts.getPool(pool, signal)) !== undefined);
      if (livePools.get(pool)) continue;
      await this.#delete(allocation, signal);
    }
    const scanMs = this.#opts.scanPeriodMs ?? DEFAULT_SCAN_PERIOD_MS;
    return { requeueAfterMs: Math.min(scanMs, plan.nextInMs ?? scanMs) };
  }

  async #delete(allocation: IPAllocation, signal: AbortSignal): Promise<void> {
    const { name, uid } = allocation.metadata;
    if (!(await this.#opts.store.delete(name, uid, signal))) return;
    const claim = allocation.spec.claim;
    this.#logger.info(
      { allocation: name, pool: allocation.spec.pool, claim: `${claim.namespace}/${claim.name}` },
      "deleted the IPAllocation of a deleted IPPool",
    );
    this.#opts.onReleased?.(`${claim.namespace}/${claim.name}`, allocation);
  }
}
