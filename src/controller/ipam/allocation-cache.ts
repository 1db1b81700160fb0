// An AllocationStore that reads from an informer (one watch of all IPAllocations, indexed by claim uid and
// namespace) instead of a list per reconcile — what a controller at scale uses: the consistent store
// (K8sAllocationStore) costs one full read of the collection per claim.
//
// The cache may lag, so this process's own writes are laid over it until the informer shows them (or
// MUTATION_TTL_MS passes): a create is listed at once, a delete hides the object at once. A claim's
// next reconcile therefore always sees what this process did for it; what another controller did may
// show late — at worst a duplicate for one family, which the next pass releases (decide.ts), never an
// address for two claims (the create is still the lock). `get` (asked after AlreadyExists) and the writes
// go to the API server.
//
// Long-lived: start(signal) / stop(); waitForSync (or hasSynced) before the first reconcile. One store per
// leadership term (runtime/ipam-controllers.ts): a new term starts from a fresh list.
//
// Public API: `CachedAllocationStore`, `CachedAllocationStoreOptions`, `MUTATION_TTL_MS`.
import { CLAIM_NAMESPACE_LABEL, CLAIM_UID_LABEL, parseIpAllocation } from "../../api/ip-address.ts";
import type { IPAllocation } from "../../api/ip-address.ts";
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import { silentLogger } from "../../common/logger.ts";
import type { Logger } from "../../common/logger.ts";
import type { KubeClient } from "../../k8s/client.ts";
import { Informer } from "../../k8s/informer.ts";
import type { KubeObject } from "../../k8s/types.ts";
import { IP_ALLOCATIONS, K8sAllocationStore } from "./ipam-k8s.ts";
import type { AllocationStore } from "./ports.ts";

export const MUTATION_TTL_MS = 60_000;
const BY_UID = "claim-uid";
const BY_NAMESPACE = "claim-namespace";

export interface CachedAllocationStoreOptions {
  kube: Pick<KubeClient, "resource" | "listWatch">;
  clock?: Clock;
  logger?: Logger;
  pageSize?: number;
}

type Raw = IPAllocation & KubeObject;

export class CachedAllocationStore implements AllocationStore {
  readonly #live: K8sAllocationStore;
  readonly #informer: Informer<Raw>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  /** Own creates the informer has not shown yet, with when they were made. */
  readonly #created = new Map<string, { allocation: IPAllocation; atMs: number }>();
  /** Own deletes (name → uid) the informer still shows. */
  readonly #deleted = new Map<string, { uid: string | undefined; atMs: number }>();

  constructor(opts: CachedAllocationStoreOptions) {
    this.#clock = opts.clock ?? realClock;
    this.#logger = opts.logger ?? silentLogger();
    this.#live = new K8sAllocationStore(opts);
    this.#informer = new Informer<Raw>({
      listWatch: opts.kube.listWatch<Raw>(IP_ALLOCATIONS),
      name: "ipallocations",
      indexers: {
        [BY_UID]: (a) => [a.metadata?.labels?.[CLAIM_UID_LABEL] ?? ""],
        [BY_NAMESPACE]: (a) => [a.metadata?.labels?.[CLAIM_NAMESPACE_LABEL] ?? ""],
      },
      clock: this.#clock,
      logger: this.#logger,
      ...(opts.pageSize === undefined ? {} : { pageSize: opts.pageSize }),
    });
  }

  start(signal?: AbortSignal): void {
    this.#informer.addEventHandler({
      onAdd: (obj) => this.#seen(obj),
      onUpdate: (_old, obj) => this.#seen(obj),
      onDelete: (obj) => this.#gone(obj),
    });
    this.#informer.start(signal);
  }

  hasSynced(): boolean {
    return this.#informer.hasSynced();
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    return this.#informer.waitForSync(signal);
  }

  stop(): Promise<void> {
    return this.#informer.stop();
  }

  #seen(obj: Raw): void {
    const name = obj.metadata?.name ?? "";
    if (this.#created.get(name)?.allocation.metadata.uid === obj.metadata?.uid) this.#created.delete(name);
    const deleted = this.#deleted.get(name);
    if (deleted !== undefined && deleted.uid !== undefined && deleted.uid !== obj.metadata?.uid)
      this.#deleted.delete(name);
  }

  #gone(obj: Raw): void {
    this.#deleted.delete(obj.metadata?.name ?? "");
  }

  /** Whether the informer shows this very object (same name and uid). */
  #cacheHas(allocation: IPAllocation): boolean {
    return this.#informer.get(allocation.metadata.name)?.metadata?.uid === allocation.metadata.uid;
  }

  /** The cached objects `match` selects, with own writes laid over them, validated. */
  #view(cached: readonly Raw[], match: (a: Raw) => boolean): IPAllocation[] {
    const now = this.#clock.now();
    const byName = new Map<string, Raw>(cached.filter(match).map((a) => [a.metadata?.name ?? "", a]));
    for (const [name, { allocation, atMs }] of this.#created) {
      // The cache has it (the watch event may even have come before the create's answer): done.
      if (now - atMs > MUTATION_TTL_MS || this.#cacheHas(allocation)) this.#created.delete(name);
      else if (match(allocation)) byName.set(name, allocation);
    }
    for (const [name, { uid, atMs }] of this.#deleted) {
      if (now - atMs > MUTATION_TTL_MS) {
        this.#deleted.delete(name);
        continue;
      }
      const current = byName.get(name);
      if (current !== undefined && (uid === undefined || current.metadata?.uid === uid)) byName.delete(name);
    }
    const out: IPAllocation[] = [];
    for (const raw of byName.values()) {
      const parsed = parseIpAllocation(raw);
      if (parsed.ok) out.push(parsed.allocation);
      else this.#logger.warn({ problem: parsed.problem }, "ignoring an invalid IPAllocation object");
    }
    return out;
  }

  listByClaimUid(uid: string): Promise<IPAllocation[]> {
    const cached = this.#informer.byIndex(BY_UID, uid);
    return Promise.resolve(this.#view(cached, (a) => a.spec?.claim?.uid === uid));
  }

  listByClaimNamespace(namespace: string): Promise<IPAllocation[]> {
    const cached = this.#informer.byIndex(BY_NAMESPACE, namespace);
    return Promise.resolve(this.#view(cached, (a) => a.spec?.claim?.namespace === namespace));
  }

  listAll(): Promise<IPAllocation[]> {
    return Promise.resolve(this.#view(this.#informer.list(), () => true));
  }

  get(name: string, signal?: AbortSignal): Promise<IPAllocation | undefined> {
    return this.#live.get(name, signal);
  }

  async create(allocation: IPAllocation, signal?: AbortSignal): Promise<IPAllocation | undefined> {
    const created = await this.#live.create(allocation, signal);
    if (created !== undefined && !this.#cacheHas(created)) {
      this.#created.set(created.metadata.name, { allocation: created, atMs: this.#clock.now() });
    }
    return created;
  }

  async delete(name: string, uid: string | undefined, signal?: AbortSignal): Promise<boolean> {
    const deleted = await this.#live.delete(name, uid, signal);
    this.#created.delete(name);
    this.#deleted.set(name, { uid, atMs: this.#clock.now() });
    return deleted;
  }
}
