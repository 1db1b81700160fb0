// The world of the standalone integration tests, all real but the cluster: a fake host netns (uplink
// eth1 for macvlan, spare veths for host-device), the runtime stand-in executing `netclaim` (this
// checkout, through the wrapper in the bin dir) as the CNI plugin inside that host, the reference plugins
// next to it, and the stand-in API server relayed into the host (api-bridge.ts). Builders for the netclaim
// config, pods (seeded in the API with the sandbox's UID) and NADs; readers for what a test checks: the
// pod's addresses and routes, host-local's allocations, the attachment cache, the network-status
// annotation, API requests.
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { FakeApiServer } from "../../../harness/api-server/index.ts";
import type { KubeObject } from "../../../harness/api-server/index.ts";
import { findCniPluginDir } from "../../../harness/privileged.ts";
import {
  createRuntimeHarness,
  DEFAULT_PATH_ENV,
  PluginInvoker,
  pluginEnv,
} from "../../../harness/runtime/index.ts";
import type {
  IpAddress,
  IpRoute,
  JsonObject,
  PodSandbox,
  RuntimeHarness,
} from "../../../harness/runtime/index.ts";
import { startApiBridge } from "./api-bridge.ts";
import type { ApiBridge } from "./api-bridge.ts";
import { makeNetclaimBinDir } from "./netclaim-bin.ts";

export const NETWORKS_ANNOTATION = "k8s.v1.cni.cncf.io/networks";
export const NETWORK_STATUS_ANNOTATION = "k8s.v1.cni.cncf.io/network-status";

export interface WorldOptions {
  /** Extra veth pairs in the fake host (both ends there), for host-device: names of the moved ends. */
  spareLinks?: readonly string[];
  /** Keys of the netclaim config over the defaults. */
  netconf?: JsonObject;
  /** The runtime's own environment, which `netclaim` and the plugins inherit (default: PATH only). */
  runtimeEnv?: Readonly<Record<string, string>>;
}

export interface World {
  h: RuntimeHarness;
  api: FakeApiServer;
  /** The relay into the fake host; its `writes` are the plugin's write requests. */
  bridge: ApiBridge;
  binDir: string;
  confDir: string;
  cniDir: string;
  ipamDir: string;
  logFile: string;
  kubeconfig: string;
  /** The netclaim config given to the runtime. */
  netconf(extra?: JsonObject): JsonObject;
  seedNad(namespace: string, name: string, config?: JsonObject | string): void;
  writeConfFile(file: string, config: JsonObject): Promise<void>;
  /** A pod in the API and its sandbox (same namespace, name, UID). */
  newPod(namespace: string, annotations?: Record<string, string>): Promise<PodSandbox>;
  addresses(sandbox: PodSandbox): Promise<Map<string, string[]>>;
  links(sandbox: PodSandbox): Promise<IpAddress[]>;
  routes(sandbox: PodSandbox): Promise<IpRoute[]>;
  /**
   * One `netclaim` run for the sandbox, nothing else: no follow-up DEL on failure and no result cache, as
   * the runtime stand-in would do (rejects with a CniPluginError). Resolves with what it printed.
   */
  invoke(
    command: "ADD" | "DEL" | "CHECK",
    sandbox: PodSandbox,
    config?: JsonObject,
  ): Promise<JsonObject | undefined>;
  /** host-local allocations (files other than lock and last_reserved_ip.*) under ipamDir. */
  allocations(): Promise<string[]>;
  cacheEntries(): Promise<string[]>;
  /**
   * The network-status value of the plugin's last pods/status update for the sandbox's pod (what a
   * kube-apiserver stores: its pods/status strategy keeps metadata changes), parsed; undefined without one.
   */
  writtenNetworkStatus(sandbox: PodSandbox): unknown;
  dispose(): Promise<void>;
}

/** The cluster network: bridge + host-local, a conflist file given to netclaim by path. */
export function clusterConflist(ipamDir: string): JsonObject {
  return {
    cniVersion: "1.0.0",
    name: "cluster-net",
    plugins: [
      {
        type: "bridge",
        bridge: "ncbr0",
        isGateway: true,
        ipam: {
          type: "host-local",
          ranges: [[{ subnet: "10.241.0.0/24", gateway: "10.241.0.1" }]],
          routes: [{ dst: "0.0.0.0/0" }],
          dataDir: ipamDir,
        },
      },
    ],
  };
}

async function dirFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await dirFiles(path)));
    else out.push(path);
  }
  return out;
}

async function makeDirs(h: RuntimeHarness) {
  const [confDir, cniDir, ipamDir, logDir] = await Promise.all(
    ["conf.d", "netclaim-cache", "ipam", "log"].map((d) => h.makeDir(d)),
  );
  return { confDir: confDir!, cniDir: cniDir!, ipamDir: ipamDir!, logFile: join(logDir!, "netclaim.log") };
}

