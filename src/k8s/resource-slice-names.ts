// Names and owners of this node's ResourceSlices, as the upstream helper makes them: the slice's
// index in hex first (the allocator sorts slices by name, and the index is how a publisher finds its
// slices again), then driver and node, then the API server's random suffix.
import type { OwnerReference } from "./types.ts";

/** Upstream's minimum width of the hex index that starts every slice name. */
const INDEX_MIN_LENGTH = 5;
/** The API server keeps at most 58 characters of a generateName (63 minus its 5 random ones). */
const MAX_GENERATE_NAME_LENGTH = 58;

/** The width of the hex index for a pool of `count` slices (upstream's getIndexLength). */
export function indexLength(count: number): number {
  return Math.max(INDEX_MIN_LENGTH, Math.max(0, count - 1).toString(16).length);
}

/** "0000a-<driver>-<node>-", cut to what the API server keeps of a generateName. */
export function sliceGenerateName(index: number, width: number, driver: string, nodeName: string): string {
  const prefix = `${index.toString(16).padStart(width, "0")}-${driver}-${nodeName}-`;
  return prefix.slice(0, MAX_GENERATE_NAME_LENGTH);
}

/** The index a slice name starts with, or undefined when it has not exactly `width` hex digits first. */
export function sliceIndexOf(name: string, width: number): number | undefined {
  const dash = name.indexOf("-");
  if (dash !== width || !/^[0-9a-f]+$/.test(name.slice(0, dash))) return undefined;
  return Number.parseInt(name.slice(0, dash), 16);
}

/** The Node as controlling owner of its slices (upstream sets controller: true). */
export function nodeOwnerReference(nodeName: string, uid: string): OwnerReference {
  return { apiVersion: "v1", kind: "Node", name: nodeName, uid, controller: true };
}
