// ResourceClaim status.devices from the CNI side: what goes in (pure), and the server-side apply against
// the stand-in API server — own field manager, force=false, conflicts with another manager refused,
// transient conflicts retried.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ApiClaimStatusWriter,
  claimStatusApplyPatch,
  claimStatusUpdates,
} from "../../../../src/cni/correlation/claim-status.ts";
import type { AttachedClaimDevice } from "../../../../src/cni/correlation/claim-status.ts";
import type { Result100 } from "../../../../src/cni/protocol/result.ts";
import { KubeClient } from "../../../../src/k8s/client.ts";
import { loadKubeConfig } from "../../../../src/k8s/kube-config.ts";
import { RESOURCE_TYPES } from "../../../../src/k8s/resource-path.ts";
import type { KubeObject } from "../../../../src/k8s/types.ts";
import { FakeApiServer } from "../../../harness/api-server/index.ts";
import { claimDevice, pluginDevice } from "../../../fakes/cni-devices.ts";
import { claimObject } from "./support.ts";

function result(ifName: string, mac: string, ...addresses: string[]): Result100 {
  return {
    cniVersion: "1.1.0",
    interfaces: [{ name: "host-side" }, { name: ifName, mac, sandbox: "/var/run/netns/p" }],
    ips: addresses.map((address) => ({ address, interface: 1 })),
    routes: [],
    dns: {},
  };
}

describe("claimStatusUpdates", () => {
  const attached: AttachedClaimDevice[] = [
    {
      network: "ns1/sf-a",
      ifName: "net1",
      device: claimDevice({ device: "sf-1" }),
      result: result("net1", "02:00:00:00:00:01", "10.1.0.5/24", "fd00::5/64", "10.1.0.5/24"),
    },
    {
      network: "ns1/vf",
      ifName: "net2",
      device: claimDevice({ device: "vf-1", claimName: "claim-b", shareID: "s-1" }),
      result: result("net2", ""),
    },
    {
      network: "ns1/sf-b",
      ifName: "net3",
      device: claimDevice({ device: "sf-2" }),
      result: result("net3", "02:00:00:00:00:03"),
    },
    {
      network: "ns1/other",
      ifName: "net4",
      device: claimDevice({ device: "x", driver: "dra.net" }),
      result: result("net4", "m"),
    },
    {
      network: "ns1/dp",
      ifName: "net5",
      device: pluginDevice("intel.com/vf", "0000:af:0a.3"),
      result: result("net5", "m"),
    },
  ];

  it("groups the driver's claim devices by claim, with each network's pod interface, addresses and MAC", () => {
    expect(claimStatusUpdates(attached, { driverName: "netclaim.dev", pod: "ns1/pod-a" })).toEqual([
      {
        claim: { namespace: "ns1", name: "claim-a" },
        devices: [
          {
            driver: "netclaim.dev",
            pool: "node-1",
            device: "sf-1",
            networkData: {
              interfaceName: "net1",
              ips: ["10.1.0.5/24", "fd00::5/64"],
              hardwareAddress: "02:00:00:00:00:01",
            },
            message: "attached to pod ns1/pod-a as net1 (network ns1/sf-a)",
          },
          {
            driver: "netclaim.dev",
            pool: "node-1",
            device: "sf-2",
            networkData: { interfaceName: "net3", ips: [], hardwareAddress: "02:00:00:00:00:03" },
            message: "attached to pod ns1/pod-a as net3 (network ns1/sf-b)",
          },
        ],
      },
      {
        claim: { namespace: "ns1", name: "claim-b" },
        devices: [
          {
            driver: "netclaim.dev",
            pool: "node-1",
            device: "vf-1",
            shareID: "s-1",
            networkData: { interfaceName: "net2", ips: [] },
            message: "attached to pod ns1/pod-a as net2 (network ns1/vf)",
          },
        ],
      },
    ]);
  });

  it("keeps at most 16 addresses, as the API allows", () => {
    const many = Array.from({ length: 20 }, (_, i) => `10.2.0.${i + 1}/24`);
    const [update] = claimStatusUpdates(
      [
        {
          network: "n",
          ifName: "net1",
          device: claimDevice({ device: "d" }),
          result: result("net1", "m", ...many),
        },
      ],
      { driverName: "netclaim.dev", pod: "p" },
    );
    expect(update?.devices[0]?.networkData.ips).toEqual(many.slice(0, 16));
  });
});

