// Claim-scoped IPAM: allocations per second for 5,000 claims against the stand-in API server (HTTP on
// loopback, through KubeClient, the project's CRDs installed), as a ratio to the floor measured in the
// same run — bare IPAllocation creates at the same concurrency — and the controller's memory with
// 50,000 claims in the decision inputs (claims, their IPAllocations, the address book).
//   npm run bench:ipam [-- --claims 5000 --concurrency 16 --consistent-claims 500 --memory-claims 50000]
import { parseArgs } from "node:util";
import pLimit from "p-limit";
import { parse } from "yaml";
import { readFileSync } from "node:fs";
import {
  allocationName,
  CLAIM_NAMESPACE_LABEL,
  CLAIM_UID_LABEL,
  interfaceAddress,
} from "../src/api/ip-address.ts";
import type { IPAllocation } from "../src/api/ip-address.ts";
import { parseIpPool } from "../src/api/ip-pool.ts";
import { AddressBook } from "../src/controller/ipam/address-book.ts";
import { CachedAllocationStore } from "../src/controller/ipam/allocation-cache.ts";
import { renderClaimStatus } from "../src/controller/ipam/claim-status.ts";
import { planClaim } from "../src/controller/ipam/decide.ts";
import { resolveDevicePools } from "../src/controller/ipam/device-pools.ts";
import { IpamReconciler } from "../src/controller/ipam/ipam-reconciler.ts";
import { IP_ALLOCATIONS, k8sIpamPorts } from "../src/controller/ipam/ipam-k8s.ts";
import { addressAt, buildPoolLayout } from "../src/controller/ipam/pool-math.ts";
import type { PoolLayout } from "../src/controller/ipam/pool-math.ts";
import type { ResourceClaim } from "../src/controller/ipam/types.ts";
import { KubeClient } from "../src/k8s/client.ts";
import { loadKubeConfig } from "../src/k8s/kube-config.ts";
import { RESOURCE_TYPES } from "../src/k8s/resource-path.ts";
import type { KubeObject } from "../src/k8s/types.ts";
import { FakeApiServer } from "../test/harness/api-server/index.ts";
import type { KubeObject as StoredObject } from "../test/harness/api-server/index.ts";

const { values } = parseArgs({
  options: {
    claims: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "16" },
    "consistent-claims": { type: "string", default: "500" },
    "memory-claims": { type: "string", default: "50000" },
  },
});
const CLAIMS = Number(values.claims);
const CONCURRENCY = Number(values.concurrency);
const CONSISTENT_CLAIMS = Number(values["consistent-claims"]);
const MEMORY_CLAIMS = Number(values["memory-claims"]);
const DRIVER = "netclaim.dev";
const POOL_SPEC = { cidrs: ["10.128.0.0/14"] }; // one address per claim: one IPAllocation, like the floor
const CRD_TYPE = {
  group: "apiextensions.k8s.io",
  version: "v1",
  resource: "customresourcedefinitions",
  namespaced: false,
};

function claimObject(i: number): ResourceClaim {
  const parameters = { apiVersion: "netclaim.dev/v1alpha1", kind: "NetworkDeviceConfig", ipPool: "bench" };
  return {
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceClaim",
    metadata: {
      namespace: "bench",
      name: `claim-${i}`,
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    },
    spec: { devices: { requests: [{ name: "net", exactly: { deviceClassName: "sf-pool-1" } }] } },
    status: {
      allocation: {
        devices: {
          results: [{ request: "net", driver: DRIVER, pool: `node-${i % 100}`, device: `vf-${i}` }],
          config: [{ source: "FromClaim", opaque: { driver: DRIVER, parameters } }],
        },
      },
    },
  };
}

