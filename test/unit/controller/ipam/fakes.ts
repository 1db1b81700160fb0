// Hand-written fakes of the IPAM ports: one in-memory cluster (claims, pools, NADs, IPAllocations,
// Events) that records every write in order and can be scripted to fail a call.
import type { IPAllocation } from "../../../../src/api/ip-address.ts";
import type { IPPool, IPPoolStatus } from "../../../../src/api/ip-pool.ts";
import type { ClaimEvent } from "../../../../src/controller/ipam/claim-status.ts";
import type { ClaimIdentity, IpamPorts } from "../../../../src/controller/ipam/ports.ts";
import {
  ADDRESSES_CONDITION,
  deviceRefKey,
  IP_ALLOCATION_FINALIZER,
} from "../../../../src/controller/ipam/types.ts";
import type { DeviceStatusEntry, NadView, ResourceClaim } from "../../../../src/controller/ipam/types.ts";

/** Runs `fn` on a later microtask: a real await, and a throw becomes a rejection. */
function later<T>(fn: () => T): Promise<T> {
  return Promise.resolve().then(fn);
}

type Operation = "create" | "delete" | "list" | "get" | "status" | "event" | "finalizer";

export class FakeCluster {
  claims = new Map<string, ResourceClaim>();
  pools = new Map<string, IPPool>();
  nads: NadView[] = [];
  deviceAttributes = new Map<string, string>();
  allocations = new Map<string, IPAllocation>();
  events: { claim: ClaimIdentity; event: ClaimEvent }[] = [];
  poolStatuses = new Map<string, IPPoolStatus>();
  /** Every write, in order: "create pool-a-v4-...", "finalizer+ team-a/net-a", "status team-a/net-a", ... */
  log: string[] = [];
  #uid = 0;
  #failures = new Map<Operation, { remaining: number; error: Error; after?: boolean }>();
  /** Called before each create; may add objects (another controller racing). */
  beforeCreate: ((allocation: IPAllocation) => void) | undefined;

  addClaim(claim: ResourceClaim): void {
    this.claims.set(`${claim.metadata?.namespace}/${claim.metadata?.name}`, structuredClone(claim));
  }

  /** The next `count` calls of `op` throw `error` (with after: true, a create throws after storing). */
  failNext(op: Operation, error: Error, opts: { count?: number; after?: boolean } = {}): void {
    this.#failures.set(op, { remaining: opts.count ?? 1, error, ...(opts.after ? { after: true } : {}) });
  }