describe("ApiClaimStatusWriter against the stand-in API server", () => {
  const server = new FakeApiServer();
  let client: KubeClient;
  beforeAll(async () => {
    await server.start();
    client = new KubeClient({
      kubeConfig: loadKubeConfig({ kind: "yaml", yaml: server.kubeconfigYaml() }),
      component: "test",
    });
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    server.clearFaults();
    server.resetRequests();
    server.seed(
      claimObject({
        name: "claim-a",
        requests: { nic: "sf-pool-1" },
        results: [{ request: "nic", device: "sf-1" }],
      }),
    );
  });

  const claims = () => client.resource<KubeObject>(RESOURCE_TYPES.resourceClaims);
  const writer = (fieldManager = "netclaim.dev/cni") =>
    new ApiClaimStatusWriter({ claims: claims(), fieldManager, random: () => 0 });
  const status = {
    driver: "netclaim.dev",
    pool: "node-1",
    device: "sf-1",
    networkData: { interfaceName: "net1", ips: ["10.1.0.5/24"], hardwareAddress: "02:00:00:00:00:01" },
    message: "attached to pod ns1/pod-a as net1 (network ns1/sf)",
  };
  const claimRef = { namespace: "ns1", name: "claim-a" };
  const devicesOf = (): unknown =>
    (
      server.getObject({
        group: "resource.k8s.io",
        resource: "resourceclaims",
        namespace: "ns1",
        name: "claim-a",
      }) as {
        status?: { devices?: unknown };
      }
    ).status?.devices;

  it("applies status.devices with the driver's field manager and without force", async () => {
    await writer().writeDeviceStatuses(claimRef, [status]);
    expect(devicesOf()).toEqual([
      {
        driver: "netclaim.dev",
        pool: "node-1",
        device: "sf-1",
        conditions: [
          expect.objectContaining({
            type: "Ready",
            status: "True",
            reason: "NetworkAttached",
            message: status.message,
          }),
        ],
        networkData: status.networkData,
      },
    ]);
    const [patch] = server.requests().filter((r) => r.verb === "patch");
    expect(patch).toMatchObject({
      subresource: "status",
      fieldManager: "netclaim.dev/cni",
      contentType: "application/apply-patch+yaml",
    });
    expect(patch?.query.force).toBeUndefined();
  });

  it("updates its own entry on a later ADD", async () => {
    await writer().writeDeviceStatuses(claimRef, [status]);
    const again = { ...status, networkData: { interfaceName: "net1", ips: ["10.1.0.9/24"] } };
    await writer().writeDeviceStatuses(claimRef, [again]);
    expect(devicesOf()).toEqual([expect.objectContaining({ networkData: again.networkData })]);
  });

  it("does not take over a field another manager owns: the write fails naming it, once", async () => {
    const other = claimStatusApplyPatch(
      claimRef,
      [{ ...status, networkData: { interfaceName: "eth9", ips: [] } }],
      0,
    );
    await claims().patch("claim-a", other, {
      type: "apply",
      subresource: "status",
      namespace: "ns1",
      fieldManager: "someone-else",
    });
    server.resetRequests();
    await expect(writer().writeDeviceStatuses(claimRef, [status])).rejects.toThrow(
      /apply status.devices of resourceclaim ns1\/claim-a: fields owned by another manager, not taken over: .*networkData\.interfaceName/,
    );
    expect(server.requestCount({ verb: "patch" })).toBe(1);
  });

  it("retries a conflict that is not about field ownership", async () => {
    server.addFault({
      match: { verb: "patch", resource: "resourceclaims" },
      times: 2,
      status: 409,
      reason: "Conflict",
    });
    await writer().writeDeviceStatuses(claimRef, [status]);
    expect(server.requestCount({ verb: "patch" })).toBe(3);
    expect(devicesOf()).toHaveLength(1);
  });
});
