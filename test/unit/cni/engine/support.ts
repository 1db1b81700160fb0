// The world of the engine tests: fakes for every port, a real attachment cache in a temp dir, a fake
// clock, a captured logger; and builders for configs, requests, pods and NADs.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseNetConf } from "../../../../src/api/netconf.ts";
import { AttachmentCache } from "../../../../src/cni/cache/attachment-cache.ts";
import { CniEngine } from "../../../../src/cni/engine/engine.ts";
import type { CniEngineOptions } from "../../../../src/cni/engine/engine-options.ts";
import type { NetworkAttachmentDefinition, PodInfo } from "../../../../src/cni/engine/ports.ts";
import type { CniReply } from "../../../../src/cni/protocol/output.ts";
import { parseCniRequest } from "../../../../src/cni/protocol/skel.ts";
import type { CniCommand } from "../../../../src/cni/protocol/version.ts";
import { FakeClock } from "../../../fakes/clock.ts";
import { FakeClusterView } from "../../../fakes/cni-cluster.ts";
import { FakeConfFiles } from "../../../fakes/cni-conf-files.ts";
import { FakeDelegates } from "../../../fakes/cni-delegates.ts";
import { FakeReadinessGate } from "../../../fakes/cni-readiness.ts";
import { FakeRouteApplier } from "../../../fakes/cni-routes.ts";
import { FakeStatusWriter } from "../../../fakes/cni-status-writer.ts";
import { captureLogger } from "../../../fakes/logger.ts";
import type { CapturedLogger } from "../../../fakes/logger.ts";

export const CONTAINER_ID = "3f6c1d2e9a8b7c6d5e4f3a2b1c0d9e8f";
export const NETNS = "/var/run/netns/cni-test-pod";
export const CONF_DIR = "/etc/cni/multus/net.d";
export const POD_UID = "0b9a4c3e-1111-4a2b-9c8d-7e6f5a4b3c2d";

export const CLUSTER_CONFLIST = {
  cniVersion: "1.0.0",
  name: "cluster",
  plugins: [
    { type: "bridge", bridge: "cbr0", ipam: { type: "host-local", subnet: "10.1.0.0/16" } },
    { type: "portmap", capabilities: { portMappings: true } },
  ],
};

export interface World {
  cluster: FakeClusterView;
  writer: FakeStatusWriter;
  confFiles: FakeConfFiles;
  readiness: FakeReadinessGate;
  routes: FakeRouteApplier;
  delegates: FakeDelegates;
  clock: FakeClock;
  log: CapturedLogger;
  cacheDir: string;
  cache: AttachmentCache;
  engine: CniEngine;
  cleanup(): Promise<void>;
}

export interface WorldOptions {
  /** No ClusterView / status writer (no Kubernetes). */
  noKubernetes?: boolean;
}

export async function makeWorld(options: WorldOptions = {}): Promise<World> {
  const cacheDir = await mkdtemp(join(tmpdir(), "netclaim-engine-"));
  const cluster = new FakeClusterView();
  const writer = new FakeStatusWriter();
  const confFiles = new FakeConfFiles().add(CONF_DIR, "00-cluster.conflist", CLUSTER_CONFLIST);
  const readiness = new FakeReadinessGate();
  const routes = new FakeRouteApplier();
  const delegates = new FakeDelegates();
  const clock = new FakeClock();
  const log = captureLogger();
  const engineOptions: CniEngineOptions = {
    confFiles,
    readiness,
    routes,
    executorFor: delegates.factory(),
    cacheFor: (dir) => new AttachmentCache(dir),
    clock,
    logger: log.logger,
    podLookup: { attempts: 3, initialDelayMs: 100, maxDelayMs: 400 },
    readinessTimeoutMs: 5_000,
  };
  if (options.noKubernetes !== true) {
    engineOptions.cluster = cluster;
    engineOptions.statusWriter = writer;
  }
  return {
    cluster,
    writer,
    confFiles,
    readiness,
    routes,
    delegates,
    clock,
    log,
    cacheDir,
    cache: new AttachmentCache(cacheDir),
    engine: new CniEngine(engineOptions),
    cleanup: () => rm(cacheDir, { recursive: true, force: true }),
  };
}