async function world(): Promise<{ server: FakeApiServer; kube: () => KubeClient }> {
  const server = new FakeApiServer();
  await server.start();
  const kube = () =>
    new KubeClient({
      kubeConfig: loadKubeConfig({ kind: "yaml", yaml: server.kubeconfigYaml() }),
      component: "bench",
    });
  const installer = kube();
  for (const file of ["ippools.netclaim.dev.yaml", "ipallocations.netclaim.dev.yaml"]) {
    const crd = parse(
      readFileSync(new URL(`../deployments/crds/${file}`, import.meta.url), "utf8"),
    ) as KubeObject;
    await installer.resource(CRD_TYPE).create(crd);
  }
  await installer.resource(RESOURCE_TYPES.ipPools).create({
    apiVersion: "netclaim.dev/v1alpha1",
    kind: "IPPool",
    metadata: { name: "bench" },
    spec: POOL_SPEC,
  } as KubeObject);
  return { server, kube };
}

function seedClaims(server: FakeApiServer, count: number): string[] {
  for (let i = 0; i < count; i++) server.seed(claimObject(i) as StoredObject);
  return Array.from({ length: count }, (_, i) => `bench/claim-${i}`);
}

function benchLayout(): PoolLayout {
  const parsed = parseIpPool({ metadata: { name: "bench" }, spec: POOL_SPEC });
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return buildPoolLayout(parsed.spec);
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

interface Row {
  name: string;
  items: number;
  ms: number;
  requests: number;
}

/** Floor: bare creates of IPAllocation objects (one per claim), same concurrency. */
async function floorRow(count: number): Promise<Row> {
  const { server, kube } = await world();
  const client = kube().resource<IPAllocation>(IP_ALLOCATIONS);
  const layout = benchLayout();
  const v4 = layout.families[0]!;
  const limit = pLimit(CONCURRENCY);
  server.resetRequests();
  const ms = await timed(async () => {
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        limit(() => {
          const slot = addressAt(v4, BigInt(i))!;
          const ip = { family: "IPv4" as const, value: slot.value };
          return client.create(allocationObject(claimObject(i), ip, slot.prefix));
        }),
      ),
    );
  });
  const requests = server.requestCount();
  await server.stop();
  return { name: "floor: bare IPAllocation creates", items: count, ms, requests };
}

function allocationObject(
  claim: ResourceClaim,
  ip: { family: "IPv4" | "IPv6"; value: bigint },
  prefix: number,
): IPAllocation {
  const { namespace = "", name = "", uid = "" } = claim.metadata ?? {};
  return {
    apiVersion: "netclaim.dev/v1alpha1",
    kind: "IPAllocation",
    metadata: {
      name: allocationName("bench", ip),
      labels: { [CLAIM_UID_LABEL]: uid, [CLAIM_NAMESPACE_LABEL]: namespace },
    },
    spec: {
      pool: "bench",
      address: interfaceAddress(ip, prefix),
      claim: { namespace, name, uid },
      device: { driver: DRIVER, pool: "node-0", device: "vf-0" },
    },
  };
}

/** Reconciles every claim twice (allocation, then the steady state) with the given store. */
async function reconcileRows(count: number, store: "informer" | "consistent lists"): Promise<Row[]> {
  const { server, kube } = await world();
  const keys = seedClaims(server, count);
  const client = kube();
  const lifetime = new AbortController();
  const ports = k8sIpamPorts({ kube: client, instance: "bench" });
  let cached: CachedAllocationStore | undefined;
  if (store === "informer") {
    cached = new CachedAllocationStore({ kube: client });
    cached.start(lifetime.signal);
    await cached.waitForSync();
  }
  const ipam = new IpamReconciler({ ...ports, ...(cached === undefined ? {} : { allocations: cached }) });
  const limit = pLimit(CONCURRENCY);
  const pass = () =>
    Promise.all(keys.map((key) => limit(() => ipam.reconcileClaim(key)))).then(() => undefined);
  const rows: Row[] = [];
  for (const name of [`allocate, ${store}`, `steady state, ${store}`]) {
    server.resetRequests();
    const ms = await timed(pass);
    rows.push({
      name,
      items: count,
      ms,
      requests: server.requestCount() - server.requestCount({ verb: "watch" }),
    });
  }
  lifetime.abort();
  await cached?.stop();
  await server.stop();
  return rows;
}

interface MemoryRow {
  heapMiB: number;
  rssMiB: number;
  heapTotalMiB: number;
  rssTotalMiB: number;
  ms: number;
}

