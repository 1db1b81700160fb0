// The IPAM shell: reads a claim and what it holds, runs the pure plan, allocates with the create-as-lock,
// applies the status, records Events, keeps the finalizer in step. See index.ts for the entry points'
// contract. Order of writes for a live claim:
//   finalizer (before the first create; or a repair when it holds addresses without it) → releases →
//   creates → status apply → Events → finalizer removal (when it ends up holding nothing).
// A claim being deleted or not allocated: deletes → status cleared (live claims only) → finalizer removal.
// A claim that is gone: the IPAllocations naming it whose uid is not the live claim's (read after the
// list, so a uid seen dead stays dead) are deleted.
//
// Public API: `IpamReconciler`, `IpamReconcilerOptions`.
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import { silentLogger } from "../../common/logger.ts";
import type { Logger } from "../../common/logger.ts";
import type { IPAllocation } from "../../api/ip-address.ts";
import { AddressBook } from "./address-book.ts";
import { allocateAddress } from "./allocate.ts";
import type { AddressWant } from "./allocate.ts";
import { gatherNeeds, PoolCache } from "./claim-inputs.ts";
import { renderClaimStatus, wantKey } from "./claim-status.ts";
import type { WantOutcome } from "./claim-status.ts";
import { hasFinalizer, planClaim } from "./decide.ts";
import type { ClaimPlan, PoolState } from "./decide.ts";
import type { ClaimIdentity, IpamPorts } from "./ports.ts";
import { ReleaseWorker } from "./release.ts";
import { DRIVER_NAME } from "./types.ts";
import type { ResourceClaim } from "./types.ts";
import { PoolReconciler } from "./pool-reconcile.ts";
import type { ClaimReconcileResult, PoolReconcileResult, ResyncResult } from "./results.ts";

/** Don't refill the address book from a full list more often than this. */
const MIN_REFRESH_INTERVAL_MS = 1_000;
const MAX_CLAIM_PASSES = 3;

export interface IpamReconcilerOptions extends IpamPorts {
  driverName?: string;
  clock?: Clock;
  logger?: Logger;
}

type LiveOutcome = ClaimReconcileResult | "retry";

export class IpamReconciler {
  readonly #opts: IpamReconcilerOptions;
  readonly #driver: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #book = new AddressBook();
  readonly #pools = new PoolCache();
  readonly #waiting = new Map<string, Set<string>>();
  readonly #release: ReleaseWorker;
  readonly #poolWork: PoolReconciler;
  #refreshing: Promise<void> | undefined;

