// NodePrepareResources latency and throughput for batches of 1, 10 and 100 claims, over the real DRA
// server (gRPC on a unix socket), the real prepare shell (claim GETs from the stand-in API server,
// checkpoint and CDI specs fsynced to a temp dir), as a ratio against the floor measured in the same
// run: the same claims read with bare GETs through the same client, as concurrently as the service
// reads them. Devices are host netdevs (no driver rebinds, which need hardware).
//   npm run bench:prepare [-- --rounds 10]
import * as grpc from "@grpc/grpc-js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pLimit from "p-limit";
import { KubeClient } from "../src/k8s/client.ts";
import { loadKubeConfig } from "../src/k8s/kube-config.ts";
import { kubeletServices, unixTarget } from "../src/k8s/kubelet-grpc.ts";
import { RESOURCE_TYPES } from "../src/k8s/resource-path.ts";
import type { KubeObject } from "../src/k8s/types.ts";
import { FileCheckpointer } from "../src/kubelet-plugin/checkpoint/checkpoint-store.ts";
import { DraServer } from "../src/kubelet-plugin/dra-service/dra-server.ts";
import { DEFAULT_MAX_CONCURRENT_CLAIMS, DraService } from "../src/kubelet-plugin/dra-service/dra-service.ts";
import { ApiClaimReader, DirCdiStore } from "../src/kubelet-plugin/prepare/adapters.ts";
import { CheckpointJournal } from "../src/kubelet-plugin/prepare/checkpoint-journal.ts";
import type { DriverBinder } from "../src/kubelet-plugin/prepare/driver-binder.ts";
import type { NodeDevice, ResourceClaim } from "../src/kubelet-plugin/prepare/plan-types.ts";
import { Preparer } from "../src/kubelet-plugin/prepare/preparer.ts";
import { FakeApiServer } from "../test/harness/api-server/index.ts";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "10" } } });
const ROUNDS = Number(values.rounds);
const BATCHES = [1, 10, 100];
const DRIVER = "netclaim.dev";
const POOL = "node-a";

const noBinder: DriverBinder = {
  currentDriver: () => Promise.resolve(""),
  bind: () => Promise.reject(new Error("the benchmark rebinds nothing")),
};

const devices = new Map<string, NodeDevice>(
  Array.from({ length: Math.max(...BATCHES) }, (_, i): [string, NodeDevice] => [
    `${POOL}/veth${i}`,
    { name: `veth${i}`, kind: "netdev", ifName: `veth${i}`, resourceName: "bench" },
  ]),
);

function seedClaims(
  api: FakeApiServer,
  prefix: string,
  count: number,
): { namespace: string; name: string; uid: string }[] {
  return Array.from({ length: count }, (_, i) => {
    const claim = api.seed({
      apiVersion: "resource.k8s.io/v1",
      kind: "ResourceClaim",
      metadata: { namespace: "default", name: `${prefix}-${i}` },
      status: {
        allocation: {
          devices: { results: [{ request: "net", driver: DRIVER, pool: POOL, device: `veth${i}` }] },
        },
        reservedFor: [{ resource: "pods", name: `pod-${prefix}`, uid: `pod-${prefix}` }],
      },
    });
    return { namespace: "default", name: claim.metadata?.name ?? "", uid: claim.metadata?.uid ?? "" };
  });
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

type Client = InstanceType<ReturnType<typeof kubeletServices>["draV1"]>;

function prepare(client: Client, claims: { namespace: string; name: string; uid: string }[]): Promise<void> {
  return new Promise((resolve, reject) =>
    client.NodePrepareResources({ claims }, (err, reply) => {
      if (err) return reject(err);
      const failed = Object.values(reply?.claims ?? {}).filter((c) => c.error !== "");
      if (failed.length > 0) return reject(new Error(failed[0]?.error));
      resolve();
    }),
  );
}

function unprepare(
  client: Client,
  claims: { namespace: string; name: string; uid: string }[],
): Promise<void> {
  return new Promise((resolve, reject) =>
    client.NodeUnprepareResources({ claims }, (err) => (err ? reject(err) : resolve())),
  );
}

const dir = await mkdtemp(join(tmpdir(), "netclaim-bench-prepare-"));
const api = new FakeApiServer();
await api.start();
const kube = new KubeClient({
  kubeConfig: loadKubeConfig({ kind: "yaml", yaml: api.kubeconfigYaml() }),
  component: "bench",
});
const claimClient = kube.resource<ResourceClaim & KubeObject>(RESOURCE_TYPES.resourceClaims);
const journal = new CheckpointJournal(new FileCheckpointer(join(dir, "state")), { claims: {} });
const preparer = new Preparer({
  driverName: DRIVER,
  claims: new ApiClaimReader(claimClient),
  devices: { devices: () => devices, rescan: () => Promise.resolve(devices) },
  binder: noBinder,
  cdi: new DirCdiStore(join(dir, "cdi"), DRIVER),
  journal,
});
const socketPath = join(dir, "plugins", DRIVER, "dra.sock");
const server = new DraServer({ socketPath, service: new DraService({ preparer }) });
await server.start();
const client = new (kubeletServices().draV1)(unixTarget(socketPath), grpc.credentials.createInsecure());

console.log(`node ${process.version}, ${ROUNDS} rounds per batch size, medians`);
console.log("batch  floor: bare GETs   NodePrepareResources   ratio   claims/s   checkpoint writes/batch");
try {
  for (const size of BATCHES) {
    const floor: number[] = [];
    const prepared: number[] = [];
    const writes: number[] = [];
    for (let round = -1; round < ROUNDS; round++) {
      const claims = seedClaims(api, `b${size}-r${round + 1}`, size);
      const limit = pLimit(DEFAULT_MAX_CONCURRENT_CLAIMS);
      const t0 = performance.now();
      await Promise.all(claims.map((c) => limit(() => claimClient.get(c.name, { namespace: c.namespace }))));
      const t1 = performance.now();
      const before = journal.writes;
      await prepare(client, claims);
      const t2 = performance.now();
      if (round >= 0) {
        floor.push(t1 - t0);
        prepared.push(t2 - t1);
        writes.push(journal.writes - before);
      }
      await unprepare(client, claims);
    }
    const f = median(floor);
    const p = median(prepared);
    console.log(
      `${String(size).padStart(5)}  ${f.toFixed(2).padStart(12)} ms  ${p.toFixed(2).padStart(17)} ms  ` +
        `${(p / f).toFixed(2).padStart(5)}x  ${((size / p) * 1000).toFixed(0).padStart(8)}  ${median(writes).toFixed(0).padStart(10)}`,
    );
  }
} finally {
  client.close();
  await server.stop();
  await api.stop();
  await rm(dir, { recursive: true, force: true });
}
