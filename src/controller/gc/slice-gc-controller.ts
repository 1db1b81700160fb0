// Garbage collection of ResourceSlices whose node is gone (decision in stale-slices.ts). Keys are
// slice names; a slice changing enqueues itself, a Node coming or going enqueues the slices of its
// name. A slice that is stale but within its grace period is looked at again when the grace ends.
// Before deleting, the Node is read from the API (the cache may lag behind a node that just
// registered); the delete carries the slice's uid as a precondition, so a slice recreated under the
// same name survives.
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import { silentLogger } from "../../common/logger.ts";
import type { Logger } from "../../common/logger.ts";
import { isConflict, isNotFound } from "../../k8s/api-error.ts";
import type { ResourceClient } from "../../k8s/resource-client.ts";
import type { ResourceSlice } from "../../k8s/resource-slice-types.ts";
import type { KubeObject } from "../../k8s/types.ts";
import { Controller, enqueueKeys } from "../runtime/controller.ts";
import type { ControllerObserver, ReconcileResult } from "../runtime/controller.ts";
import type { InformerView } from "../runtime/informer-view.ts";
import { DEFAULT_SLICE_GC_GRACE_MS, decideSliceGc, staleReason } from "./stale-slices.ts";

export const SLICE_GC_CONTROLLER_NAME = "resource-slice-gc";
export const BY_NODE_NAME = "nodeName";

export const sliceGcIndexers = {
  [BY_NODE_NAME]: (slice: ResourceSlice) => (slice.spec?.nodeName ? [slice.spec.nodeName] : []),
};

export interface SliceGcControllerOptions {
  driverName: string;
  slices: InformerView<ResourceSlice>;
  nodes: InformerView<KubeObject>;
  sliceClient: Pick<ResourceClient<KubeObject>, "delete">;
  nodeClient: Pick<ResourceClient<KubeObject>, "get">;
  gracePeriodMs?: number;
  clock?: Clock;
  logger?: Logger;
  observer?: ControllerObserver;
  /** Told of each slice deleted (metrics). */
  onDeleted?: () => void;
}

export class SliceGcController {
  readonly controller: Controller;
  readonly #opts: SliceGcControllerOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  /** slice uid → when it was first found stale. */
  readonly #staleSince = new Map<string, number>();

  constructor(opts: SliceGcControllerOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? realClock;
    this.#logger = (opts.logger ?? silentLogger()).child({ component: SLICE_GC_CONTROLLER_NAME });
    this.controller = new Controller({
      name: SLICE_GC_CONTROLLER_NAME,
      reconcile: (key, signal) => this.reconcile(key, signal),
      waitFor: [opts.slices, opts.nodes],
      clock: this.#clock,
      logger: opts.logger ?? silentLogger(),
      ...(opts.observer === undefined ? {} : { observer: opts.observer }),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const enqueue = (key: string): void => this.controller.enqueue(key);
    const slicesOfNode = (node: KubeObject): string[] =>
      this.#opts.slices.byIndex(BY_NODE_NAME, node.metadata?.name ?? "").map((s) => s.metadata?.name ?? "");
    const removers = [
      this.#opts.slices.addEventHandler(enqueueKeys((s) => [s.metadata?.name ?? ""], enqueue)),
      this.#opts.nodes.addEventHandler(enqueueKeys(slicesOfNode, enqueue)),
    ];
    try {
      await this.controller.run(signal);
    } finally {
      for (const remove of removers) remove();
    }
  }

  async reconcile(name: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    const slice = this.#opts.slices.get(name);
    if (slice === undefined) return;
    const uid = slice.metadata?.uid ?? name;
    const nodeName = slice.spec?.nodeName ?? "";
    const decision = decideSliceGc({
      slice,
      driverName: this.#opts.driverName,
      node: nodeName === "" ? undefined : this.#nodeSeen(this.#opts.nodes.get(nodeName)),
      staleSinceMs: this.#staleSince.get(uid),
      nowMs: this.#clock.now(),
      gracePeriodMs: this.#opts.gracePeriodMs ?? DEFAULT_SLICE_GC_GRACE_MS,
    });
    switch (decision.type) {
      case "keep":
        this.#staleSince.delete(uid);
        return;
      case "wait":
        if (!this.#staleSince.has(uid)) {
          this.#logger.info({ slice: name, why: decision.why, inMs: decision.afterMs }, "stale slice");
        }
        this.#staleSince.set(uid, decision.staleSinceMs);
        return { requeueAfterMs: decision.afterMs };
      case "delete":
        await this.#delete(slice, decision.why, signal);
        this.#staleSince.delete(uid);
    }
  }

  #nodeSeen(node: KubeObject | undefined): { uid?: string } | undefined {
    return node === undefined ? undefined : { uid: node.metadata?.uid };
  }

  async #delete(slice: ResourceSlice, why: string, signal: AbortSignal): Promise<void> {
    const name = slice.metadata?.name ?? "";
    const live = await this.#liveNode(slice.spec.nodeName ?? "", signal);
    if (staleReason(slice, live) === undefined) return;
    try {
      const uid = slice.metadata?.uid;
      await this.#opts.sliceClient.delete(name, {
        signal,
        ...(uid === undefined ? {} : { preconditions: { uid } }),
      });
      this.#opts.onDeleted?.();
      this.#logger.info({ slice: name, node: slice.spec.nodeName, why }, "deleted stale ResourceSlice");
    } catch (err) {
      // Gone already (the cluster's GC got there first) or replaced by a new slice of the same name.
      if (isNotFound(err) || isConflict(err)) return;
      throw new Error(`delete ResourceSlice ${name}`, { cause: err });
    }
  }

  async #liveNode(nodeName: string, signal: AbortSignal): Promise<{ uid?: string } | undefined> {
    try {
      return this.#nodeSeen(await this.#opts.nodeClient.get(nodeName, { signal }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new Error(`read node ${nodeName}`, { cause: err });
    }
  }
}
