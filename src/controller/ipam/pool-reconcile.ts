// IPPool statuses: counted from a full list of IPAllocations (which refills the address book on the
// way), written with server-side apply only when they changed.
//
// Public API: `PoolReconciler`.
import type { IPAllocation } from "../../api/ip-address.ts";
import type { IPPool } from "../../api/ip-pool.ts";
import type { Clock } from "../../common/clock.ts";
import type { AddressBook } from "./address-book.ts";
import type { PoolCache } from "./claim-inputs.ts";
import type { IpamPorts } from "./ports.ts";
import { renderPoolStatus } from "./pool-status.ts";
import type { PoolReconcileResult, ResyncResult } from "./results.ts";

interface PoolReconcilerOptions {
  ports: IpamPorts;
  book: AddressBook;
  cache: PoolCache;
  clock: Clock;
}

export class PoolReconciler {
  readonly #opts: PoolReconcilerOptions;

  constructor(opts: PoolReconcilerOptions) {
    this.#opts = opts;
  }

  #now(): string {
    return new Date(this.#opts.clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  async #writeStatus(
    pool: IPPool,
    allocations: readonly IPAllocation[],
    signal?: AbortSignal,
  ): Promise<PoolReconcileResult> {
    const name = pool.metadata?.name ?? "";
    const state = this.#opts.cache.stateOf(name, pool);
    if (state.state === "missing")
      return { pool: name, exists: false, statusWritten: false, waitingClaims: [] };
    const own = allocations.filter((a) => a.spec.pool === name);
    const render = renderPoolStatus({ pool, state, allocations: own, now: this.#now() });
    if (render.changed) await this.#opts.ports.poolStatus.applyPoolStatus(name, render.status, signal);
    return {
      pool: name,
      exists: true,
      ...(render.usage === undefined ? {} : { usage: render.usage }),
      statusWritten: render.changed,
      waitingClaims: [],
    };
  }

  async reconcilePool(name: string, signal?: AbortSignal): Promise<PoolReconcileResult> {
    const pool = await this.#opts.ports.pools.getPool(name, signal);
    if (pool === undefined) {
      this.#opts.cache.stateOf(name, undefined);
      return { pool: name, exists: false, statusWritten: false, waitingClaims: [] };
    }
    const all = await this.#opts.ports.allocations.listAll(signal);
    this.#opts.book.seed(all, this.#opts.clock.now());
    return this.#writeStatus(pool, all, signal);
  }

  /** After the resync released `released`: refill the book with `kept`, rewrite every pool's status. */
  async afterResync(
    kept: readonly IPAllocation[],
    released: readonly IPAllocation[],
    signal?: AbortSignal,
  ): Promise<ResyncResult> {
    this.#opts.book.seed(kept, this.#opts.clock.now());
    const pools = await this.#opts.ports.pools.listPools(signal);
    const results: PoolReconcileResult[] = [];
    for (const pool of pools) results.push(await this.#writeStatus(pool, kept, signal));
    const names = new Set(pools.map((p) => p.metadata?.name));
    return {
      released: released.length,
      freedPools: [...new Set(released.map((a) => a.spec.pool))].sort(),
      pools: results,
      allocationsOfMissingPools: kept.filter((a) => !names.has(a.spec.pool)).length,
    };
  }
}
