// ResourceSlice GC decisions: which slices are stale (no Node, or an owner Node of another uid), what
// is never touched (other drivers, slices not bound to one node, slices being deleted), and the grace
// period counted from both creation and first sighting.
import { describe, expect, it } from "vitest";
import { decideSliceGc } from "../../../../src/controller/gc/stale-slices.ts";
import type { SliceGcDecision, SliceGcInput } from "../../../../src/controller/gc/stale-slices.ts";
import type { ResourceSlice } from "../../../../src/k8s/resource-slice-types.ts";

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const GRACE = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();

function slice(opts: {
  driver?: string;
  nodeName?: string;
  createdMs?: number;
  owner?: string;
  deleting?: boolean;
}): ResourceSlice {
  return {
    metadata: {
      name: "node-a-netclaim.dev-x",
      uid: "s1",
      creationTimestamp: iso(opts.createdMs ?? NOW - 3_600_000),
      ...(opts.owner
        ? { ownerReferences: [{ apiVersion: "v1", kind: "Node", name: "node-a", uid: opts.owner }] }
        : {}),
      ...(opts.deleting ? { deletionTimestamp: iso(NOW) } : {}),
    },
    spec: {
      driver: opts.driver ?? "netclaim.dev",
      pool: { name: "node-a", generation: 1, resourceSliceCount: 1 },
      ...(opts.nodeName === "" ? { allNodes: true } : { nodeName: opts.nodeName ?? "node-a" }),
      devices: [],
    },
  };
}

describe("decideSliceGc", () => {
  it.each<{ name: string; input: Partial<SliceGcInput>; want: SliceGcDecision }>([
    {
      name: "node exists",
      input: { node: { uid: "n1" } },
      want: { type: "keep", why: "node-exists" },
    },
    {
      name: "node exists with the owner's uid",
      input: { slice: slice({ owner: "n1" }), node: { uid: "n1" } },
      want: { type: "keep", why: "node-exists" },
    },
    {
      name: "another driver's slice of a missing node",
      input: { slice: slice({ driver: "dra.net" }) },
      want: { type: "keep", why: "other-driver" },
    },
    {
      name: "a slice for all nodes",
      input: { slice: slice({ nodeName: "" }) },
      want: { type: "keep", why: "not-node-local" },
    },
    {
      name: "being deleted already",
      input: { slice: slice({ deleting: true }) },
      want: { type: "keep", why: "deleting" },
    },
    {
      name: "node missing, first seen now: wait the grace period",
      input: {},
      want: { type: "wait", staleSinceMs: NOW, afterMs: GRACE, why: "node node-a does not exist" },
    },
    {
      name: "node missing, stale for longer than the grace: delete",
      input: { staleSinceMs: NOW - GRACE },
      want: { type: "delete", why: "node node-a does not exist" },
    },
    {
      name: "node missing, slice just created (a node mid-registration): wait from creation",
      input: { slice: slice({ createdMs: NOW - 10_000 }), staleSinceMs: NOW - 5 * GRACE },
      want: {
        type: "wait",
        staleSinceMs: NOW - 5 * GRACE,
        afterMs: GRACE - 10_000,
        why: "node node-a does not exist",
      },
    },
    {
      name: "owner node replaced by a node of the same name",
      input: { slice: slice({ owner: "old" }), node: { uid: "new" }, staleSinceMs: NOW - GRACE },
      want: { type: "delete", why: "owner node node-a uid old was replaced by uid new" },
    },
    {
      name: "no owner reference: the name alone decides",
      input: { slice: slice({}), node: { uid: "whatever" }, staleSinceMs: NOW - GRACE },
      want: { type: "keep", why: "node-exists" },
    },
  ])("$name", ({ input, want }) => {
    const decision = decideSliceGc({
      slice: slice({}),
      driverName: "netclaim.dev",
      node: undefined,
      staleSinceMs: undefined,
      nowMs: NOW,
      gracePeriodMs: GRACE,
      ...input,
    });
    expect(decision).toEqual(want);
  });
});
