// The seed scenario's pod on one node (test/e2e/support/node-world.ts: the kubelet plugin with its CNI server
// in the fake host, the shim and config from `netclaim install-cni`), against its floors, in one run:
//   1. ADD + DEL of the demo pod (eth0: bridge + host-local; net1: the claim's NIC by host-device, static
//      address; net2: macvlan + host-local) through the installed shim, against the floor: the runtime
//      stand-in running the same delegates itself (bridge conflist, host-device with the NIC named, macvlan).
//      Alternating, after warm-ups; p50 and p90. The claim is allocated and prepared before the clock starts;
//      each run waits (untimed) for the status writes after its ADD, then counts the API requests of that ADD.
//   2. Shim start: the installed launcher (sh + the installed Node + the bundle, compile cache) answering
//      VERSION by itself, and a STATUS through the CNI server, each against `node -e 0` on the same Node.
//   3. The kubelet plugin's resident memory: idle in a fresh process, and its peak (VmHWM) over 200
//      concurrent ADDs (test/e2e/support/node-burst.ts: device-plugin devices through correlation, a shell
//      plugin as delegate).
//   Variants of the shim run: the installed config as it is (attachConcurrency 1: the secondaries one after the
//   other, as Multus), and with attachConcurrency 2 (net1 and net2 attached at once after eth0).
// Needs root.   npm run bench:demo [-- --runs 30 --burst 200 --attach-concurrency 1,2]
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PINNED_NODE } from "../test/integration/cni/support/netclaim-bin.ts";
import type { JsonObject } from "../test/harness/runtime/index.ts";
import { demoPlan, startDemoPod } from "../test/e2e/support/demo-pod.ts";
import { clusterMaster } from "../test/e2e/support/host-install.ts";
import { prepareBurst } from "../test/e2e/support/node-burst.ts";
import { claimStatus, networkStatus, pluginApiCalls } from "../test/e2e/support/node-inspect.ts";
import { addPod, delPod } from "../test/e2e/support/node-pods.ts";
import { createNodeWorld } from "../test/e2e/support/node-world.ts";
import type { NodeWorld } from "../test/e2e/support/node-world.ts";
import { MACVLAN_MASTER, MACVLAN_SUBNET } from "../test/e2e/support/scenario.ts";
import { fmt, now, quantile } from "./support/cni-pod.ts";
import type { Sample } from "./support/cni-pod.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "30" },
    burst: { type: "string", default: "200" },
    "attach-concurrency": { type: "string", default: "1,2" },
  },
});
/** The shim variants: the installed config with netclaim's attachConcurrency set to each. */
const CONCURRENCY = values["attach-concurrency"].split(",").map((v) => Math.max(1, Number(v)));
const RUNS = Math.max(30, Number(values.runs));
const WARMUP = 3;
const BURST = Number(values.burst);
/** The floor's NIC: never the one the shim runs' claim gets (the first free, nic0). */
const FLOOR_NIC = "nic3";

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no ${what} within 10 s`);
}

interface ShimSample extends Sample {
  requests: string[];
}

/** The installed config with the netclaim plugin's attachConcurrency (1 = as installed, Multus's order). */
function withConcurrency(netconf: JsonObject, concurrency: number): JsonObject {
  if (concurrency === 1) return netconf;
  const plugins = (netconf.plugins as JsonObject[]).map((p) =>
    p.type === "netclaim" ? { ...p, attachConcurrency: concurrency } : p,
  );
  return { ...netconf, plugins };
}

let seq = 0;
async function shimRun(w: NodeWorld, concurrency: number): Promise<ShimSample> {
  const netconf = withConcurrency(w.netconf, concurrency);
  const name = `bench-${++seq}`;
  const pod = await startDemoPod(w, demoPlan(name));
  await new Promise((resolve) => setTimeout(resolve, 20)); // the informer has the pod: a warm ADD
  w.api.resetRequests();
  const t0 = now();
  await addPod(w, pod, netconf);
  const t1 = now();
  await waitFor(() => networkStatus(w, pod) !== undefined, "network-status");
  await waitFor(() => claimStatus(w, `${name}-nic`).length > 0, "claim status");
  const requests = pluginApiCalls(w);
  const t2 = now();
  await delPod(w, pod, netconf);
  const t3 = now();
  await pod.teardown();
  w.api.removeObject({
    group: "resource.k8s.io",
    resource: "resourceclaims",
    namespace: "default",
    name: `${name}-nic`,
  });
  return { add: t1 - t0, del: t3 - t2, requests };
}

/** The same delegates, run by the runtime stand-in itself. */
function floorNetworks(w: NodeWorld): [JsonObject, string][] {
  const ipam = { type: "host-local", ranges: [[{ subnet: MACVLAN_SUBNET }]], dataDir: w.paths.host.ipamDir };
  return [
    [clusterMaster(w.paths.host.ipamDir), "eth0"],
    [
      {
        cniVersion: "1.0.0",
        name: "sf-pool-1",
        type: "host-device",
        device: FLOOR_NIC,
        ipam: { type: "static", addresses: [{ address: "192.168.100.10/24" }] },
      },
      "net1",
    ],
    [
      {
        cniVersion: "1.0.0",
        name: "macvlan-net",
        type: "macvlan",
        master: MACVLAN_MASTER,
        mode: "bridge",
        ipam,
      },
      "net2",
    ],
  ];
}

async function floorRun(w: NodeWorld): Promise<Sample> {
  const networks = floorNetworks(w);
  const sandbox = await w.h.runtime.runPodSandbox({
    namespace: "default",
    name: `floor-${++seq}`,
    uid: `floor-${seq}`,
  });
  const t0 = now();
  for (const [config, ifName] of networks) await w.h.runtime.setUpPodNetwork(sandbox, config, { ifName });
  const t1 = now();
  for (const [config, ifName] of [...networks].reverse()) {
    await w.h.runtime.tearDownPodNetwork(sandbox, config, { ifName });
  }
  const t2 = now();
  await w.h.runtime.removePodSandbox(sandbox);
  return { add: t1 - t0, del: t2 - t1 };
}

function printVariant(label: string, ours: readonly ShimSample[], floor: readonly Sample[]): void {
  const rows: [string, (s: Sample) => number][] = [
    ["ADD", (s) => s.add],
    ["DEL", (s) => s.del],
    ["ADD+DEL", (s) => s.add + s.del],
  ];
  console.log(`\n${label}`);
  console.log("        netclaim p50   p90 | floor p50   p90 | ratio p50  p90");
  for (const [name, pick] of rows) {
    const o50 = quantile(ours.map(pick), 0.5);
    const o90 = quantile(ours.map(pick), 0.9);
    const f50 = quantile(floor.map(pick), 0.5);
    const f90 = quantile(floor.map(pick), 0.9);
    console.log(
      `${name.padEnd(10)} ${fmt(o50)} ${fmt(o90)} | ${fmt(f50)} ${fmt(f90)} | ${(o50 / f50).toFixed(2).padStart(6)} ${(o90 / f90).toFixed(2).padStart(5)}`,
    );
  }
  const lists = new Map<string, number>();
  for (const o of ours) {
    const key = [...o.requests].sort().join(", ") || "none";
    lists.set(key, (lists.get(key) ?? 0) + 1);
  }
  const reads = ours.map((o) => o.requests.filter((r) => /^(get|list) /.test(r)).length);
  console.log(`API requests per warm ADD (kubelet plugin's, watches aside): reads max ${Math.max(...reads)}`);
  for (const [list, count] of lists) console.log(`  ${count}x: ${list}`);
}

