// One node, all real but the cluster (issue 5's seed scenario and the e2e tests' world):
//   - the stand-in API server on loopback (Node node-1, DeviceClasses, NADs, claims, pods), relayed into
//     the fake host (test/integration/cni/support/api-bridge.ts);
//   - a fake host netns (runtime harness) whose "NICs" are veth pairs, the peers in a switch netns: eth1
//     (macvlan's master) and the device NICs nic0..nic3 (+ dpnic0, served only as a device-plugin device);
//   - `netclaim kubelet-plugin` as a child process inside the fake host (plugin-process.ts) with every
//     directory under the world's temp root (node-paths.ts), hosting the CNI server on --cni-socket;
//   - the stand-in kubelet (plugin watcher, DRA client, PodResources server);
//   - `netclaim install-cni` run once (host-install.ts): the shim and netclaim's config in temp CNI dirs;
//   - the runtime stand-in, which runs that config (the shim) for each pod sandbox in the fake host;
//   - with `ipam`: the IPAM CRDs and IPPools in the API, and `netclaim controller` as a child process
//     (node-ipam.ts, node-controller.ts), started after the kubelet plugin, stopped before it.
// Pods go through it like through a cluster (node-pods.ts): create, schedule (scheduler.ts), prepare,
// ADD, DEL, unprepare. Everything made is registered for teardown (dispose: DEL, unprepare, plugin stop,
// netns removal, temp dirs) and recorded in a state file (leftovers.ts) that a later run sweeps first.
//
// Public API: `NodeWorldOptions`, `NodeWorld`, `createNodeWorld`, `DEFAULT_RESOURCES`, `DEVICE_PLUGIN_NIC`.
import { writeFile } from "node:fs/promises";
import type { IPPoolSpec } from "../../../src/api/ip-pool.ts";
import { ProcessExec } from "../../../src/common/exec.ts";
import type { FakeApiServer } from "../../harness/api-server/index.ts";
import type { FakeKubelet } from "../../harness/kubelet/fake-kubelet.ts";
import { findCniPluginDir } from "../../harness/privileged.ts";
import { createNetnsManager, createRuntimeHarness, DEFAULT_PATH_ENV } from "../../harness/runtime/index.ts";
import type { JsonObject, PluginRunEvent, RuntimeHarness } from "../../harness/runtime/index.ts";
import type { ApiBridge } from "../../integration/cni/support/api-bridge.ts";
import { installCni } from "./host-install.ts";
import type { InstalledCni } from "./host-install.ts";
import { LeftoverLog, sweepNodeWorldLeftovers, sweepRecord } from "./leftovers.ts";
import type { SweptWorld } from "./leftovers.ts";
import { NodeController } from "./node-controller.ts";
import { installIpam } from "./node-ipam.ts";
import { nodePaths } from "./node-paths.ts";
import type { NodePaths } from "./node-paths.ts";
import { NodePlugin } from "./node-plugin.ts";
import { ownSessionExec, seedCluster, startServices } from "./node-services.ts";
import { devicesConfig } from "./scenario.ts";
import type { DeviceResource } from "./scenario.ts";
import { writeTestPlugins } from "./test-plugins.ts";

export const DEFAULT_RESOURCES: readonly DeviceResource[] = [
  { resourceName: "sf-pool-1", nics: ["nic0", "nic1", "nic2", "nic3"] },
];
/** A NIC in no resource of the devices config: what a device plugin hands out in the tests. */
export const DEVICE_PLUGIN_NIC = "dpnic0";
const UPLINK = "eth1";

export interface NodeWorldOptions {
  resources?: readonly DeviceResource[];
  /** Static address of each resource's NAD (named after the resource); default 192.168.100+i.10/24. */
  nadAddresses?: Readonly<Record<string, string>>;
  /** The kubelet plugin's --log-level (default info). */
  pluginLogLevel?: string;
  /** Told what is being set up, step by step (the demo prints it). */
  onProgress?: (text: string) => void;
  /** Told of every plugin the runtime stand-in runs (the shim). */
  onPluginRun?: (event: PluginRunEvent) => void;
  /**
   * Run every child (ip, the shim, install-cni, the API relay) in a session of its own, so that a Ctrl-C at
   * the terminal, which signals the whole foreground process group, reaches only this process, which then
   * tears the world down in order (the demo). Costs a `setsid` per command; default false.
   */
  ownSessions?: boolean;
  /** Cluster IPAM: these IPPools (with the CRDs) and `netclaim controller` running; default none. */
  ipam?: { pools: Readonly<Record<string, IPPoolSpec>> };
}

/** Everything the world is made of; NodeWorld only holds it. */
export interface NodeWorldParts {
  h: RuntimeHarness;
  api: FakeApiServer;
  bridge: ApiBridge;
  kubelet: FakeKubelet;
  plugin: NodePlugin;
  paths: NodePaths;
  installed: InstalledCni;
  pluginDir: string;
  leftovers: LeftoverLog;
  swept: SweptWorld[];
  resources: readonly DeviceResource[];
  controller?: NodeController | undefined;
}

export class NodeWorld {
  readonly h: RuntimeHarness;
  readonly api: FakeApiServer;
  readonly bridge: ApiBridge;
  readonly kubelet: FakeKubelet;
  readonly plugin: NodePlugin;
  readonly paths: NodePaths;
  readonly installed: InstalledCni;
  readonly pluginDir: string;
  readonly leftovers: LeftoverLog;
  readonly swept: SweptWorld[];
  readonly resources: readonly DeviceResource[];
  /** `netclaim controller`, when the world was made with `ipam`. */
  readonly controller: NodeController | undefined;

