// What an informer needs from the API: list and watch of one collection. Owned here, by its
// consumer; `listWatchFrom` adapts a ResourceClient, tests use test/fakes/kube-list-watch.ts.
import { isGone } from "./api-error.ts";
import type { ResourceClient } from "./resource-client.ts";
import type { KubeObject, WatchEvent } from "./types.ts";

export interface ListWatchListOptions {
  /** "" = most recent (consistent read), "0" = any (the server's cache), else not older than. */
  resourceVersion: string;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  limit?: number | undefined;
  continue?: string | undefined;
  signal: AbortSignal;
}

export interface ListWatchWatchOptions {
  resourceVersion: string;
  allowWatchBookmarks: boolean;
  timeoutSeconds: number;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  signal: AbortSignal;
}

export interface ListPage<T> {
  items: T[];
  resourceVersion: string;
  continue?: string | undefined;
}

export interface ListWatch<T> {
  list(opts: ListWatchListOptions): Promise<ListPage<T>>;
  /** Rejects (e.g. with a 410 ApiError) when the watch cannot start; the iterable ends when the server
   *  closes the stream and must end, or throw, once `signal` aborts. */
  watch(opts: ListWatchWatchOptions): Promise<AsyncIterable<WatchEvent<T>>>;
}

/** A ListWatch over a resource client, optionally limited to one namespace. */
export function listWatchFrom<T extends KubeObject>(
  client: Pick<ResourceClient<T>, "list" | "watch">,
  scope: { namespace?: string } = {},
): ListWatch<T> {
  return {
    async list(opts) {
      const list = await client.list({ ...opts, namespace: scope.namespace });
      return {
        items: list.items,
        resourceVersion: list.metadata?.resourceVersion ?? "",
        continue: list.metadata?.continue || undefined,
      };
    },
    watch(opts) {
      return client.watch({ ...opts, namespace: scope.namespace });
    },
  };
}

export interface ListAllOptions {
  resourceVersion: string;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** Page size for consistent lists (resourceVersion ""); 0 turns paging off. */
  pageSize: number;
  signal: AbortSignal;
}

/**
 * Every item, following continue tokens. Like client-go's pager: only consistent lists are paged (a
 * list at "0" or at a given RV is served whole from the watch cache), and an expired continue token
 * falls back to one unpaged list.
 */
export async function listAll<T>(lw: ListWatch<T>, opts: ListAllOptions): Promise<ListPage<T>> {
  const base = {
    resourceVersion: opts.resourceVersion,
    labelSelector: opts.labelSelector,
    fieldSelector: opts.fieldSelector,
    signal: opts.signal,
  };
  if (opts.resourceVersion !== "" || opts.pageSize <= 0) return lw.list(base);
  const items: T[] = [];
  let page = await lw.list({ ...base, limit: opts.pageSize });
  items.push(...page.items);
  while (page.continue) {
    try {
      page = await lw.list({ ...base, limit: opts.pageSize, continue: page.continue });
    } catch (err) {
      if (!isGone(err)) throw err;
      return lw.list(base);
    }
    items.push(...page.items);
  }
  return { items, resourceVersion: page.resourceVersion };
}
