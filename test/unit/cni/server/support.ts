// Fakes for the CNI server's unit tests: an ObjectCache the test fills and syncs by hand, telling the
// handlers registered on it like an Informer does (the store first, then the handlers).
import type { EventHandler } from "../../../../src/k8s/informer-handlers.ts";
import type { ObjectCache } from "../../../../src/cni/server/informer-cluster-view.ts";
import type { KubeObject } from "../../../../src/k8s/types.ts";

export class FakeObjectCache<T extends KubeObject> implements ObjectCache<T> {
  private readonly items = new Map<string, T>();
  private readonly handlers = new Set<EventHandler<T>>();
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];
  /** How many get() calls were made (every question asks the cache first). */
  gets = 0;

  get(key: string): T | undefined {
    this.gets++;
    return this.items.get(key);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.syncWaiters.push(resolve);
      signal?.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
    });
  }

  addEventHandler(handler: EventHandler<T>): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  get handlerCount(): number {
    return this.handlers.size;
  }

  sync(): this {
    this.synced = true;
    for (const resolve of this.syncWaiters.splice(0)) resolve();
    return this;
  }

  /** Stores the object, then tells the handlers (as an add or an update). */
  put(obj: T): void {
    const key = `${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? ""}`;
    const old = this.items.get(key);
    this.items.set(key, obj);
    for (const h of this.handlers) {
      if (old === undefined) void h.onAdd?.(obj, false);
      else void h.onUpdate?.(old, obj);
    }
  }
}

export function podObject(
  namespace: string,
  name: string,
  uid: string,
  annotations: Record<string, string> = {},
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { namespace, name, uid, annotations, resourceVersion: "7" },
  };
}

export function nadObject(
  namespace: string,
  name: string,
  config?: string,
): KubeObject & { spec?: { config?: unknown } } {
  return {
    apiVersion: "k8s.cni.cncf.io/v1",
    kind: "NetworkAttachmentDefinition",
    metadata: { namespace, name },
    ...(config === undefined ? {} : { spec: { config } }),
  };
}
