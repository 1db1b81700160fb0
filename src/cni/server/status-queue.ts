// network-status writes off the ADD's critical path (thick mode): the engine's write is queued and the
// ADD answers at once; the queue writes within moments, retried with backoff. Multus writes inline, so a
// slow API server slows every pod's network set-up; the annotation is information for users and tools,
// not something the pod's start waits on.
//   - Coalescing: one entry per pod; a newer value replaces a queued one (the newest ADD's status wins), and
//     a value queued while the pod's write is running goes next.
//   - The first attempt starts from the informer's copy of the pod (`cached`: no GET when it is current);
//     retries read the pod again (`fresh`). A 409 is retried inside the writer; any other failure here,
//     up to `maxAttempts`, with backoff; a pod of another UID (POD_MISMATCH) is not retried.
//   - Bounded: past `maxPending` pods the write is done inline (awaited), which slows ADDs down instead
//     of growing memory without limit.
//   - DEL of a container drops its queued (not yet running) write: the status of a sandbox being torn
//     down is not worth writing. DEL itself never writes status.
//   - stop(): queued writes get one more attempt each, for up to `drainMs`; what is left is logged.
//
// Public API: `StatusQueue`, `StatusQueueOptions`, `StatusQueueStats`, `STATUS_QUEUE_DEFAULTS`.
import { realClock } from "../../common/clock.ts";
import type { Clock, TimerHandle } from "../../common/clock.ts";
import { errorCodeOf, errorMessage } from "../../common/errors.ts";
import type { Logger } from "../../common/logger.ts";
import { backoffDelayMs } from "../../common/retry.ts";
import type { BackoffOptions } from "../../common/retry.ts";
import type { NetworkStatusWriter, PodInfo } from "../engine/ports.ts";

type PodRef = Pick<PodInfo, "namespace" | "name" | "uid">;

export const STATUS_QUEUE_DEFAULTS = {
  concurrency: 4,
  maxAttempts: 6,
  maxPending: 4_096,
  drainMs: 5_000,
  backoff: { initialMs: 500, maxMs: 10_000, factor: 2, jitter: 0.2 } satisfies BackoffOptions,
} as const;

export interface StatusQueueOptions {
  /** The first attempt: from the informer's pod. */
  cached: NetworkStatusWriter;
  /** Retries: the pod read again. */
  fresh: NetworkStatusWriter;
  logger: Logger;
  clock?: Clock;
  random?: () => number;
  concurrency?: number;
  maxAttempts?: number;
  maxPending?: number;
  drainMs?: number;
  backoff?: BackoffOptions;
}

export interface StatusQueueStats {
  pending: number;
  running: number;
  written: number;
  failed: number;
  coalesced: number;
  dropped: number;
  inline: number;
}

interface Entry {
  pod: PodRef;
  value: string;
  containerId: string;
  attempt: number;
  dueMs: number;
}

const keyOf = (pod: PodRef): string => `${pod.namespace}/${pod.name}`;

export class StatusQueue {
  private readonly options: StatusQueueOptions;
  private readonly clock: Clock;
  private readonly pending = new Map<string, Entry>();
  private readonly running = new Set<string>();
  private readonly abort = new AbortController();
  private readonly idleWaiters: (() => void)[] = [];
  private wake: TimerHandle | undefined;
  private state: "open" | "draining" | "stopped" = "open";
  private readonly counts = { written: 0, failed: 0, coalesced: 0, dropped: 0, inline: 0 };

  constructor(options: StatusQueueOptions) {
    this.options = options;
    this.clock = options.clock ?? realClock;
  }

  stats(): StatusQueueStats {
    return { pending: this.pending.size, running: this.running.size, ...this.counts };
  }

  /** The writer the engine gets for one call of `containerId`. */
  forContainer(containerId: string): NetworkStatusWriter {
    return { writeNetworkStatus: (pod, value) => this.enqueue(pod, value, containerId) };
  }

