// Writes with conflict retries, after client-go's retry.RetryOnConflict with DefaultRetry (5 tries,
// 10 ms apart, 10% jitter): the function gets the attempt number, re-reads the object from the API
// from the second attempt on, recomputes what to write, and writes with the resourceVersion it read.
// Only 409 Conflict is retried here; anything else goes back to the work queue's backoff.
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import { retry } from "../../common/retry.ts";
import { isConflict } from "../../k8s/api-error.ts";

export const CONFLICT_RETRY = { maxAttempts: 5, initialMs: 10, maxMs: 10, factor: 1, jitter: 0.1 } as const;

export interface ConflictRetryOptions {
  signal?: AbortSignal;
  /** Other errors that mean "the cache was stale": e.g. AlreadyExists on a create. */
  alsoRetry?: (err: unknown) => boolean;
  clock?: Clock;
  random?: () => number;
}

export function retryOnConflict<T>(
  fn: (attempt: number) => Promise<T>,
  opts: ConflictRetryOptions = {},
): Promise<T> {
  return retry(fn, {
    ...CONFLICT_RETRY,
    shouldRetry: (err) => isConflict(err) || (opts.alsoRetry?.(err) ?? false),
    clock: opts.clock ?? realClock,
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    ...(opts.random === undefined ? {} : { random: opts.random }),
  });
}
