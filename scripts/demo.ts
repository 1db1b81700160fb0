// `npm run demo`: the seed scenario on one node (issue 5), told step by step. All real but the cluster: the
// stand-in API server, `netclaim kubelet-plugin` (its devices: veth "NICs" of a fake host netns, declared in
// a devices config) with its CNI server, the stand-in kubelet, `netclaim install-cni`'s shim and config, the
// runtime stand-in running them, the reference CNI plugins (test/e2e/support/node-world.ts). It creates
// DeviceClass sf-pool-1, NAD sf-pool-1 (host-device, static address), the bridge default network, NAD
// macvlan-net, a ResourceClaim and a pod using it; allocates and prepares the claim; runs ADD through the
// shim; prints the pod's interfaces, its network-status annotation and the claim's status.devices; then DEL,
// unprepare and teardown, proving that everything is gone. What a killed earlier run left is swept first.
// `--with-controller` adds IPPool pool-a and `netclaim controller` to the node, and a step 7b: a pod whose
// claim names pool-a gets the controller's addresses on net1 (test/e2e/support/demo-ipam.ts).
// Exit codes: 0 success, 1 a step failed, 2 this machine cannot run it (not root, no plugins, no ip or
// setpriv), 130/143 interrupted (cleanup still runs; a second signal abandons it).
import { access, constants } from "node:fs/promises";
import { join } from "node:path";
import { errorMessage } from "../src/common/errors.ts";
import { ProcessExec } from "../src/common/exec.ts";
import { CNI_PLUGIN_DIRS, findCniPluginDir, isRoot } from "../test/harness/privileged.ts";
import type { PluginRunEvent } from "../test/harness/runtime/index.ts";
import { DEMO_IPAM_NAD, DEMO_POOLS, startDemoIpamPod } from "../test/e2e/support/demo-ipam.ts";
import { demoPlan, startDemoPod } from "../test/e2e/support/demo-pod.ts";
import {
  allocatedDevices,
  cacheEntries,
  checkpointClaims,
  claimStatus,
  hostLocalAllocations,
  hostNics,
  networkStatus,
  podInterfaces,
} from "../test/e2e/support/node-inspect.ts";
import { addPod, delPod, unpreparePod } from "../test/e2e/support/node-pods.ts";
import type { NodePod } from "../test/e2e/support/node-pods.ts";
import { createNodeWorld } from "../test/e2e/support/node-world.ts";
import type { NodeWorld } from "../test/e2e/support/node-world.ts";

const WITH_CONTROLLER = process.argv.includes("--with-controller");
const out = (line = ""): void => void process.stdout.write(`${line}\n`);
const step = (n: number, title: string): void => out(`\n[${n}] ${title}`);
const indent = (text: string, by = "    "): string =>
  text
    .trimEnd()
    .split("\n")
    .map((l) => `${by}${l}`)
    .join("\n");

class Unsupported extends Error {}

async function preflight(): Promise<void> {
  if (!isRoot())
    throw new Unsupported(
      "needs root: it creates network namespaces (run it as root, e.g. sudo npm run demo)",
    );
  const pluginDir = findCniPluginDir();
  if (
    pluginDir === undefined ||
    !(await access(join(pluginDir, "host-device"), constants.X_OK).then(
      () => true,
      () => false,
    ))
  ) {
    throw new Unsupported(
      `reference CNI plugins not found in ${CNI_PLUGIN_DIRS.join(" or ")} — apt-get install containernetworking-plugins`,
    );
  }
  const exec = new ProcessExec();
  for (const [tool, args, pkg] of [
    ["ip", ["-V"], "iproute2"],
    ["setpriv", ["--version"], "util-linux"],
  ] as const) {
    const r = await exec.run(tool, [...args], { timeoutMs: 5000 }).catch(() => undefined);
    if (r?.code !== 0) throw new Unsupported(`\`${tool}\` not found — apt-get install ${pkg}`);
  }
}

function printShimRun(event: PluginRunEvent): void {
  const env = ["CNI_COMMAND", "CNI_IFNAME", "CNI_NETNS"]
    .map((k) => `${k}=${event.cniEnv[k] ?? ""}`)
    .join(" ");
  out(`    runtime -> ${event.path} (${env}): exit ${event.exitCode}`);
  if (event.exitCode !== 0 && event.stdout.trim() !== "") out(`       ${event.stdout.trim()}`);
}