async function measureAttach(w: NodeWorld): Promise<void> {
  for (let i = 0; i < WARMUP; i++) {
    for (const c of CONCURRENCY) await shimRun(w, c);
    await floorRun(w);
  }
  const ours = new Map<number, ShimSample[]>(CONCURRENCY.map((c) => [c, []]));
  const floor: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    for (const c of CONCURRENCY) ours.get(c)?.push(await shimRun(w, c));
    floor.push(await floorRun(w));
  }
  for (const [c, samples] of ours) {
    const how = c === 1 ? "one after the other, as Multus" : `attachConcurrency ${c}`;
    printVariant(
      `demo pod through the shim (${how}) vs the same delegates direct: ${RUNS} runs each (after ${WARMUP} warm-up, alternating), ms`,
      samples,
      floor,
    );
  }
}

/** One spawn-to-exit, in ms; throws unless it exits 0. */
function spawnMs(file: string, args: string[], env: NodeJS.ProcessEnv, input: string): number {
  const t0 = now();
  const r = spawnSync(file, args, { env, input, stdio: ["pipe", "ignore", "ignore"] });
  if (r.status !== 0) throw new Error(`${file} ${args.join(" ")} exited ${r.status}`);
  return now() - t0;
}

function startupPair(label: string, launcher: string, env: NodeJS.ProcessEnv, input: string): void {
  const floor: number[] = [];
  const shim: number[] = [];
  for (let i = 0; i < RUNS + WARMUP; i++) {
    const f = spawnMs(PINNED_NODE, ["-e", "0"], { PATH: env.PATH }, "");
    const s = spawnMs(launcher, [], env, input);
    if (i < WARMUP) continue;
    floor.push(f);
    shim.push(s);
  }
  const s50 = quantile(shim, 0.5);
  const f50 = quantile(floor, 0.5);
  console.log(
    `shim ${label}: ${s50.toFixed(1)} ms; node -e 0 ${f50.toFixed(1)} ms (medians of ${RUNS}, alternating): ${(s50 / f50).toFixed(2)}x`,
  );
}

