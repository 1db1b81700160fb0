// IPAM wired into the controller runtime (in process, stand-in API server with the project's CRDs):
// claim events reach reconcileClaim, the pool comes from the claim's config or from a NAD (read from
// the term's informers: NAD by the device's resourceName attribute in a ResourceSlice), pool
// statuses and the IPAM metrics follow, deleting a claim frees its address, and IPAllocations are read
// from the term's informer (CachedAllocationStore), not listed per claim.
import { afterEach, describe, expect, it } from "vitest";
import type { NetclaimController } from "../../../src/controller/controller.ts";
import {
  allocationsOf,
  createAllocatedClaim,
  createClaims,
  NAMESPACE,
  startWorld,
  statusIps,
  deleteClaim,
} from "./ipam-support.ts";
import type { World } from "./ipam-support.ts";
import {
  eventually,
  eventuallyAsync,
  inProcessController,
  nadObject,
  nodeObject,
  sliceObject,
} from "./runtime-support.ts";

let world: World;
let controller: NetclaimController;

afterEach(async () => {
  await controller?.stop();
  await world?.stop();
});

async function metricsText(): Promise<string> {
  return (await controller.metrics.render()).body;
}

describe("IPAM in the controller runtime", () => {
  it("allocates from the claim's pool, keeps the pool status and metrics, frees on claim deletion", async () => {
    world = await startWorld({
      "pool-a": { cidrs: ["10.10.0.0/24"], ranges: [{ start: "10.10.0.10", end: "10.10.0.20" }] },
    });
    controller = inProcessController(world.server);
    await controller.start();
    await createAllocatedClaim(world.kube, { name: "c1", pool: "pool-a" });
    await eventually(() => (statusIps(world.server).get("c1") ?? []).length === 1, "c1 has an address");
    expect(statusIps(world.server).get("c1")).toEqual(["10.10.0.10/24"]);
    expect(allocationsOf(world.server).map((a) => a.metadata.name)).toEqual(["pool-a-v4-10-10-0-10"]);
    const pool = () =>
      world.server.getObject({ group: "netclaim.dev", resource: "ippools", name: "pool-a" }) as
        { status?: { allocated?: number; size?: string } } | undefined;
    await eventually(() => pool()?.status?.allocated === 1, "pool status counts it");
    expect(pool()?.status?.size).toBe("11");
    let lastMetrics = "";
    await eventuallyAsync(async () => {
      lastMetrics = await metricsText();
      return /netclaim_ipam_allocations\{pool="pool-a"\} 1/.test(lastMetrics);
    }, "pool usage in the metrics");
    expect(lastMetrics).toMatch(/netclaim_ipam_pool_size\{pool="pool-a"\} 11/);
    expect(lastMetrics).toMatch(/netclaim_ipam_addresses_total\{operation="allocate"\} 1/);
    expect(lastMetrics).toMatch(
      /netclaim_controller_reconcile_total\{controller="ipam-claims",result="success"\}/,
    );

    await deleteClaim(world.kube, "c1");
    await eventually(() => allocationsOf(world.server).length === 0, "address freed");
    await eventually(
      () =>
        world.server.getObject({
          group: "resource.k8s.io",
          resource: "resourceclaims",
          namespace: NAMESPACE,
          name: "c1",
        }) === undefined,
      "finalizer removed, claim gone",
    );
  });

  it("reads IPAllocations from one watch, never a list per claim", async () => {
    world = await startWorld({ "pool-c": { cidrs: ["10.12.0.0/24"] } });
    controller = inProcessController(world.server);
    await controller.start();
    const names = Array.from({ length: 20 }, (_, i) => `w${i}`);
    await createClaims(
      world.kube,
      names.map((name) => ({ name, pool: "pool-c" })),
    );
    await eventually(
      () => names.every((n) => (statusIps(world.server).get(n) ?? []).length === 1),
      "every claim has an address",
    );
    const shown = names.map((n) => statusIps(world.server).get(n)?.[0]);
    expect(new Set(shown).size).toBe(names.length);
    expect(allocationsOf(world.server)).toHaveLength(names.length);
    // the term's informer listed once and watches; reconciles, the resync and the GC read its cache
    expect(world.server.requestCount({ verb: "list", resource: "ipallocations" })).toBe(1);
    expect(world.server.requestCount({ verb: "watch", resource: "ipallocations" })).toBeGreaterThan(0);
    expect(world.server.requestCount({ verb: "create", resource: "ipallocations" })).toBe(names.length);
  });

  it("finds the pool through a NAD matching the device's resourceName attribute", async () => {
    world = await startWorld({ "pool-b": { cidrs: ["fd00:10::/120"] } });
    world.server.seed(nodeObject("node-1"));
    world.server.seed({ ...sliceObject({ node: "node-1", resourceNames: ["sf-pool-1"] }) });
    const nad = nadObject("net-b", "sf-pool-1", { namespace: NAMESPACE });
    nad.metadata!.annotations = { ...nad.metadata!.annotations, "netclaim.dev/ip-pool": "pool-b" };
    world.server.seed(nad);
    controller = inProcessController(world.server);
    await controller.start();
    // The request's class is not the resourceName: only the device attribute links claim and NAD.
    await createAllocatedClaim(world.kube, { name: "c2", deviceClass: "some-class", device: "dev-0" });
    await eventually(() => (statusIps(world.server).get("c2") ?? []).length === 1, "c2 has an address");
    expect(statusIps(world.server).get("c2")?.[0]).toMatch(/^fd00:10::[0-9a-f]+\/120$/);
    expect(world.server.requestCount({ verb: "list", resource: "network-attachment-definitions" })).toBe(1);
  });
});
