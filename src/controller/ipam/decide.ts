// Pure decisions for one claim: what to keep, release and allocate (`planClaim`), and — once the shell
// has tried the allocations — the status.devices[] entries to apply and the Events to record
// (`renderClaimStatus`, claim-status.ts).
//
// The addresses live as long as the claim (persistent for the claim's life, so a restarted or re-created
// pod keeps its address):
//   - deleted and deallocated: release everything and drop the finalizer. A claim being deleted while still
//     allocated (kube-scheduler's delete-protection holds it until its pods are gone) keeps what it holds and
//     gets nothing new: its pods may still carry the addresses;
//   - deallocated but alive (kube's resourceclaim controller deallocates a claim no pod reserves): hold its
//     allocations and the finalizer, remove our status.devices entries (they describe allocated devices
//     only); re-allocated to the same device, it gets the same addresses back; to another device, those of
//     the old one are released and the new device gets fresh ones (an IPAllocation's spec is immutable);
//   - allocated, per device that needs addresses (device-pools.ts):
//   - its existing IPAllocations from the same pool are kept, one per family — persistent for the claim's
//     life, so a restarted pod keeps its address. Two for one family (two controllers raced) keep the one
//     the claim's status shows, else the oldest, else the lowest name; the others are released;
//   - with a ready pool: allocations of families the pool no longer has are released, and one address is
//     wanted for each family the pool has and the device does not hold yet;
//   - with a missing or invalid pool (or a device-level problem): what it holds is kept, nothing is wanted,
//     and the problem becomes the device's condition.
// Allocations of devices that no longer need addresses, or that now name another pool, are released.
//
// Public API: `PoolState`, `HeldAddress`, `DevicePlan`, `ClaimPlan`, `ClaimPlanInputs`, `planClaim`,
// `allocationFamily`, `hasFinalizer`, `ownsStatusEntry`.
import { parseInterfaceAddress } from "../../api/ip-address.ts";
import type { IPAllocation, IpFamily } from "../../api/ip-address.ts";
import type { DeviceNeed } from "./device-pools.ts";
import type { PoolLayout } from "./pool-math.ts";
import { ADDRESSES_CONDITION, deviceRefKey, IP_ALLOCATION_FINALIZER } from "./types.ts";
import type { ConditionReason, DeviceStatusEntry, ResourceClaim } from "./types.ts";

export type PoolState =
  | { state: "ready"; name: string; layout: PoolLayout }
  | { state: "invalid"; name: string; problems: string[] }
  | { state: "missing"; name: string };

export interface HeldAddress {
  allocation: IPAllocation;
  family: IpFamily;
  /** CIDR form, "10.10.0.10/24". */
  address: string;
}

export interface DevicePlan {
  need: DeviceNeed;
  held: HeldAddress[];
  /** Families to allocate now, IPv4 first. */
  wanted: IpFamily[];
  problem?: { reason: ConditionReason; message: string };
}

export type ClaimPlan =
  | {
      kind: "release";
      /** "not-allocated": nothing is released (held for the claim's life); only our status is cleared. */
      why: "deleting" | "not-allocated";
      release: IPAllocation[];
      removeFinalizer: boolean;
      /** Our status.devices entries are to be removed (the claim stays). */
      clearStatus: boolean;
    }
  | {
      kind: "allocate";
      devices: DevicePlan[];
      release: IPAllocation[];
      /** The claim holds addresses but lacks the finalizer (repair). */
      ensureFinalizer: boolean;
    };

export interface ClaimPlanInputs {
  claim: ResourceClaim;
  needs: readonly DeviceNeed[];
  /** The IPAllocations of this claim's uid (others are ignored). */
  allocations: readonly IPAllocation[];
  pools: ReadonlyMap<string, PoolState>;
}

export function hasFinalizer(claim: ResourceClaim): boolean {
  return claim.metadata?.finalizers?.includes(IP_ALLOCATION_FINALIZER) ?? false;
}

export function allocationFamily(allocation: IPAllocation): IpFamily | undefined {
  const parsed = parseInterfaceAddress(allocation.spec.address);
  return typeof parsed === "string" ? undefined : parsed.ip.family;
}

export function ownsStatusEntry(entry: DeviceStatusEntry): boolean {
  return entry.conditions?.some((c) => c.type === ADDRESSES_CONDITION) ?? false;
}

function statusIps(claim: ResourceClaim, key: string): Set<string> {
  const entry = claim.status?.devices?.find((e) => deviceRefKey(e) === key);
  return new Set(entry?.networkData?.ips ?? []);
}