function memoryRow(count: number): MemoryRow {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const layout = benchLayout();
  const pools = new Map([["bench", { state: "ready" as const, name: "bench", layout }]]);
  const claims = Array.from({ length: count }, (_, i) => claimObject(i));
  const allocations = claims.map((c, i) => {
    const slot = addressAt(layout.families[0]!, BigInt(i))!;
    return allocationObject(c, { family: "IPv4", value: slot.value }, slot.prefix);
  });
  const book = new AddressBook();
  book.seed(allocations, Date.now());
  const start = process.hrtime.bigint();
  let entries = 0;
  for (const [i, claim] of claims.entries()) {
    const needs = resolveDevicePools({ claim, driverName: DRIVER, nads: [], deviceResourceNames: new Map() });
    const plan = planClaim({ claim, needs, allocations: [allocations[i]!], pools });
    if (plan.kind === "allocate")
      entries += renderClaimStatus({
        claim,
        devices: plan.devices,
        outcomes: new Map(),
        now: "2026-01-01T00:00:00Z",
      }).entries.length;
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  gc?.();
  const after = process.memoryUsage();
  if (entries !== count || claims.length !== count || book.takenCount("bench", "IPv4") !== count)
    throw new Error("memory bench inputs went missing");
  const mib = (bytes: number) => bytes / 2 ** 20;
  return {
    heapMiB: mib(after.heapUsed - before.heapUsed),
    rssMiB: mib(after.rss - before.rss),
    heapTotalMiB: mib(after.heapUsed),
    rssTotalMiB: mib(after.rss),
    ms,
  };
}

// Memory first, while the process is fresh: RSS then means something.
const memory = memoryRow(MEMORY_CLAIMS);
// Warm-up (JIT, sockets), not reported.
await floorRow(Math.min(CLAIMS, 300));
await reconcileRows(Math.min(CLAIMS, 300), "informer");
const floor = await floorRow(CLAIMS);
const rows = [
  floor,
  ...(await reconcileRows(CLAIMS, "informer")),
  ...(await reconcileRows(CONSISTENT_CLAIMS, "consistent lists")),
];
const floorRate = floor.items / (floor.ms / 1000);
const pad = (text: string | number, width: number) => String(text).padStart(width);
console.log(`node ${process.version}, concurrency ${CONCURRENCY}, stand-in API server over loopback HTTP`);
console.log(
  `${"case".padEnd(36)} ${pad("claims", 7)} ${pad("ms", 9)} ${pad("per s", 8)} ${pad("÷ floor", 8)} ${pad("req/claim", 10)}`,
);
for (const r of rows) {
  const rate = r.items / (r.ms / 1000);
  const cells = [
    pad(r.items, 7),
    pad(r.ms.toFixed(0), 9),
    pad(rate.toFixed(0), 8),
    pad((rate / floorRate).toFixed(2), 8),
  ];
  console.log(`${r.name.padEnd(36)} ${cells.join(" ")} ${pad((r.requests / r.items).toFixed(2), 10)}`);
}
const gcNote =
  (globalThis as { gc?: unknown }).gc === undefined ? " (run with --expose-gc for exact heap figures)" : "";
console.log(
  `\nmemory with ${MEMORY_CLAIMS} claims in the decision inputs (claims, IPAllocations, address book)${gcNote}`,
);
console.log(
  `${pad("heap +MiB", 10)} ${pad("RSS +MiB", 9)} ${pad("heap MiB", 9)} ${pad("RSS MiB", 8)} ${pad("KiB/claim", 10)} ${pad("decide ms", 10)} ${pad("µs/claim", 9)}`,
);
console.log(
  [
    pad(memory.heapMiB.toFixed(1), 10),
    pad(memory.rssMiB.toFixed(1), 9),
    pad(memory.heapTotalMiB.toFixed(1), 9),
    pad(memory.rssTotalMiB.toFixed(1), 8),
    pad(((memory.heapMiB * 1024) / MEMORY_CLAIMS).toFixed(2), 10),
    pad(memory.ms.toFixed(0), 10),
    pad(((memory.ms * 1000) / MEMORY_CLAIMS).toFixed(1), 9),
  ].join(" "),
);
