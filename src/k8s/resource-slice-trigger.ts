// The "there is something to do" flag between callers and the publisher's single worker: requests
// made while the worker is busy coalesce into one, and callers can wait until the worker is idle.

type Waiter = { resolve: () => void; reject: (err: Error) => void };

export class SyncTrigger {
  #pending = false;
  #idle = false;
  #wake: (() => void) | undefined;
  #waiters: Waiter[] = [];

  /** A request is waiting for the worker. */
  get pending(): boolean {
    return this.#pending;
  }

  /** Ask for one more run; wakes the worker if it sleeps. */
  request(): void {
    this.#pending = true;
    this.#wake?.();
  }

  /** The worker takes the request it is about to serve (later requests pend again). */
  take(): void {
    this.#pending = false;
  }

  /** Worker: nothing to do. Idle waiters are released; resolves on the next request or abort. */
  idleUntilRequest(signal: AbortSignal): Promise<void> {
    this.#idle = true;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.resolve();
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        signal.removeEventListener("abort", wake);
        this.#wake = undefined;
        this.#idle = false;
        resolve();
      };
      this.#wake = wake;
      if (signal.aborted) wake();
      else signal.addEventListener("abort", wake, { once: true });
    });
  }

  /** Resolves once the worker is idle with no request pending; rejects when `signal` aborts or close(). */
  waitForIdle(signal?: AbortSignal): Promise<void> {
    if (this.#idle && !this.#pending) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error("wait for the ResourceSlice publisher aborted", { cause: signal?.reason }));
      };
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        reject: (err) => {
          signal?.removeEventListener("abort", onAbort);
          reject(err);
        },
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** The worker ended: everyone waiting is told why. */
  close(err: Error): void {
    this.#idle = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.reject(err);
  }
}
