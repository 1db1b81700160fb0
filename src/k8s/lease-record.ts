// The leader election record in a coordination.k8s.io/v1 Lease, and the pure decisions over it:
// is the lease held by someone else, and what do we write to acquire, renew or release it.
import type { KubeObject } from "./types.ts";

export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number | null;
  /** metav1.MicroTime: RFC 3339 with microseconds. */
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number | null;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export interface LeaseRef {
  namespace: string;
  name: string;
}

/** client-go's LeaderElectionRecord, as a Lease spec carries it. */
export interface ElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string;
  renewTime: string;
  leaseTransitions: number;
}

/** metav1.MicroTime text for a time in ms: "2025-01-01T00:00:00.000000Z". */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function recordOf(lease: Lease): ElectionRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? "",
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: spec.acquireTime ?? "",
    renewTime: spec.renewTime ?? "",
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

export function sameRecord(a: ElectionRecord | undefined, b: ElectionRecord | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}

/** The Lease with `record` as its spec, keeping metadata (and so the resourceVersion precondition). */
export function withRecord(lease: Lease, record: ElectionRecord): Lease {
  return { ...lease, spec: { ...lease.spec, ...record } };
}

export function newLease(ref: LeaseRef, record: ElectionRecord): Lease {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { namespace: ref.namespace, name: ref.name },
    spec: { ...record },
  };
}

export interface Observation {
  record: ElectionRecord;
  /** When this client saw the record change, on its own clock. */
  observedAtMs: number;
}

/**
 * Held by someone else: a holder is named and its term, counted from when *we* observed the record
 * last change (not from its renewTime, which another machine's clock wrote), has not run out.
 */
export function heldByOther(observation: Observation, identity: string, nowMs: number): boolean {
  const { record, observedAtMs } = observation;
  if (record.holderIdentity === "" || record.holderIdentity === identity) return false;
  return observedAtMs + record.leaseDurationSeconds * 1000 > nowMs;
}

/** The record to write to acquire or renew: a renewal keeps acquireTime and the transition count. */
export function nextRecord(
  current: ElectionRecord | undefined,
  who: { identity: string; leaseDurationSeconds: number; nowMs: number },
): ElectionRecord {
  const now = formatMicroTime(who.nowMs);
  const mine = {
    holderIdentity: who.identity,
    leaseDurationSeconds: who.leaseDurationSeconds,
    renewTime: now,
  };
  if (current === undefined) return { ...mine, acquireTime: now, leaseTransitions: 0 };
  if (current.holderIdentity === who.identity) {
    return { ...mine, acquireTime: current.acquireTime || now, leaseTransitions: current.leaseTransitions };
  }
  return { ...mine, acquireTime: now, leaseTransitions: current.leaseTransitions + 1 };
}

/** What release writes (as client-go): no holder, a 1s term so others may take it at once. */
export function releasedRecord(current: ElectionRecord, nowMs: number): ElectionRecord {
  const now = formatMicroTime(nowMs);
  return {
    holderIdentity: "",
    leaseDurationSeconds: 1,
    acquireTime: now,
    renewTime: now,
    leaseTransitions: current.leaseTransitions,
  };
}
