// Exponential backoff with jitter and a cap, and an abortable retry loop over a `Clock`. Used for API
// conflict retries, status writes and reconnects.
import { realClock } from "./clock.ts";
import type { Clock } from "./clock.ts";

export interface BackoffOptions {
  /** Delay before the first retry. */
  initialMs: number;
  /** Upper bound of any delay, jitter included. */
  maxMs: number;
  /** Growth per attempt; 2 doubles. */
  factor?: number;
  /** Fraction in [0, 1] by which a delay may be shortened at random, so that peers spread out. */
  jitter?: number;
}

export const DEFAULT_BACKOFF = { initialMs: 100, maxMs: 30_000, factor: 2, jitter: 0.2 } as const;

/**
 * Delay before retry number `retry` (0 for the first retry): `min(initial * factor^retry, max)`, then
 * shortened by up to `jitter` of itself using `random()` in [0, 1). Never above `maxMs`, never negative.
 */
export function backoffDelayMs(retry: number, options: BackoffOptions, random: () => number): number {
  const factor = options.factor ?? DEFAULT_BACKOFF.factor;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? DEFAULT_BACKOFF.jitter));
  const base = Math.min(options.maxMs, options.initialMs * Math.pow(factor, retry));
  return Math.max(0, Math.round(base * (1 - jitter * random())));
}

export interface RetryOptions extends Partial<BackoffOptions> {
  /** Total attempts, the first one included. Infinity retries until success or abort. Default 5. */
  maxAttempts?: number;
  /** Whether an error is worth another attempt; default: every error. */
  shouldRetry?: (err: unknown, attempt: number) => boolean;
  /** Called before each wait, e.g. to log. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
  clock?: Clock;
  random?: () => number;
}

const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Runs `fn(attempt)` (attempt counts from 1) until it resolves, an error is not retryable, attempts run
 * out, or the signal aborts. Rejects with the last error as thrown (so callers can still inspect its code),
 * or with `signal.reason` on abort.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const clock = options.clock ?? realClock;
  const random = options.random ?? Math.random;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const backoff: BackoffOptions = {
    initialMs: options.initialMs ?? DEFAULT_BACKOFF.initialMs,
    maxMs: options.maxMs ?? DEFAULT_BACKOFF.maxMs,
    factor: options.factor ?? DEFAULT_BACKOFF.factor,
    jitter: options.jitter ?? DEFAULT_BACKOFF.jitter,
  };
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      options.signal?.throwIfAborted();
      const retryable = options.shouldRetry?.(err, attempt) ?? true;
      if (!retryable || attempt >= maxAttempts) throw err;
      const delayMs = backoffDelayMs(attempt - 1, backoff, random);
      options.onRetry?.(err, attempt, delayMs);
      await clock.sleep(delayMs, options.signal);
    }
  }
}