function measureStartup(w: NodeWorld): void {
  const launcher = join(w.paths.host.binDir, "netclaim");
  const list = w.netconf;
  const plugin = (list.plugins as JsonObject[])[0] ?? {};
  const path = process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin";
  const cniPath = [w.paths.host.binDir, w.pluginDir].join(":");
  console.log(`\nshim start-up (${launcher})`);
  const version = JSON.stringify({ ...plugin, cniVersion: list.cniVersion, name: list.name });
  startupPair(
    "VERSION (answered by the shim)",
    launcher,
    { PATH: path, CNI_COMMAND: "VERSION", CNI_PATH: cniPath },
    version,
  );
  const status = JSON.stringify({ ...plugin, cniVersion: "1.1.0", name: list.name });
  startupPair(
    "STATUS through the CNI server",
    launcher,
    { PATH: path, CNI_COMMAND: "STATUS", CNI_PATH: cniPath },
    status,
  );
}

async function measureBurst(w: NodeWorld): Promise<void> {
  await w.plugin.restart(); // a fresh process: its peak is this burst's
  const pods = await prepareBurst(w, BURST);
  await new Promise((resolve) => setTimeout(resolve, 1000)); // the informer has the pods
  const idle = await w.plugin.current.memoryKb();
  const t0 = now();
  const outcomes = await pods.burst("ADD");
  const ms = now() - t0;
  const peak = await w.plugin.current.memoryKb();
  const failed = outcomes.filter((o) => o.kind !== "answered" || o.reply.exitCode !== 0).length;
  await pods.burst("DEL");
  await pods.remove();
  console.log(
    `\nkubelet plugin RSS: idle ${(idle.rss / 1024).toFixed(0)} MiB, peak ${(peak.peak / 1024).toFixed(0)} MiB over ${BURST} concurrent ADDs ` +
      `(${failed} failed, ${ms.toFixed(0)} ms for all)`,
  );
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${RUNS} runs`);
  const w = await createNodeWorld({ pluginLogLevel: "warn" });
  try {
    await measureAttach(w);
    measureStartup(w);
    await measureBurst(w);
  } finally {
    await w.dispose();
  }
}

await main();
