// The stand-in PodResources server over a real unix socket, read with a grpc-js client built from the
// same protos netclaim's CNI side uses.
import * as grpc from "@grpc/grpc-js";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { kubeletServices, unixTarget } from "../../../src/k8s/kubelet-grpc.ts";
import type { PodResourcesListerClient } from "../../../src/generated/podresources-v1/v1/PodResourcesLister.ts";
import { unary } from "./grpc-unix.ts";
import { PodResourcesServer } from "./pod-resources-server.ts";
import type { PodResourcesSource } from "./pod-resources-server.ts";
import type { PreparedClaim, StandInPod } from "./types.ts";

const pods: StandInPod[] = [
  {
    uid: "u1",
    namespace: "ns1",
    name: "web",
    claims: [{ podClaimName: "net", name: "web-net", uid: "c1", drivers: ["netclaim.dev"] }],
    containers: [
      {
        name: "app",
        claims: ["net"],
        devices: [{ resource_name: "intel.com/sriov", device_ids: ["0000:03:00.2"] }],
      },
    ],
  },
];
const prepared: PreparedClaim[] = [
  {
    claim: { podClaimName: "net", name: "web-net", uid: "c1", drivers: ["netclaim.dev"] },
    namespace: "ns1",
    devicesByDriver: new Map([
      [
        "netclaim.dev",
        [
          {
            requestNames: [],
            poolName: "node-a",
            deviceName: "vf-0",
            cdiDeviceIds: ["netclaim.dev/net=c1-vf-0"],
          },
        ],
      ],
    ]),
  },
];
const source: PodResourcesSource = {
  pods: () => pods,
  prepared: (uid) => (uid === "u1" ? prepared : []),
  allocatable: () => ({
    devices: [{ resource_name: "intel.com/sriov", device_ids: ["0000:03:00.2", "0000:03:00.3"] }],
    cpu_ids: ["0", "1"],
  }),
};

let dir: string;
let server: PodResourcesServer;
let client: PodResourcesListerClient;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "netclaim-podres-"));
  server = new PodResourcesServer({ socketPath: join(dir, "pod-resources", "kubelet.sock"), source });
  await server.start();
  client = new (kubeletServices().podResources)(
    unixTarget(server.socketPath),
    grpc.credentials.createInsecure(),
  );
});

afterEach(async () => {
  client.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

const wantWeb = {
  name: "web",
  namespace: "ns1",
  containers: [
    {
      name: "app",
      devices: [{ resource_name: "intel.com/sriov", device_ids: ["0000:03:00.2"], topology: null }],
      cpu_ids: [],
      memory: [],
      dynamic_resources: [
        {
          claim_name: "web-net",
          claim_namespace: "ns1",
          claim_resources: [
            {
              cdi_devices: [{ name: "netclaim.dev/net=c1-vf-0" }],
              driver_name: "netclaim.dev",
              pool_name: "node-a",
              device_name: "vf-0",
            },
          ],
        },
      ],
    },
  ],
};

describe("PodResourcesServer", () => {
  it("List returns every pod with its containers' devices and dynamic resources", async () => {
    const reply = await unary((cb) => client.List({}, cb));
    expect(reply).toEqual({ pod_resources: [wantWeb] });
  });

  it("Get returns one pod", async () => {
    const reply = await unary((cb) => client.Get({ pod_name: "web", pod_namespace: "ns1" }, cb));
    expect(reply).toEqual({ pod_resources: wantWeb });
  });

  it("Get for an unknown pod fails the way the kubelet's does (UNKNOWN, 'pod X in namespace Y not found')", async () => {
    const err = await unary((cb) => client.Get({ pod_name: "nope", pod_namespace: "ns1" }, cb)).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: grpc.status.UNKNOWN, details: "pod nope in namespace ns1 not found" });
  });

  it("GetAllocatableResources returns the scripted device-plugin devices", async () => {
    const reply = await unary((cb) => client.GetAllocatableResources({}, cb));
    expect(reply).toEqual({
      devices: [
        { resource_name: "intel.com/sriov", device_ids: ["0000:03:00.2", "0000:03:00.3"], topology: null },
      ],
      cpu_ids: ["0", "1"],
      memory: [],
    });
  });

  it("stop closes the server and removes its socket", async () => {
    await server.stop();
    await expect(stat(server.socketPath)).rejects.toMatchObject({ code: "ENOENT" });
    const err = await unary((cb) => client.List({}, { deadline: new Date(Date.now() + 2_000) }, cb)).catch(
      (e: unknown) => e,
    );
    expect(typeof (err as { code?: unknown }).code).toBe("number");
  });
});
