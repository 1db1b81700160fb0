// The informer's in-memory cache: objects keyed by namespace/name, optional indexes, and the pure
// reconciliation of a fresh list against what the cache holds (what a relist must report).
import { objectKey } from "./resource-path.ts";
import type { KubeObject } from "./types.ts";

/** Values an object is indexed under; [] leaves it out of that index. */
export type IndexFunc<T> = (obj: T) => string[];

export function keyOf(obj: KubeObject): string {
  return objectKey(obj.metadata ?? {});
}

export function resourceVersionOf(obj: KubeObject): string {
  return obj.metadata?.resourceVersion ?? "";
}

/** Index pods (or anything with spec.nodeName) by node. */
export function indexBySpecNodeName<T extends KubeObject & { spec?: { nodeName?: string } }>(
  obj: T,
): string[] {
  const node = obj.spec?.nodeName;
  return node ? [node] : [];
}

/** Index by the value of one annotation. */
export function indexByAnnotation<T extends KubeObject>(annotation: string): IndexFunc<T> {
  return (obj) => {
    const value = obj.metadata?.annotations?.[annotation];
    return value === undefined ? [] : [value];
  };
}

/** Index by the value of one label. */
export function indexByLabel<T extends KubeObject>(label: string): IndexFunc<T> {
  return (obj) => {
    const value = obj.metadata?.labels?.[label];
    return value === undefined ? [] : [value];
  };
}

export function indexByNamespace<T extends KubeObject>(obj: T): string[] {
  const namespace = obj.metadata?.namespace;
  return namespace ? [namespace] : [];
}

export type StoreChange<T> =
  | { type: "add"; obj: T }
  | { type: "update"; old: T; obj: T }
  /** A relist no longer has it: it was deleted while we were not watching; `obj` is the last state seen. */
  | { type: "delete"; obj: T; finalStateUnknown: boolean };

/**
 * Pure: what replacing `current` with a fresh list means, in list order, then the vanished objects.
 * An object whose resourceVersion did not change is not reported (the resync re-delivers those).
 */
export function planReplace<T extends KubeObject>(
  current: ReadonlyMap<string, T>,
  listed: readonly T[],
): StoreChange<T>[] {
  const changes: StoreChange<T>[] = [];
  const seen = new Set<string>();
  for (const obj of listed) {
    const key = keyOf(obj);
    seen.add(key);
    const old = current.get(key);
    if (old === undefined) changes.push({ type: "add", obj });
    else if (resourceVersionOf(old) !== resourceVersionOf(obj) || resourceVersionOf(obj) === "") {
      changes.push({ type: "update", old, obj });
    }
  }
  for (const [key, old] of current) {
    if (!seen.has(key)) changes.push({ type: "delete", obj: old, finalStateUnknown: true });
  }
  return changes;
}

export class IndexedStore<T extends KubeObject> {
  readonly #items = new Map<string, T>();
  readonly #indexers: ReadonlyMap<string, IndexFunc<T>>;
  /** index name → value → keys */
  readonly #indexes = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.#indexers = new Map(Object.entries(indexers));
    for (const name of this.#indexers.keys()) this.#indexes.set(name, new Map());
  }

  get size(): number {
    return this.#items.size;
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  list(): T[] {
    return [...this.#items.values()];
  }

  keys(): string[] {
    return [...this.#items.keys()];
  }

  /** A read-only view for planReplace. */
  snapshot(): ReadonlyMap<string, T> {
    return new Map(this.#items);
  }

  /** Stores obj; returns what it replaced. */
  upsert(obj: T): T | undefined {
    const key = keyOf(obj);
    const old = this.#items.get(key);
    if (old !== undefined) this.#unindex(key, old);
    this.#items.set(key, obj);
    this.#index(key, obj);
    return old;
  }

  /** Removes the object stored under obj's key; returns it. */
  remove(key: string): T | undefined {
    const old = this.#items.get(key);
    if (old === undefined) return undefined;
    this.#unindex(key, old);
    this.#items.delete(key);
    return old;
  }

  /** Objects whose index `name` has `value`. */
  byIndex(name: string, value: string): T[] {
    const index = this.#indexes.get(name);
    if (index === undefined) throw new Error(`no index named ${name}`);
    const keys = index.get(value);
    return keys === undefined ? [] : [...keys].flatMap((k) => this.#items.get(k) ?? []);
  }

  /** The values index `name` holds (e.g. the node names pods sit on). */
  indexValues(name: string): string[] {
    const index = this.#indexes.get(name);
    if (index === undefined) throw new Error(`no index named ${name}`);
    return [...index.keys()];
  }

  #index(key: string, obj: T): void {
    for (const [name, fn] of this.#indexers) {
      const index = this.#indexes.get(name)!;
      for (const value of new Set(fn(obj))) {
        let keys = index.get(value);
        if (keys === undefined) index.set(value, (keys = new Set()));
        keys.add(key);
      }
    }
  }

  #unindex(key: string, obj: T): void {
    for (const [name, fn] of this.#indexers) {
      const index = this.#indexes.get(name)!;
      for (const value of new Set(fn(obj))) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}
