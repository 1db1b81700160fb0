// ClusterView over informer caches (thick mode): pods of this node and NADs of every namespace, answered
// from memory, so a warm ADD reads nothing from the API server. Misses, in the order they can happen:
//   - the caches have not synced yet (the server just started): the question waits up to `syncWaitMs` for
//     the first list, then is asked directly if the list is still not in (and later questions no longer
//     wait: an informer that cannot list, e.g. without the NAD CRD, must not slow every call down);
//   - a pod not in the cache, or cached under another UID than the sandbox's (a StatefulSet pod re-created
//     under its name, its new object not delivered yet): the pod may be newer than the cache, so the
//     question waits up to `podMissWaitMs` for the informer to bring it, then asks the API once directly;
//   - a NAD not in the cache: asked directly at once (a NAD is created before the pods that use it; a
//     miss is a NAD that does not exist or one the watch has not delivered yet).
// Direct reads go through `direct` (standalone's ApiClusterView: one GET, a short deadline, NotFound as
// undefined) and are counted, so the server can tell how often its caches fell short.
//
// Public API: `ObjectCache`, `InformerClusterView`, `InformerClusterViewOptions`, `DirectReads`,
// `DEFAULT_SYNC_WAIT_MS`, `DEFAULT_POD_MISS_WAIT_MS`.
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import type { EventHandler } from "../../k8s/informer-handlers.ts";
import { isStaticPod } from "../engine/pod-lookup.ts";
import type { ClusterView, NetworkAttachmentDefinition, PodInfo } from "../engine/ports.ts";
import { toNad, toPodInfo } from "../standalone/api-cluster-view.ts";
import type { NadObject, PodObject } from "../standalone/api-cluster-view.ts";

/** Multus waits 20 s for its informers at start; a CNI call should not wait that long for a list. */
export const DEFAULT_SYNC_WAIT_MS = 5_000;
/** As Multus's thick plugin: a GET after 2.5 s of cache miss (a static pod's mirror may come late). */
export const DEFAULT_POD_MISS_WAIT_MS = 2_500;

/** What the view uses of an Informer (src/k8s/informer.ts); tests hand in a fake. */
export interface ObjectCache<T> {
  get(key: string): T | undefined;
  hasSynced(): boolean;
  waitForSync(signal?: AbortSignal): Promise<void>;
  addEventHandler(handler: EventHandler<T>): () => void;
}

export interface DirectReads {
  pods: number;
  nads: number;
}

export interface InformerClusterViewOptions {
  pods: ObjectCache<PodObject>;
  nads: ObjectCache<NadObject>;
  /** One direct read per question (ApiClusterView). */
  direct: ClusterView;
  clock?: Clock;
  syncWaitMs?: number;
  podMissWaitMs?: number;
}

type Accept = (obj: PodObject) => boolean;

interface Waiter {
  accept: Accept;
  done: (obj: PodObject | undefined) => void;
}

