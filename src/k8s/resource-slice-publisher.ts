// Keeps this node's ResourceSlices equal to the devices the plugin last published: a single worker
// lists the node's slices, plans (resource-slice-plan.ts) and applies only the writes needed.
// - publish() coalesces: calls during a sync leave one more sync, with the newest devices;
// - every resyncPeriodMs it checks again, so slices deleted or edited behind its back come back
//   (the kubelet deletes all of a node's slices when it starts; resync() asks for a check at once);
// - a 409 (a slice changed between list and write) re-lists and re-plans; other failures back off;
// - deleteAll() removes every slice of this node and driver (uninstall) and stops publishing.
import { realClock } from "../common/clock.ts";
import type { Clock, TimerHandle } from "../common/clock.ts";
import { errorMessage } from "../common/errors.ts";
import { silentLogger } from "../common/logger.ts";
import type { Logger } from "../common/logger.ts";
import { retry } from "../common/retry.ts";
import { linkedAbort } from "./abort.ts";
import { isAlreadyExists, isConflict, isNotFound } from "./api-error.ts";
import { ResettingBackoff } from "./resetting-backoff.ts";
import type { ResettingBackoffOptions } from "./resetting-backoff.ts";
import { desiredSlices, nodeOwnerReference, planSliceSync } from "./resource-slice-plan.ts";
import type { DesiredPool, SlicePlan } from "./resource-slice-plan.ts";
import { sliceContentKey } from "./resource-slice-semantic.ts";
import { sliceFieldSelector } from "./resource-slice-api.ts";
import type { ResourceSliceApi } from "./resource-slice-api.ts";
import { SyncTrigger } from "./resource-slice-trigger.ts";
import type { Device, ResourceSlice } from "./resource-slice-types.ts";

export { sliceFieldSelector } from "./resource-slice-api.ts";
export type { ResourceSliceApi, SliceDeleteOptions, SliceWriteOptions } from "./resource-slice-api.ts";

export const RESYNC_PERIOD_MS = 60_000;
export const DEBOUNCE_MS = 100;
const CONFLICT_ATTEMPTS = 5;
const MAX_SERVER_FORMS = 256;
const PUBLISH_BACKOFF: ResettingBackoffOptions = {
  initialMs: 500,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.2,
  resetAfterMs: 120_000,
};

export interface ResourceSlicePublisherOptions {
  api: ResourceSliceApi;
  driver: string;
  nodeName: string;
  /** Default: the node name. */
  poolName?: string;
  /** The Node's uid: slices get it as their owner (garbage-collected with the Node). */
  nodeUid?: string;
  maxDevicesPerSlice?: number;
  /** 0 turns the periodic check off. */
  resyncPeriodMs?: number;
  /** Wait this long after a publish() before syncing, gathering a burst of calls into one sync. */
  debounceMs?: number;
  fieldManager?: string;
  backoff?: ResettingBackoffOptions;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
}

export interface PublisherStats {
  syncs: number;
  creates: number;
  updates: number;
  deletes: number;
  conflicts: number;
  failures: number;
  /** Pool generation, slice count and published devices after the last successful sync. */
  generation: number;
  slices: number;
  devices: number;
  rejectedDevices: number;
}

const NO_STATS: PublisherStats = {
  ...{ syncs: 0, creates: 0, updates: 0, deletes: 0, conflicts: 0, failures: 0 },
  ...{ generation: 0, slices: 0, devices: 0, rejectedDevices: 0 },
};

export class ResourceSlicePublisher {
  readonly #opts: ResourceSlicePublisherOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #backoff: ResettingBackoff;
  readonly #serverForms = new Map<string, string>();
  readonly #trigger = new SyncTrigger();
  readonly #stats: PublisherStats = { ...NO_STATS };
  #latest: readonly Device[] | undefined;
  #lastRejected = "[]";
  #uninstalling = false;
  #inFlight: Promise<void> | undefined;
  #abort: AbortController | undefined;
  #done: Promise<void> | undefined;

