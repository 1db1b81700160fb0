// Thick mode against its floors, in one run on one machine:
//   1. ADD + DEL of a pod with the cluster network (bridge + host-local) and two secondary networks (macvlan
//      + host-local, ptp + host-local) through the shim (`netclaim cni` with daemonSocket) and the CNI
//      server — a process of its own in the fake host, as the kubelet plugin hosts it — against the floor:
//      the runtime stand-in running the same three networks' plugins itself. Alternating, after warm-ups;
//      p50 and p90. The server's network-status write is off the ADD's path; each run waits for it after
//      the ADD was timed, and counts the API requests of the warm ADD (informer caches: no reads).
//   2. Shim start-up: a STATUS through the shim to the running server (start, forward, answer, exit)
//      against `node -e 0` on the same Node, both spawned directly.
//   3. The server's resident memory idle and at its peak over 200 concurrent ADDs (the burst world of
//      test/integration/cni/server-burst.test.ts: a shell plugin as delegate, calls sent as 200 shims send
//      them), for the server run from source and from an esbuild bundle.
// Variants of the shim: `src` (this checkout's TypeScript through the wrapper) and `bundle+cache` (an
// esbuild bundle with NODE_COMPILE_CACHE, the shape a host installation ships); `standalone-bundle+cache`
// runs the same bundle without daemonSocket (thin mode, per-call API reads), for thick vs thin in one run.
// Needs root.
//   npm run bench:cni-daemon [-- --runs 30 --variants src,bundle+cache,standalone-bundle+cache --burst 200]
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import type { JsonObject } from "../test/harness/runtime/index.ts";
import { CLI_MAIN, netclaimWrapper, PINNED_NODE } from "../test/integration/cni/support/netclaim-bin.ts";
import { createBurstWorld } from "../test/integration/cni/support/server-burst.ts";
import { startServerProcess } from "../test/integration/cni/support/server-process.ts";
import type { ServerProcess } from "../test/integration/cni/support/server-process.ts";
import { createWorld, NETWORKS_ANNOTATION } from "../test/integration/cni/support/standalone-world.ts";
import type { World } from "../test/integration/cni/support/standalone-world.ts";
import { floorRun, fmt, now, quantile, secondary } from "./support/cni-pod.ts";
import type { Sample } from "./support/cni-pod.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "30" },
    variants: { type: "string", default: "src,bundle+cache,standalone-bundle+cache" },
    burst: { type: "string", default: "200" },
  },
});
const RUNS = Number(values.runs);
const WARMUP = 3;
const VARIANTS = values.variants.split(",");
const BURST = Number(values.burst);
const SERVER_CHILD = new URL("../test/integration/cni/support/server-child.ts", import.meta.url).pathname;

async function shimRun(w: World, conf: JsonObject): Promise<Sample & { reads: number; writes: number }> {
  const sandbox = await w.newPod("ns1", { [NETWORKS_ANNOTATION]: "mv,side" });
  await new Promise((resolve) => setTimeout(resolve, 20)); // the informer delivers the new pod: a warm ADD
  w.api.resetRequests();
  const t0 = now();
  await w.h.runtime.setUpPodNetwork(sandbox, conf);
  const t1 = now();
  for (let i = 0; i < 500 && w.writtenNetworkStatus(sandbox) === undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const requests = w.api.requests().filter((r) => r.verb !== "watch");
  const reads = requests.filter((r) => r.verb === "get" || r.verb === "list").length;
  const t2 = now();
  await w.h.runtime.tearDownPodNetwork(sandbox, conf);
  const t3 = now();
  await w.h.runtime.removePodSandbox(sandbox);
  return { add: t1 - t0, del: t3 - t2, reads, writes: requests.length - reads };
}

async function bundle(entry: string, dir: string, name: string): Promise<string> {
  await build({
    entryPoints: { [name]: entry },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node24",
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    logLevel: "error",
    banner: {
      js: "import { createRequire as __ncRequire } from 'node:module'; const require = __ncRequire(import.meta.url);",
    },
  });
  return join(dir, `${name}.mjs`);
}

/** One spawn-to-exit, in ms; throws unless it exits 0. */
function spawnMs(file: string, args: string[], env: NodeJS.ProcessEnv, input: string): number {
  const t0 = now();
  const r = spawnSync(file, args, { env, input, stdio: ["pipe", "ignore", "ignore"] });
  if (r.status !== 0) throw new Error(`${file} ${args.join(" ")} exited ${r.status}`);
  return now() - t0;
}

/** Medians of `node -e 0` and of the shim's STATUS, alternating so that both see the same load. */
function startupPair(shimArgs: string[], env: NodeJS.ProcessEnv, input: string) {
  const floor: number[] = [];
  const shim: number[] = [];
  for (let i = 0; i < RUNS + WARMUP; i++) {
    const f = spawnMs(PINNED_NODE, ["-e", "0"], { PATH: env.PATH }, "");
    const s = spawnMs(PINNED_NODE, shimArgs, env, input);
    if (i < WARMUP) continue;
    floor.push(f);
    shim.push(s);
  }
  return { floor: quantile(floor, 0.5), shim: quantile(shim, 0.5) };
}

async function measureAttach(w: World, variant: string, conf: JsonObject): Promise<void> {
  for (let i = 0; i < WARMUP; i++) {
    await shimRun(w, conf);
    await floorRun(w);
  }
  const ours: Awaited<ReturnType<typeof shimRun>>[] = [];
  const floor: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(await shimRun(w, conf));
    floor.push(await floorRun(w));
  }
  const rows: [string, (s: Sample) => number][] = [
    ["ADD", (s) => s.add],
    ["DEL", (s) => s.del],
    ["ADD+DEL", (s) => s.add + s.del],
  ];
  console.log(`\n${variant}: ${RUNS} runs each (after ${WARMUP} warm-up), ms`);
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
  const reads = new Set(ours.map((o) => o.reads));
  const writes = new Set(ours.map((o) => o.writes));
  console.log(
    `API requests per ADD (the pod already known): reads ${[...reads].join("/")}, writes ${[...writes].join("/")} (network-status)`,
  );
}

