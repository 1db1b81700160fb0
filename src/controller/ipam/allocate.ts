// One address for one device and family, with the IPAllocation create as the lock:
//   1. the first free address from the pool's cursor, per the address book (pool-math findFree);
//   2. `beforeCreate` (the claim's finalizer goes on before anything is created for it);
//   3. create the object named after pool and address: created → ours; AlreadyExists → read it: if it
//      is this claim's, for this device and family (another controller, or an earlier run of ours, got
//      there first), adopt it; else mark the address taken and go on with the next one.
// An exhausted verdict is only given after the book was refreshed from a full list (`refresh`, which may
// decline when it refreshed moments ago); a run of collisions refreshes it too (the book lagged far).
//
// Public API: `AddressWant`, `AllocateContext`, `allocateAddress`, `MAX_ALLOCATE_ATTEMPTS`.
import {
  allocationName,
  CLAIM_NAMESPACE_LABEL,
  CLAIM_UID_LABEL,
  interfaceAddress,
} from "../../api/ip-address.ts";
import { IP_ALLOCATION_API_VERSION, IP_ALLOCATION_KIND } from "../../api/ip-address.ts";
import type { IPAllocation, IpFamily } from "../../api/ip-address.ts";
import type { AddressBook } from "./address-book.ts";
import { allocationFamily } from "./decide.ts";
import type { WantOutcome } from "./claim-status.ts";
import { findFree } from "./pool-math.ts";
import type { FamilyLayout, Slot } from "./pool-math.ts";
import type { AllocationStore, ClaimIdentity } from "./ports.ts";
import { deviceRefKey } from "./types.ts";
import type { DeviceRef } from "./types.ts";

export const MAX_ALLOCATE_ATTEMPTS = 256;
const REFRESH_AFTER_COLLISIONS = 16;
const MAX_REFRESHES = 2;

export interface AddressWant {
  claim: ClaimIdentity;
  device: DeviceRef;
  request: string;
  pool: string;
  family: IpFamily;
  layout: FamilyLayout;
}

export interface AllocateContext {
  store: AllocationStore;
  book: AddressBook;
  /** Refills the book from a full list; false when it declined (it was refreshed moments ago). */
  refresh(signal?: AbortSignal): Promise<boolean>;
  /** Before the first create for the claim; false: the claim cannot take addresses now (abort). */
  beforeCreate(signal?: AbortSignal): Promise<boolean>;
}

function buildAllocation(want: AddressWant, slot: Slot): IPAllocation {
  const ip = { family: want.family, value: slot.value };
  return {
    apiVersion: IP_ALLOCATION_API_VERSION,
    kind: IP_ALLOCATION_KIND,
    metadata: {
      name: allocationName(want.pool, ip),
      labels: { [CLAIM_UID_LABEL]: want.claim.uid, [CLAIM_NAMESPACE_LABEL]: want.claim.namespace },
    },
    spec: {
      pool: want.pool,
      address: interfaceAddress(ip, slot.prefix),
      claim: { ...want.claim },
      device: { ...want.device },
      request: want.request,
    },
  };
}

function isOurs(existing: IPAllocation, want: AddressWant): boolean {
  return (
    existing.spec.claim.uid === want.claim.uid &&
    existing.spec.pool === want.pool &&
    deviceRefKey(existing.spec.device) === deviceRefKey(want.device) &&
    allocationFamily(existing) === want.family
  );
}

function describe(want: AddressWant): string {
  return `${want.family} address from IPPool ${want.pool} for claim ${want.claim.namespace}/${want.claim.name} device ${want.device.device}`;
}

/** Tries one reserved address; "taken" means go on with the next. */
async function tryCreate(
  ctx: AllocateContext,
  want: AddressWant,
  slot: Slot,
  signal: AbortSignal | undefined,
): Promise<WantOutcome | "taken"> {
  const { book, store } = ctx;
  const allocation = buildAllocation(want, slot);
  let created: IPAllocation | undefined;
  try {
    created = await store.create(allocation, signal);
  } catch (err) {
    book.cancel(want.pool, want.family, slot.value);
    throw new Error(`create IPAllocation ${allocation.metadata.name}`, { cause: err });
  }
  if (created !== undefined) {
    book.markTaken(want.pool, want.family, slot.value);
    return { ok: true, allocation: created };
  }
  // Taken: keep it reserved while reading who holds it, so no other worker of ours tries it meanwhile.
  let existing: IPAllocation | undefined;
  try {
    existing = await store.get(allocation.metadata.name, signal);
  } finally {
    book.cancel(want.pool, want.family, slot.value);
  }
  if (existing === undefined) return "taken"; // released meanwhile; the cursor moved past it
  book.markTaken(want.pool, want.family, slot.value);
  return isOurs(existing, want) ? { ok: true, allocation: existing } : "taken";
}

/** An address for `want`, PoolExhausted, or "aborted" when beforeCreate refused. */
export async function allocateAddress(
  ctx: AllocateContext,
  want: AddressWant,
  signal?: AbortSignal,
): Promise<WantOutcome | "aborted"> {
  let refreshes = 0;
  let collisions = 0;
  for (let attempt = 0; attempt < MAX_ALLOCATE_ATTEMPTS; attempt++) {
    signal?.throwIfAborted();
    const slot = findFree(want.layout, {
      cursor: ctx.book.cursor(want.pool, want.family),
      isTaken: (value) => ctx.book.isTaken(want.pool, want.family, value),
      takenCount: ctx.book.takenCount(want.pool, want.family),
    });
    if (slot === undefined) {
      if (refreshes < MAX_REFRESHES && (await ctx.refresh(signal))) {
        refreshes = MAX_REFRESHES;
        continue;
      }
      return {
        ok: false,
        reason: "PoolExhausted",
        message: `IPPool ${want.pool} has no free ${want.family} address`,
      };
    }
    // Reserved before the first await, so this process's other workers skip it.
    ctx.book.reserve(want.pool, want.family, slot.value);
    ctx.book.setCursor(want.pool, want.family, slot.offset + 1n);
    let ready: boolean;
    try {
      ready = await ctx.beforeCreate(signal);
    } catch (err) {
      ctx.book.cancel(want.pool, want.family, slot.value);
      throw err;
    }
    if (!ready) {
      ctx.book.cancel(want.pool, want.family, slot.value);
      return "aborted";
    }
    const outcome = await tryCreate(ctx, want, slot, signal);
    if (outcome !== "taken") return outcome;
    collisions++;
    if (collisions % REFRESH_AFTER_COLLISIONS === 0 && refreshes < MAX_REFRESHES) {
      if (await ctx.refresh(signal)) refreshes++;
    }
  }
  throw new Error(`allocate ${describe(want)}: no address after ${MAX_ALLOCATE_ATTEMPTS} attempts`);
}