  constructor(parts: NodeWorldParts) {
    this.h = parts.h;
    this.api = parts.api;
    this.bridge = parts.bridge;
    this.kubelet = parts.kubelet;
    this.plugin = parts.plugin;
    this.paths = parts.paths;
    this.installed = parts.installed;
    this.pluginDir = parts.pluginDir;
    this.leftovers = parts.leftovers;
    this.swept = parts.swept;
    this.resources = parts.resources;
    this.controller = parts.controller;
  }

  /** The CNI config the runtime runs for every sandbox: what install-cni wrote. */
  get netconf(): JsonObject {
    return this.installed.netconf;
  }

  /**
   * Undoes everything, last made first; then removes the state file. When a step fails (e.g. its `ip` child
   * got the terminal's Ctrl-C), what is recorded is swept at once and the failure rethrown; the state file
   * stays if anything could not be removed.
   */
  async dispose(): Promise<void> {
    try {
      await this.h.dispose();
    } catch (err) {
      const record = this.leftovers.snapshot();
      const own = await this.h.podNetns.list();
      record.netns.push(...own.filter((n) => n.startsWith(`${this.h.runPrefix}-`)));
      const swept = await sweepRecord(record, this.h.netns);
      if (swept.problems.length === 0) await this.leftovers.close();
      throw err;
    }
    await this.leftovers.close();
  }
}

async function build(
  h: RuntimeHarness,
  options: NodeWorldOptions,
  leftovers: LeftoverLog,
  swept: SweptWorld[],
) {
  const say = options.onProgress ?? (() => undefined);
  const ownSessions = options.ownSessions ?? false;
  const pluginDir = findCniPluginDir() ?? "/usr/lib/cni";
  const resources = options.resources ?? DEFAULT_RESOURCES;
  const paths = nodePaths(h.tmpDir);
  for (const name of [h.host.netns.name, h.host.switchNetns?.name]) if (name) await leftovers.addNetns(name);
  say(`fake host netns ${h.host.netns.name}: NICs ${h.host.uplinks.map((u) => u.name).join(", ")}`);
  const { api, bridge, kubelet } = await startServices({ h, paths, leftovers, ownSessions });
  say(`stand-in API server ${api.url} (relayed into the fake host), stand-in kubelet`);
  seedCluster(api, resources, options.nadAddresses ?? {}, paths.host.ipamDir);
  await writeFile(paths.devicesConfig, devicesConfig(resources));
  await writeTestPlugins(paths.testPluginDir, pluginDir);
  const installed = await installCni(paths.host, {
    daemonSocket: paths.cniSocket,
    deviceInfoDir: paths.deviceInfoDir,
    ownSession: ownSessions,
  });
  say(`netclaim install-cni: shim in ${paths.host.binDir}, config ${installed.configFile}`);
  const plugin = new NodePlugin({
    h,
    api,
    kubelet,
    paths,
    resources,
    leftovers,
    logLevel: options.pluginLogLevel ?? "info",
  });
  h.cleanup.add("netclaim kubelet-plugin", () => plugin.stop().then(() => undefined));
  await plugin.start();
  say(`netclaim kubelet-plugin (pid ${plugin.pid}) registered, devices published, CNI server ready`);
  const controller =
    options.ipam === undefined ? undefined : await startIpam({ h, api, paths, leftovers }, options.ipam);
  if (controller !== undefined)
    say(`IPPools ${Object.keys(options.ipam?.pools ?? {}).join(", ")}; netclaim controller leading`);
  return new NodeWorld({
    h,
    api,
    bridge,
    kubelet,
    plugin,
    paths,
    installed,
    pluginDir,
    leftovers,
    swept,
    resources,
    controller,
  });
}

/** The IPAM CRDs and pools, then the controller (stopped by the world's cleanup). */
async function startIpam(
  parts: { h: RuntimeHarness; api: FakeApiServer; paths: NodePaths; leftovers: LeftoverLog },
  ipam: NonNullable<NodeWorldOptions["ipam"]>,
): Promise<NodeController> {
  const { h, api, paths, leftovers } = parts;
  await installIpam(api, ipam.pools);
  const controller = new NodeController({ kubeconfig: paths.kubeconfig, leftovers });
  h.cleanup.add("netclaim controller", () => controller.stop().then(() => undefined));
  await controller.start();
  return controller;
}

/** Sweeps what killed runs left, then builds the world; on a failure, undoes what was made. */
export async function createNodeWorld(options: NodeWorldOptions = {}): Promise<NodeWorld> {
  const swept = await sweepNodeWorldLeftovers(await createNetnsManager({ exec: new ProcessExec() }));
  const pluginDir = findCniPluginDir() ?? "/usr/lib/cni";
  const resources = options.resources ?? DEFAULT_RESOURCES;
  const nics = [...new Set([...resources.flatMap((r) => r.nics), DEVICE_PLUGIN_NIC])];
  const exec = new ProcessExec();
  const h = await createRuntimeHarness({
    exec: options.ownSessions === true ? ownSessionExec(exec) : exec,
    uplinks: [UPLINK, ...nics],
    withSwitch: true,
    baseEnv: { PATH: DEFAULT_PATH_ENV },
    ...(options.onPluginRun === undefined ? {} : { onPluginRun: options.onPluginRun }),
    binDirs: (tmpDir) => {
      const paths = nodePaths(tmpDir);
      return Promise.resolve([paths.host.binDir, paths.testPluginDir, pluginDir]);
    },
  });
  const leftovers = new LeftoverLog(h.runPrefix);
  try {
    return await build(h, options, leftovers, swept);
  } catch (err) {
    await h.dispose().then(
      () => leftovers.close(),
      () => undefined, // the state file stays, for the next run's sweep
    );
    throw err;
  }
}
