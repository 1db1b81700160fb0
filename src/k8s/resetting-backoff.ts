// Backoff between reflector attempts, like client-go's ExponentialBackoffManager: delays grow with each
// consecutive failure up to a cap, and start over once things have been quiet for a while.
import type { Clock } from "../common/clock.ts";
import { backoffDelayMs } from "../common/retry.ts";
import type { BackoffOptions } from "../common/retry.ts";

export interface ResettingBackoffOptions extends BackoffOptions {
  /** No backoff for this long → the next one starts from initialMs again. */
  resetAfterMs: number;
}

/** client-go's reflector: 800ms doubling to 30s, reset after 2 minutes without trouble. */
export const REFLECTOR_BACKOFF: ResettingBackoffOptions = {
  initialMs: 800,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.5,
  resetAfterMs: 120_000,
};

export class ResettingBackoff {
  readonly #clock: Clock;
  readonly #options: ResettingBackoffOptions;
  readonly #random: () => number;
  #retry = 0;
  #lastMs: number | undefined;

  constructor(
    clock: Clock,
    options: ResettingBackoffOptions = REFLECTOR_BACKOFF,
    random: () => number = Math.random,
  ) {
    this.#clock = clock;
    this.#options = options;
    this.#random = random;
  }

  /** The next delay, counting it as one more consecutive failure. */
  nextDelayMs(): number {
    const now = this.#clock.now();
    if (this.#lastMs !== undefined && now - this.#lastMs > this.#options.resetAfterMs) this.#retry = 0;
    this.#lastMs = now;
    return backoffDelayMs(this.#retry++, this.#options, this.#random);
  }

  /** Sleeps the next delay; rejects when `signal` aborts. */
  wait(signal: AbortSignal): Promise<void> {
    return this.#clock.sleep(this.nextDelayMs(), signal);
  }
}
