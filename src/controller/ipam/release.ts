// Giving addresses back: deletes of IPAllocation objects (each with its uid as precondition, so an
// address re-allocated meanwhile under the same name is never deleted), the release of a deleting or
// deallocated claim, of a claim that is gone, and of orphans found by the resync. Also Events, which are
// best effort: a failed Event is logged, never fails the reconcile.
//
// Public API: `ReleaseWorker`, `ORPHAN_DELETE_CONCURRENCY`.
import pLimit from "p-limit";
import { parseInterfaceAddress } from "../../api/ip-address.ts";
import type { IPAllocation } from "../../api/ip-address.ts";
import type { Logger } from "../../common/logger.ts";
import type { AddressBook } from "./address-book.ts";
import type { ClaimEvent } from "./claim-status.ts";
import type { ClaimPlan } from "./decide.ts";
import type { ClaimIdentity, IpamPorts } from "./ports.ts";
import type { ClaimReconcileResult } from "./results.ts";
import type { ResourceClaim } from "./types.ts";

export const ORPHAN_DELETE_CONCURRENCY = 8;

interface ReleaseWorkerOptions {
  ports: IpamPorts;
  book: AddressBook;
  logger: Logger;
}

function pools(released: readonly IPAllocation[]): string[] {
  return [...new Set(released.map((a) => a.spec.pool))].sort();
}

export class ReleaseWorker {
  readonly #ports: IpamPorts;
  readonly #book: AddressBook;
  readonly #logger: Logger;

  constructor(opts: ReleaseWorkerOptions) {
    this.#ports = opts.ports;
    this.#book = opts.book;
    this.#logger = opts.logger;
  }

  /** Deletes each; answers those that are gone now (deleted by us, or gone already). */
  async deleteAll(allocations: readonly IPAllocation[], signal?: AbortSignal): Promise<IPAllocation[]> {
    const done: IPAllocation[] = [];
    for (const allocation of allocations) {
      await this.#delete(allocation, signal);
      done.push(allocation);
    }
    return done;
  }

  async #delete(allocation: IPAllocation, signal?: AbortSignal): Promise<void> {
    const { name, uid } = allocation.metadata;
    try {
      await this.#ports.allocations.delete(name, uid, signal);
    } catch (err) {
      throw new Error(`delete IPAllocation ${name} (${allocation.spec.address})`, { cause: err });
    }
    const parsed = parseInterfaceAddress(allocation.spec.address);
    if (typeof parsed !== "string")
      this.#book.release(allocation.spec.pool, parsed.ip.family, parsed.ip.value);
    this.#logger.debug(
      {
        allocation: name,
        address: allocation.spec.address,
        claim: `${allocation.spec.claim.namespace}/${allocation.spec.claim.name}`,
      },
      "released address",
    );
  }

  /** A claim being deleted or not allocated: everything goes, then the finalizer. */
  async releasePlan(
    claim: ResourceClaim,
    plan: Extract<ClaimPlan, { kind: "release" }>,
    signal?: AbortSignal,
  ): Promise<ClaimReconcileResult> {
    const released = await this.deleteAll(plan.release, signal);
    if (plan.clearStatus) {
      const target = { namespace: claim.metadata?.namespace ?? "", name: claim.metadata?.name ?? "" };
      await this.#ports.claimStatus.applyDeviceStatuses(target, [], signal);
    }
    if (plan.removeFinalizer) await this.#ports.finalizers.remove(claim, signal);
    const changed = released.length > 0 || plan.removeFinalizer || plan.clearStatus;
    return {
      action: changed ? "released" : "none",
      created: 0,
      released: released.length,
      waitingOn: [],
      freedPools: pools(released),
    };
  }

  /** The claim is gone: the IPAllocations naming it, unless they belong to a live claim of that name. */
  async releaseVanished(
    namespace: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<ClaimReconcileResult> {
    const named = (await this.#ports.allocations.listByClaimNamespace(namespace, signal)).filter(
      (a) => a.spec.claim.name === name,
    );
    // Read after the list: a uid that is not the live claim's now can never come back.
    const live = named.length === 0 ? undefined : await this.#ports.claims.getClaim(namespace, name, signal);
    const dead = named.filter((a) => a.spec.claim.uid !== live?.metadata?.uid);
    const released = await this.deleteAll(dead, signal);
    return {
      action: "gone",
      created: 0,
      released: released.length,
      waitingOn: [],
      freedPools: pools(released),
    };
  }

  /** Resync: `all` was listed before `claims`, so a claim uid missing from `claims` is gone for good. */
  async releaseOrphans(
    all: readonly IPAllocation[],
    claims: readonly ClaimIdentity[],
    signal?: AbortSignal,
  ): Promise<IPAllocation[]> {
    const live = new Set(claims.map((c) => c.uid));
    const orphans = all.filter((a) => !live.has(a.spec.claim.uid));
    const limit = pLimit(ORPHAN_DELETE_CONCURRENCY);
    await Promise.all(orphans.map((a) => limit(() => this.#delete(a, signal))));
    if (orphans.length > 0)
      this.#logger.info({ released: orphans.length }, "released addresses of vanished claims");
    return orphans;
  }

  async recordEvent(claim: ClaimIdentity, event: ClaimEvent, signal?: AbortSignal): Promise<void> {
    try {
      await this.#ports.events.recordClaimEvent(claim, event, signal);
    } catch (err) {
      signal?.throwIfAborted();
      this.#logger.warn(
        { err, claim: `${claim.namespace}/${claim.name}`, reason: event.reason },
        "could not record an Event",
      );
    }
  }
}