async function stepObjects(w: NodeWorld): Promise<NodePod> {
  step(2, "the seed scenario's objects");
  const cls = w.api.getObject({ group: "resource.k8s.io", resource: "deviceclasses", name: "sf-pool-1" });
  out(`    DeviceClass sf-pool-1: ${JSON.stringify((cls?.spec as { selectors?: unknown })?.selectors)}`);
  for (const name of ["sf-pool-1", "macvlan-net"]) {
    const nad = w.api.getObject({
      group: "k8s.cni.cncf.io",
      resource: "network-attachment-definitions",
      namespace: "default",
      name,
    });
    out(
      `    NAD default/${name}: ${JSON.stringify(nad?.metadata?.annotations ?? {})} ${(nad?.spec as { config?: string })?.config ?? ""}`,
    );
  }
  out(
    `    cluster network (eth0): ${join(w.paths.host.confDir, "10-bridge.conflist")} (bridge + host-local)`,
  );
  const plan = demoPlan();
  const pod = await startDemoPod(w, plan);
  out(
    `    ResourceClaim default/demo-pod-nic (class sf-pool-1); Pod default/demo-pod, networks "${plan.networks}"`,
  );
  step(3, "allocated (stand-in scheduler) and prepared (stand-in kubelet → NodePrepareResources)");
  const device = allocatedDevices(w, "demo-pod-nic")[0] ?? "?";
  out(`    claim demo-pod-nic got device ${device} of pool node-1 (published in the node's ResourceSlice)`);
  const prepared = Object.values(await checkpointClaims(w)).map((c) => `${c.name}: ${c.state}`);
  out(`    kubelet plugin checkpoint ${w.paths.checkpoint}: ${prepared.join(", ")}`);
  return pod;
}

