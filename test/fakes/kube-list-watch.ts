// A hand-written ListWatch for informer tests: records every list/watch call, answers lists from a
// script, and hands each watch to the test as a stream it pushes events into, ends or breaks.
import type {
  ListPage,
  ListWatch,
  ListWatchListOptions,
  ListWatchWatchOptions,
} from "../../src/k8s/list-watch.ts";
import type { WatchEvent } from "../../src/k8s/types.ts";

const MAX_TURNS = 2000;

/** Lets promise continuations (and setImmediate callbacks) run. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Waits (in event-loop turns, never in time) until `condition` holds. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < MAX_TURNS; i++) {
    if (condition()) return;
    await turn();
  }
  throw new Error(`timed out waiting for: ${what}`);
}

type Slot<T> = { value: IteratorResult<WatchEvent<T>> } | { error: unknown };

/** One watch: the informer iterates it; the test pushes into it. */
export class FakeWatchStream<T> implements AsyncIterable<WatchEvent<T>> {
  readonly opts: Omit<ListWatchWatchOptions, "signal">;
  readonly signal: AbortSignal;
  #slots: Slot<T>[] = [];
  #wake: (() => void) | undefined;
  #consumerDone = false;

  constructor(opts: ListWatchWatchOptions) {
    const { signal, ...rest } = opts;
    this.opts = rest;
    this.signal = signal;
    signal.addEventListener("abort", () => this.#wake?.(), { once: true });
  }

  /** True once the informer stopped reading (it returned, or its signal aborted). */
  get closed(): boolean {
    return this.#consumerDone || this.signal.aborted;
  }

  push(...events: WatchEvent<T>[]): this {
    for (const event of events) this.#slots.push({ value: { done: false, value: event } });
    this.#wake?.();
    return this;
  }

  /** The server closed the stream normally (e.g. timeoutSeconds passed). */
  end(): void {
    this.#slots.push({ value: { done: true, value: undefined } });
    this.#wake?.();
  }

  /** The connection broke mid-stream. */
  fail(error: unknown): void {
    this.#slots.push({ error });
    this.#wake?.();
  }

  /** Resolves once the informer has read everything pushed so far. */
  drained(): Promise<void> {
    return until(() => this.#slots.length === 0 || this.closed, "watch events consumed");
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    return {
      next: async () => {
        for (;;) {
          if (this.signal.aborted) return this.#finish();
          const slot = this.#slots.shift();
          if (slot !== undefined) {
            if ("error" in slot) throw slot.error;
            if (slot.value.done === true) this.#consumerDone = true;
            return slot.value;
          }
          await new Promise<void>((resolve) => (this.#wake = resolve));
          this.#wake = undefined;
        }
      },
      return: () => Promise.resolve(this.#finish()),
    };
  }

  #finish(): IteratorResult<WatchEvent<T>> {
    this.#consumerDone = true;
    return { done: true, value: undefined };
  }
}

export type ListReply<T> = ListPage<T> | Error;

export class FakeListWatch<T> implements ListWatch<T> {
  readonly listCalls: Omit<ListWatchListOptions, "signal">[] = [];
  readonly watchCalls: Omit<ListWatchWatchOptions, "signal">[] = [];
  readonly watches: FakeWatchStream<T>[] = [];
  readonly #listReplies: ListReply<T>[] = [];
  readonly #watchErrors: (Error | undefined)[] = [];
  readonly #listSignals: AbortSignal[] = [];
  readonly #listWake: (() => void)[] = [];

  /** Queues the answer to the next list call (lists wait until one is queued). */
  replyList(...replies: ListReply<T>[]): this {
    this.#listReplies.push(...replies);
    for (const wake of this.#listWake.splice(0)) wake();
    return this;
  }

  /** Makes the next watch call reject with `error` (e.g. a 410 ApiError). */
  failNextWatch(error: Error): this {
    this.#watchErrors.push(error);
    return this;
  }

  async list(opts: ListWatchListOptions): Promise<ListPage<T>> {
    const { signal, ...rest } = opts;
    this.listCalls.push(rest);
    this.#listSignals.push(signal);
    while (this.#listReplies.length === 0 && !signal.aborted) {
      await new Promise<void>((resolve) => {
        this.#listWake.push(resolve);
        signal.addEventListener("abort", () => resolve(), { once: true });
      });
    }
    signal.throwIfAborted();
    const reply = this.#listReplies.shift()!;
    if (reply instanceof Error) throw reply;
    return structuredClone(reply);
  }

  watch(opts: ListWatchWatchOptions): Promise<AsyncIterable<WatchEvent<T>>> {
    const { signal: _signal, ...rest } = opts;
    this.watchCalls.push(rest);
    const error = this.#watchErrors.shift();
    if (error !== undefined) return Promise.reject(error);
    const stream = new FakeWatchStream<T>(opts);
    this.watches.push(stream);
    return Promise.resolve(stream);
  }

  /** Resolves with the n-th watch stream (1-based) once the informer has opened it. */
  async waitForWatch(n: number): Promise<FakeWatchStream<T>> {
    await until(() => this.watches.length >= n, `watch #${n}`);
    return this.watches[n - 1]!;
  }

  async waitForListCalls(n: number): Promise<void> {
    await until(() => this.listCalls.length >= n, `${n} list call(s)`);
  }

  async waitForWatchCalls(n: number): Promise<void> {
    await until(() => this.watchCalls.length >= n, `${n} watch call(s)`);
  }

  /** Watches and lists whose signal has not aborted: after a stop this must be zero. */
  openCalls(): number {
    const openWatches = this.watches.filter((w) => !w.signal.aborted).length;
    return openWatches + this.#listSignals.filter((s) => !s.aborted).length;
  }
}
