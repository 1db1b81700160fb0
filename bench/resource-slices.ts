// ResourceSlice publication for 2,048 devices against the stand-in API server (HTTP on loopback,
// through KubeClient), as ratios to the floor measured in the same run: one bare list of the node's
// slices. Cases: the first publish (16 creates), a republish of the same devices (target: no writes),
// one device changed (target: one update), and the pure plan alone.
//   npm run bench:slices [-- --runs 7 --devices 2048]
import { parseArgs } from "node:util";
import { KubeClient } from "../src/k8s/client.ts";
import { loadKubeConfig } from "../src/k8s/kube-config.ts";
import { desiredSlices, planSliceSync } from "../src/k8s/resource-slice-plan.ts";
import { ResourceSlicePublisher, sliceFieldSelector } from "../src/k8s/resource-slice-publisher.ts";
import type { Device } from "../src/k8s/resource-slice-types.ts";
import { createResourceSliceApi } from "../src/k8s/resource-slice-versions.ts";
import { FakeApiServer } from "../test/harness/api-server/index.ts";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "7" }, devices: { type: "string", default: "2048" } },
});
const runs = Number(values.runs);
const deviceCount = Number(values.devices);
const DRIVER = "netclaim.dev";
const NODE = "bench-node";

function device(i: number, bandwidth = "25Gi"): Device {
  const pf = Math.floor(i / 64);
  return {
    name: `pf${pf}-vf${i % 64}`,
    attributes: {
      "netclaim.dev/type": { string: "sriov-vf" },
      "netclaim.dev/pfName": { string: `ens${pf}f0` },
      "netclaim.dev/vfIndex": { int: i % 64 },
      "netclaim.dev/numaNode": { int: pf % 2 },
      "resource.kubernetes.io/pciBusID": { string: `0000:${(0x10 + pf).toString(16)}:00.${i % 8}` },
      "k8s.cni.cncf.io/resourceName": { string: `sriov-${pf % 4}` },
    },
    capacity: { "netclaim.dev/bandwidth": { value: bandwidth } },
  };
}

const all = Array.from({ length: deviceCount }, (_, i) => device(i));
const oneChanged = all.map((d, i) => (i === Math.floor(deviceCount / 3) ? device(i, "10Gi") : d));

type Counts = { list: number; create: number; update: number; delete: number; patch: number };
type Sample = { ms: number; counts: Counts };
type CaseName =
  | "first publish"
  | "floor: list the node's slices"
  | "republish, nothing changed"
  | "one device changed"
  | "plan only, nothing changed (no I/O)";

function countsOf(server: FakeApiServer): Counts {
  const n = (verb: string): number => server.requestCount({ resource: "resourceslices", verb });
  return {
    list: n("list"),
    create: n("create"),
    update: n("update"),
    delete: n("delete"),
    patch: n("patch"),
  };
}

async function timed(server: FakeApiServer, fn: () => Promise<void>): Promise<Sample> {
  server.resetRequests();
  const start = process.hrtime.bigint();
  await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, counts: countsOf(server) };
}

async function oneRun(samples: Map<CaseName, Sample[]>): Promise<void> {
  const server = new FakeApiServer();
  await server.start();
  try {
    const kube = new KubeClient({
      kubeConfig: loadKubeConfig({ kind: "yaml", yaml: server.kubeconfigYaml() }),
      component: "bench",
    });
    const api = await createResourceSliceApi(kube);
    const publisher = new ResourceSlicePublisher({
      api,
      driver: DRIVER,
      nodeName: NODE,
      debounceMs: 0,
      resyncPeriodMs: 0,
    });
    publisher.start();
    const publish = async (devices: Device[]): Promise<void> => {
      publisher.publish(devices);
      await publisher.waitForIdle();
    };
    const fieldSelector = sliceFieldSelector(NODE, DRIVER);
    const add = (name: CaseName, sample: Sample): void =>
      void samples.set(name, [...(samples.get(name) ?? []), sample]);
    add("first publish", await timed(server, () => publish(all)));
    add(
      "floor: list the node's slices",
      await timed(server, async () => void (await api.list({ fieldSelector }))),
    );
    add("republish, nothing changed", await timed(server, () => publish(all)));
    add("one device changed", await timed(server, () => publish(oneChanged)));
    const existing = await api.list({ fieldSelector });
    const start = process.hrtime.bigint();
    planSliceSync(desiredSlices({ driver: DRIVER, nodeName: NODE, devices: oneChanged }), existing);
    const planMs = Number(process.hrtime.bigint() - start) / 1e6;
    add("plan only, nothing changed (no I/O)", { ms: planMs, counts: countsOf(server) });
    await publisher.stop();
  } finally {
    await server.stop();
  }
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const samples = new Map<CaseName, Sample[]>();
await oneRun(new Map()); // warm-up: JIT, sockets
for (let i = 0; i < runs; i++) await oneRun(samples);

const floor = median((samples.get("floor: list the node's slices") ?? []).map((s) => s.ms));
console.log(`node ${process.version}, ${deviceCount} devices, ${runs} runs (after one warm-up), medians`);
console.log(
  `${"case".padEnd(38)} ${"ms".padStart(8)} ${"× floor".padStart(8)}  list create update delete patch  writes`,
);
for (const [name, list] of samples) {
  const ms = median(list.map((s) => s.ms));
  const c = list.at(-1)!.counts;
  const io = name.startsWith("plan only");
  const writes = c.create + c.update + c.delete + c.patch;
  const cols = io
    ? "   -      -      -      -     -       -"
    : [c.list, c.create, c.update, c.delete, c.patch, writes]
        .map((n, i) => String(n).padStart([4, 7, 7, 7, 6, 8][i]!))
        .join("");
  console.log(
    `${name.padEnd(38)} ${ms.toFixed(2).padStart(8)} ${(ms / floor).toFixed(2).padStart(8)}  ${cols}`,
  );
}