  #maybeFail(op: Operation, after = false): void {
    const failure = this.#failures.get(op);
    if (failure === undefined || failure.remaining <= 0 || (failure.after ?? false) !== after) return;
    failure.remaining--;
    throw failure.error;
  }

  claimAllocations(uid: string): IPAllocation[] {
    return [...this.allocations.values()].filter((a) => a.spec.claim.uid === uid);
  }

  writes(): string[] {
    return this.log.filter((l) => !l.startsWith("list") && !l.startsWith("get"));
  }

  ports(): IpamPorts {
    const copy = <T>(value: T): T => structuredClone(value);
    return {
      claims: {
        getClaim: (ns, name) => later(() => copy(this.claims.get(`${ns}/${name}`))),
        listClaims: () =>
          later(() =>
            [...this.claims.values()].map((c) => ({
              namespace: c.metadata!.namespace!,
              name: c.metadata!.name!,
              uid: c.metadata!.uid!,
            })),
          ),
      },
      pools: {
        getPool: (name) => later(() => copy(this.pools.get(name))),
        listPools: () => later(() => [...this.pools.values()].map(copy)),
      },
      networks: {
        listPoolNads: (ns) =>
          later(() => this.nads.filter((n) => n.namespace === ns && n.ipPool !== undefined)),
        deviceResourceName: (ref) => later(() => this.deviceAttributes.get(deviceRefKey(ref))),
      },
      allocations: {
        listByClaimUid: (uid) => later(() => (this.#maybeFail("list"), this.claimAllocations(uid).map(copy))),
        listByClaimNamespace: (ns) =>
          later(() => [...this.allocations.values()].filter((a) => a.spec.claim.namespace === ns).map(copy)),
        listAll: () => later(() => (this.#maybeFail("list"), [...this.allocations.values()].map(copy))),
        get: (name) => later(() => (this.#maybeFail("get"), copy(this.allocations.get(name)))),
        create: (allocation) => later(() => this.#create(allocation)),
        delete: (name, uid) => later(() => this.#delete(name, uid)),
      },
      finalizers: {
        add: (claim) => later(() => this.#addFinalizer(claim)),
        remove: (claim) => later(() => this.#removeFinalizer(claim)),
      },
      claimStatus: {
        applyDeviceStatuses: (target, entries) => later(() => this.#applyStatus(target, entries)),
      },
      poolStatus: { applyPoolStatus: (name, status) => later(() => this.#applyPoolStatus(name, status)) },
      events: { recordClaimEvent: (claim, event) => later(() => this.#recordEvent(claim, event)) },
    };
  }

  #delete(name: string, uid: string | undefined): boolean {
    this.#maybeFail("delete");
    const found = this.allocations.get(name);
    if (found === undefined || (uid !== undefined && found.metadata.uid !== uid)) return false;
    this.allocations.delete(name);
    this.log.push(`delete ${name}`);
    return true;
  }

  #removeFinalizer(claim: ResourceClaim): void {
    const live = this.claims.get(`${claim.metadata?.namespace}/${claim.metadata?.name}`);
    if (live?.metadata?.finalizers?.includes(IP_ALLOCATION_FINALIZER) !== true) return;
    live.metadata.finalizers = live.metadata.finalizers.filter((f) => f !== IP_ALLOCATION_FINALIZER);
    this.log.push(`finalizer- ${claim.metadata?.namespace}/${claim.metadata?.name}`);
  }

  #applyPoolStatus(name: string, status: IPPoolStatus): void {
    this.poolStatuses.set(name, structuredClone(status));
    const pool = this.pools.get(name);
    if (pool !== undefined) pool.status = structuredClone(status);
    this.log.push(`pool-status ${name}`);
  }

  #recordEvent(claim: ClaimIdentity, event: ClaimEvent): void {
    this.#maybeFail("event");
    this.events.push({ claim, event });
    this.log.push(`event ${event.reason} ${claim.namespace}/${claim.name}`);
  }

  #create(allocation: IPAllocation): IPAllocation | undefined {
    this.#maybeFail("create");
    this.beforeCreate?.(allocation);
    if (this.allocations.has(allocation.metadata.name)) {
      this.log.push(`create-exists ${allocation.metadata.name}`);
      return undefined;
    }
    const stored = structuredClone(allocation);
    stored.metadata.uid = `alloc-uid-${++this.#uid}`;
    stored.metadata.creationTimestamp = "2026-01-02T03:04:05Z";
    this.allocations.set(stored.metadata.name, stored);
    this.log.push(`create ${allocation.metadata.name}`);
    this.#maybeFail("create", true);
    return structuredClone(stored);
  }

  #addFinalizer(claim: ResourceClaim) {
    this.#maybeFail("finalizer");
    const live = this.claims.get(`${claim.metadata?.namespace}/${claim.metadata?.name}`);
    if (live === undefined) return "gone" as const;
    if (live.metadata?.deletionTimestamp !== undefined) return "deleting" as const;
    const finalizers = live.metadata!.finalizers ?? [];
    if (!finalizers.includes(IP_ALLOCATION_FINALIZER)) {
      live.metadata!.finalizers = [...finalizers, IP_ALLOCATION_FINALIZER];
      this.log.push(`finalizer+ ${claim.metadata?.namespace}/${claim.metadata?.name}`);
    }
    return "added" as const;
  }

  #applyStatus(target: { namespace: string; name: string }, entries: readonly DeviceStatusEntry[]): void {
    this.#maybeFail("status");
    const live = this.claims.get(`${target.namespace}/${target.name}`);
    if (live === undefined) return;
    const others = (live.status?.devices ?? []).filter(
      (e) => !(e.conditions ?? []).some((c) => c.type === ADDRESSES_CONDITION),
    );
    live.status = { ...live.status, devices: [...others, ...structuredClone(entries)] };
    this.log.push(`status ${target.namespace}/${target.name}`);
  }
}
