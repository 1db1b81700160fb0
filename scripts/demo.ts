// `npm run demo`: the harness scenario, told step by step. A fake host netns with a veth uplink, a pod
// sandbox netns, the reference bridge + host-local plugins run the way containerd runs them (ADD, CHECK,
// DEL, DEL again), what the pod sees, and proof that everything is gone afterwards.
// Exit codes: 0 success, 1 a step failed, 2 this machine cannot run it (not root, no plugins, no ip),
// 130/143 interrupted (cleanup still runs).
// Options: --cni-bin-dir <dir> (default: /usr/lib/cni, else /opt/cni/bin), --pod-netns-dir <dir> (default /run/netns).
import { access, constants, readdir } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { errorMessage } from "../src/common/errors.ts";
import { ProcessExec } from "../src/common/exec.ts";
import { CNI_PLUGIN_DIRS, findCniPluginDir, isRoot } from "../test/harness/privileged.ts";
import { createRuntimeHarness, pingOnce, probeTcp } from "../test/harness/runtime/index.ts";
import type {
  JsonObject,
  PluginRunEvent,
  PodSandbox,
  RuntimeHarness,
} from "../test/harness/runtime/index.ts";

const NETWORK = "netclaim-demo";
const SUBNET = "10.244.99.0/24";
const GATEWAY = "10.244.99.1";
const POD = { namespace: "default", name: "demo-pod", uid: "0d3e5a10-5c5e-4b1e-9b2a-000000000001" };

function demoNetconf(dataDir: string): JsonObject {
  return {
    cniVersion: "1.0.0",
    name: NETWORK,
    type: "bridge",
    bridge: "ncdemo0",
    isGateway: true,
    ipMasq: false,
    ipam: {
      type: "host-local",
      ranges: [[{ subnet: SUBNET, gateway: GATEWAY }]],
      routes: [{ dst: "0.0.0.0/0" }],
      dataDir,
    },
  };
}

const out = (line = ""): void => void process.stdout.write(`${line}\n`);
const step = (n: number, title: string): void => out(`\n[${n}] ${title}`);

class Unsupported extends Error {}

async function findPluginDir(given: string | undefined): Promise<string | undefined> {
  if (given === undefined) return findCniPluginDir();
  return access(join(given, "bridge"), constants.X_OK).then(
    () => given,
    () => undefined,
  );
}

async function preflight(binDir: string | undefined): Promise<string> {
  if (!isRoot())
    throw new Unsupported(
      "needs root: it creates network namespaces (run it as root, e.g. sudo npm run demo)",
    );
  const pluginDir = await findPluginDir(binDir);
  if (pluginDir === undefined) {
    const where = binDir ?? CNI_PLUGIN_DIRS.join(" or ");
    throw new Unsupported(
      `reference CNI plugins not found in ${where} — apt-get install containernetworking-plugins`,
    );
  }
  const ip = await new ProcessExec().run("ip", ["-V"], { timeoutMs: 5000 }).catch(() => undefined);
  if (ip?.code !== 0) throw new Unsupported("`ip` (iproute2) not found — apt-get install iproute2");
  return pluginDir;
}

function printPluginRun(event: PluginRunEvent): void {
  out(`    -> ${event.command} ${event.plugin} (${event.path}), exit ${event.exitCode}`);
  for (const [key, value] of Object.entries(event.cniEnv)) out(`       ${key}=${value}`);
  out(`       stdin: ${event.stdin}`);
  if (event.exitCode !== 0 && event.stdout.trim() !== "") out(`       stdout: ${event.stdout.trim()}`);
}

interface CniResult {
  interfaces: { name: string; mac?: string; sandbox?: string }[];
  ips: { address: string; gateway?: string; interface?: number }[];
}

interface Scenario {
  h: RuntimeHarness;
  sandbox: PodSandbox;
  conf: JsonObject;
  dataDir: string;
  address: string;
}

async function stepSandboxAndAdd(h: RuntimeHarness, pluginDir: string): Promise<Scenario> {
  step(1, "fake host and pod sandbox");
  const uplink = h.host.uplinks[0];
  out(`    fake host netns ${h.host.netns.path} (plugins run here; it stands in for the node)`);
  if (uplink) out(`    uplink ${uplink.name} (veth, peer ${uplink.peer} in ${uplink.peerNetns.name})`);
  const sandbox = await h.runtime.runPodSandbox(POD);
  out(`    pod ${POD.namespace}/${POD.name}: sandbox id ${sandbox.id}`);
  out(`    pod netns ${sandbox.netns.path} (lo up)`);

  step(2, `CNI ADD: bridge + host-local from ${pluginDir}`);
  const dataDir = await h.makeDir("host-local");
  const conf = demoNetconf(dataDir);
  const result = (await h.runtime.setUpPodNetwork(sandbox, conf)) as unknown as CniResult;
  const podIndex = result.interfaces.findIndex((i) => i.sandbox === sandbox.netns.path);
  const podIf = result.interfaces[podIndex];
  const podIp = result.ips.find((i) => i.interface === podIndex);
  if (podIf === undefined || podIp === undefined) {
    throw new Error(`no pod interface in the result: ${JSON.stringify(result)}`);
  }
  const gateway = podIp.gateway ?? "none";
  out(
    `    result: interface ${podIf.name} (mac ${podIf.mac ?? "?"}), IP ${podIp.address}, gateway ${gateway}`,
  );
  return { h, sandbox, conf, dataDir, address: podIp.address.split("/")[0] ?? "" };
}

