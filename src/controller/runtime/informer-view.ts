// What a controller needs from a shared informer: its cache (with indexes), its event handlers and
// its first sync. src/k8s/informer.ts's Informer is one; tests may hand in a fake.
import type { EventHandler } from "../../k8s/informer.ts";
import type { SyncSource } from "./controller.ts";

export interface InformerView<T> extends SyncSource {
  get(key: string): T | undefined;
  list(): T[];
  byIndex(index: string, value: string): T[];
  addEventHandler(handler: EventHandler<T>): () => void;
}
