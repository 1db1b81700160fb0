// Informer: an indexed cache of one collection, kept in step by a Reflector (list, then watch;
// see reflector.ts for the client-go semantics it follows), telling event handlers what changed:
// - a relist reconciles the cache: objects deleted meanwhile are reported (finalStateUnknown);
// - every resyncPeriodMs the cache is re-delivered to handlers as updates (old === new);
// - handlers run in order, one call at a time; a throwing handler is logged, not fatal.
import { realClock } from "../common/clock.ts";
import type { Clock, TimerHandle } from "../common/clock.ts";
import { silentLogger } from "../common/logger.ts";
import type { Logger } from "../common/logger.ts";
import { linkedAbort } from "./abort.ts";
import { HandlerQueue } from "./informer-handlers.ts";
import type { EventHandler } from "./informer-handlers.ts";
import { IndexedStore, keyOf, planReplace } from "./informer-store.ts";
import type { IndexFunc } from "./informer-store.ts";
import type { ListWatch } from "./list-watch.ts";
import { Reflector } from "./reflector.ts";
import type { ObjectEvent } from "./reflector.ts";
import type { ResettingBackoffOptions } from "./resetting-backoff.ts";
import type { KubeObject } from "./types.ts";

export type { EventHandler } from "./informer-handlers.ts";

export interface InformerOptions<T> {
  listWatch: ListWatch<T>;
  /** For logs: "pods", "resourceclaims". */
  name: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Re-deliver the cache as updates this often; 0 or absent: never. */
  resyncPeriodMs?: number;
  indexers?: Record<string, IndexFunc<T>>;
  clock?: Clock;
  logger?: Logger;
  backoff?: ResettingBackoffOptions;
  minWatchTimeoutSeconds?: number;
  pageSize?: number;
  random?: () => number;
}

type SyncWaiter = { resolve: () => void; reject: (err: Error) => void };

export class Informer<T extends KubeObject> {
  readonly #opts: InformerOptions<T>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #store: IndexedStore<T>;
  readonly #handlers: HandlerQueue<T>;
  readonly #reflector: Reflector<T>;
  #abort: AbortController | undefined;
  #done: Promise<void> | undefined;
  #listed = false;
  #synced = false;
  #waiters: SyncWaiter[] = [];

  constructor(opts: InformerOptions<T>) {
    this.#opts = opts;
    this.#clock = opts.clock ?? realClock;
    this.#logger = (opts.logger ?? silentLogger()).child({ component: "informer", resource: opts.name });
    this.#store = new IndexedStore<T>(opts.indexers);
    this.#handlers = new HandlerQueue<T>(this.#logger);
    this.#reflector = new Reflector<T>({
      ...opts,
      clock: this.#clock,
      logger: this.#logger,
      sink: { replace: (items) => this.#replace(items), apply: (event) => this.#apply(event) },
    });
  }

  /** Adds a handler; one added after the start is first told of every cached object (as adds). */
  addEventHandler(handler: EventHandler<T>): () => void {
    const { id, remove } = this.#handlers.add(handler);
    if (this.#listed) {
      for (const obj of this.#store.list()) this.#handlers.push({ type: "add", obj, initial: true }, id);
    }
    return remove;
  }

  /** Starts listing and watching; runs until `signal` aborts or stop() is called. Single use. */
  start(signal?: AbortSignal): void {
    if (this.#abort !== undefined) throw new Error(`informer ${this.#opts.name} was already started`);
    const { controller, unlink } = linkedAbort(signal);
    this.#abort = controller;
    this.#done = this.#run(controller.signal).finally(unlink);
  }

  /** Stops the watch, timers and handler delivery; resolves when all of it has ended. */
  async stop(): Promise<void> {
    this.#abort?.abort(new Error(`informer ${this.#opts.name} stopped`));
    await this.#done;
  }

  /** True once the first list is in the cache and its adds were delivered to the handlers. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves once synced; rejects if `signal` aborts or the informer stops first. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#synced) return Promise.resolve();
    if (this.#abort?.signal.aborted) return Promise.reject(new Error(`informer ${this.#opts.name} stopped`));
    return new Promise<void>((resolve, reject) => {
      const waiter: SyncWaiter = {
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        reject: (err) => {
          signal?.removeEventListener("abort", onAbort);
          reject(err);
        },
      };
      const onAbort = (): void => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(signal?.reason instanceof Error ? signal.reason : new Error("wait for informer sync aborted"));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** The cached object under "namespace/name" (or "name" when cluster-scoped). Treat as read-only. */
  get(key: string): T | undefined {
    return this.#store.get(key);
  }

  list(): T[] {
    return this.#store.list();
  }

  byIndex(index: string, value: string): T[] {
    return this.#store.byIndex(index, value);
  }

  indexValues(index: string): string[] {
    return this.#store.indexValues(index);
  }

  /** The resourceVersion the next watch would start from. */
  lastSyncResourceVersion(): string {
    return this.#reflector.lastSyncResourceVersion();
  }

  async #run(signal: AbortSignal): Promise<void> {
    const resyncMs = this.#opts.resyncPeriodMs ?? 0;
    const resync: TimerHandle | undefined =
      resyncMs > 0 ? this.#clock.setInterval(() => this.#resync(), resyncMs) : undefined;
    try {
      await this.#reflector.run(signal);
    } finally {
      resync?.cancel();
      await this.#handlers.close();
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const w of waiters) w.reject(new Error(`informer ${this.#opts.name} stopped before it synced`));
    }
  }

  /** ReflectorSink: a (re)list. Reports what changed since the cache was last in step. */
  #replace(items: T[]): void {
    const initial = !this.#listed;
    for (const change of planReplace(this.#store.snapshot(), items)) {
      if (change.type === "delete") this.#store.remove(keyOf(change.obj));
      else this.#store.upsert(change.obj);
      if (change.type === "add") this.#handlers.push({ type: "add", obj: change.obj, initial });
      else this.#handlers.push(change);
    }
    if (!this.#listed) {
      this.#listed = true;
      this.#handlers.push({ type: "marker", run: () => this.#markSynced() });
    }
  }

  /** ReflectorSink: one watch event. Whether the cache had the object decides add vs update. */
  #apply(event: ObjectEvent<T>): void {
    const obj = event.object;
    switch (event.type) {
      case "ADDED":
      case "MODIFIED": {
        const old = this.#store.upsert(obj);
        if (old === undefined) this.#handlers.push({ type: "add", obj, initial: false });
        else this.#handlers.push({ type: "update", old, obj });
        return;
      }
      case "DELETED": {
        const old = this.#store.remove(keyOf(obj));
        if (old !== undefined) this.#handlers.push({ type: "delete", obj, finalStateUnknown: false });
        return;
      }
      default:
        this.#logger.warn({ type: (event as { type: unknown }).type }, "unknown watch event type; ignored");
    }
  }

  #markSynced(): void {
    this.#synced = true;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.resolve();
    this.#logger.debug({ objects: this.#store.size }, "informer synced");
  }

  #resync(): void {
    if (!this.#synced) return;
    for (const obj of this.#store.list()) this.#handlers.push({ type: "update", old: obj, obj });
  }
}
