// ResourceSlice publishing over HTTP through KubeClient against the stand-in API server: 2,048 devices,
// zero writes when nothing changed, minimal writes on a change, drift repaired by the resync, v1beta1
// servers, leftovers of an earlier run, and uninstall.
import { afterEach, describe, expect, it } from "vitest";
import { KubeClient } from "../../../src/k8s/client.ts";
import type { HttpRequest } from "../../../src/k8s/http-transport.ts";
import { ResourceSlicePublisher } from "../../../src/k8s/resource-slice-publisher.ts";
import type {
  ResourceSliceApi,
  ResourceSlicePublisherOptions,
} from "../../../src/k8s/resource-slice-publisher.ts";
import type { Device, ResourceSlice } from "../../../src/k8s/resource-slice-types.ts";
import { createResourceSliceApi } from "../../../src/k8s/resource-slice-versions.ts";
import type { FakeApiServer, FakeApiServerOptions, KubeObject } from "../../harness/api-server/index.ts";
import { FakeClock } from "../../fakes/clock.ts";
import { clientFor, startServer } from "./helpers.ts";

const DRIVER = "netclaim.dev";
const NODE = "worker-1";
const RESYNC_MS = 30_000;
const SLICES = { resource: "resourceslices" };

function vf(i: number, extra: Partial<Device> = {}): Device {
  const pf = Math.floor(i / 64);
  return {
    name: `pf${pf}-vf${i % 64}`,
    attributes: {
      "netclaim.dev/type": { string: "sriov-vf" },
      "netclaim.dev/pfName": { string: `ens${pf}f0` },
      "netclaim.dev/vfIndex": { int: i % 64 },
      "netclaim.dev/numaNode": { int: pf % 2 },
      "resource.kubernetes.io/pciBusID": {
        string: `0000:${(0x10 + pf).toString(16)}:${((i % 64) >> 3).toString(16).padStart(2, "0")}.${i % 8}`,
      },
      "k8s.cni.cncf.io/resourceName": { string: `sriov-${pf % 4}` },
    },
    capacity: { "netclaim.dev/bandwidth": { value: "25Gi" } },
    ...extra,
  };
}
const devices = (n: number): Device[] => Array.from({ length: n }, (_, i) => vf(i));

let server: FakeApiServer | undefined;
let publisher: ResourceSlicePublisher | undefined;
afterEach(async () => {
  await publisher?.stop();
  await server?.stop();
  publisher = undefined;
  server = undefined;
});

interface Setup {
  server?: FakeApiServerOptions;
  publisher?: Partial<ResourceSlicePublisherOptions>;
  /** Objects in the server before the publisher starts. */
  seed?: (server: FakeApiServer) => void;
}

async function setup(opts: Setup = {}) {
  server = await startServer(opts.server);
  opts.seed?.(server);
  const plain: KubeClient = clientFor(server, "kubelet-plugin");
  const sent: HttpRequest[] = [];
  const kube = new KubeClient({
    kubeConfig: plain.kubeConfig,
    component: "kubelet-plugin",
    transport: { send: (req) => (sent.push(req), plain.transport.send(req)) },
  });
  const api: ResourceSliceApi = await createResourceSliceApi(kube);
  const clock = new FakeClock();
  publisher = new ResourceSlicePublisher({
    api,
    driver: DRIVER,
    nodeName: NODE,
    nodeUid: "7d4b1c52-0000-4000-8000-000000000001",
    clock,
    debounceMs: 0,
    resyncPeriodMs: RESYNC_MS,
    ...opts.publisher,
  });
  publisher.start();
  return { server, api, clock, publisher, sent };
}

function writes(s: FakeApiServer): Record<string, number> {
  const count = (verb: string): number => s.requestCount({ ...SLICES, verb });
  return { create: count("create"), update: count("update"), delete: count("delete"), patch: count("patch") };
}

function storedSlices(s: FakeApiServer): ResourceSlice[] {
  return s.listObjects(SLICES) as unknown as ResourceSlice[];
}

function deviceNames(slices: ResourceSlice[]): string[] {
  return slices.flatMap((sl) => (sl.spec.devices ?? []).map((d) => d.name));
}

