// Building and updating attachment cache entries. Pure: every function returns a new entry.
// The ADD writes `newCacheEntry(...)` (all networks "pending") before its first delegate runs, then
// `markNetworkAdded(...)` after each delegate succeeds.
import type { JsonObject } from "../delegate/json.ts";
import { ATTACHMENT_CACHE_API_VERSION, ATTACHMENT_CACHE_KIND } from "./entry-schema.ts";
import type { AttachmentCacheEntry, CachedNetwork } from "./entry-schema.ts";

export interface PlannedNetwork {
  name: string;
  ifName: string;
  cniArgs: string;
  config: JsonObject;
  runtimeConfig: JsonObject;
  default?: boolean;
  deviceInfoFile?: string;
}

export interface NewCacheEntryInput {
  containerID: string;
  netns: string;
  ifname: string;
  pod: { namespace: string; name: string; uid: string };
  cniArgs: string;
  /** In attach order. */
  networks: readonly PlannedNetwork[];
}

export function newCacheEntry(input: NewCacheEntryInput): AttachmentCacheEntry {
  return {
    apiVersion: ATTACHMENT_CACHE_API_VERSION,
    kind: ATTACHMENT_CACHE_KIND,
    containerID: input.containerID,
    netns: input.netns,
    ifname: input.ifname,
    pod: { ...input.pod },
    cniArgs: input.cniArgs,
    networks: input.networks.map((n): CachedNetwork => ({ ...n, status: "pending" })),
  };
}

/** The entry with network `index` added, carrying its result. */
export function markNetworkAdded(
  entry: AttachmentCacheEntry,
  index: number,
  result: JsonObject,
): AttachmentCacheEntry {
  if (!Number.isInteger(index) || index < 0 || index >= entry.networks.length) {
    throw new RangeError(
      `no network ${index} in the cache entry of ${entry.containerID} (${entry.networks.length} networks)`,
    );
  }
  const networks = entry.networks.map((n, i): CachedNetwork =>
    i === index ? { ...n, status: "added", result } : n,
  );
  return { ...entry, networks };
}