/** One allocation per family: the one in the claim's status, else the oldest, else the lowest name. */
function pickPerFamily(
  allocations: readonly IPAllocation[],
  shown: ReadonlySet<string>,
): { held: HeldAddress[]; extra: IPAllocation[] } {
  const rank = (a: IPAllocation): [number, string, string] => [
    shown.has(a.spec.address) ? 0 : 1,
    a.metadata.creationTimestamp ?? "",
    a.metadata.name,
  ];
  const sorted = [...allocations].sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    return x[0] - y[0] || x[1].localeCompare(y[1]) || x[2].localeCompare(y[2]);
  });
  const held: HeldAddress[] = [];
  const extra: IPAllocation[] = [];
  for (const allocation of sorted) {
    const family = allocationFamily(allocation);
    if (family === undefined || held.some((h) => h.family === family)) extra.push(allocation);
    else held.push({ allocation, family, address: allocation.spec.address });
  }
  held.sort((a, b) => a.family.localeCompare(b.family));
  return { held, extra };
}

function poolProblem(pool: PoolState | undefined, name: string): DevicePlan["problem"] {
  if (pool === undefined || pool.state === "missing") {
    return { reason: "PoolNotFound", message: `IPPool ${name} does not exist` };
  }
  if (pool.state === "invalid") {
    return { reason: "InvalidPool", message: `IPPool ${name} is invalid: ${pool.problems.join("; ")}` };
  }
  return undefined;
}

function planDevice(
  inputs: ClaimPlanInputs,
  need: DeviceNeed,
  own: readonly IPAllocation[],
): { plan: DevicePlan; release: IPAllocation[] } {
  const shown = statusIps(inputs.claim, deviceRefKey(need.ref));
  if (need.pool === undefined) {
    const { held, extra } = pickPerFamily(own, shown);
    return {
      plan: { need, held, wanted: [], ...(need.problem ? { problem: need.problem } : {}) },
      release: extra,
    };
  }
  const samePool = own.filter((a) => a.spec.pool === need.pool);
  const release = own.filter((a) => a.spec.pool !== need.pool);
  const { held, extra } = pickPerFamily(samePool, shown);
  release.push(...extra);
  const pool = inputs.pools.get(need.pool);
  const problem = need.problem ?? poolProblem(pool, need.pool);
  if (problem !== undefined || pool?.state !== "ready") {
    return { plan: { need, held, wanted: [], ...(problem ? { problem } : {}) }, release };
  }
  const families = pool.layout.families.map((f) => f.family);
  const kept = held.filter((h) => families.includes(h.family));
  release.push(...held.filter((h) => !families.includes(h.family)).map((h) => h.allocation));
  const wanted = families.filter((f) => !kept.some((h) => h.family === f));
  return { plan: { need, held: kept, wanted }, release };
}

/** What to do with a live claim and the IPAllocations of its uid. */
export function planClaim(inputs: ClaimPlanInputs): ClaimPlan {
  const { claim } = inputs;
  const uid = claim.metadata?.uid;
  const own = inputs.allocations.filter((a) => a.spec.claim.uid === uid);
  const deleting = claim.metadata?.deletionTimestamp !== undefined;
  if (claim.status?.allocation === undefined) {
    if (deleting) {
      return {
        kind: "release",
        why: "deleting",
        release: own,
        removeFinalizer: hasFinalizer(claim),
        clearStatus: false,
      };
    }
    return {
      kind: "release",
      why: "not-allocated",
      release: [],
      removeFinalizer: false,
      clearStatus: (claim.status?.devices ?? []).some(ownsStatusEntry),
    };
  }
  const byDevice = new Map<string, IPAllocation[]>();
  for (const a of own) {
    const key = deviceRefKey(a.spec.device);
    byDevice.set(key, [...(byDevice.get(key) ?? []), a]);
  }
  const devices: DevicePlan[] = [];
  const release: IPAllocation[] = [];
  for (const need of inputs.needs) {
    const key = deviceRefKey(need.ref);
    const planned = planDevice(inputs, need, byDevice.get(key) ?? []);
    byDevice.delete(key);
    // deleting: its pods may still use what it holds, and it can take no finalizer for anything new
    devices.push(deleting ? { ...planned.plan, wanted: [] } : planned.plan);
    release.push(...planned.release);
  }
  for (const leftover of byDevice.values()) release.push(...leftover);
  const holds = devices.some((d) => d.held.length > 0);
  return { kind: "allocate", devices, release, ensureFinalizer: holds && !deleting && !hasFinalizer(claim) };
}
