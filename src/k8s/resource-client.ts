// Generic REST client for one resource type: get/list/watch/create/update/updateStatus/patch/delete
// with the API server's query parameters, over a Transport. Objects are plain JSON.
import { ApiError } from "./api-error.ts";
import type { KubeStatus } from "./api-error.ts";
import { readBodyText, readJsonLines, sendForJson } from "./http-transport.ts";
import type { HttpMethod, Transport } from "./http-transport.ts";
import { queryString, resourcePath } from "./resource-path.ts";
import type { ObjectLocation, ResourceType } from "./resource-path.ts";
import type { KubeObject, ObjectList, WatchEvent } from "./types.ts";

export interface CallOptions {
  signal?: AbortSignal | undefined;
}

export interface NamespacedCall extends CallOptions {
  namespace?: string | undefined;
}

export interface ListOptions extends NamespacedCall {
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  resourceVersion?: string | undefined;
  resourceVersionMatch?: "NotOlderThan" | "Exact" | undefined;
  limit?: number | undefined;
  continue?: string | undefined;
}

export interface WatchOptions extends NamespacedCall {
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  resourceVersion?: string | undefined;
  allowWatchBookmarks?: boolean | undefined;
  /** Server-side limit on the watch's length; the stream then ends normally. */
  timeoutSeconds?: number | undefined;
}

export interface WriteOptions extends NamespacedCall {
  fieldManager?: string | undefined;
  dryRun?: boolean | undefined;
}

export type PatchType = "merge" | "json" | "strategic" | "apply";

export const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

export interface PatchOptions extends WriteOptions {
  type: PatchType;
  subresource?: string | undefined;
  /** Server-side apply: take over fields other managers own. */
  force?: boolean | undefined;
}

export interface DeleteOptions extends NamespacedCall {
  preconditions?: { uid?: string; resourceVersion?: string } | undefined;
  propagationPolicy?: "Orphan" | "Background" | "Foreground" | undefined;
  gracePeriodSeconds?: number | undefined;
  dryRun?: boolean | undefined;
}

export interface ResourceClient<T extends KubeObject> {
  readonly type: ResourceType;
  get(name: string, opts?: NamespacedCall): Promise<T>;
  list(opts?: ListOptions): Promise<ObjectList<T>>;
  /** Opens the stream (an HTTP error rejects here as an ApiError); the iterable ends when the server
   *  closes it and stops quietly when `signal` aborts or the consumer stops iterating. */
  watch(opts?: WatchOptions): Promise<AsyncIterable<WatchEvent<T>>>;
  create(obj: T, opts?: WriteOptions): Promise<T>;
  update(obj: T, opts?: WriteOptions): Promise<T>;
  updateStatus(obj: T, opts?: WriteOptions): Promise<T>;
  patch(name: string, patch: unknown, opts: PatchOptions): Promise<T>;
  /** Resolves with what the server returned: the object (finalizers pending) or a Status. */
  delete(name: string, opts?: DeleteOptions): Promise<T | KubeStatus>;
}

export interface GenericResourceClientOptions {
  transport: Transport;
  type: ResourceType;
}

export class GenericResourceClient<T extends KubeObject> implements ResourceClient<T> {
  readonly type: ResourceType;
  readonly #transport: Transport;

  constructor(opts: GenericResourceClientOptions) {
    this.type = opts.type;
    this.#transport = opts.transport;
  }

  get(name: string, opts: NamespacedCall = {}): Promise<T> {
    return this.#json("GET", { namespace: opts.namespace, name }, {}, opts);
  }

  list(opts: ListOptions = {}): Promise<ObjectList<T>> {
    const query = {
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      resourceVersion: opts.resourceVersion,
      resourceVersionMatch: opts.resourceVersionMatch,
      limit: opts.limit,
      continue: opts.continue,
    };
    return this.#json("GET", { namespace: opts.namespace }, query, opts);
  }

  async watch(opts: WatchOptions = {}): Promise<AsyncIterable<WatchEvent<T>>> {
    const query = {
      watch: "true",
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      resourceVersion: opts.resourceVersion,
      allowWatchBookmarks: opts.allowWatchBookmarks,
      timeoutSeconds: opts.timeoutSeconds,
    };
    const path = resourcePath(this.type, { namespace: opts.namespace }) + queryString(query);
    // A watch may stay quiet for its whole timeout; give it that plus slack before calling it dead.
    const idleTimeoutMs = opts.timeoutSeconds === undefined ? 0 : (opts.timeoutSeconds + 30) * 1000;
    const res = await this.#transport.send({ method: "GET", path, signal: opts.signal, idleTimeoutMs });
    if (res.status !== 200) {
      throw ApiError.fromResponse(res.status, await readBodyText(res.body), `GET ${path}`);
    }
    return watchEvents<T>(readJsonLines(res.body), opts.signal, () => res.body.destroy());
  }