const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`;

export class InformerClusterView implements ClusterView {
  private readonly options: InformerClusterViewOptions;
  private readonly clock: Clock;
  private readonly waiters = new Map<string, Set<Waiter>>();
  /** Caches a question already waited syncWaitMs for in vain: later questions go direct at once. */
  private readonly syncGaveUp = new Set<ObjectCache<never>>();
  private removeHandler: (() => void) | undefined;
  readonly directReads: DirectReads = { pods: 0, nads: 0 };

  constructor(options: InformerClusterViewOptions) {
    this.options = options;
    this.clock = options.clock ?? realClock;
  }

  /** Starts listening for pods arriving in the cache (for questions waiting on a miss). */
  start(): void {
    const arrived = (obj: PodObject): void => {
      const meta = obj.metadata ?? {};
      const waiting = this.waiters.get(keyOf(meta.namespace ?? "", meta.name ?? ""));
      for (const waiter of [...(waiting ?? [])]) if (waiter.accept(obj)) waiter.done(obj);
    };
    this.removeHandler ??= this.options.pods.addEventHandler({
      onAdd: arrived,
      onUpdate: (_old, obj) => arrived(obj),
    });
  }

  /** Stops listening; questions still waiting go on to their direct read. */
  stop(): void {
    this.removeHandler?.();
    this.removeHandler = undefined;
    for (const waiting of [...this.waiters.values()]) for (const w of [...waiting]) w.done(undefined);
  }

  /** The view for one sandbox: a cached pod under another UID than `uid` counts as a miss. */
  forPod(uid: string): ClusterView {
    const accept: Accept = (obj) =>
      uid === "" || obj.metadata?.uid === uid || isStaticPod(toPodInfo(obj, "", ""));
    return {
      getPod: (namespace, name, signal) => this.lookupPod(namespace, name, accept, signal),
      getNetworkAttachmentDefinition: (namespace, name, signal) =>
        this.getNetworkAttachmentDefinition(namespace, name, signal),
    };
  }

  getPod(namespace: string, name: string, signal?: AbortSignal): Promise<PodInfo | undefined> {
    return this.lookupPod(namespace, name, () => true, signal);
  }

  async getNetworkAttachmentDefinition(
    namespace: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<NetworkAttachmentDefinition | undefined> {
    if (await this.synced(this.options.nads, signal)) {
      const cached = this.options.nads.get(keyOf(namespace, name));
      if (cached !== undefined) return toNad(cached, namespace, name);
    }
    this.directReads.nads++;
    return this.options.direct.getNetworkAttachmentDefinition(namespace, name, signal);
  }

  private async lookupPod(
    namespace: string,
    name: string,
    accept: Accept,
    signal: AbortSignal | undefined,
  ): Promise<PodInfo | undefined> {
    if (namespace === "" || name === "") return undefined;
    if (await this.synced(this.options.pods, signal)) {
      const key = keyOf(namespace, name);
      const cached = this.options.pods.get(key);
      const found = cached !== undefined && accept(cached) ? cached : await this.waitFor(key, accept, signal);
      if (found !== undefined) return toPodInfo(found, namespace, name);
    }
    this.directReads.pods++;
    return this.options.direct.getPod(namespace, name, signal);
  }

  /** Whether the cache has its first list, waiting for it up to syncWaitMs. */
  private async synced<T>(cache: ObjectCache<T>, signal: AbortSignal | undefined): Promise<boolean> {
    if (cache.hasSynced()) return true;
    if (this.syncGaveUp.has(cache as ObjectCache<never>)) return false;
    const waitMs = this.options.syncWaitMs ?? DEFAULT_SYNC_WAIT_MS;
    const gaveUp = new AbortController();
    const timer = this.clock.setTimeout(() => gaveUp.abort(new Error("sync wait over")), waitMs);
    const both = signal === undefined ? gaveUp.signal : AbortSignal.any([signal, gaveUp.signal]);
    try {
      await cache.waitForSync(both);
      return true;
    } catch {
      signal?.throwIfAborted();
      if (cache.hasSynced()) return true;
      this.syncGaveUp.add(cache as ObjectCache<never>);
      return false;
    } finally {
      timer.cancel();
    }
  }

  /** The pod once the informer delivers an acceptable one, or undefined after podMissWaitMs. */
  private waitFor(
    key: string,
    accept: Accept,
    signal: AbortSignal | undefined,
  ): Promise<PodObject | undefined> {
    const waitMs = this.options.podMissWaitMs ?? DEFAULT_POD_MISS_WAIT_MS;
    if (waitMs <= 0 || this.removeHandler === undefined) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      let waiting = this.waiters.get(key);
      if (waiting === undefined) this.waiters.set(key, (waiting = new Set()));
      const onAbort = (): void => waiter.done(undefined);
      const waiter: Waiter = {
        accept,
        done: (obj) => {
          timer.cancel();
          signal?.removeEventListener("abort", onAbort);
          waiting.delete(waiter);
          if (waiting.size === 0) this.waiters.delete(key);
          resolve(obj);
        },
      };
      const timer = this.clock.setTimeout(() => waiter.done(undefined), waitMs);
      waiting.add(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
      // The store is updated before handlers hear of it: an object that came in meanwhile is there.
      const now = this.options.pods.get(key);
      if (now !== undefined && accept(now)) waiter.done(now);
    });
  }
}
