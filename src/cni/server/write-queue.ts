// Status writes off the ADD's critical path (thick mode): a write is queued and the ADD answers at once; the
// queue writes within moments, retried with backoff. The mechanics shared by the pod's network-status
// (status-queue.ts) and the ResourceClaims' status.devices (claim-status-queue.ts):
//   - Coalescing: one entry per key; a newer value replaces a queued one (the newest ADD's status wins), and
//     a value queued while the key's write is running goes next.
//   - Attempt 1 may be cheaper than retries (the informer's copy of the object); the writer is told which
//     attempt it makes. Failures are retried up to `maxAttempts`, with backoff, unless `permanent(err)`.
//   - Bounded: past `maxPending` keys the write is done inline (awaited), which slows ADDs down instead of
//     growing memory without limit.
//   - `forgetTag` drops the queued (not yet running) writes of a tag (a container whose DEL came).
//   - stop(): queued writes get one more attempt each, for up to `drainMs`; what is left is logged.
//
// Public API: `WriteQueue`, `WriteQueueOptions`, `WriteQueueTuning`, `WriteQueueStats`, `WRITE_QUEUE_DEFAULTS`.
import { realClock } from "../../common/clock.ts";
import type { Clock, TimerHandle } from "../../common/clock.ts";
import { errorMessage } from "../../common/errors.ts";
import type { Logger } from "../../common/logger.ts";
import { backoffDelayMs } from "../../common/retry.ts";
import type { BackoffOptions } from "../../common/retry.ts";

export const WRITE_QUEUE_DEFAULTS = {
  concurrency: 4,
  maxAttempts: 6,
  maxPending: 4_096,
  drainMs: 5_000,
  backoff: { initialMs: 500, maxMs: 10_000, factor: 2, jitter: 0.2 } satisfies BackoffOptions,
} as const;

/** What the users of a write queue pass through to it. */
export interface WriteQueueTuning {
  logger: Logger;
  clock?: Clock;
  random?: () => number;
  concurrency?: number;
  maxAttempts?: number;
  maxPending?: number;
  drainMs?: number;
  backoff?: BackoffOptions;
}

export interface WriteQueueOptions<T> extends WriteQueueTuning {
  /** What is written, for log lines ("network-status", "claim status.devices"). */
  what: string;
  /** The log field naming a key ("pod", "claim"). */
  keyField: string;
  /** One attempt (1-based); throws on failure. */
  write(value: T, attempt: number, signal?: AbortSignal): Promise<void>;
  /** Failures not worth retrying. */
  permanent?(err: unknown): boolean;
}

export interface WriteQueueStats {
  pending: number;
  running: number;
  written: number;
  failed: number;
  coalesced: number;
  dropped: number;
  inline: number;
}

interface Entry<T> {
  value: T;
  tag: string;
  attempt: number;
  dueMs: number;
}

export class WriteQueue<T> {
  private readonly options: WriteQueueOptions<T>;
  private readonly clock: Clock;
  private readonly pending = new Map<string, Entry<T>>();
  private readonly running = new Set<string>();
  private readonly abort = new AbortController();
  private readonly idleWaiters: (() => void)[] = [];
  private wake: TimerHandle | undefined;
  private state: "open" | "draining" | "stopped" = "open";
  private readonly counts = { written: 0, failed: 0, coalesced: 0, dropped: 0, inline: 0 };

  constructor(options: WriteQueueOptions<T>) {
    this.options = options;
    this.clock = options.clock ?? realClock;
  }

  stats(): WriteQueueStats {
    return { pending: this.pending.size, running: this.running.size, ...this.counts };
  }

  /** Queues a write; resolves at once, or once written when the queue is full or stopping. */
  async enqueue(key: string, value: T, tag: string): Promise<void> {
    const full = this.pending.size >= (this.options.maxPending ?? WRITE_QUEUE_DEFAULTS.maxPending);
    if (this.state !== "open" || (full && !this.pending.has(key))) {
      this.counts.inline++;
      await this.options.write(value, 1);
      this.counts.written++;
      return;
    }
    if (this.pending.has(key)) this.counts.coalesced++;
    this.pending.set(key, { value, tag, attempt: 1, dueMs: this.clock.now() });
    this.pump();
  }

  /** Drops the queued writes of `tag`; returns how many there were. */
  forgetTag(tag: string): number {
    let dropped = 0;
    for (const [key, entry] of this.pending) {
      if (entry.tag !== tag) continue;
      this.pending.delete(key);
      dropped++;
    }
    this.counts.dropped += dropped;
    if (dropped > 0) this.notifyIdle();
    return dropped;
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
    const drainMs = this.options.drainMs ?? WRITE_QUEUE_DEFAULTS.drainMs;
    let timer: TimerHandle | undefined;
    await Promise.race([this.idle(), new Promise<void>((r) => (timer = this.clock.setTimeout(r, drainMs)))]);
    timer?.cancel();
    this.state = "stopped";
    this.wake?.cancel();
    const left = [...this.pending.keys(), ...this.running];
    if (left.length > 0) {
      this.options.logger.error(
        { [`${this.options.keyField}s`]: left },
        `${this.options.what} not written before stop`,
      );
    }
    this.counts.dropped += this.pending.size;
    this.pending.clear();
    this.abort.abort(new Error(`${this.options.what} queue stopped`));
    this.notifyIdle();
  }

  private pump(): void {
    if (this.state === "stopped") return;
    const now = this.clock.now();
    const limit = this.options.concurrency ?? WRITE_QUEUE_DEFAULTS.concurrency;
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

  private async run(key: string, entry: Entry<T>): Promise<void> {
    try {
      await this.options.write(entry.value, entry.attempt, this.abort.signal);
      this.counts.written++;
    } catch (err) {
      this.failed(key, entry, err);
    } finally {
      this.running.delete(key);
      this.pump();
      this.notifyIdle();
    }
  }

  private failed(key: string, entry: Entry<T>, err: unknown): void {
    const { what, keyField } = this.options;
    const log = { [keyField]: key, attempt: entry.attempt, err: errorMessage(err) };
    const maxAttempts = this.options.maxAttempts ?? WRITE_QUEUE_DEFAULTS.maxAttempts;
    const permanent = this.options.permanent?.(err) ?? false;
    if (this.pending.has(key)) return; // a newer value is queued: it replaces this one
    if (permanent || entry.attempt >= maxAttempts || this.state !== "open") {
      this.counts.failed++;
      this.options.logger.error(log, `${what} write failed; giving up`);
      return;
    }
    const backoff = this.options.backoff ?? WRITE_QUEUE_DEFAULTS.backoff;
    const delayMs = backoffDelayMs(entry.attempt - 1, backoff, this.options.random ?? Math.random);
    this.options.logger.warn({ ...log, delayMs }, `${what} write failed; retrying`);
    this.pending.set(key, { ...entry, attempt: entry.attempt + 1, dueMs: this.clock.now() + delayMs });
  }

  private notifyIdle(): void {
    if (this.pending.size > 0 || this.running.size > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