  async create(obj: T, opts: WriteOptions = {}): Promise<T> {
    const at = { namespace: this.#namespaceOf(obj, opts) };
    return this.#json("POST", at, writeQuery(opts), opts, obj);
  }

  async update(obj: T, opts: WriteOptions = {}): Promise<T> {
    const at = { namespace: this.#namespaceOf(obj, opts), name: nameOf(obj) };
    return this.#json("PUT", at, writeQuery(opts), opts, obj);
  }

  async updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    const at = { namespace: this.#namespaceOf(obj, opts), name: nameOf(obj), subresource: "status" };
    return this.#json("PUT", at, writeQuery(opts), opts, obj);
  }

  async patch(name: string, patch: unknown, opts: PatchOptions): Promise<T> {
    if (opts.type === "apply" && opts.fieldManager === undefined) {
      throw new Error(`apply patch of ${this.type.resource} ${name} needs a fieldManager`);
    }
    const at = { namespace: opts.namespace, name, subresource: opts.subresource };
    // The server rejects `force` on anything but an apply patch, even force=false.
    if (opts.force && opts.type !== "apply")
      throw new Error(`force is only for apply patches (${opts.type})`);
    const query = { ...writeQuery(opts), force: opts.force ? true : undefined };
    return this.#json("PATCH", at, query, opts, patch, PATCH_CONTENT_TYPES[opts.type]);
  }

  delete(name: string, opts: DeleteOptions = {}): Promise<T | KubeStatus> {
    const fields = {
      preconditions: opts.preconditions,
      propagationPolicy: opts.propagationPolicy,
      gracePeriodSeconds: opts.gracePeriodSeconds,
      dryRun: opts.dryRun ? ["All"] : undefined,
    };
    const given = Object.values(fields).some((v) => v !== undefined);
    const body = given ? { apiVersion: "v1", kind: "DeleteOptions", ...fields } : undefined;
    return this.#json("DELETE", { namespace: opts.namespace, name }, {}, opts, body);
  }

  #namespaceOf(obj: T, opts: NamespacedCall): string | undefined {
    if (!this.type.namespaced) return undefined;
    const namespace = opts.namespace ?? obj.metadata?.namespace;
    if (namespace === undefined || namespace === "") {
      throw new Error(`${this.type.resource} ${obj.metadata?.name ?? "(unnamed)"} needs a namespace`);
    }
    return namespace;
  }

  #json<R>(
    method: HttpMethod,
    at: ObjectLocation,
    query: Record<string, string | number | boolean | undefined>,
    call: CallOptions,
    body?: unknown,
    contentType = "application/json",
  ): Promise<R> {
    const path = resourcePath(this.type, at) + queryString(query);
    const payload = body === undefined ? {} : { body: JSON.stringify(body), contentType };
    return sendForJson<R>(this.#transport, { method, path, signal: call.signal, ...payload });
  }
}

function nameOf(obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (name === undefined || name === "") throw new Error("object has no metadata.name");
  return name;
}

function writeQuery(opts: WriteOptions): Record<string, string | undefined> {
  return { fieldManager: opts.fieldManager, dryRun: opts.dryRun ? "All" : undefined };
}

/** Typed events from the JSON lines of a watch body; ends quietly once `signal` aborts. */
async function* watchEvents<T>(
  lines: AsyncGenerator<unknown, void, undefined>,
  signal: AbortSignal | undefined,
  close: () => void,
): AsyncGenerator<WatchEvent<T>, void, undefined> {
  try {
    for await (const line of lines) {
      const event = line as { type?: unknown; object?: unknown };
      if (typeof event.type !== "string" || typeof event.object !== "object" || event.object === null) {
        throw new Error(`watch stream: not an event: ${JSON.stringify(line).slice(0, 120)}`);
      }
      yield event as WatchEvent<T>;
    }
  } catch (err) {
    if (signal?.aborted) return;
    throw new Error("watch stream broke", { cause: err });
  } finally {
    close();
  }
}