describe("ResourceSlice publishing against the stand-in API server", () => {
  it("publishes 2,048 devices as 16 slices, then writes nothing when they come again", async () => {
    const { server, publisher } = await setup();
    publisher.publish(devices(2048));
    await publisher.waitForIdle();
    const slices = storedSlices(server);
    expect(slices).toHaveLength(16);
    for (const s of slices) {
      expect(s.spec.pool).toEqual({ name: NODE, generation: 1, resourceSliceCount: 16 });
      expect(s.spec).toMatchObject({ driver: DRIVER, nodeName: NODE });
      expect(s.spec.devices).toHaveLength(128);
      expect(s.metadata?.name).toMatch(/^0000[0-9a-f]-netclaim\.dev-worker-1-[a-z0-9]{5}$/);
      expect(s.metadata?.ownerReferences).toEqual([
        {
          apiVersion: "v1",
          kind: "Node",
          name: NODE,
          uid: "7d4b1c52-0000-4000-8000-000000000001",
          controller: true,
        },
      ]);
    }
    const names = deviceNames(slices);
    expect(names).toHaveLength(2048);
    expect(new Set(names)).toEqual(new Set(devices(2048).map((d) => d.name)));
    expect(writes(server)).toEqual({ create: 16, update: 0, delete: 0, patch: 0 });

    server.resetRequests();
    publisher.publish(devices(2048));
    await publisher.waitForIdle();
    expect(writes(server)).toEqual({ create: 0, update: 0, delete: 0, patch: 0 });
    expect(server.requestCount({ ...SLICES, verb: "list" })).toBe(1);
  });

  it("changes one device with one update; devices in two slices bump the generation", async () => {
    const { server, publisher } = await setup();
    publisher.publish(devices(2048));
    await publisher.waitForIdle();

    server.resetRequests();
    const one = devices(2048).map((d, i) =>
      i === 700 ? vf(700, { capacity: { "netclaim.dev/bandwidth": { value: "10Gi" } } }) : d,
    );
    publisher.publish(one);
    await publisher.waitForIdle();
    expect(writes(server)).toEqual({ create: 0, update: 1, delete: 0, patch: 0 });
    expect(new Set(storedSlices(server).map((s) => s.spec.pool.generation))).toEqual(new Set([1]));
    const changed = storedSlices(server)
      .flatMap((s) => s.spec.devices ?? [])
      .find((d) => d.name === "pf10-vf60");
    expect(changed?.capacity).toEqual({ "netclaim.dev/bandwidth": { value: "10Gi" } });

    server.resetRequests();
    publisher.publish(one.map((d, i) => (i === 0 || i === 2047 ? vf(i, { attributes: {} }) : d)));
    await publisher.waitForIdle();
    expect(writes(server)).toEqual({ create: 0, update: 16, delete: 0, patch: 0 });
    expect(new Set(storedSlices(server).map((s) => s.spec.pool.generation))).toEqual(new Set([2]));
  });

  it("a 409 on an update re-lists and re-plans", async () => {
    const { server, publisher } = await setup();
    publisher.publish(devices(300));
    await publisher.waitForIdle();
    server.resetRequests();
    server.addFault({
      match: { verb: "update", resource: "resourceslices" },
      times: 1,
      status: 409,
      reason: "Conflict",
    });
    publisher.publish(devices(300).map((d, i) => (i === 1 ? vf(1, { attributes: {} }) : d)));
    await publisher.waitForIdle();
    expect(server.requestCount({ ...SLICES, verb: "list" })).toBe(2);
    expect(writes(server)).toEqual({ create: 0, update: 2, delete: 0, patch: 0 });
    expect(publisher.stats()).toMatchObject({ conflicts: 1, failures: 0 });
    const changed = storedSlices(server)
      .flatMap((s) => s.spec.devices ?? [])
      .find((d) => d.name === "pf0-vf1");
    expect(changed?.attributes ?? {}).toEqual({});
    expect(changed?.capacity).toEqual(vf(1).capacity);
  });

  it("removing devices deletes the slices no longer needed", async () => {
    const { server, publisher } = await setup();
    publisher.publish(devices(2048));
    await publisher.waitForIdle();
    server.resetRequests();
    publisher.publish(devices(300));
    await publisher.waitForIdle();
    const slices = storedSlices(server);
    expect(slices.map((s) => s.spec.devices?.length).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([
      44, 128, 128,
    ]);
    // Three slices change (their count at least): one new generation, written to all three.
    expect(slices.map((s) => s.spec.pool)).toEqual(
      Array(3).fill({ name: NODE, generation: 2, resourceSliceCount: 3 }),
    );
    expect(writes(server)).toEqual({ create: 0, update: 3, delete: 13, patch: 0 });
  });

  it("recreates a slice deleted behind its back at the next resync", async () => {
    const { server, clock, publisher } = await setup();
    publisher.publish(devices(2048));
    await publisher.waitForIdle();
    const victim = storedSlices(server)[5]!.metadata!.name!;
    server.removeObject({ ...SLICES, name: victim });
    server.resetRequests();
    clock.advance(RESYNC_MS);
    await publisher.waitForIdle();
    expect(server.requestCount({ ...SLICES, verb: "create" })).toBe(1);
    const slices = storedSlices(server);
    expect(slices).toHaveLength(16);
    expect(deviceNames(slices).sort()).toEqual(
      devices(2048)
        .map((d) => d.name)
        .sort(),
    );
    expect(new Set(slices.map((s) => s.spec.pool.generation)).size).toBe(1);
  });

  it("publishes v1beta1 slices (devices[].basic) to a server that serves only v1beta1, and keeps them still", async () => {
    const { server, api, publisher, sent } = await setup({ server: { resourceApiVersions: ["v1beta1"] } });
    expect(api.version).toBe("v1beta1");
    publisher.publish(devices(300));
    await publisher.waitForIdle();
    const creates = sent.filter((r) => r.method === "POST");
    expect(creates.map((r) => r.path)).toEqual(
      Array<string>(3).fill(
        "/apis/resource.k8s.io/v1beta1/resourceslices?fieldManager=netclaim-kubelet-plugin",
      ),
    );
    const body = JSON.parse(creates[0]!.body!) as KubeObject & {
      spec: { devices: Record<string, unknown>[] };
    };
    expect(body.apiVersion).toBe("resource.k8s.io/v1beta1");
    expect(body.spec.devices[0]).toEqual({
      name: "pf0-vf0",
      basic: { attributes: vf(0).attributes, capacity: vf(0).capacity },
    });
    // Stored as v1 by the server: the devices arrived whole.
    expect(deviceNames(storedSlices(server)).sort()).toEqual(
      devices(300)
        .map((d) => d.name)
        .sort(),
    );

    server.resetRequests();
    publisher.publish(devices(300));
    await publisher.waitForIdle();
    expect(writes(server)).toEqual({ create: 0, update: 0, delete: 0, patch: 0 });
  });

  it("uses v1beta2 when the server has no v1", async () => {
    const { server, api, publisher } = await setup({
      server: { resourceApiVersions: ["v1beta1", "v1beta2"] },
    });
    expect(api.version).toBe("v1beta2");
    publisher.publish(devices(10));
    await publisher.waitForIdle();
    expect(server.requests().find((r) => r.verb === "create")?.apiVersion).toBe("v1beta2");
  });

  it("deletes leftovers of an earlier run, leaves other nodes alone, and deleteAll leaves none", async () => {
    const seed = (s: FakeApiServer, name: string, nodeName: string, pool: string): void => {
      s.seed({
        apiVersion: "resource.k8s.io/v1",
        kind: "ResourceSlice",
        metadata: { name },
        spec: {
          driver: DRIVER,
          nodeName,
          pool: { name: pool, generation: 9, resourceSliceCount: 1 },
          devices: [],
        },
      });
    };
    const { server, publisher } = await setup({
      seed: (s) => {
        seed(s, `${NODE}-netclaim.dev-abcde`, NODE, "old-pool-name");
        seed(s, `${NODE}-netclaim.dev-fghij`, NODE, NODE); // the naming before index prefixes
        seed(s, "00000-netclaim.dev-worker-2-klmno", "worker-2", "worker-2");
      },
    });
    publisher.publish(devices(200));
    await publisher.waitForIdle();
    const mine = storedSlices(server).filter((s) => s.spec.nodeName === NODE);
    expect(mine.map((s) => s.metadata?.name?.slice(0, 6)).sort()).toEqual(["00000-", "00001-"]);
    // The leftover of our pool had generation 9: the new slices go above it.
    expect(mine.map((s) => s.spec.pool.generation)).toEqual([10, 10]);
    expect(writes(server)).toMatchObject({ create: 2, delete: 2 });

    expect(await publisher.deleteAll()).toBe(2);
    expect(storedSlices(server).map((s) => s.spec.nodeName)).toEqual(["worker-2"]);
  });
});
