// ResourceSlice garbage collection in an in-process NetclaimController on the stand-in API server:
// slices of a node that does not exist are deleted after the grace period (with a uid precondition),
// slices of live nodes and of other drivers stay, a node deleted later takes its slices with it, and
// a slice whose Node owner was replaced by a new Node of the same name goes too.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NetclaimController } from "../../../src/controller/controller.ts";
import type { FakeApiServer } from "../../harness/api-server/index.ts";
import {
  eventually,
  inProcessController,
  nodeObject,
  ref,
  sliceObject,
  startServer,
} from "./runtime-support.ts";

const GRACE_MS = 300;

let server: FakeApiServer;
let controller: NetclaimController;

beforeEach(async () => {
  server = await startServer();
  controller = inProcessController(server, { sliceGcGracePeriodMs: GRACE_MS });
});

afterEach(async () => {
  await controller.stop();
  await server.stop();
});

const sliceNames = () =>
  server
    .listObjects({ group: "resource.k8s.io", resource: "resourceslices" })
    .map((s) => s.metadata?.name)
    .sort();

describe("ResourceSlice garbage collection", () => {
  it("deletes slices of missing nodes after the grace period and keeps the rest", async () => {
    server.seed(nodeObject("node-a"));
    server.seed(sliceObject({ node: "node-a" }));
    server.seed(sliceObject({ node: "gone" }));
    server.seed(sliceObject({ node: "gone", driver: "dra.net" }));
    const startedMs = Date.now();
    await controller.start();
    await eventually(() => !sliceNames().includes("gone-netclaim.dev-slice"), "stale slice deleted");
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(GRACE_MS);
    expect(sliceNames()).toEqual(["gone-dra.net-slice", "node-a-netclaim.dev-slice"]);
    const deletes = server.requests().filter((r) => r.verb === "delete" && r.resource === "resourceslices");
    expect(deletes.map((r) => r.name)).toEqual(["gone-netclaim.dev-slice"]);
    const nodeReads = server.requests().filter((r) => r.verb === "get" && r.resource === "nodes");
    expect(nodeReads.map((r) => r.name)).toContain("gone"); // checked live before deleting
    const metrics = await controller.metrics.render();
    expect(metrics.body).toContain('netclaim_controller_gc_deleted_total{kind="resourceslice"} 1');
  });

  it("collects a node's slices once the node is deleted, and those of a replaced owner node", async () => {
    const nodeB = server.seed(nodeObject("node-b"));
    const nodeC = server.seed(nodeObject("node-c"));
    server.seed(sliceObject({ node: "node-b", owner: { name: "node-b", uid: nodeB.metadata!.uid! } }));
    server.seed(sliceObject({ node: "node-c", owner: { name: "node-c", uid: nodeC.metadata!.uid! } }));
    await controller.start();
    await eventually(() => controller.health().healthy, "synced");
    expect(sliceNames()).toHaveLength(2);

    server.removeObject({ group: "", resource: "nodes", name: "node-b" });
    server.removeObject({ group: "", resource: "nodes", name: "node-c" });
    server.seed(nodeObject("node-c")); // a new node-c: another uid than the slice's owner
    await eventually(() => sliceNames().length === 0, "both slices collected");
    expect(server.getObject(ref.slice("node-b-netclaim.dev-slice"))).toBeUndefined();
  });
});
