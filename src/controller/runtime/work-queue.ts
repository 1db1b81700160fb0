// A rate-limited work queue of keys, after client-go's workqueue (Type + delaying + rate limiting):
// - a key added while it waits is queued once (de-duplication); a key added while a worker has it
//   is queued again when that worker calls done() — never handed to two workers at once;
// - addAfter() holds a key back (the earliest of several requests wins); addRateLimited() asks the
//   rate limiter how long (per-key exponential backoff, optional overall bucket); forget() resets;
// - shutDown() (or the AbortSignal given to start) stops accepting keys and hands out no more: keys
//   still queued are dropped, unlike client-go, which drains them — a controller re-lists on its next
//   start, so nothing is lost. drain() resolves once every key handed out has been done().
import { realClock } from "../../common/clock.ts";
import type { Clock, TimerHandle } from "../../common/clock.ts";
import { controllerRateLimiter } from "./rate-limiter.ts";
import type { RateLimiter } from "./rate-limiter.ts";

/** What the queue reports, for metrics. */
export interface QueueObserver {
  depth?(waiting: number): void;
  added?(): void;
  retried?(): void;
}

export interface WorkQueueOptions<K> {
  clock?: Clock;
  rateLimiter?: RateLimiter<K>;
  observer?: QueueObserver;
}

interface Delayed {
  dueMs: number;
  timer: TimerHandle;
}

export class WorkQueue<K = string> {
  readonly #clock: Clock;
  readonly #limiter: RateLimiter<K>;
  readonly #observer: QueueObserver;
  readonly #queue: K[] = [];
  readonly #dirty = new Set<K>();
  readonly #processing = new Set<K>();
  readonly #delayed = new Map<K, Delayed>();
  #getters: ((key: K | undefined) => void)[] = [];
  #drained: (() => void)[] = [];
  #shuttingDown = false;

  constructor(opts: WorkQueueOptions<K> = {}) {
    this.#clock = opts.clock ?? realClock;
    this.#limiter = opts.rateLimiter ?? controllerRateLimiter<K>({ clock: this.#clock });
    this.#observer = opts.observer ?? {};
  }

  /** Keys waiting to be handed out (not those being processed or held back). */
  get length(): number {
    return this.#queue.length;
  }

  /** Keys held back by addAfter/addRateLimited. */
  get delayedCount(): number {
    return this.#delayed.size;
  }

  get processingCount(): number {
    return this.#processing.size;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Shuts the queue down when `signal` aborts. */
  start(signal: AbortSignal): void {
    if (signal.aborted) this.shutDown();
    else signal.addEventListener("abort", () => this.shutDown(), { once: true });
  }

  add(key: K): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    this.#observer.added?.();
    if (this.#processing.has(key)) return;
    this.#enqueue(key);
  }

  /** Adds `key` after `delayMs`; an earlier pending request for the key is kept. */
  addAfter(key: K, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const dueMs = this.#clock.now() + delayMs;
    const pending = this.#delayed.get(key);
    if (pending !== undefined && pending.dueMs <= dueMs) return;
    pending?.timer.cancel();
    const timer = this.#clock.setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.#delayed.set(key, { dueMs, timer });
  }

  /** Adds `key` once the rate limiter allows: the key's backoff grows with each call until forget(). */
  addRateLimited(key: K): void {
    if (this.#shuttingDown) return;
    this.#observer.retried?.();
    this.addAfter(key, this.#limiter.when(key));
  }

  forget(key: K): void {
    this.#limiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.#limiter.numRequeues(key);
  }

  /** The next key (marked as processing until done()); undefined once the queue shuts down. */
  get(): Promise<K | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    const key = this.#take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** The worker is finished with `key`; a key re-added meanwhile is queued again. */
  done(key: K): void {
    if (!this.#processing.delete(key)) return;
    if (this.#dirty.has(key) && !this.#shuttingDown) this.#enqueue(key);
    if (this.#processing.size === 0) this.#resolveDrained();
  }

  /** Stops accepting and handing out keys; waiting get() calls resolve undefined. */
  shutDown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    for (const { timer } of this.#delayed.values()) timer.cancel();
    this.#delayed.clear();
    this.#queue.length = 0;
    this.#dirty.clear();
    this.#observer.depth?.(0);
    const getters = this.#getters;
    this.#getters = [];
    for (const resolve of getters) resolve(undefined);
    if (this.#processing.size === 0) this.#resolveDrained();
  }

  /** Resolves once shut down and no key is being processed. */
  drain(): Promise<void> {
    if (this.#shuttingDown && this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  #enqueue(key: K): void {
    const getter = this.#getters.shift();
    if (getter !== undefined) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      getter(key);
      return;
    }
    this.#queue.push(key);
    this.#observer.depth?.(this.#queue.length);
  }

  #take(): K | undefined {
    const key = this.#queue.shift();
    if (key === undefined) return undefined;
    this.#dirty.delete(key);
    this.#processing.add(key);
    this.#observer.depth?.(this.#queue.length);
    return key;
  }

  #resolveDrained(): void {
    if (!this.#shuttingDown) return;
    const drained = this.#drained;
    this.#drained = [];
    for (const resolve of drained) resolve();
  }
}
