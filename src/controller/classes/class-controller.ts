// The class controller's I/O shell. Keys are resourceNames: a NAD, a DeviceClass or a ResourceSlice
// changing enqueues the resourceNames it touches; reconcile(R) reads the caches, asks
// decideResourceName (plan.ts), writes the DeviceClass change with conflict retries (a stale cache
// re-reads the class from the API and decides again) and emits each warning once, when it starts to
// hold (it may fire again after it cleared).
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import { silentLogger } from "../../common/logger.ts";
import type { Logger } from "../../common/logger.ts";
import { isAlreadyExists, isNotFound } from "../../k8s/api-error.ts";
import type { ResourceClient } from "../../k8s/resource-client.ts";
import type { ResourceSlice } from "../../k8s/resource-slice-types.ts";
import { retryOnConflict } from "../runtime/conflict-retry.ts";
import { Controller, enqueueKeys } from "../runtime/controller.ts";
import type { ControllerObserver, ReconcileResult } from "../runtime/controller.ts";
import type { EventEmitter } from "../runtime/event-recorder.ts";
import type { InformerView } from "../runtime/informer-view.ts";
import type { DeviceClass } from "./device-class.ts";
import { nadEventTarget, resourceNameOf } from "./nad.ts";
import type { NetworkAttachmentDefinition } from "./nad.ts";
import { decideResourceName } from "./plan.ts";
import type { ClassAction, NadWarning } from "./plan.ts";
import { currentSlices, poolKeyOf, resourceNamesOfSlice } from "./published-devices.ts";

export const CLASS_CONTROLLER_NAME = "device-classes";

/** Index names the informers handed in must carry (see the indexers below). */
export const BY_RESOURCE_NAME = "resourceName";
export const BY_POOL = "pool";

export const nadIndexers = {
  [BY_RESOURCE_NAME]: (nad: NetworkAttachmentDefinition) => {
    const r = resourceNameOf(nad);
    return r === undefined ? [] : [r];
  },
};

export const sliceIndexers = {
  [BY_RESOURCE_NAME]: resourceNamesOfSlice,
  [BY_POOL]: (slice: ResourceSlice) => [poolKeyOf(slice)],
};

export type DeviceClassClient = Pick<ResourceClient<DeviceClass>, "get" | "create" | "update" | "delete">;

export interface ClassControllerOptions {
  driverName: string;
  nads: InformerView<NetworkAttachmentDefinition>;
  classes: InformerView<DeviceClass>;
  slices: InformerView<ResourceSlice>;
  client: DeviceClassClient;
  events: EventEmitter;
  /** apiVersion of classes created, e.g. "resource.k8s.io/v1". */
  apiVersion?: string;
  fieldManager?: string;
  workers?: number;
  clock?: Clock;
  logger?: Logger;
  observer?: ControllerObserver;
}

export class DeviceClassController {
  readonly controller: Controller;
  readonly #opts: ClassControllerOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  /** resourceName → "uid|reason" of the warnings that hold now. */
  readonly #warned = new Map<string, Set<string>>();

  constructor(opts: ClassControllerOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? realClock;
    this.#logger = (opts.logger ?? silentLogger()).child({ component: CLASS_CONTROLLER_NAME });
    this.controller = new Controller({
      name: CLASS_CONTROLLER_NAME,
      reconcile: (key, signal) => this.reconcile(key, signal),
      workers: opts.workers ?? 2,
      waitFor: [opts.nads, opts.classes, opts.slices],
      clock: this.#clock,
      logger: opts.logger ?? silentLogger(),
      ...(opts.observer === undefined ? {} : { observer: opts.observer }),
    });
  }

  /** Wires the event handlers and runs the workers until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const enqueue = (key: string): void => this.controller.enqueue(key);
    const removers = [
      this.#opts.nads.addEventHandler(enqueueKeys((n) => nadIndexers[BY_RESOURCE_NAME](n), enqueue)),
      this.#opts.classes.addEventHandler(enqueueKeys((c) => [c.metadata?.name ?? ""], enqueue)),
      this.#opts.slices.addEventHandler(enqueueKeys(resourceNamesOfSlice, enqueue)),
    ];
    try {
      await this.controller.run(signal);
    } finally {
      for (const remove of removers) remove();
    }
  }

  async reconcile(resourceName: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    if (resourceName === "") return;
    const nads = this.#opts.nads.byIndex(BY_RESOURCE_NAME, resourceName);
    const input = {
      resourceName,
      driverName: this.#opts.driverName,
      nads,
      published: this.#published(resourceName),
      ...(this.#opts.apiVersion === undefined ? {} : { apiVersion: this.#opts.apiVersion }),
    };
    const decision = await retryOnConflict(
      async (attempt) => {
        const existing =
          attempt === 1 ? this.#opts.classes.get(resourceName) : await this.#liveClass(resourceName, signal);
        const decided = decideResourceName({ ...input, existing });
        await this.#apply(decided.action, signal);
        return decided;
      },
      { signal, clock: this.#clock, alsoRetry: isAlreadyExists },
    );
    await this.#warn(resourceName, decision.warnings);
  }

  /** A current device of this driver carries R (the slices' newest generation per pool). */
  #published(resourceName: string): boolean {
    const slices = this.#opts.slices.byIndex(BY_RESOURCE_NAME, resourceName);
    for (const pool of new Set(slices.map(poolKeyOf))) {
      const current = currentSlices(this.#opts.slices.byIndex(BY_POOL, pool), this.#opts.driverName);
      if (current.some((s) => resourceNamesOfSlice(s).includes(resourceName))) return true;
    }
    return false;
  }

  async #liveClass(name: string, signal: AbortSignal): Promise<DeviceClass | undefined> {
    try {
      return await this.#opts.client.get(name, { signal });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new Error(`read DeviceClass ${name}`, { cause: err });
    }
  }

  async #apply(action: ClassAction, signal: AbortSignal): Promise<void> {
    const write = { signal, ...(this.#opts.fieldManager ? { fieldManager: this.#opts.fieldManager } : {}) };
    switch (action.type) {
      case "none":
        return;
      case "create":
        await this.#opts.client.create(action.object, write);
        this.#logger.info({ deviceClass: action.object.metadata?.name }, "created DeviceClass");
        return;
      case "update":
        await this.#opts.client.update(action.object, write);
        this.#logger.info({ deviceClass: action.object.metadata?.name }, "corrected DeviceClass");
        return;
      case "delete":
        try {
          await this.#opts.client.delete(action.name, {
            signal,
            ...(action.uid === undefined ? {} : { preconditions: { uid: action.uid } }),
          });
          this.#logger.info({ deviceClass: action.name }, "deleted DeviceClass no network wants");
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
    }
  }

  async #warn(resourceName: string, warnings: readonly NadWarning[]): Promise<void> {
    const before = this.#warned.get(resourceName) ?? new Set<string>();
    const now = new Set<string>();
    for (const w of warnings) {
      const id = `${w.nad.metadata?.uid ?? ""}|${w.nad.metadata?.namespace ?? ""}/${w.nad.metadata?.name ?? ""}|${w.reason}`;
      now.add(id);
      if (before.has(id)) continue;
      this.#logger.warn({ network: `${w.nad.metadata?.namespace}/${w.nad.metadata?.name}` }, w.message);
      await this.#opts.events.record(nadEventTarget(w.nad), "Warning", w.reason, w.message);
    }
    if (now.size === 0) this.#warned.delete(resourceName);
    else this.#warned.set(resourceName, now);
  }
}
