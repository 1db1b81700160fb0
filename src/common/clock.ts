// Time as a dependency: the informer resync, leader election, retries and timeouts take a `Clock` so that
// tests drive time by hand (test/fakes/clock.ts) instead of waiting.

/** A scheduled callback that can be cancelled; cancelling twice or after it fired is harmless. */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Wall-clock time in milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with `signal.reason` when the signal aborts first (or already has). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` once after `ms`. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Calls `fn` every `ms` until cancelled. */
  setInterval(fn: () => void, ms: number): TimerHandle;
}

/** Sleeps on a clock's timers, honouring an AbortSignal. Shared by the real and the fake clock. */
export function sleepOn(clock: Pick<Clock, "setTimeout">, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      timer.cancel();
      reject(signal?.reason as Error);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The production clock over the global timers. */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = globalThis.setTimeout(fn, ms);
    return { cancel: () => globalThis.clearTimeout(timer) };
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const timer = globalThis.setInterval(fn, ms);
    return { cancel: () => globalThis.clearInterval(timer) };
  }
}

/** A shared real clock for production defaults. */
export const realClock: Clock = new RealClock();
