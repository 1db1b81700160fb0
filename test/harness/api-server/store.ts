// The object store: one global resourceVersion counter like etcd's revision, and a bounded history of
// changes that serves watch resume and consistent (snapshot) pagination.
import type { KubeObject } from "./types.ts";

export type StoreEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: StoreEventType;
  typeKey: string;
  key: string;
  rv: number;
  /** The object after the change; for DELETED its last state, carrying the deletion's resourceVersion. */
  object: KubeObject;
  /** The object before the change (MODIFIED, DELETED). */
  prev?: KubeObject;
}

export type StoreListener = (event: StoreEvent) => void;

export interface ObjectStoreOptions {
  historyLimit: number;
  initialResourceVersion?: number;
}

/** `namespace/name`, or `/name` for cluster-scoped objects: sorts like etcd keys. */
export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

export class ObjectStore {
  #objects = new Map<string, Map<string, KubeObject>>();
  #history: StoreEvent[] = [];
  #historyLimit: number;
  #rv: number;
  /** The newest resourceVersion whose change has been forgotten; older resumes are 410 Gone. */
  #floor = 0;
  #listeners = new Set<StoreListener>();

  constructor(options: ObjectStoreOptions) {
    this.#historyLimit = options.historyLimit;
    this.#rv = options.initialResourceVersion ?? 1;
  }

  get resourceVersion(): number {
    return this.#rv;
  }

  /** Resource versions below this cannot be resumed from or listed at. */
  get floor(): number {
    return this.#floor;
  }

  get(typeKey: string, key: string): KubeObject | undefined {
    const obj = this.#objects.get(typeKey)?.get(key);
    return obj === undefined ? undefined : structuredClone(obj);
  }

  /** Current objects of a type, sorted by key, optionally in one namespace. */
  list(typeKey: string, namespace?: string): KubeObject[] {
    const objects = this.#objects.get(typeKey);
    if (objects === undefined) return [];
    const prefix = namespace === undefined ? undefined : `${namespace}/`;
    return [...objects.entries()]
      .filter(([key]) => prefix === undefined || key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, obj]) => structuredClone(obj));
  }

  /** Stores the object under a new resourceVersion (written into it) and emits ADDED or MODIFIED. */
  put(typeKey: string, key: string, object: KubeObject): KubeObject {
    const objects = this.#objects.get(typeKey) ?? new Map<string, KubeObject>();
    this.#objects.set(typeKey, objects);
    const prev = objects.get(key);
    const rv = ++this.#rv;
    const stored = structuredClone(object);
    stored.metadata = { ...stored.metadata, resourceVersion: String(rv) };
    objects.set(key, stored);
    const event: StoreEvent = {
      type: prev === undefined ? "ADDED" : "MODIFIED",
      typeKey,
      key,
      rv,
      object: stored,
    };
    if (prev !== undefined) event.prev = prev;
    this.#record(event);
    return structuredClone(stored);
  }

  /** Removes the object and emits DELETED with a new resourceVersion. */
  remove(typeKey: string, key: string): KubeObject | undefined {
    const objects = this.#objects.get(typeKey);
    const prev = objects?.get(key);
    if (objects === undefined || prev === undefined) return undefined;
    objects.delete(key);
    const rv = ++this.#rv;
    const last = structuredClone(prev);
    last.metadata = { ...last.metadata, resourceVersion: String(rv) };
    this.#record({ type: "DELETED", typeKey, key, rv, object: last, prev });
    return structuredClone(last);
  }

  /** Changes of a type after `rv`, or "expired" when some were forgotten. */
  eventsSince(rv: number, typeKey: string): StoreEvent[] | "expired" {
    if (rv < this.#floor) return "expired";
    return this.#history.filter((e) => e.rv > rv && e.typeKey === typeKey);
  }

  /** The objects of a type as they were at `rv`, sorted by key, or "expired" when history is too short. */
  snapshotAt(rv: number, typeKey: string): KubeObject[] | "expired" {
    if (rv >= this.#rv) return this.list(typeKey);
    if (rv < this.#floor) return "expired";
    const state = new Map<string, KubeObject>();
    for (const obj of this.list(typeKey))
      state.set(objectKey(obj.metadata?.namespace, obj.metadata?.name ?? ""), obj);
    const later = this.#history.filter((e) => e.rv > rv && e.typeKey === typeKey).reverse();
    for (const event of later) {
      if (event.type === "ADDED") state.delete(event.key);
      else if (event.prev !== undefined) state.set(event.key, structuredClone(event.prev));
    }
    return [...state.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, obj]) => obj);
  }

  /** Forgets all history: resuming from any earlier resourceVersion is then 410 Gone. */
  compact(): void {
    this.#history = [];
    this.#floor = this.#rv;
  }

  subscribe(listener: StoreListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #record(event: StoreEvent): void {
    this.#history.push(event);
    while (this.#history.length > this.#historyLimit) {
      const dropped = this.#history.shift();
      if (dropped !== undefined) this.#floor = dropped.rv;
    }
    for (const listener of [...this.#listeners]) listener(event);
  }
}
