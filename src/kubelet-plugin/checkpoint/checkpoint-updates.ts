// Pure transitions of the checkpoint, one per step of Prepare and Unprepare; each returns a new
// checkpoint and leaves the old one untouched. The order the shell follows, writing the checkpoint after
// each transition:
//   Prepare:    beginPrepare (state "preparing", the planned devices and rebinds) → rebind, configure,
//               write CDI spec → markPrepared (state "prepared", the final device records)
//   Unprepare:  beginUnprepare ("unpreparing") → restore drivers, remove CDI spec → removeClaim
//
// Public API: `ClaimIdentity`, `beginPrepare`, `markPrepared`, `beginUnprepare`, `removeClaim`,
// `setPodUIDs`.
import type {
  Checkpoint,
  ClaimState,
  PreparedClaimEntry,
  PreparedDeviceRecord,
} from "../../api/checkpoint.ts";

export interface ClaimIdentity {
  uid: string;
  namespace: string;
  name: string;
}

function withEntry(checkpoint: Checkpoint, uid: string, entry: PreparedClaimEntry): Checkpoint {
  return { ...checkpoint, claims: { ...checkpoint.claims, [uid]: entry } };
}

function requireEntry(checkpoint: Checkpoint, uid: string, step: string): PreparedClaimEntry {
  const entry = checkpoint.claims[uid];
  if (entry === undefined) throw new Error(`${step}: claim ${uid} is not in the checkpoint`);
  return entry;
}

function withState(
  checkpoint: Checkpoint,
  uid: string,
  state: ClaimState,
  now: Date,
  step: string,
): Checkpoint {
  const entry = requireEntry(checkpoint, uid, step);
  return withEntry(checkpoint, uid, { ...entry, state, updatedAt: now.toISOString() });
}

/** Records the intent to prepare `claim` with `devices` (planned, rebinds included). */
export function beginPrepare(
  checkpoint: Checkpoint,
  claim: ClaimIdentity & { podUIDs: readonly string[]; devices: readonly PreparedDeviceRecord[] },
  now: Date,
): Checkpoint {
  const previous = checkpoint.claims[claim.uid];
  const entry: PreparedClaimEntry = {
    namespace: claim.namespace,
    name: claim.name,
    state: "preparing",
    podUIDs: [...claim.podUIDs],
    devices: [...claim.devices],
    createdAt: previous?.createdAt ?? now.toISOString(),
    updatedAt: now.toISOString(),
  };
  return withEntry(checkpoint, claim.uid, entry);
}

/** The claim is prepared; `devices`, when given, replace the planned records (e.g. with new ifNames). */
export function markPrepared(
  checkpoint: Checkpoint,
  uid: string,
  now: Date,
  devices?: readonly PreparedDeviceRecord[],
): Checkpoint {
  const next = withState(checkpoint, uid, "prepared", now, "mark prepared");
  if (devices === undefined) return next;
  const entry = requireEntry(next, uid, "mark prepared");
  return withEntry(next, uid, { ...entry, devices: [...devices] });
}

export function beginUnprepare(checkpoint: Checkpoint, uid: string, now: Date): Checkpoint {
  return withState(checkpoint, uid, "unpreparing", now, "begin unprepare");
}

/** Drops the claim; a claim that is not there is not an error (Unprepare is idempotent). */
export function removeClaim(checkpoint: Checkpoint, uid: string): Checkpoint {
  if (!Object.hasOwn(checkpoint.claims, uid)) return checkpoint;
  const { [uid]: _removed, ...claims } = checkpoint.claims;
  return { ...checkpoint, claims };
}

/** Refreshes the pods a prepared claim is reserved for (a repeated Prepare of a shared claim). */
export function setPodUIDs(
  checkpoint: Checkpoint,
  uid: string,
  podUIDs: readonly string[],
  now: Date,
): Checkpoint {
  const entry = requireEntry(checkpoint, uid, "set pod UIDs");
  const same = entry.podUIDs.length === podUIDs.length && entry.podUIDs.every((p, i) => p === podUIDs[i]);
  if (same) return checkpoint;
  return withEntry(checkpoint, uid, { ...entry, podUIDs: [...podUIDs], updatedAt: now.toISOString() });
}
