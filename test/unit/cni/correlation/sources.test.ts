// The three readers on real things: the checkpoint file in a temp dir, the stand-in kubelet's
// PodResources server over a unix socket (gRPC), the stand-in API server; and all three layered, for a
// pod whose network claim no container references.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { serializeCheckpoint } from "../../../../src/api/checkpoint.ts";
import { ApiDeviceReader } from "../../../../src/cni/correlation/api-source.ts";
import type { ApiClaim, ApiPod, ApiSlice } from "../../../../src/cni/correlation/api-candidates.ts";
import { CheckpointDeviceReader } from "../../../../src/cni/correlation/checkpoint-source.ts";
import { LayeredDeviceSource } from "../../../../src/cni/correlation/device-source.ts";
import { PodResourcesDeviceReader } from "../../../../src/cni/correlation/pod-resources-source.ts";
import { correlate } from "../../../../src/cni/correlation/correlate.ts";
import type { DeviceQuery } from "../../../../src/cni/engine/ports.ts";
import { KubeClient } from "../../../../src/k8s/client.ts";
import { loadKubeConfig } from "../../../../src/k8s/kube-config.ts";
import { RESOURCE_TYPES } from "../../../../src/k8s/resource-path.ts";
import { FakeApiServer } from "../../../harness/api-server/index.ts";
import { PodResourcesServer } from "../../../harness/kubelet/pod-resources-server.ts";
import type { PreparedClaim, StandInPod } from "../../../harness/kubelet/types.ts";
import { captureLogger } from "../../../fakes/logger.ts";
import { checkpointOf, claimObject, podObject, preparedDevice, sliceObject } from "./support.ts";

const POD_UID = "6a0e7a4c-0000-4000-8000-000000000001";

function query(uid = POD_UID, ...resourceNames: string[]): DeviceQuery {
  return {
    pod: { namespace: "ns1", name: "pod-a", uid },
    needs: (resourceNames.length > 0 ? resourceNames : ["sf-pool-1"]).map((resourceName, i) => ({
      index: i + 1,
      network: `ns1/n${i}`,
      resourceName,
    })),
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "netclaim-sources-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("CheckpointDeviceReader on a real file", () => {
  const checkpoint = checkpointOf({
    "claim-uid-1": { name: "pod-a-net", podUIDs: [POD_UID], devices: [preparedDevice("nic0")] },
  });

  it.each([
    { name: "the pod's devices", write: serializeCheckpoint(checkpoint), uid: POD_UID, want: ["nic0"] },
    { name: "another pod: none", write: serializeCheckpoint(checkpoint), uid: "other", want: [] },
    { name: "no file: none", write: undefined, uid: POD_UID, want: [] },
  ])("$name", async ({ write, uid, want }) => {
    const path = join(dir, "checkpoint.json");
    if (write !== undefined) await writeFile(path, write);
    const reader = new CheckpointDeviceReader({ path, driverName: "netclaim.dev" });
    expect((await reader.read(query(uid))).map((d) => d.device)).toEqual(want);
  });

  it("in the plugin's process reads its checkpoint in memory, and the file only while it has none", async () => {
    const path = join(dir, "checkpoint.json"); // no file: a read of it would find nothing
    let current: typeof checkpoint | undefined = checkpoint;
    const reader = new CheckpointDeviceReader({ path, driverName: "netclaim.dev", current: () => current });
    expect((await reader.read(query())).map((d) => d.device)).toEqual(["nic0"]);
    current = undefined;
    expect(await reader.read(query())).toEqual([]);
    await writeFile(path, serializeCheckpoint(checkpoint));
    expect((await reader.read(query())).map((d) => d.device)).toEqual(["nic0"]);
  });

  it("a corrupt file is an error naming it, not 'no devices'", async () => {
    const path = join(dir, "checkpoint.json");
    await writeFile(path, serializeCheckpoint(checkpoint).replace('"nic0"', '"nic1"'));
    const reader = new CheckpointDeviceReader({ path, driverName: "netclaim.dev" });
    await expect(reader.read(query())).rejects.toThrow(`checkpoint ${path} is corrupt (bad-checksum)`);
  });
});