async function stepInspect({ h, sandbox, address }: Scenario): Promise<void> {
  step(3, "inside the pod netns");
  for (const link of await h.podNetns.addresses(sandbox.netns)) {
    const addrs = link.addr_info.map((a) => `${a.local}/${a.prefixlen}`).join(" ");
    out(`    ip addr: ${link.ifname} ${link.operstate} ${link.address ?? ""} ${addrs}`);
  }
  for (const route of await h.podNetns.routes(sandbox.netns)) {
    out(`    ip route: ${route.dst}${route.gateway ? ` via ${route.gateway}` : ""} dev ${route.dev ?? "?"}`);
  }
  await probeTcp({ netns: h.netns, from: h.host.netns, to: sandbox.netns, address });
  out(`    fake host -> pod ${address}: TCP round trip OK`);
  const ping = await pingOnce(h.netns, h.host.netns, address);
  const pingText =
    ping === undefined ? "not installed (apt-get install iputils-ping)" : ping ? "OK" : "FAILED";
  out(`    ping from the fake host: ${pingText}`);
  if (ping === false) throw new Error(`ping ${address} from the fake host failed`);
}

async function stepCheckAndDelete({ h, sandbox, conf, dataDir, address }: Scenario): Promise<void> {
  step(4, "CNI CHECK, then DEL, then DEL again");
  await h.runtime.checkPodNetwork(sandbox, conf);
  out("    CHECK passed");
  await h.runtime.tearDownPodNetwork(sandbox, conf);
  const left = (await readdir(join(dataDir, NETWORK))).sort();
  out(`    after DEL, host-local dataDir holds: ${left.join(", ")} (no allocation left)`);
  if (left.includes(address)) throw new Error(`host-local still holds ${address} after DEL`);
  const links = (await h.podNetns.links(sandbox.netns)).map((l) => l.ifname);
  out(`    pod interfaces now: ${links.join(", ")}`);
  if (links.includes("eth0")) throw new Error("eth0 is still in the pod after DEL");
  await h.runtime.tearDownPodNetwork(sandbox, conf);
  out("    second DEL succeeded (idempotent)");
}

async function run(h: RuntimeHarness, pluginDir: string, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  const scenario = await stepSandboxAndAdd(h, pluginDir);
  signal.throwIfAborted();
  await stepInspect(scenario);
  signal.throwIfAborted();
  await stepCheckAndDelete(scenario);
}

/** Removes everything and says so; false when something is left or cleanup failed. */
async function cleanUp(harness: RuntimeHarness): Promise<boolean> {
  step(5, "cleanup");
  try {
    await harness.dispose();
    for (const label of harness.cleanup.completed) out(`    removed ${label}`);
    const names = [...(await harness.netns.list()), ...(await harness.podNetns.list())];
    const remaining = [...new Set(names)].filter((n) => n.startsWith(harness.runPrefix));
    out(
      remaining.length === 0 ? "    no netns of this run remain" : `    LEFT BEHIND: ${remaining.join(", ")}`,
    );
    return remaining.length === 0;
  } catch (err) {
    process.stderr.write(`cleanup failed: ${errorMessage(err)}\n`);
    return false;
  }
}

/** First SIGINT/SIGTERM: finish the current step, clean up, exit 130/143. A second one exits at once. */
function onInterrupt(controller: AbortController): () => number {
  let code = 0;
  const handler = (signal: NodeJS.Signals): void => {
    const exitCode = signal === "SIGINT" ? 130 : 143;
    if (controller.signal.aborted) process.exit(exitCode);
    code = exitCode;
    process.stderr.write(`\n${signal}: stopping after the current step and cleaning up (again to abandon)\n`);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => code;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { "cni-bin-dir": { type: "string" }, "pod-netns-dir": { type: "string" } },
  });
  let pluginDir: string;
  try {
    pluginDir = await preflight(values["cni-bin-dir"]);
  } catch (err) {
    if (!(err instanceof Unsupported)) throw err;
    process.stderr.write(`demo cannot run here: ${err.message}\n`);
    return 2;
  }
  const controller = new AbortController();
  const interruptCode = onInterrupt(controller);
  out(
    "netclaim demo: a pod network set up by the reference bridge plugin, the way a container runtime does it",
  );
  const harness = await createRuntimeHarness({
    binDirs: [pluginDir],
    podNetnsDir: values["pod-netns-dir"],
    onPluginRun: printPluginRun,
  });
  let ok = true;
  try {
    await run(harness, pluginDir, controller.signal);
  } catch (err) {
    ok = false;
    process.stderr.write(`\ndemo failed: ${errorMessage(err)}\n`);
  } finally {
    ok = (await cleanUp(harness)) && ok;
  }
  if (interruptCode() !== 0) return interruptCode();
  out(ok ? "\ndemo OK" : "\ndemo FAILED");
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${errorMessage(err)}\n`);
    process.exit(1);
  },
);
