// Pure decision: is a ResourceSlice of this driver left behind by a node that no longer exists?
// A node-local slice (spec.nodeName) is stale when no Node of that name exists, or when its Node
// owner reference names another incarnation (a Node of that name with a different uid) — what the
// cluster's garbage collector would delete too, when the owner reference is there. Deletion waits for
// a grace period, counted both from the slice's creation and from when this controller first saw it
// stale, so a node mid-registration (or an informer a moment behind) is not raced.
import type { ResourceSlice } from "../../k8s/resource-slice-types.ts";

export const DEFAULT_SLICE_GC_GRACE_MS = 60_000;

export interface NodeSeen {
  uid?: string | undefined;
}

export interface SliceGcInput {
  slice: ResourceSlice;
  driverName: string;
  /** The Node named by spec.nodeName, undefined when there is none. */
  node: NodeSeen | undefined;
  /** When this controller first found the slice stale; undefined if this is the first time. */
  staleSinceMs: number | undefined;
  nowMs: number;
  gracePeriodMs: number;
}

export type SliceGcDecision =
  | { type: "keep"; why: "other-driver" | "not-node-local" | "node-exists" | "deleting" }
  | { type: "wait"; staleSinceMs: number; afterMs: number; why: string }
  | { type: "delete"; why: string };

/** The Node owner reference of the slice, if any. */
export function nodeOwnerOf(slice: ResourceSlice): { name: string; uid: string } | undefined {
  return slice.metadata?.ownerReferences?.find((o) => o.kind === "Node" && o.apiVersion === "v1");
}

/** Why the slice is stale, or undefined when its node is there. */
export function staleReason(slice: ResourceSlice, node: NodeSeen | undefined): string | undefined {
  const nodeName = slice.spec?.nodeName ?? "";
  if (node === undefined) return `node ${nodeName} does not exist`;
  const owner = nodeOwnerOf(slice);
  if (owner !== undefined && node.uid !== undefined && owner.uid !== node.uid) {
    return `owner node ${nodeName} uid ${owner.uid} was replaced by uid ${node.uid}`;
  }
  return undefined;
}

function createdMs(slice: ResourceSlice): number | undefined {
  const ts = slice.metadata?.creationTimestamp;
  const ms = ts === undefined ? Number.NaN : Date.parse(ts);
  return Number.isFinite(ms) ? ms : undefined;
}

export function decideSliceGc(input: SliceGcInput): SliceGcDecision {
  const { slice, nowMs, gracePeriodMs } = input;
  if (slice.spec?.driver !== input.driverName) return { type: "keep", why: "other-driver" };
  if (!slice.spec.nodeName) return { type: "keep", why: "not-node-local" };
  if (slice.metadata?.deletionTimestamp !== undefined) return { type: "keep", why: "deleting" };
  const why = staleReason(slice, input.node);
  if (why === undefined) return { type: "keep", why: "node-exists" };
  const staleSinceMs = input.staleSinceMs ?? nowMs;
  const eligibleMs = Math.max(staleSinceMs, createdMs(slice) ?? staleSinceMs) + gracePeriodMs;
  if (nowMs >= eligibleMs) return { type: "delete", why };
  return { type: "wait", staleSinceMs, afterMs: eligibleMs - nowMs, why };
}
