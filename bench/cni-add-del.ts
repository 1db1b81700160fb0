// ADD + DEL of a pod with the cluster network (bridge + host-local) and two secondary networks (macvlan +
// host-local, ptp + host-local) through `netclaim cni`, against the floor measured in the same run: the
// runtime stand-in running the same three networks' plugins itself, without netclaim. Runs alternate
// (netclaim, floor, netclaim, ...) after warm-up runs. Also counted: API requests per ADD and per DEL.
//
// Needs root and the reference CNI plugins (like the privileged tests). Variants: `src` runs this
// checkout's TypeScript (type stripping at every start, as the integration tests do); `bundle` runs an
// esbuild bundle of the CLI, the form a host installation ships; `+cache` adds Node's on-disk compile
// cache (NODE_COMPILE_CACHE set by the wrapper to a root-only directory), which the first run fills. In the harness every command the
// runtime stand-in runs goes through `ip netns exec <fake host>`, so the floor (6 plugin runs by the
// runtime) pays that wrapper 4 times more than netclaim (1 ADD + 1 DEL by the runtime, its delegates
// exec'ed directly); the wrapper's cost is measured too and the corrected ratio printed next to the raw one.
//   npm run bench:cni [-- --runs 30 --variants src,bundle]
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { commandInNetns } from "../test/harness/runtime/index.ts";
import { CLI_MAIN, netclaimWrapper, PINNED_NODE } from "../test/integration/cni/support/netclaim-bin.ts";
import { createWorld, NETWORKS_ANNOTATION } from "../test/integration/cni/support/standalone-world.ts";
import type { World } from "../test/integration/cni/support/standalone-world.ts";
import { floorRun, fmt, now, quantile, secondary } from "./support/cni-pod.ts";
import type { Sample } from "./support/cni-pod.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "30" },
    variants: { type: "string", default: "src,src+cache,bundle,bundle+cache" },
  },
});
const RUNS = Number(values.runs);
const WARMUP = 3;
const VARIANTS = values.variants.split(",");

async function netclaimRun(w: World): Promise<Sample & { addRequests: number; delRequests: number }> {
  const sandbox = await w.newPod("ns1", { [NETWORKS_ANNOTATION]: "mv,side" });
  w.api.resetRequests();
  const t0 = now();
  await w.h.runtime.setUpPodNetwork(sandbox, w.netconf({ logLevel: "error" }));
  const t1 = now();
  const addRequests = w.api.requestCount();
  w.api.resetRequests();
  await w.h.runtime.tearDownPodNetwork(sandbox, w.netconf({ logLevel: "error" }));
  const t2 = now();
  const delRequests = w.api.requestCount();
  await w.h.runtime.removePodSandbox(sandbox);
  return { add: t1 - t0, del: t2 - t1, addRequests, delRequests };
}

/** Median time of `ip netns exec <fake host> /bin/true` minus that of `/bin/true`. */
function netnsExecCostMs(w: World): number {
  const time = (file: string, args: string[]): number => {
    const samples: number[] = [];
    for (let i = 0; i < RUNS + WARMUP; i++) {
      const t0 = now();
      spawnSync(file, args, { stdio: "ignore" });
      if (i >= WARMUP) samples.push(now() - t0);
    }
    return quantile(samples, 0.5);
  };
  const wrapped = commandInNetns(w.h.host.netns, ["/bin/true"], w.h.netns.tools);
  return time(wrapped.file, wrapped.args) - time("/bin/true", []);
}

async function bundleCli(dir: string): Promise<string> {
  await build({
    entryPoints: { main: CLI_MAIN },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node24",
    outdir: dir,
    logLevel: "error",
    banner: {
      js: "import { createRequire as __ncRequire } from 'node:module'; const require = __ncRequire(import.meta.url);",
    },
  });
  return join(dir, "main.js");
}

function seed(w: World): void {
  const { mv, side } = secondary(w);
  w.seedNad("ns1", "mv", mv);
  w.seedNad("ns1", "side", side);
}