  constructor(opts: IpamReconcilerOptions) {
    this.#opts = opts;
    this.#driver = opts.driverName ?? DRIVER_NAME;
    this.#clock = opts.clock ?? realClock;
    this.#logger = (opts.logger ?? silentLogger()).child({ component: "ipam" });
    this.#release = new ReleaseWorker({ ports: opts, book: this.#book, logger: this.#logger });
    this.#poolWork = new PoolReconciler({
      ports: opts,
      book: this.#book,
      cache: this.#pools,
      clock: this.#clock,
    });
  }

  /** Claim keys ("namespace/name") whose last reconcile waited on `pool`. */
  claimsWaitingFor(pool: string): string[] {
    return [...(this.#waiting.get(pool) ?? [])].sort();
  }

  /** Brings one claim ("namespace/name") in step. Throws on API failures (requeue with backoff). */
  async reconcileClaim(key: string, signal?: AbortSignal): Promise<ClaimReconcileResult> {
    const slash = key.indexOf("/");
    if (slash <= 0) throw new Error(`claim key ${JSON.stringify(key)} is not "namespace/name"`);
    const [namespace, name] = [key.slice(0, slash), key.slice(slash + 1)];
    try {
      for (let pass = 0; pass < MAX_CLAIM_PASSES; pass++) {
        const claim = await this.#opts.claims.getClaim(namespace, name, signal);
        if (claim === undefined) {
          this.#setWaiting(key, []);
          return await this.#release.releaseVanished(namespace, name, signal);
        }
        const outcome = await this.#reconcileLive(key, claim, signal);
        if (outcome !== "retry") return outcome;
      }
      throw new Error(`it changed under every one of ${MAX_CLAIM_PASSES} passes`);
    } catch (err) {
      throw new Error(`reconcile IP addresses of claim ${key}`, { cause: err });
    }
  }

  /** Rewrites one pool's status from a full list (which also refreshes the address book). */
  async reconcilePool(name: string, signal?: AbortSignal): Promise<PoolReconcileResult> {
    try {
      const result = await this.#poolWork.reconcilePool(name, signal);
      return { ...result, waitingClaims: this.claimsWaitingFor(name) };
    } catch (err) {
      throw new Error(`reconcile status of IPPool ${name}`, { cause: err });
    }
  }

  /** Releases IPAllocations of claims that no longer exist, refreshes the book, rewrites pool statuses. */
  async resync(signal?: AbortSignal): Promise<ResyncResult> {
    try {
      return await this.#resync(signal);
    } catch (err) {
      throw new Error("resync IP allocations", { cause: err });
    }
  }

  async #resync(signal?: AbortSignal): Promise<ResyncResult> {
    const all = await this.#opts.allocations.listAll(signal);
    const claims = await this.#opts.claims.listClaims(signal);
    const released = await this.#release.releaseOrphans(all, claims, signal);
    const gone = new Set(released.map((a) => a.metadata.name));
    const kept = all.filter((a) => !gone.has(a.metadata.name));
    const result = await this.#poolWork.afterResync(kept, released, signal);
    const pools = result.pools.map((p) => ({ ...p, waitingClaims: this.claimsWaitingFor(p.pool) }));
    return { ...result, pools };
  }

  async #reconcileLive(key: string, claim: ResourceClaim, signal?: AbortSignal): Promise<LiveOutcome> {
    const uid = claim.metadata?.uid ?? "";
    const allocations = await this.#opts.allocations.listByClaimUid(uid, signal);
    const deps = { ...this.#opts, cache: this.#pools, driverName: this.#driver };
    const { needs, pools } = await gatherNeeds(deps, claim, signal);
    const plan = planClaim({ claim, needs, allocations, pools });
    if (plan.kind === "release") {
      this.#setWaiting(key, []);
      return this.#release.releasePlan(claim, plan, signal);
    }
    let finalized = hasFinalizer(claim);
    const ensureFinalizer = async (s?: AbortSignal): Promise<boolean> => {
      if (finalized) return true;
      finalized = (await this.#opts.finalizers.add(claim, s)) === "added";
      return finalized;
    };
    if (plan.ensureFinalizer && !(await ensureFinalizer(signal))) return "retry";
    const released = await this.#release.deleteAll(plan.release, signal);
    const outcomes = await this.#allocateWanted(claim, plan, pools, ensureFinalizer, signal);
    if (outcomes === "aborted") return "retry";
    return this.#finish({ key, claim, plan, outcomes, released, finalized, signal });
  }

  async #allocateWanted(
    claim: ResourceClaim,
    plan: Extract<ClaimPlan, { kind: "allocate" }>,
    pools: ReadonlyMap<string, PoolState>,
    beforeCreate: (signal?: AbortSignal) => Promise<boolean>,
    signal?: AbortSignal,
  ): Promise<Map<string, WantOutcome> | "aborted"> {
    const identity: ClaimIdentity = {
      namespace: claim.metadata?.namespace ?? "",
      name: claim.metadata?.name ?? "",
      uid: claim.metadata?.uid ?? "",
    };
    const ctx = {
      store: this.#opts.allocations,
      book: this.#book,
      refresh: (s?: AbortSignal) => this.#refresh(s),
      beforeCreate,
    };
    const outcomes = new Map<string, WantOutcome>();
    const wants = plan.devices.some((d) => d.wanted.length > 0);
    if (wants && this.#book.seededAtMs() === undefined) await this.#refresh(signal);
    for (const device of plan.devices) {
      const pool = device.need.pool === undefined ? undefined : pools.get(device.need.pool);
      if (pool?.state !== "ready") continue;
      for (const family of device.wanted) {
        const layout = pool.layout.families.find((f) => f.family === family)!;
        const want: AddressWant = {
          claim: identity,
          device: device.need.ref,
          request: device.need.request,
          pool: pool.name,
          family,
          layout,
        };
        const outcome = await allocateAddress(ctx, want, signal);
        if (outcome === "aborted") return "aborted";
        outcomes.set(wantKey(device.need.ref, family), outcome);
      }
    }
    return outcomes;
  }

  async #finish(args: {
    key: string;
    claim: ResourceClaim;
    plan: Extract<ClaimPlan, { kind: "allocate" }>;
    outcomes: Map<string, WantOutcome>;
    released: IPAllocation[];
    finalized: boolean;
    signal: AbortSignal | undefined;
  }): Promise<ClaimReconcileResult> {
    const { claim, plan, outcomes, signal } = args;
    const now = new Date(this.#clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
    const render = renderClaimStatus({ claim, devices: plan.devices, outcomes, now });
    const target = { namespace: claim.metadata?.namespace ?? "", name: claim.metadata?.name ?? "" };
    if (render.changed) await this.#opts.claimStatus.applyDeviceStatuses(target, render.entries, signal);
    const identity = { ...target, uid: claim.metadata?.uid ?? "" };
    for (const event of render.events) await this.#release.recordEvent(identity, event, signal);
    const holds = render.entries.some((e) => (e.networkData?.ips?.length ?? 0) > 0);
    if (!holds && args.finalized) await this.#opts.finalizers.remove(claim, signal);
    this.#setWaiting(args.key, render.waitingOn);
    const created = [...outcomes.values()].filter((o) => o.ok).length;
    return {
      action: holds ? "allocated" : "none",
      created,
      released: args.released.length,
      waitingOn: render.waitingOn,
      freedPools: [...new Set(args.released.map((a) => a.spec.pool))].sort(),
    };
  }

  /** Refills the address book from a full list unless that happened moments ago (concurrent calls share one). */
  async #refresh(signal?: AbortSignal): Promise<boolean> {
    const last = this.#book.seededAtMs();
    if (
      this.#refreshing === undefined &&
      last !== undefined &&
      this.#clock.now() - last < MIN_REFRESH_INTERVAL_MS
    ) {
      return false;
    }
    this.#refreshing ??= this.#opts.allocations
      .listAll(signal)
      .then((all) => this.#book.seed(all, this.#clock.now()))
      .finally(() => (this.#refreshing = undefined));
    await this.#refreshing;
    return true;
  }

  #setWaiting(key: string, pools: readonly string[]): void {
    for (const [pool, keys] of this.#waiting) {
      keys.delete(key);
      if (keys.size === 0) this.#waiting.delete(pool);
    }
    for (const pool of pools) {
      const keys = this.#waiting.get(pool) ?? new Set<string>();
      keys.add(key);
      this.#waiting.set(pool, keys);
    }
  }
}
