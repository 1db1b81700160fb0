// Where a device's pool comes from, and sharing status.devices with the node side, against the stand-in
// API server: a NAD whose resourceName is the request's DeviceClass, a NAD whose resourceName is the
// device's attribute in its ResourceSlice; the node side's fields (interfaceName, hardwareAddress, Ready)
// and the controller's (ips, AddressesAllocated) live in one entry under two field managers, and a
// node side that claims `ips` with other values is a conflict the reconcile reports by name.
import { afterEach, describe, expect, it } from "vitest";
import type { ResourceClaim } from "../../../src/controller/ipam/types.ts";
import { RESOURCE_TYPES } from "../../../src/k8s/resource-path.ts";
import type { KubeObject } from "../../../src/k8s/types.ts";
import {
  claimsOf,
  createAllocatedClaim,
  DRIVER,
  NAMESPACE,
  reconcilerFor,
  startWorld,
} from "./ipam-support.ts";
import type { World } from "./ipam-support.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

async function createNad(w: World, name: string, resourceName: string, pool: string): Promise<void> {
  await w.kube.resource(RESOURCE_TYPES.networkAttachmentDefinitions).create({
    apiVersion: "k8s.cni.cncf.io/v1",
    kind: "NetworkAttachmentDefinition",
    metadata: {
      namespace: NAMESPACE,
      name,
      annotations: { "k8s.v1.cni.cncf.io/resourceName": resourceName, "netclaim.dev/ip-pool": pool },
    },
    spec: { config: '{"cniVersion":"1.0.0","type":"host-device"}' },
  } as KubeObject);
}

function ipsOf(w: World, name: string): string[] {
  const claim = claimsOf(w.server).find((c) => c.metadata?.name === name);
  return claim?.status?.devices?.flatMap((d) => d.networkData?.ips ?? []) ?? [];
}

const NODE_MANAGER = "netclaim.dev/kubelet-plugin";

async function applyNodeSide(w: World, claim: string, device: string, extra: object = {}): Promise<void> {
  const applied = {
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceClaim",
    metadata: { namespace: NAMESPACE, name: claim },
    status: {
      devices: [
        {
          driver: DRIVER,
          pool: "node-1",
          device,
          networkData: { interfaceName: "net1", hardwareAddress: "02:00:00:00:00:01", ...extra },
          conditions: [
            {
              type: "Ready",
              status: "True",
              reason: "NetworkReady",
              message: "",
              lastTransitionTime: "2026-01-01T00:00:00Z",
            },
          ],
        },
      ],
    },
  };
  await w.kube.resource<ResourceClaim & KubeObject>(RESOURCE_TYPES.resourceClaims).patch(claim, applied, {
    type: "apply",
    subresource: "status",
    namespace: NAMESPACE,
    fieldManager: NODE_MANAGER,
  });
}

describe("IPAM: pools named by NADs", () => {
  it("a NAD whose resourceName is the request's DeviceClass", async () => {
    world = await startWorld({ "pool-n": { cidrs: ["10.70.0.0/24"] } });
    await createNad(world, "net1", "sf-pool-1", "pool-n");
    await createAllocatedClaim(world.kube, { name: "a", deviceClass: "sf-pool-1" });
    await createAllocatedClaim(world.kube, { name: "b", deviceClass: "unrelated" });
    const ipam = reconcilerFor(world.server);
    await ipam.reconcileClaim(`${NAMESPACE}/a`);
    await ipam.reconcileClaim(`${NAMESPACE}/b`);
    expect([ipsOf(world, "a"), ipsOf(world, "b")]).toEqual([["10.70.0.1/24"], []]);
  });

  it("a NAD whose resourceName is the device's attribute in its ResourceSlice", async () => {
    world = await startWorld({ "pool-n": { cidrs: ["10.71.0.0/24"] } });
    await createNad(world, "sriov", "sriov-x", "pool-n");
    await world.kube.resource(RESOURCE_TYPES.resourceSlices).create({
      apiVersion: "resource.k8s.io/v1",
      kind: "ResourceSlice",
      metadata: { name: "node-1-netclaim" },
      spec: {
        driver: DRIVER,
        pool: { name: "node-1", generation: 1, resourceSliceCount: 1 },
        nodeName: "node-1",
        devices: [{ name: "vf-7", attributes: { "k8s.cni.cncf.io/resourceName": { string: "sriov-x" } } }],
      },
    } as KubeObject);
    await createAllocatedClaim(world.kube, { name: "a", deviceClass: "generic", device: "vf-7" });
    await reconcilerFor(world.server).reconcileClaim(`${NAMESPACE}/a`);
    expect(ipsOf(world, "a")).toEqual(["10.71.0.1/24"]);
  });
});

describe("IPAM: status.devices shared with the node side", () => {
  it("both managers' fields live in one entry, and survive each other's applies", async () => {
    world = await startWorld({ "pool-a": { cidrs: ["10.72.0.0/24"] } });
    await createAllocatedClaim(world.kube, { name: "a", pool: "pool-a", device: "vf-0" });
    await applyNodeSide(world, "a", "vf-0");
    const ipam = reconcilerFor(world.server);
    await ipam.reconcileClaim(`${NAMESPACE}/a`);
    await applyNodeSide(world, "a", "vf-0"); // the node side again: our fields stay
    await ipam.reconcileClaim(`${NAMESPACE}/a`);
    const [claim] = claimsOf(world.server);
    expect(claim?.status?.devices).toHaveLength(1);
    expect(claim?.status?.devices?.[0]).toMatchObject({
      device: "vf-0",
      networkData: { interfaceName: "net1", hardwareAddress: "02:00:00:00:00:01", ips: ["10.72.0.1/24"] },
    });
    expect(claim?.status?.devices?.[0]?.conditions?.map((c) => c.type).sort()).toEqual([
      "AddressesAllocated",
      "Ready",
    ]);
  });

  it("the node side owning `ips` with other values: the reconcile fails naming the conflict", async () => {
    world = await startWorld({ "pool-a": { cidrs: ["10.73.0.0/24"] } });
    await createAllocatedClaim(world.kube, { name: "a", pool: "pool-a", device: "vf-0" });
    await applyNodeSide(world, "a", "vf-0", { ips: ["192.0.2.9/24"] });
    await expect(reconcilerFor(world.server).reconcileClaim(`${NAMESPACE}/a`)).rejects.toSatisfy(
      (err: Error) => {
        let text = "";
        for (let e: unknown = err; e instanceof Error; e = e.cause) text += ` ${e.message}`;
        return /apply status\.devices of claim team-a\/a: other managers own .*kubelet-plugin/.test(text);
      },
    );
  });
});
