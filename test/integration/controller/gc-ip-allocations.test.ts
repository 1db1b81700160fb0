// Garbage collection of a deleted IPPool's IPAllocations (in process, stand-in API server with the
// project's CRDs): they go once the pool stayed deleted for the grace period, and IPAM then tells
// the claim (PoolNotFound); a pool put back within the grace period keeps its addresses.
import { afterEach, describe, expect, it } from "vitest";
import type { NetclaimController } from "../../../src/controller/controller.ts";
import { RESOURCE_TYPES } from "../../../src/k8s/resource-path.ts";
import type { KubeObject } from "../../../src/k8s/types.ts";
import {
  allocationsOf,
  claimsOf,
  createAllocatedClaim,
  ourCondition,
  startWorld,
  statusIps,
} from "./ipam-support.ts";
import type { World } from "./ipam-support.ts";
import { eventually, eventuallyAsync, inProcessController } from "./runtime-support.ts";

let world: World;
let controller: NetclaimController;

afterEach(async () => {
  await controller?.stop();
  await world?.stop();
});

const POOL = { cidrs: ["10.20.0.0/28"] };

const poolObject = (name: string): KubeObject =>
  ({ apiVersion: "netclaim.dev/v1alpha1", kind: "IPPool", metadata: { name }, spec: POOL }) as KubeObject;

async function gcPasses(): Promise<number> {
  const metric = controller.metrics.registry.getSingleMetric("netclaim_controller_reconcile_total");
  const values = (await metric?.get())?.values ?? [];
  return values
    .filter((v) => v.labels.controller === "ip-allocation-gc")
    .reduce((sum, v) => sum + v.value, 0);
}

describe("IPAllocations of deleted IPPools", () => {
  it("are deleted after the grace period; the claim then shows the pool is missing", async () => {
    world = await startWorld({ "pool-a": POOL, "pool-b": POOL });
    controller = inProcessController(world.server, { poolGcGracePeriodMs: 300 });
    await controller.start();
    await createAllocatedClaim(world.kube, { name: "c1", pool: "pool-a" });
    await createAllocatedClaim(world.kube, { name: "c2", pool: "pool-b" });
    await eventually(() => allocationsOf(world.server).length === 2, "both allocated");

    const deletedAt = Date.now();
    await world.kube.resource(RESOURCE_TYPES.ipPools).delete("pool-a");
    await eventually(() => allocationsOf(world.server).length === 1, "pool-a's allocation collected");
    expect(Date.now() - deletedAt).toBeGreaterThanOrEqual(300);
    expect(allocationsOf(world.server).map((a) => a.spec.pool)).toEqual(["pool-b"]);
    await eventually(() => (statusIps(world.server).get("c1") ?? []).length === 0, "c1 lost its address");
    const c1 = claimsOf(world.server).find((c) => c.metadata?.name === "c1")!;
    expect(ourCondition(c1)).toMatchObject({ status: "False", reason: "PoolNotFound" });
    expect(statusIps(world.server).get("c2")).toHaveLength(1);
    expect((await controller.metrics.render()).body).toContain(
      'netclaim_controller_reconcile_total{controller="ip-allocation-gc",result="requeue"}',
    );
  });

  it("keeps the addresses of a pool put back within the grace period", async () => {
    const GRACE_MS = 1_000;
    world = await startWorld({ "pool-a": POOL, "pool-z": POOL });
    controller = inProcessController(world.server, { poolGcGracePeriodMs: GRACE_MS });
    await controller.start();
    await createAllocatedClaim(world.kube, { name: "c1", pool: "pool-a" });
    await eventually(() => allocationsOf(world.server).length === 1, "allocated");

    const pools = world.kube.resource(RESOURCE_TYPES.ipPools);
    let passes = await gcPasses();
    const scanned = async (what: string): Promise<void> => {
      const before = passes;
      await eventuallyAsync(async () => (passes = await gcPasses()) > before, what);
    };
    await pools.delete("pool-a");
    await scanned("a scan sees pool-a missing");
    await pools.create(poolObject("pool-a"));
    await scanned("a scan sees pool-a back");
    // Let pool-a's old grace period run out, then make the collector look again.
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 100));
    await pools.delete("pool-z");
    await scanned("a scan after the grace period");
    expect(allocationsOf(world.server)).toHaveLength(1);
    expect(world.server.requestCount({ verb: "delete", resource: "ipallocations" })).toBe(0);
  });
});
