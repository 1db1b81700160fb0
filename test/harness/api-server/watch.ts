// WATCH: newline-delimited JSON events over a chunked response, resumed from the store's history,
// filtered per watcher (an object that stops matching is DELETED for that watcher), with BOOKMARKs,
// timeoutSeconds and a 410 ERROR event for a resourceVersion that is too old.
import type { ServerResponse } from "node:http";
import { fromStorage } from "./conversion.ts";
import { groupVersion } from "./registry.ts";
import { matchesSelection } from "./selectors.ts";
import type { Selection } from "./selectors.ts";
import { badRequest, expired } from "./status-errors.ts";
import type { ObjectStore, StoreEvent } from "./store.ts";
import type { KubeObject, ResourceDef } from "./types.ts";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface WatchRequest {
  def: ResourceDef;
  typeKey: string;
  version: string;
  namespace?: string;
  name?: string;
  selection: Selection;
  resourceVersion: string;
  allowBookmarks: boolean;
  bookmarkIntervalMs: number;
  timeoutSeconds?: number;
}

/** How one watcher sees a store event: as is, turned into ADDED/DELETED by its filter, or not at all. */
export function eventForWatcher(
  event: Pick<StoreEvent, "type" | "object" | "prev">,
  matches: (obj: KubeObject) => boolean,
): { type: WatchEventType; object: KubeObject } | undefined {
  const now = matches(event.object);
  if (event.type === "ADDED") return now ? { type: "ADDED", object: event.object } : undefined;
  if (event.type === "DELETED") return now ? { type: "DELETED", object: event.object } : undefined;
  const before = event.prev !== undefined && matches(event.prev);
  if (before && now) return { type: "MODIFIED", object: event.object };
  if (now) return { type: "ADDED", object: event.object };
  if (before) return { type: "DELETED", object: event.object };
  return undefined;
}

export class WatchStream {
  #request: WatchRequest;
  #store: ObjectStore;
  #res: ServerResponse;
  #cleanups: Array<() => void> = [];
  #closed = false;

  constructor(store: ObjectStore, request: WatchRequest, res: ServerResponse) {
    this.#store = store;
    this.#request = request;
    this.#res = res;
  }

  /** Validates the request; throws a Status before any byte is written. */
  static check(request: WatchRequest): void {
    const rv = request.resourceVersion;
    if (rv !== "" && !/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${rv}`);
  }

  /** Writes the response head and the initial or replayed events, then follows the store. */
  start(onClose: () => void): void {
    const res = this.#res;
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
    res.flushHeaders();
    res.on("close", () => this.close());
    this.#cleanups.push(onClose);
    const { typeKey, resourceVersion } = this.#request;
    if (resourceVersion === "" || resourceVersion === "0") {
      for (const object of this.#store.list(typeKey)) if (this.#matches(object)) this.#send("ADDED", object);
    } else {
      const events = this.#store.eventsSince(Number(resourceVersion), typeKey);
      if (events === "expired") {
        const floor = this.#store.floor;
        this.#sendRaw("ERROR", expired(`too old resource version: ${resourceVersion} (${floor})`).status);
        this.close();
        return;
      }
      for (const event of events) this.#deliver(event);
    }
    const unsubscribe = this.#store.subscribe((event) => {
      if (event.typeKey === typeKey) this.#deliver(event);
    });
    this.#cleanups.push(unsubscribe);
    this.#startTimers();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    if (!this.#res.writableEnded) this.#res.end();
  }

  #startTimers(): void {
    const { allowBookmarks, bookmarkIntervalMs, timeoutSeconds } = this.#request;
    if (allowBookmarks) {
      const timer = setInterval(() => this.#sendBookmark(), bookmarkIntervalMs);
      this.#cleanups.push(() => clearInterval(timer));
    }
    if (timeoutSeconds !== undefined && timeoutSeconds > 0) {
      const timer = setTimeout(() => this.close(), timeoutSeconds * 1000);
      this.#cleanups.push(() => clearTimeout(timer));
    }
  }

  #matches(obj: KubeObject): boolean {
    const { namespace, name, selection } = this.#request;
    if (namespace !== undefined && obj.metadata?.namespace !== namespace) return false;
    if (name !== undefined && obj.metadata?.name !== name) return false;
    return matchesSelection(selection, obj);
  }

  #deliver(event: StoreEvent): void {
    const seen = eventForWatcher(event, (obj) => this.#matches(obj));
    if (seen !== undefined) this.#send(seen.type, seen.object);
  }

  #sendBookmark(): void {
    const { def, version } = this.#request;
    this.#sendRaw("BOOKMARK", {
      kind: def.kind,
      apiVersion: groupVersion(def.group, version),
      metadata: { resourceVersion: String(this.#store.resourceVersion) },
    });
  }

  #send(type: WatchEventType, object: KubeObject): void {
    this.#sendRaw(type, fromStorage(this.#request.def, this.#request.version, object));
  }

  #sendRaw(type: WatchEventType, object: unknown): void {
    if (this.#closed || this.#res.writableEnded) return;
    this.#res.write(`${JSON.stringify({ type, object })}\n`);
  }
}