const claimRef = { podClaimName: "net", name: "pod-a-net", uid: "claim-uid-1", drivers: ["netclaim.dev"] };
const standInPod: StandInPod = {
  uid: POD_UID,
  namespace: "ns1",
  name: "pod-a",
  claims: [claimRef],
  containers: [
    {
      name: "app",
      claims: ["net"],
      devices: [{ resource_name: "intel.com/vf", device_ids: ["0000:af:0a.3"] }],
    },
    { name: "sidecar" },
  ],
};
const prepared: PreparedClaim[] = [
  {
    claim: claimRef,
    namespace: "ns1",
    devicesByDriver: new Map([
      [
        "netclaim.dev",
        [
          {
            requestNames: ["nic"],
            poolName: "node-1",
            deviceName: "nic0",
            cdiDeviceIds: ["netclaim.dev/net=claim-uid-1-nic0"],
          },
        ],
      ],
    ]),
  },
];

describe("PodResourcesDeviceReader over the stand-in kubelet's socket", () => {
  let server: PodResourcesServer;
  let pods: StandInPod[];
  let socketPath: string;
  beforeEach(async () => {
    pods = [standInPod];
    socketPath = join(dir, "pod-resources", "kubelet.sock");
    server = new PodResourcesServer({
      socketPath,
      source: {
        pods: () => pods,
        prepared: () => prepared,
        allocatable: () => ({ devices: [], cpu_ids: [], memory: [] }),
      },
    });
    await server.start();
  });
  afterEach(() => server.stop());

  it("reads container claims and device-plugin devices with Get", async () => {
    const reader = new PodResourcesDeviceReader({ socketPath });
    const found = await reader.read(query());
    expect(found.map((d) => [d.origin, d.claimName, d.device, d.cdiDeviceIds])).toEqual([
      ["claim", "pod-a-net", "nic0", ["netclaim.dev/net=claim-uid-1-nic0"]],
      ["device-plugin", "", "0000:af:0a.3", []],
    ]);
  });

  it("a pod the kubelet does not know (UNKNOWN 'not found') has no devices", async () => {
    pods = [];
    expect(await new PodResourcesDeviceReader({ socketPath }).read(query())).toEqual([]);
  });

  it("a missing socket fails fast, naming it, without loading gRPC", async () => {
    let opened = 0;
    const reader = new PodResourcesDeviceReader({
      socketPath: join(dir, "nothing.sock"),
      open: () => {
        opened++;
        return Promise.reject(new Error("not reached"));
      },
    });
    await expect(reader.read(query())).rejects.toThrow(
      `PodResources socket ${join(dir, "nothing.sock")} is not there`,
    );
    expect(opened).toBe(0);
  });

  it("keeps one channel open across reads when asked, until close()", async () => {
    let opened = 0;
    const { openPodResourcesClient } =
      await import("../../../../src/cni/correlation/pod-resources-client.ts");
    const reader = new PodResourcesDeviceReader({
      socketPath,
      keepOpen: true,
      open: (path) => {
        opened++;
        return Promise.resolve(openPodResourcesClient(path));
      },
    });
    await reader.read(query());
    await reader.read(query());
    reader.close();
    await reader.read(query());
    reader.close();
    expect(opened).toBe(2);
  });
});

