// The Controller abstraction: informers tell event handlers what changed, the handlers enqueue keys,
// N workers take keys off a rate-limited queue and call reconcile(key). A reconcile reads the
// informers' caches, asks a pure decision function what the world should look like, and writes the
// difference (see conflict-retry.ts). Success forgets the key's backoff; a thrown error re-adds it
// rate-limited; a result with requeueAfterMs re-adds it after that delay.
// run(signal) waits for the informers' first lists, runs the workers until `signal` aborts, then
// lets in-flight reconciles finish (their signal is aborted too) and resolves.
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import { errorMessage } from "../../common/errors.ts";
import { silentLogger } from "../../common/logger.ts";
import type { Logger } from "../../common/logger.ts";
import type { EventHandler } from "../../k8s/informer.ts";
import { WorkQueue } from "./work-queue.ts";
import type { QueueObserver } from "./work-queue.ts";

export interface ReconcileResult {
  /** Look at the key again after this long, even if nothing changes (e.g. a grace period). */
  requeueAfterMs?: number;
}

export type Reconcile = (key: string, signal: AbortSignal) => Promise<ReconcileResult | void>;

export type ReconcileOutcome = "success" | "requeue" | "error";

export interface ControllerObserver {
  queue?: QueueObserver;
  reconciled?(outcome: ReconcileOutcome, durationMs: number): void;
}

/** What run() waits for before the first reconcile: an informer's first list. */
export interface SyncSource {
  hasSynced(): boolean;
  waitForSync(signal?: AbortSignal): Promise<void>;
}

export interface ControllerOptions {
  /** "device-classes", "resource-slice-gc": in logs and metrics. */
  name: string;
  reconcile: Reconcile;
  /** Concurrent reconciles (of different keys). Default 1. */
  workers?: number;
  waitFor?: readonly SyncSource[];
  queue?: WorkQueue<string>;
  clock?: Clock;
  logger?: Logger;
  observer?: ControllerObserver;
}

/** Retries after which a failing key is logged as an error rather than a warning. */
const LOUD_AFTER_RETRIES = 5;

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue<string>;
  readonly #opts: ControllerOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #started = false;

  constructor(opts: ControllerOptions) {
    this.name = opts.name;
    this.#opts = opts;
    this.#clock = opts.clock ?? realClock;
    this.#logger = (opts.logger ?? silentLogger()).child({ component: "controller", controller: opts.name });
    this.queue =
      opts.queue ??
      new WorkQueue<string>({
        clock: this.#clock,
        ...(opts.observer?.queue === undefined ? {} : { observer: opts.observer.queue }),
      });
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  enqueueAfter(key: string, delayMs: number): void {
    this.queue.addAfter(key, delayMs);
  }

  /** Every informer it waits for has its first list in. */
  hasSynced(): boolean {
    return (this.#opts.waitFor ?? []).every((s) => s.hasSynced());
  }

  /** Runs until `signal` aborts; resolves once in-flight reconciles have finished. Single use. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#started) throw new Error(`controller ${this.name} was already run`);
    this.#started = true;
    this.queue.start(signal);
    try {
      await Promise.all((this.#opts.waitFor ?? []).map((s) => s.waitForSync(signal)));
    } catch (err) {
      if (signal.aborted) return;
      throw new Error(`controller ${this.name}: informers did not sync`, { cause: err });
    }
    const workers = Math.max(1, this.#opts.workers ?? 1);
    this.#logger.info({ workers }, "controller started");
    await Promise.all(Array.from({ length: workers }, () => this.#work(signal)));
    await this.queue.drain();
    this.#logger.info("controller stopped");
  }

  async #work(signal: AbortSignal): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      try {
        await this.#process(key, signal);
      } finally {
        this.queue.done(key);
      }
    }
  }

  async #process(key: string, signal: AbortSignal): Promise<void> {
    const startedMs = this.#clock.now();
    let outcome: ReconcileOutcome = "success";
    try {
      const result = await this.#opts.reconcile(key, signal);
      this.queue.forget(key);
      const after = result?.requeueAfterMs;
      if (after !== undefined && after >= 0) {
        outcome = "requeue";
        this.queue.addAfter(key, after);
      }
    } catch (err) {
      outcome = "error";
      if (signal.aborted) return;
      const retries = this.queue.numRequeues(key);
      const fields = { key, retries, err: errorMessage(err) };
      if (retries >= LOUD_AFTER_RETRIES) this.#logger.error(fields, "reconcile failed; will retry");
      else this.#logger.warn(fields, "reconcile failed; will retry");
      this.queue.addRateLimited(key);
    } finally {
      this.#opts.observer?.reconciled?.(outcome, this.#clock.now() - startedMs);
    }
  }
}

/**
 * An informer event handler that enqueues the keys an object maps to: on add, on delete, and on
 * update the keys of both the old and the new object (a changed label may move it between keys).
 */
export function enqueueKeys<T>(keysOf: (obj: T) => readonly string[], enqueue: (key: string) => void) {
  const handler: EventHandler<T> = {
    onAdd: (obj) => keysOf(obj).forEach(enqueue),
    onUpdate: (old, obj) => new Set([...keysOf(old), ...keysOf(obj)]).forEach(enqueue),
    onDelete: (obj) => keysOf(obj).forEach(enqueue),
  };
  return handler;
}
