// How long a key waits before its next try, after client-go's workqueue rate limiters:
// - per-key exponential backoff on failure (ItemExponentialFailureRateLimiter): base·2^failures,
//   capped; forget() resets the key;
// - an overall token bucket (BucketRateLimiter, golang.org/x/time/rate semantics): qps tokens a second
//   up to burst; a try that finds no token waits for the one it reserved;
// - the larger of several (MaxOfRateLimiter), what client-go's DefaultControllerRateLimiter builds.
import type { Clock } from "../../common/clock.ts";

export interface RateLimiter<K> {
  /** The delay before `key` may be tried again; counts as one more failure of it. */
  when(key: K): number;
  /** Clears the key's failure history (after a success). */
  forget(key: K): void;
  /** Failures counted for the key since it was last forgotten. */
  numRequeues(key: K): number;
}

/** client-go's base delay; the cap is lower than client-go's 1000 s so a stuck key is retried every 5 min. */
export const DEFAULT_BASE_DELAY_MS = 5;
export const DEFAULT_MAX_DELAY_MS = 300_000;
/** client-go's overall bucket of the default controller rate limiter. */
export const DEFAULT_BUCKET_QPS = 10;
export const DEFAULT_BUCKET_BURST = 100;

export class ExponentialFailureRateLimiter<K> implements RateLimiter<K> {
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #failures = new Map<K, number>();

  constructor(opts: { baseDelayMs?: number; maxDelayMs?: number } = {}) {
    this.#baseMs = opts.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
    this.#maxMs = opts.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  }

  when(key: K): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    return exponentialDelayMs(failures, this.#baseMs, this.#maxMs);
  }

  forget(key: K): void {
    this.#failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.#failures.get(key) ?? 0;
  }
}

/** base·2^failures, capped at max (and safe from overflow for any failure count). */
export function exponentialDelayMs(failures: number, baseMs: number, maxMs: number): number {
  if (failures >= 1024) return maxMs;
  return Math.min(maxMs, baseMs * Math.pow(2, failures));
}

export interface TokenBucketOptions {
  qps: number;
  burst: number;
  clock: Clock;
}

/** Reservation-based token bucket: every when() takes a token, borrowing from the future if need be. */
export class TokenBucketRateLimiter<K> implements RateLimiter<K> {
  readonly #qps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #lastMs: number | undefined;

  constructor(opts: TokenBucketOptions) {
    if (!(opts.qps > 0) || !(opts.burst >= 1)) throw new Error("token bucket needs qps > 0 and burst >= 1");
    this.#qps = opts.qps;
    this.#burst = opts.burst;
    this.#clock = opts.clock;
    this.#tokens = opts.burst;
  }

  when(_key: K): number {
    const now = this.#clock.now();
    const elapsedMs = this.#lastMs === undefined ? 0 : Math.max(0, now - this.#lastMs);
    this.#lastMs = now;
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsedMs / 1000) * this.#qps) - 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.#qps) * 1000);
  }

  forget(_key: K): void {}

  numRequeues(_key: K): number {
    return 0;
  }
}

/** The longest delay any of the limiters asks for; failures are counted by each. */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  readonly #limiters: readonly RateLimiter<K>[];

  constructor(limiters: readonly RateLimiter<K>[]) {
    this.#limiters = limiters;
  }

  when(key: K): number {
    return Math.max(0, ...this.#limiters.map((l) => l.when(key)));
  }

  forget(key: K): void {
    for (const l of this.#limiters) l.forget(key);
  }

  numRequeues(key: K): number {
    return Math.max(0, ...this.#limiters.map((l) => l.numRequeues(key)));
  }
}

export interface ControllerRateLimiterOptions {
  clock: Clock;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Overall retries per second; 0 turns the bucket off. */
  qps?: number;
  burst?: number;
}

/** Per-key backoff, and (unless qps is 0) the overall bucket on top: client-go's default pairing. */
export function controllerRateLimiter<K>(opts: ControllerRateLimiterOptions): RateLimiter<K> {
  const perKey = new ExponentialFailureRateLimiter<K>(opts);
  const qps = opts.qps ?? DEFAULT_BUCKET_QPS;
  if (qps <= 0) return perKey;
  const bucket = new TokenBucketRateLimiter<K>({
    qps,
    burst: opts.burst ?? DEFAULT_BUCKET_BURST,
    clock: opts.clock,
  });
  return new MaxOfRateLimiter<K>([perKey, bucket]);
}
