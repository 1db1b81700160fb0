// Leader election settings and the API surface the elector needs, with client-go's defaults and checks.
import type { Clock } from "../common/clock.ts";
import type { Logger } from "../common/logger.ts";
import type { Lease, LeaseRef } from "./lease-record.ts";

/** What the elector needs from the API. get resolves undefined when there is no such Lease. */
export interface LeaseClient {
  get(ref: LeaseRef, signal: AbortSignal): Promise<Lease | undefined>;
  create(lease: Lease, signal: AbortSignal): Promise<Lease>;
  /** Must carry metadata.resourceVersion as a precondition (409 Conflict when stale). */
  update(lease: Lease, signal: AbortSignal): Promise<Lease>;
}

export const LEASE_DURATION_MS = 15_000;
export const RENEW_DEADLINE_MS = 10_000;
export const RETRY_PERIOD_MS = 2_000;
export const JITTER_FACTOR = 1.2;

export interface LeaderCallbacks {
  /** Do the leader's work until `signal` aborts; may return a promise, which stop() waits for. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  onStoppedLeading?(): void;
  /** A different holder was observed (ourselves included); not called for an empty holder. */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectorOptions {
  lease: LeaseRef;
  identity: string;
  client: LeaseClient;
  callbacks: LeaderCallbacks;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  releaseOnCancel?: boolean;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
}

export type ElectionOutcome = "stopped" | "lost";

/** client-go's NewLeaderElector checks. */
export function validateElectorTimings(t: {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}): void {
  if (!(t.retryPeriodMs > 0)) throw new Error("retryPeriod must be greater than zero");
  if (!(t.leaseDurationMs > t.renewDeadlineMs))
    throw new Error("leaseDuration must be greater than renewDeadline");
  if (!(t.renewDeadlineMs > JITTER_FACTOR * t.retryPeriodMs)) {
    throw new Error(`renewDeadline must be greater than retryPeriod*${JITTER_FACTOR}`);
  }
}