function versionStartupMs(cli: string, withCa: boolean, extra: Record<string, string>): number {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "", CNI_COMMAND: "VERSION", ...extra };
  if (withCa && process.env.NODE_EXTRA_CA_CERTS !== undefined)
    env.NODE_EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS;
  const samples: number[] = [];
  for (let i = 0; i < RUNS + WARMUP; i++) {
    const t0 = now();
    const r = spawnSync(PINNED_NODE, [cli, "cni"], { env, input: "{}", stdio: ["pipe", "ignore", "ignore"] });
    if (r.status !== 0) throw new Error(`netclaim cni VERSION exited ${r.status}`);
    if (i >= WARMUP) samples.push(now() - t0);
  }
  return quantile(samples, 0.5);
}

async function measure(w: World, variant: string): Promise<void> {
  for (let i = 0; i < WARMUP; i++) {
    await netclaimRun(w);
    await floorRun(w);
  }
  const ours: Awaited<ReturnType<typeof netclaimRun>>[] = [];
  const floor: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(await netclaimRun(w));
    floor.push(await floorRun(w));
  }
  const wrapperMs = netnsExecCostMs(w);
  const total = (s: Sample): number => s.add + s.del;
  const rows: [string, (s: Sample) => number][] = [
    ["ADD", (s) => s.add],
    ["DEL", (s) => s.del],
    ["ADD+DEL", total],
  ];
  console.log(`${variant}: ${RUNS} runs each (after ${WARMUP} warm-up), ms`);
  console.log("            netclaim p50   p90 | floor p50   p90 | ratio p50  p90");
  for (const [name, pick] of rows) {
    const [o50, o90, f50, f90] = [
      quantile(ours.map(pick), 0.5),
      quantile(ours.map(pick), 0.9),
      quantile(floor.map(pick), 0.5),
      quantile(floor.map(pick), 0.9),
    ];
    console.log(
      `${name.padEnd(10)} ${fmt(o50)} ${fmt(o90)} | ${fmt(f50)} ${fmt(f90)} | ${(o50 / f50).toFixed(2).padStart(6)} ${(o90 / f90).toFixed(2).padStart(5)}`,
    );
  }
  const correctedFloor = quantile(floor.map(total), 0.5) - 4 * wrapperMs;
  console.log(
    `ip netns exec wrapper: ${wrapperMs.toFixed(1)} ms per command; ADD+DEL p50 ratio against the floor without the 4 extra wrappers: ${(quantile(ours.map(total), 0.5) / correctedFloor).toFixed(2)}`,
  );
  const addReq = new Set(ours.map((o) => o.addRequests));
  const delReq = new Set(ours.map((o) => o.delRequests));
  console.log(`API requests per ADD: ${[...addReq].join("/")}, per DEL: ${[...delReq].join("/")}`);
}

async function main(): Promise<void> {
  const caSet = process.env.NODE_EXTRA_CA_CERTS !== undefined;
  const runtimeEnv: Record<string, string> = { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" };
  if (caSet) runtimeEnv.NODE_EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS ?? "";
  console.log(`node ${process.version}; NODE_EXTRA_CA_CERTS ${caSet ? "set (passed to netclaim)" : "unset"}`);
  const bundleDir = await mkdtemp(join(tmpdir(), "nc-bench-bundle-"));
  const w = await createWorld({ runtimeEnv });
  try {
    seed(w);
    const bundle = VARIANTS.some((v) => v.startsWith("bundle")) ? await bundleCli(bundleDir) : undefined;
    for (const variant of VARIANTS) {
      const cli = variant.startsWith("bundle") ? bundle : CLI_MAIN;
      if (cli === undefined) continue;
      const cacheDir = join(bundleDir, `compile-cache-${variant.replace(/\W/g, "-")}`);
      await mkdir(cacheDir, { mode: 0o700 });
      const env: Record<string, string> = variant.endsWith("+cache") ? { NODE_COMPILE_CACHE: cacheDir } : {};
      const startup = [true, false].map((ca) => versionStartupMs(cli, ca, env).toFixed(1));
      console.log(`\nVERSION start-up (${variant}): ${startup[0]} ms with CA env, ${startup[1]} ms without`);
      await writeFile(join(w.binDir, "netclaim"), netclaimWrapper(PINNED_NODE, cli, env));
      await measure(w, variant);
    }
  } finally {
    await w.dispose();
    await rm(bundleDir, { recursive: true, force: true });
  }
}

await main();