export async function createWorld(options: WorldOptions = {}): Promise<World> {
  const pluginDir = findCniPluginDir() ?? "/usr/lib/cni";
  let binDir = "";
  const h = await createRuntimeHarness({
    uplinks: ["eth1"],
    ...(options.runtimeEnv === undefined ? {} : { baseEnv: options.runtimeEnv }),
    binDirs: async (tmpDir) => [(binDir = await makeNetclaimBinDir(join(tmpDir, "bin"), pluginDir))],
  });
  try {
    const api = new FakeApiServer({ podGracefulDeletion: false });
    await api.start();
    h.cleanup.add("stand-in API server", () => api.stop());
    const bridge = await startApiBridge({
      netns: h.host.netns,
      tools: h.netns.tools,
      apiUrl: api.url,
      dir: h.tmpDir,
    });
    h.cleanup.add("API bridge", () => bridge.close());
    for (const name of options.spareLinks ?? []) {
      await h.netns.addVethPair({ netns: h.host.netns, name }, { netns: h.host.netns, name: `${name}p` });
    }
    const dirs = await makeDirs(h);
    const kubeconfig = join(h.tmpDir, "netclaim.kubeconfig");
    await api.writeKubeconfig(kubeconfig);
    const clusterFile = join(h.tmpDir, "10-cluster.conflist");
    await writeFile(clusterFile, JSON.stringify(clusterConflist(dirs.ipamDir)));
    return buildWorld({
      h,
      api,
      bridge,
      binDir,
      kubeconfig,
      clusterFile,
      ...dirs,
      base: options.netconf ?? {},
    });
  } catch (err) {
    await h.dispose();
    throw err;
  }
}

interface Parts {
  h: RuntimeHarness;
  api: FakeApiServer;
  bridge: ApiBridge;
  binDir: string;
  confDir: string;
  cniDir: string;
  ipamDir: string;
  logFile: string;
  kubeconfig: string;
  clusterFile: string;
  base: JsonObject;
}

/** The pod's interfaces and their addresses (scope link left out). */
async function podAddresses(h: RuntimeHarness, sandbox: PodSandbox): Promise<Map<string, string[]>> {
  const links = await h.podNetns.addresses(sandbox.netns);
  return new Map(
    links.map((l) => [
      l.ifname,
      l.addr_info.filter((a) => a.scope !== "link").map((a) => `${a.local}/${a.prefixlen}`),
    ]),
  );
}

/** The network-status value in the last PUT of pods/status for the sandbox's pod, parsed. */
function lastWrittenStatus(bridge: ApiBridge, sandbox: PodSandbox): unknown {
  const { namespace, name } = sandbox.config;
  const path = `/api/v1/namespaces/${namespace}/pods/${name}/status`;
  const write = bridge.writes.filter((x) => x.method === "PUT" && x.path === path).at(-1);
  if (write === undefined) return undefined;
  const pod = JSON.parse(write.body) as KubeObject;
  const value = pod.metadata?.annotations?.[NETWORK_STATUS_ANNOTATION];
  return value === undefined ? undefined : (JSON.parse(value) as unknown);
}

function invokeOnce(
  p: Parts,
  command: "ADD" | "DEL" | "CHECK",
  sandbox: PodSandbox,
  config: JsonObject,
): Promise<JsonObject | undefined> {
  const { h } = p;
  const invoker = new PluginInvoker({
    exec: h.exec,
    binDirs: [p.binDir],
    hostNetns: h.host.netns,
    tools: h.netns.tools,
    baseEnv: { PATH: DEFAULT_PATH_ENV },
  });
  const cniEnv = pluginEnv({ command, ...h.runtime.runtimeConf(sandbox), cniPath: [p.binDir] });
  return invoker.run({ type: "netclaim", command, config, cniEnv });
}

function netconfOf(p: Parts, extra: JsonObject = {}): JsonObject {
  return {
    cniVersion: "1.1.0",
    name: "netclaim-net",
    type: "netclaim",
    kubeconfig: p.kubeconfig,
    clusterNetwork: p.clusterFile,
    confDir: p.confDir,
    cniDir: p.cniDir,
    binDir: p.binDir,
    logLevel: "debug",
    logFile: p.logFile,
    logToStderr: false,
    ...p.base,
    ...extra,
  };
}

function seedNadIn(api: FakeApiServer, namespace: string, name: string, config?: JsonObject | string): void {
  const nad: KubeObject = {
    apiVersion: "k8s.cni.cncf.io/v1",
    kind: "NetworkAttachmentDefinition",
    metadata: { namespace, name },
  };
  if (config !== undefined)
    nad.spec = { config: typeof config === "string" ? config : JSON.stringify(config) };
  api.seed(nad);
}

function buildWorld(p: Parts): World {
  const { h, api } = p;
  let pods = 0;
  return {
    ...p,
    netconf: (extra) => netconfOf(p, extra),
    seedNad: (namespace, name, config) => seedNadIn(api, namespace, name, config),
    writeConfFile: (file, config) => writeFile(join(p.confDir, file), JSON.stringify(config)),
    newPod: (namespace, annotations = {}) => {
      const name = `pod-${++pods}`;
      const uid = randomUUID();
      const metadata = { namespace, name, uid, annotations };
      api.seed({ apiVersion: "v1", kind: "Pod", metadata, spec: { nodeName: "node-1" } });
      return h.runtime.runPodSandbox({ namespace, name, uid });
    },
    addresses: (sandbox) => podAddresses(h, sandbox),
    links: (sandbox) => h.podNetns.addresses(sandbox.netns),
    routes: (sandbox) => h.podNetns.routes(sandbox.netns),
    allocations: async () =>
      (await dirFiles(p.ipamDir)).filter((f) => !/\/(lock|last_reserved_ip\.\d+)$/.test(f)),
    cacheEntries: async () =>
      (await readdir(p.cniDir).catch(() => [] as string[])).filter((f) => !f.startsWith(".")),
    invoke: (command, sandbox, config) => invokeOnce(p, command, sandbox, config ?? netconfOf(p)),
    writtenNetworkStatus: (sandbox) => lastWrittenStatus(p.bridge, sandbox),
    dispose: () => h.dispose(),
  };
}