async function measureBurst(label: string, script: string | undefined): Promise<void> {
  const w = await createBurstWorld(BURST, {}, script === undefined ? {} : { script });
  try {
    const idle = await w.server.memoryKb();
    const t0 = now();
    const outcomes = await w.burst("ADD", BURST);
    const ms = now() - t0;
    const peak = await w.server.memoryKb();
    const failed = outcomes.filter((o) => o.kind !== "answered" || o.reply.exitCode !== 0).length;
    const stats = await w.server.stats();
    await w.burst("DEL", BURST);
    console.log(
      `server (${label}): RSS idle ${(idle.rss / 1024).toFixed(0)} MB, peak ${(peak.peak / 1024).toFixed(0)} MB over ${BURST} concurrent ADDs ` +
        `(${failed} failed, ${stats.requests.refused} refused, peak admitted ${stats.requests.peakAdmitted}, ${ms.toFixed(0)} ms for all)`,
    );
  } finally {
    await w.dispose();
  }
}

async function startServer(w: World, socket: string, script?: string): Promise<ServerProcess> {
  return startServerProcess(
    {
      socketPath: socket,
      nodeName: "node-1",
      kubeconfig: w.kubeconfig,
      logFile: join(w.h.tmpDir, "cni-server.log"),
      logLevel: "warn",
    },
    { netns: w.h.host.netns, tools: w.h.netns.tools, ...(script === undefined ? {} : { script }) },
  );
}

async function main(): Promise<void> {
  console.log(`node ${process.version}`);
  const tmp = await mkdtemp(join(tmpdir(), "nc-bench-daemon-"));
  const w = await createWorld({ runtimeEnv: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" } });
  let server: ServerProcess | undefined;
  try {
    const { mv, side } = secondary(w);
    w.seedNad("ns1", "mv", mv);
    w.seedNad("ns1", "side", side);
    const cli = await bundle(CLI_MAIN, join(tmp, "cli"), "main");
    const serverBundle = await bundle(SERVER_CHILD, join(tmp, "server"), "server-child");
    const socket = join(w.h.tmpDir, "run", "netclaim", "cni.sock");
    server = await startServer(w, socket, serverBundle);
    const conf = w.netconf({ daemonSocket: socket, logLevel: "error" });
    const statusConf = JSON.stringify({ ...conf, cniVersion: "1.1.0" });
    const env = { PATH: process.env.PATH ?? "", CNI_COMMAND: "STATUS", CNI_PATH: w.binDir };
    for (const variant of VARIANTS) {
      const standalone = variant.startsWith("standalone-");
      const shape = standalone ? variant.slice("standalone-".length) : variant;
      const entry = shape.startsWith("bundle") ? cli : CLI_MAIN;
      const cacheDir = join(tmp, `compile-cache-${variant.replace(/\W/g, "-")}`);
      await mkdir(cacheDir, { mode: 0o700 });
      const extra: Record<string, string> = shape.endsWith("+cache") ? { NODE_COMPILE_CACHE: cacheDir } : {};
      if (!standalone) {
        const start = startupPair([entry, "cni"], { ...env, ...extra }, statusConf);
        console.log(
          `\nshim STATUS through the server (${variant}): ${start.shim.toFixed(1)} ms; node -e 0 ` +
            `${start.floor.toFixed(1)} ms (medians of ${RUNS}, alternating): ${(start.shim / start.floor).toFixed(2)}x`,
        );
      }
      await writeFile(join(w.binDir, "netclaim"), netclaimWrapper(PINNED_NODE, entry, extra));
      await measureAttach(w, variant, standalone ? w.netconf({ logLevel: "error" }) : conf);
    }
    await server.stop();
    server = undefined;
    console.log("");
    await measureBurst("src", undefined);
    await measureBurst("bundle", serverBundle);
  } finally {
    await server?.stop();
    await w.dispose();
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