  /** Queues a write; resolves at once, or once written when the queue is full or stopping. */
  async enqueue(pod: PodRef, value: string, containerId: string): Promise<void> {
    const key = keyOf(pod);
    const full = this.pending.size >= (this.options.maxPending ?? STATUS_QUEUE_DEFAULTS.maxPending);
    if (this.state !== "open" || (full && !this.pending.has(key))) {
      this.counts.inline++;
      await this.options.cached.writeNetworkStatus(pod, value);
      this.counts.written++;
      return;
    }
    if (this.pending.has(key)) this.counts.coalesced++;
    const ref = { namespace: pod.namespace, name: pod.name, uid: pod.uid };
    this.pending.set(key, { pod: ref, value, containerId, attempt: 1, dueMs: this.clock.now() });
    this.pump();
  }

  /** Drops the queued write of a container whose DEL came; returns whether there was one. */
  forgetContainer(containerId: string): boolean {
    for (const [key, entry] of this.pending) {
      if (entry.containerId !== containerId) continue;
      this.pending.delete(key);
      this.counts.dropped++;
      this.notifyIdle();
      return true;
    }
    return false;
  }

  /** Resolves when nothing is queued or running (retries waiting for their time included). */
  idle(): Promise<void> {
    if (this.pending.size === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Gives each queued write one more attempt, for up to drainMs; then aborts what still runs. */
  async stop(): Promise<void> {
    if (this.state !== "open") return;
    this.state = "draining";
    this.pump();
    const drainMs = this.options.drainMs ?? STATUS_QUEUE_DEFAULTS.drainMs;
    let timer: TimerHandle | undefined;
    await Promise.race([this.idle(), new Promise<void>((r) => (timer = this.clock.setTimeout(r, drainMs)))]);
    timer?.cancel();
    this.state = "stopped";
    this.wake?.cancel();
    const left = [...this.pending.keys(), ...this.running];
    if (left.length > 0) this.options.logger.error({ pods: left }, "network-status not written before stop");
    this.counts.dropped += this.pending.size;
    this.pending.clear();
    this.abort.abort(new Error("status queue stopped"));
    this.notifyIdle();
  }

  private pump(): void {
    if (this.state === "stopped") return;
    const now = this.clock.now();
    const limit = this.options.concurrency ?? STATUS_QUEUE_DEFAULTS.concurrency;
    for (const [key, entry] of this.pending) {
      if (this.running.size >= limit) break;
      if (this.running.has(key) || (this.state === "open" && entry.dueMs > now)) continue;
      this.pending.delete(key);
      this.running.add(key);
      void this.run(key, entry);
    }
    this.scheduleWake(now);
  }

  private scheduleWake(now: number): void {
    this.wake?.cancel();
    this.wake = undefined;
    let next = Infinity;
    for (const [key, entry] of this.pending) if (!this.running.has(key)) next = Math.min(next, entry.dueMs);
    if (next === Infinity || next <= now) return; // nothing waits, or a finishing write pumps again
    this.wake = this.clock.setTimeout(() => this.pump(), next - now);
  }

  private async run(key: string, entry: Entry): Promise<void> {
    const writer = entry.attempt === 1 ? this.options.cached : this.options.fresh;
    try {
      await writer.writeNetworkStatus(entry.pod, entry.value, this.abort.signal);
      this.counts.written++;
    } catch (err) {
      this.failed(key, entry, err);
    } finally {
      this.running.delete(key);
      this.pump();
      this.notifyIdle();
    }
  }

  private failed(key: string, entry: Entry, err: unknown): void {
    const log = { pod: key, attempt: entry.attempt, err: errorMessage(err) };
    const maxAttempts = this.options.maxAttempts ?? STATUS_QUEUE_DEFAULTS.maxAttempts;
    const permanent = errorCodeOf(err) === "POD_MISMATCH";
    if (this.pending.has(key)) return; // a newer value is queued: it replaces this one
    if (permanent || entry.attempt >= maxAttempts || this.state !== "open") {
      this.counts.failed++;
      this.options.logger.error(log, "network-status write failed; giving up");
      return;
    }
    const backoff = this.options.backoff ?? STATUS_QUEUE_DEFAULTS.backoff;
    const delayMs = backoffDelayMs(entry.attempt - 1, backoff, this.options.random ?? Math.random);
    this.options.logger.warn({ ...log, delayMs }, "network-status write failed; retrying");
    this.pending.set(key, { ...entry, attempt: entry.attempt + 1, dueMs: this.clock.now() + delayMs });
  }

  private notifyIdle(): void {
    if (this.pending.size > 0 || this.running.size > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