  constructor(opts: ResourceSlicePublisherOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? realClock;
    this.#logger = (opts.logger ?? silentLogger()).child({
      component: "resource-slices",
      node: opts.nodeName,
      driver: opts.driver,
    });
    this.#backoff = new ResettingBackoff(this.#clock, opts.backoff ?? PUBLISH_BACKOFF, opts.random);
  }

  /** The devices this node has now (treated as read-only); published soon, superseding earlier calls. */
  publish(devices: readonly Device[]): void {
    this.#latest = [...devices];
    this.#request();
  }

  /** Check the slices against the last published devices now (e.g. after the kubelet restarted). */
  resync(): void {
    if (this.#latest !== undefined) this.#request();
  }

  stats(): PublisherStats {
    return { ...this.#stats };
  }

  /** Starts the worker and the periodic resync; runs until `signal` aborts or stop(). Single use. */
  start(signal?: AbortSignal): void {
    if (this.#abort !== undefined) throw new Error("ResourceSlice publisher was already started");
    const { controller, unlink } = linkedAbort(signal);
    this.#abort = controller;
    this.#done = this.#run(controller.signal).finally(unlink);
  }

  /** Stops the worker (an in-flight request is aborted); resolves once it has ended. */
  async stop(): Promise<void> {
    this.#abort?.abort(new Error("ResourceSlice publisher stopped"));
    await this.#done;
  }

  /** Resolves once the last published devices are in the API server (no sync pending or running). */
  waitForIdle(signal?: AbortSignal): Promise<void> {
    if (this.#abort === undefined || this.#abort.signal.aborted) {
      return Promise.reject(new Error("ResourceSlice publisher is not running"));
    }
    return this.#trigger.waitForIdle(signal);
  }

  /**
   * Uninstall: stops publishing for good (later publish() calls do nothing), lets a running sync end,
   * then deletes every slice of this node and driver, whatever its pool. Resolves with how many.
   */
  async deleteAll(signal?: AbortSignal): Promise<number> {
    this.#uninstalling = true;
    this.#trigger.take();
    await this.#inFlight;
    const api = this.#opts.api;
    const fieldSelector = sliceFieldSelector(this.#opts.nodeName, this.#opts.driver);
    const deleted = await retry(
      async () => {
        let count = 0;
        for (const slice of await api.list({ fieldSelector, signal })) {
          count += await this.#deleteIgnoringMissing(slice.metadata?.name ?? "", {}, signal);
        }
        return count;
      },
      {
        clock: this.#clock,
        ...(signal === undefined ? {} : { signal }),
        onRetry: (err) => this.#warn(err, "delete slices"),
      },
    );
    this.#logger.info({ deleted }, "deleted all ResourceSlices of this node");
    return deleted;
  }

  #request(): void {
    if (!this.#uninstalling) this.#trigger.request();
  }

  async #run(signal: AbortSignal): Promise<void> {
    const period = this.#opts.resyncPeriodMs ?? RESYNC_PERIOD_MS;
    const timer: TimerHandle | undefined =
      period > 0 ? this.#clock.setInterval(() => this.resync(), period) : undefined;
    try {
      while (!signal.aborted) {
        if (!this.#trigger.pending || this.#uninstalling) {
          await this.#trigger.idleUntilRequest(signal);
          continue;
        }
        const debounce = this.#opts.debounceMs ?? DEBOUNCE_MS;
        if (debounce > 0 && !(await this.#pause(debounce, signal))) break;
        await this.#syncOrBackOff(signal);
      }
    } finally {
      timer?.cancel();
      this.#trigger.close(new Error("ResourceSlice publisher stopped"));
    }
  }

  /** Sleeps; false when the signal aborted meanwhile. */
  async #pause(ms: number, signal: AbortSignal): Promise<boolean> {
    await this.#clock.sleep(ms, signal).catch(() => undefined);
    return !signal.aborted;
  }

  async #syncOrBackOff(signal: AbortSignal): Promise<void> {
    this.#trigger.take();
    if (this.#uninstalling) return; // deleteAll() came during the debounce
    const devices = this.#latest ?? [];
    const run = this.#sync(devices, signal);
    this.#inFlight = run.then(
      () => undefined,
      () => undefined,
    );
    try {
      await run;
    } catch (err) {
      if (signal.aborted) return;
      this.#stats.failures++;
      const delayMs = this.#backoff.nextDelayMs();
      this.#logger.warn({ err: errorMessage(err), retryInMs: delayMs }, "publishing ResourceSlices failed");
      this.#request();
      await this.#pause(delayMs, signal);
    } finally {
      this.#inFlight = undefined;
    }
  }

  /** One sync: list, plan, apply; a 409 (someone else wrote in between) starts over from the list. */
  async #sync(devices: readonly Device[], signal: AbortSignal): Promise<void> {
    const { nodeName, driver, nodeUid } = this.#opts;
    const pool = desiredSlices({
      driver,
      nodeName,
      poolName: this.#opts.poolName,
      devices,
      maxDevicesPerSlice: this.#opts.maxDevicesPerSlice,
    });
    this.#reportRejected(pool);
    const owner = nodeUid === undefined || nodeUid === "" ? undefined : nodeOwnerReference(nodeName, nodeUid);
    const fieldSelector = sliceFieldSelector(nodeName, driver);
    for (let attempt = 1; ; attempt++) {
      try {
        const existing = await this.#opts.api.list({ fieldSelector, signal });
        signal.throwIfAborted();
        const plan = planSliceSync(pool, existing, { owner, serverForms: this.#serverForms });
        await this.#apply(plan, signal);
        this.#recordSuccess(pool, plan);
        return;
      } catch (err) {
        const retryable = isConflict(err) || isAlreadyExists(err);
        if (!retryable || attempt >= CONFLICT_ATTEMPTS || signal.aborted) {
          throw new Error(`publish ResourceSlices of node ${nodeName}`, { cause: err });
        }
        this.#stats.conflicts++;
        this.#logger.debug({ err: errorMessage(err), attempt }, "ResourceSlice conflict; listing again");
      }
    }
  }

  /** Obsolete slices first (devices the node no longer has go away even if a later write fails). */
  async #apply(plan: SlicePlan, signal: AbortSignal): Promise<void> {
    const api = this.#opts.api;
    const write = { fieldManager: this.#opts.fieldManager ?? "netclaim-kubelet-plugin", signal };
    for (const ref of plan.delete) {
      const preconditions = {
        ...(ref.uid === undefined ? {} : { uid: ref.uid }),
        ...(ref.resourceVersion === undefined ? {} : { resourceVersion: ref.resourceVersion }),
      };
      this.#stats.deletes += await this.#deleteIgnoringMissing(ref.name, preconditions, signal);
    }
    for (const slice of plan.update) {
      this.#noteServerForm(slice, await api.update(slice, write));
      this.#stats.updates++;
    }
    for (const slice of plan.create) {
      this.#noteServerForm(slice, await api.create(slice, write));
      this.#stats.creates++;
    }
    const writes = plan.create.length + plan.update.length + plan.delete.length;
    const fields = {
      generation: plan.generation,
      slices: plan.resourceSliceCount,
      created: plan.create.length,
      updated: plan.update.length,
      deleted: plan.delete.length,
    };
    if (writes > 0) this.#logger.info(fields, "published ResourceSlices");
    else this.#logger.debug(fields, "ResourceSlices up to date");
  }

  async #deleteIgnoringMissing(
    name: string,
    preconditions: { uid?: string; resourceVersion?: string },
    signal: AbortSignal | undefined,
  ): Promise<number> {
    try {
      await this.#opts.api.delete(name, { preconditions, signal });
      return 1;
    } catch (err) {
      if (isNotFound(err)) return 0;
      throw err;
    }
  }

  /** The server stored something else than was sent (it dropped fields): remember, or we write forever. */
  #noteServerForm(sent: ResourceSlice, stored: ResourceSlice): void {
    const sentKey = sliceContentKey(sent.spec);
    const storedKey = sliceContentKey(stored.spec);
    if (sentKey === storedKey) return;
    if (this.#serverForms.size >= MAX_SERVER_FORMS) this.#serverForms.clear();
    this.#serverForms.set(sentKey, storedKey);
    this.#logger.warn(
      { slice: stored.metadata?.name },
      "the API server dropped fields of a ResourceSlice (a disabled feature gate?); publishing what it keeps",
    );
  }

  #recordSuccess(pool: DesiredPool, plan: SlicePlan): void {
    this.#stats.syncs++;
    this.#stats.generation = plan.generation;
    this.#stats.slices = plan.resourceSliceCount;
    this.#stats.devices = pool.slices.reduce((n, s) => n + s.length, 0);
    this.#stats.rejectedDevices = pool.rejected.length;
  }

  /** Warns when the set of left-out devices changes (not on every resync). */
  #reportRejected(pool: DesiredPool): void {
    const key = JSON.stringify(pool.rejected);
    if (key === this.#lastRejected) return;
    this.#lastRejected = key;
    if (pool.rejected.length === 0) return;
    const sample = pool.rejected.slice(0, 10).map((r) => `${r.name}: ${r.problems.join("; ")}`);
    this.#logger.warn({ rejected: pool.rejected.length, sample }, "devices left out of the ResourceSlices");
  }

  #warn(err: unknown, what: string): void {
    this.#logger.warn({ err: errorMessage(err) }, `${what} failed; retrying`);
  }
}