describe("ApiDeviceReader against the stand-in API server", () => {
  const api = new FakeApiServer();
  let client: KubeClient;
  beforeAll(async () => {
    await api.start();
    client = new KubeClient({
      kubeConfig: loadKubeConfig({ kind: "yaml", yaml: api.kubeconfigYaml() }),
      component: "test",
    });
    api.seed(
      podObject({
        name: "pod-a",
        uid: POD_UID,
        claims: { net: { generated: "pod-a-net" }, data: { claim: "shared" } },
      }),
    );
    api.seed(
      claimObject({
        name: "pod-a-net",
        requests: { nic: "sf-pool-1" },
        results: [{ request: "nic", device: "nic0" }],
      }),
    );
    api.seed(
      claimObject({ name: "shared", requests: { d: "data" }, results: [{ request: "d", device: "nic1" }] }),
    );
    api.seed(
      sliceObject("node-1-netclaim", [
        {
          name: "nic0",
          attributes: {
            "k8s.cni.cncf.io/resourceName": "sf-pool-1",
            "k8s.cni.cncf.io/deviceID": "nic0",
            ifName: "nic0",
            type: "netdev",
          },
        },
        { name: "nic1", attributes: { "k8s.cni.cncf.io/resourceName": "data", ifName: "nic1" } },
      ]),
    );
    api.seed(
      sliceObject(
        "node-2-netclaim",
        [{ name: "nic0", attributes: { "k8s.cni.cncf.io/resourceName": "wrong" } }],
        { node: "node-2", pool: "node-1" },
      ),
    );
  });
  afterAll(() => api.stop());
  beforeEach(() => api.resetRequests());

  const reader = () =>
    new ApiDeviceReader({
      pods: client.resource<ApiPod>(RESOURCE_TYPES.pods),
      claims: client.resource<ApiClaim>(RESOURCE_TYPES.resourceClaims),
      slices: client.resource<ApiSlice>(RESOURCE_TYPES.resourceSlices),
    });

  it("follows pod → claims → the node's slices of the driver", async () => {
    const found = await reader().read(query());
    expect(
      found.map((d) => [
        d.claimName,
        d.podClaimName,
        d.device,
        d.className,
        d.resourceNameAttr,
        d.ifName,
        d.kind,
      ]),
    ).toEqual([
      ["pod-a-net", "net", "nic0", "sf-pool-1", "sf-pool-1", "nic0", "netdev"],
      ["shared", "data", "nic1", "data", "data", "nic1", "unknown"],
    ]);
    const lists = api.requests().filter((r) => r.verb === "list");
    expect(lists.map((r) => r.query.fieldSelector)).toEqual([
      "spec.nodeName=node-1,spec.driver=netclaim.dev",
    ]);
    expect(api.requestCount({ verb: "get" })).toBe(3);
  });

  it.each([
    { name: "a pod that is gone", q: { ...query(), pod: { namespace: "ns1", name: "gone", uid: POD_UID } } },
    { name: "a pod of another UID (re-created under the name)", q: query("another-uid") },
  ])("has no devices for $name", async ({ q }) => {
    expect(await reader().read(q)).toEqual([]);
  });
});

describe("the three layered, for a pod-level claim no container references", () => {
  it("finds the device in the checkpoint alone", async () => {
    const path = join(dir, "checkpoint.json");
    await writeFile(
      path,
      serializeCheckpoint(
        checkpointOf({
          "claim-uid-1": { name: "pod-a-net", podUIDs: [POD_UID], devices: [preparedDevice("nic0")] },
        }),
      ),
    );
    const socketPath = join(dir, "kubelet.sock");
    // the kubelet lists the pod, but no container references the claim: PodResources has no DRA device
    const server = new PodResourcesServer({
      socketPath,
      source: {
        pods: () => [{ ...standInPod, containers: [{ name: "app" }] }],
        prepared: () => prepared,
        allocatable: () => ({ devices: [], cpu_ids: [], memory: [] }),
      },
    });
    await server.start();
    try {
      const log = captureLogger();
      const source = new LayeredDeviceSource({
        readers: [
          new CheckpointDeviceReader({ path, driverName: "netclaim.dev" }),
          new PodResourcesDeviceReader({ socketPath, skipWhen: "never" }),
        ],
        logger: log.logger,
      });
      const q = query(POD_UID, "sf-pool-1");
      const answer = await source.devicesFor(q);
      expect(answer.consulted).toEqual(["checkpoint", "podresources"]);
      const [outcome] = correlate({ pod: q.pod, needs: q.needs, candidates: answer.candidates });
      expect(outcome).toMatchObject({
        kind: "device",
        rule: "attribute",
        device: { device: "nic0", ifName: "nic0" },
      });
    } finally {
      await server.stop();
    }
  });
});
