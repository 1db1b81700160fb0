// Decisions over cache entries. Pure.
//  - planDelete: the DELs that undo an attachment: every network, last attached first, including those
//    still "pending" (an ADD that crashed or failed half-way may have attached part of them; a DEL of a
//    network that was never attached is harmless, CNI DEL must succeed when there is nothing to remove).
//  - planGc: CNI 1.1 GC's `cni.dev/valid-attachments` against the cache: entries whose (containerID,
//    ifname) the runtime does not list are stale. Without the list nothing is stale.
import type { GcAttachment } from "../delegate/delegate-types.ts";
import type { JsonObject } from "../delegate/json.ts";
import type { AttachmentKey } from "./cache-key.ts";
import type { AttachmentCacheEntry, NetworkStatus } from "./entry-schema.ts";

export interface PlannedDelete {
  /** The network's name in the entry (ns/name or the cluster network's). */
  network: string;
  /** Its position in attach order. */
  index: number;
  status: NetworkStatus;
  containerID: string;
  netns: string;
  ifName: string;
  cniArgs: string;
  config: JsonObject;
  runtimeConfig: JsonObject;
  /** The network's ADD result, when it was recorded. */
  prevResult: JsonObject | undefined;
  deviceInfoFile: string | undefined;
}

export function planDelete(entry: AttachmentCacheEntry): PlannedDelete[] {
  return entry.networks
    .map((n, index): PlannedDelete => ({
      network: n.name,
      index,
      status: n.status,
      containerID: entry.containerID,
      netns: entry.netns,
      ifName: n.ifName,
      cniArgs: n.cniArgs,
      config: n.config,
      runtimeConfig: n.runtimeConfig,
      prevResult: n.result,
      deviceInfoFile: n.deviceInfoFile,
    }))
    .reverse();
}

export interface GcPlan<T extends AttachmentKey> {
  /** Not in the runtime's list: DEL their networks, then remove them. */
  stale: T[];
  keep: T[];
}

/**
 * Splits cached attachments (entries, or corrupt files by their key) by the runtime's valid list.
 * `valid` undefined (a GC without `cni.dev/valid-attachments`) keeps everything.
 */
export function planGc<T extends AttachmentKey>(
  cached: readonly T[],
  valid: readonly GcAttachment[] | undefined,
): GcPlan<T> {
  if (valid === undefined) return { stale: [], keep: [...cached] };
  const validKeys = new Set(valid.map((a) => JSON.stringify([a.containerID, a.ifname])));
  const plan: GcPlan<T> = { stale: [], keep: [] };
  for (const item of cached) {
    (validKeys.has(JSON.stringify([item.containerID, item.ifname])) ? plan.keep : plan.stale).push(item);
  }
  return plan;
}