/** The netclaim config (stdin) with the world's cache dir. */
export function config(world: World, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cniVersion: "1.0.0",
    name: "netclaim-net",
    type: "netclaim",
    clusterNetwork: "cluster",
    confDir: CONF_DIR,
    cniDir: world.cacheDir,
    ...extra,
  };
}

export interface InvokeOptions {
  /** Config keys over `config(world)`. */
  conf?: Record<string, unknown>;
  ifName?: string;
  netns?: string | null;
  containerId?: string;
  /** CNI_ARGS; default the pod ns1/pod-a with POD_UID. */
  cniArgs?: string;
  cniPath?: string;
}

export function podArgs(namespace = "ns1", name = "pod-a", uid = POD_UID): string {
  return `IgnoreUnknown=1;K8S_POD_NAMESPACE=${namespace};K8S_POD_NAME=${name};K8S_POD_INFRA_CONTAINER_ID=${CONTAINER_ID};K8S_POD_UID=${uid}`;
}

/** Parses the invocation with the real skel and runs it; drives the fake clock until it settles. */
export async function invoke(
  world: World,
  command: CniCommand,
  options: InvokeOptions = {},
): Promise<CniReply> {
  const conf = config(world, options.conf);
  const env: Record<string, string> = {
    CNI_COMMAND: command,
    CNI_CONTAINERID: options.containerId ?? CONTAINER_ID,
    CNI_IFNAME: options.ifName ?? "eth0",
    CNI_ARGS: options.cniArgs ?? podArgs(),
    CNI_PATH: options.cniPath ?? "/opt/cni/bin:/usr/lib/cni",
  };
  if (options.netns !== null) env.CNI_NETNS = options.netns ?? NETNS;
  const stdin = JSON.stringify(conf);
  const request = parseCniRequest(env, stdin);
  const netconf = parseNetConf(stdin);
  let done = false;
  const pending = world.engine.handle(request, netconf).finally(() => {
    done = true;
  });
  for (let turn = 0; turn < 100 && !done; turn++) await world.clock.advanceAsync(1_000);
  return pending;
}

export function parsed(reply: CniReply): Record<string, unknown> {
  return JSON.parse(reply.stdout) as Record<string, unknown>;
}

export interface PodSpec {
  namespace?: string;
  name?: string;
  uid?: string;
  networks?: string;
  defaultNetwork?: string;
  annotations?: Record<string, string>;
}

export function pod(spec: PodSpec = {}): PodInfo {
  const annotations: Record<string, string> = { ...spec.annotations };
  if (spec.networks !== undefined) annotations["k8s.v1.cni.cncf.io/networks"] = spec.networks;
  if (spec.defaultNetwork !== undefined)
    annotations["v1.multus-cni.io/default-network"] = spec.defaultNetwork;
  return {
    namespace: spec.namespace ?? "ns1",
    name: spec.name ?? "pod-a",
    uid: spec.uid ?? POD_UID,
    annotations,
  };
}

/** A NAD; `config` an object (serialised), a string (as is) or undefined (no spec.config). */
export function nad(
  namespace: string,
  name: string,
  config?: Record<string, unknown> | string,
): NetworkAttachmentDefinition {
  const out: NetworkAttachmentDefinition = { namespace, name, annotations: {} };
  if (config !== undefined) out.config = typeof config === "string" ? config : JSON.stringify(config);
  return out;
}

export function macvlan(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cniVersion: "1.0.0",
    name,
    type: "macvlan",
    master: "eth9",
    capabilities: { ips: true, mac: true },
    ipam: { type: "static" },
    ...extra,
  };
}

/** The JSON lines logged at `level` (pino label). */
export function logsAt(world: World, level: string): Record<string, unknown>[] {
  return world.log.lines().filter((l) => l.level === level);
}
