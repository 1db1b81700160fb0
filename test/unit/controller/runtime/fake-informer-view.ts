// A hand-written InformerView for controller unit tests: a real IndexedStore (the informer's cache
// and indexes) that the test fills directly, with handler registration recorded and sync settable.
import type { InformerView } from "../../../../src/controller/runtime/informer-view.ts";
import type { EventHandler } from "../../../../src/k8s/informer.ts";
import { IndexedStore } from "../../../../src/k8s/informer-store.ts";
import type { IndexFunc } from "../../../../src/k8s/informer-store.ts";
import type { KubeObject } from "../../../../src/k8s/types.ts";

export class FakeInformerView<T extends KubeObject> implements InformerView<T> {
  readonly store: IndexedStore<T>;
  readonly handlers: EventHandler<T>[] = [];
  synced = true;

  constructor(indexers: Record<string, IndexFunc<T>> = {}, objects: readonly T[] = []) {
    this.store = new IndexedStore<T>(indexers);
    for (const obj of objects) this.store.upsert(obj);
  }

  get(key: string): T | undefined {
    return this.store.get(key);
  }
  list(): T[] {
    return this.store.list();
  }
  byIndex(index: string, value: string): T[] {
    return this.store.byIndex(index, value);
  }
  addEventHandler(handler: EventHandler<T>): () => void {
    this.handlers.push(handler);
    return () => this.handlers.splice(this.handlers.indexOf(handler), 1);
  }
  hasSynced(): boolean {
    return this.synced;
  }
  waitForSync(): Promise<void> {
    return Promise.resolve();
  }
}