async function stepAttach(w: NodeWorld, pod: NodePod): Promise<string> {
  const device = allocatedDevices(w, "demo-pod-nic")[0] ?? "";
  const mac = (await hostNics(w)).get(device);
  step(4, "CNI ADD through the shim (→ the kubelet plugin's CNI server → bridge, host-device, macvlan)");
  const result = await addPod(w, pod);
  out(`    result for the runtime (cluster network): ${JSON.stringify(result.ips)}`);
  step(5, `inside the pod netns ${pod.sandbox.netns.path}: ip addr`);
  out(indent(await w.h.podNetns.ip(pod.sandbox.netns, ["addr", "show"])));
  out(`    ${device} (mac ${mac ?? "?"}) left the fake host: ${!(await hostNics(w)).has(device)}`);
  step(6, "status written by the CNI server");
  await until(() => (networkStatus(w, pod)?.length ?? 0) > 0 && claimStatus(w, "demo-pod-nic").length > 0);
  out("    pod annotation k8s.v1.cni.cncf.io/network-status:");
  out(indent(JSON.stringify(networkStatus(w, pod), null, 2), "      "));
  out("    ResourceClaim demo-pod-nic status.devices:");
  out(indent(JSON.stringify(claimStatus(w, "demo-pod-nic"), null, 2), "      "));
  return device;
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("the status was not written in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stepDetach(w: NodeWorld, pod: NodePod, device: string): Promise<void> {
  step(7, "CNI DEL through the shim, then NodeUnprepareResources");
  await delPod(w, pod);
  const links = (await w.h.podNetns.links(pod.sandbox.netns)).map((l) => l.ifname);
  out(`    pod interfaces now: ${links.join(", ")}`);
  const back = (await hostNics(w)).has(device);
  out(`    ${device} back in the fake host: ${back}`);
  const leftovers = [...(await hostLocalAllocations(w)), ...(await cacheEntries(w))];
  out(`    host-local addresses and attachment cache entries left: ${leftovers.length}`);
  await unpreparePod(w, pod);
  const claims = Object.keys(await checkpointClaims(w)).length;
  out(`    claims in the kubelet plugin's checkpoint: ${claims}`);
  if (!back || leftovers.length > 0 || claims > 0 || links.length !== 1)
    throw new Error("DEL left something behind");
}

async function stepControllerAddresses(w: NodeWorld): Promise<void> {
  const cidrs = DEMO_POOLS["pool-a"].cidrs.join(", ");
  out(
    `\n[7b] addresses from netclaim controller: IPPool pool-a (${cidrs}), NAD ${DEMO_IPAM_NAD} (capabilities.ips)`,
  );
  const { pod, ips } = await startDemoIpamPod(w);
  out(
    `    claim ${pod.plan.claims?.[0]?.claimName ?? "?"} (ipPool pool-a): networkData.ips ${JSON.stringify(ips)}`,
  );
  await addPod(w, pod);
  out(indent(await w.h.podNetns.ip(pod.sandbox.netns, ["addr", "show", "net1"])));
  const onNet1 = (await podInterfaces(w, pod)).get("net1")?.addresses ?? [];
  await pod.teardown();
  if (JSON.stringify(onNet1) !== JSON.stringify(ips))
    throw new Error("net1 lacks the controller's addresses");
}

async function run(w: NodeWorld, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  const pod = await stepObjects(w);
  signal.throwIfAborted();
  const device = await stepAttach(w, pod);
  signal.throwIfAborted();
  await stepDetach(w, pod, device);
  signal.throwIfAborted();
  if (WITH_CONTROLLER) await stepControllerAddresses(w);
}

/** Removes everything and proves it; false when something is left or cleanup failed. */
async function cleanUp(w: NodeWorld): Promise<boolean> {
  step(8, "teardown");
  const pid = w.plugin.processes.at(-1)?.pid;
  let disposed = true;
  try {
    await w.dispose();
  } catch (err) {
    disposed = false;
    process.stderr.write(`cleanup step failed (what it recorded was swept): ${errorMessage(err)}\n`);
  }
  for (const label of w.h.cleanup.completed) out(`    removed ${label}`);
  const netns = [...(await w.h.netns.list()), ...(await w.h.podNetns.list())].filter((n) =>
    n.startsWith(w.h.runPrefix),
  );
  const gone = async (path: string) =>
    access(path).then(
      () => false,
      () => true,
    );
  const checks: [string, boolean][] = [
    [`no netns of this run (${w.h.runPrefix}-*)`, netns.length === 0],
    [`temp dir ${w.h.tmpDir} removed`, await gone(w.h.tmpDir)],
    [`kubelet plugin (pid ${pid ?? "?"}) exited`, pid === undefined || (await gone(`/proc/${pid}`))],
    [`state file ${w.leftovers.path} removed`, await gone(w.leftovers.path)],
  ];
  if (w.controller !== undefined) checks.push(["netclaim controller exited", !w.controller.running]);
  for (const [what, ok] of checks) out(`    ${ok ? "ok" : "LEFT BEHIND"}: ${what}`);
  return disposed && checks.every(([, ok]) => ok);
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
  try {
    await preflight();
  } catch (err) {
    if (!(err instanceof Unsupported)) throw err;
    process.stderr.write(`demo cannot run here: ${err.message}\n`);
    return 2;
  }
  const controller = new AbortController();
  const interruptCode = onInterrupt(controller);
  out("netclaim demo: a pod's ResourceClaim NIC attached by the meta-plugin, on one node");
  step(1, "the node");
  let w: NodeWorld;
  try {
    w = await createNodeWorld({
      onProgress: (text) => out(`    ${text}`),
      onPluginRun: printShimRun,
      ownSessions: true,
      ...(WITH_CONTROLLER ? { ipam: { pools: DEMO_POOLS } } : {}),
    });
  } catch (err) {
    // createNodeWorld undid what it had made
    process.stderr.write(`\ndemo failed: ${errorMessage(err)}\n`);
    return interruptCode() !== 0 ? interruptCode() : 1;
  }
  for (const s of w.swept) out(`    swept a killed run's leftovers: ${JSON.stringify(s)}`);
  let ok = true;
  try {
    await run(w, controller.signal);
  } catch (err) {
    ok = false;
    process.stderr.write(`\ndemo failed: ${errorMessage(err)}\n`);
  } finally {
    ok = (await cleanUp(w)) && ok;
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
