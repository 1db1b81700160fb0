// Correlation end to end on real things: the kubelet plugin's checkpoint file says the pod's claim got the
// host netdev `nic0` (a veth "NIC" in the fake host); ADD through the engine with the production
// correlation ports runs the real bridge (cluster network) and host-device (the NAD with resourceName
// sf-pool-1) inside the fake host, so nic0 lands in the pod as net1 with its static address; the
// device-info file is written, network-status and the claim's status.devices[].networkData reach the
// stand-in API server; DEL moves nic0 back and removes the device-info file.
// The engine runs in this process (the standalone plugin does not wire correlation yet); its delegates
// run in the fake host through a prefixed exec, as the runtime stand-in runs them.
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { serializeCheckpoint } from "../../../src/api/checkpoint.ts";
import { parseNetConf } from "../../../src/api/netconf.ts";
import { realClock } from "../../../src/common/clock.ts";
import { createLogger } from "../../../src/common/logger.ts";
import { AttachmentCache } from "../../../src/cni/cache/attachment-cache.ts";
import { createCorrelationPorts } from "../../../src/cni/correlation/create-device-source.ts";
import type { ApiClaim, ApiPod, ApiSlice } from "../../../src/cni/correlation/api-candidates.ts";
import { PrefixedExec } from "../../../src/cni/delegate/prefixed-exec.ts";
import { DelegateRunner } from "../../../src/cni/delegate/run-delegate.ts";
import { CniEngine } from "../../../src/cni/engine/engine.ts";
import { IpRouteApplier } from "../../../src/cni/engine/ip-route-applier.ts";
import { parseCniRequest } from "../../../src/cni/protocol/skel.ts";
import { createApiPorts } from "../../../src/cni/standalone/api-ports.ts";
import { FsConfFiles } from "../../../src/cni/standalone/conf-files.ts";
import { FileReadinessGate } from "../../../src/cni/standalone/readiness.ts";
import { KubeClient } from "../../../src/k8s/client.ts";
import { loadKubeConfig } from "../../../src/k8s/kube-config.ts";
import { RESOURCE_TYPES } from "../../../src/k8s/resource-path.ts";
import { describePrivileged } from "../../harness/privileged.ts";
import { DEFAULT_PATH_ENV, commandInNetns, pluginEnv } from "../../harness/runtime/index.ts";
import type { PodSandbox } from "../../harness/runtime/index.ts";
import { NETWORKS_ANNOTATION, NETWORK_STATUS_ANNOTATION, createWorld } from "./support/standalone-world.ts";
import type { World } from "./support/standalone-world.ts";

const DRIVER = "netclaim.dev";

let world: World | undefined;
afterEach(async () => {
  await world?.dispose();
  world = undefined;
});

interface Setup {
  w: World;
  sandbox: PodSandbox;
  engine: CniEngine;
  deviceInfoDir: string;
  claimName: string;
}

function checkpointFor(podUid: string, claimName: string): string {
  const at = "2026-11-30T10:00:00.000Z";
  return serializeCheckpoint({
    claims: {
      "claim-uid-1": {
        namespace: "ns1",
        name: claimName,
        state: "prepared",
        podUIDs: [podUid],
        devices: [
          {
            requestNames: ["nic"],
            poolName: "node-1",
            deviceName: "nic0",
            kind: "netdev",
            ifName: "nic0",
            resourceName: "sf-pool-1",
            cdiDeviceIDs: [`${DRIVER}/net=claim-uid-1-nic0`],
            config: {},
          },
        ],
        createdAt: at,
        updatedAt: at,
      },
    },
  });
}

function seedApi(w: World, claimName: string): void {
  w.api.seed({
    apiVersion: "k8s.cni.cncf.io/v1",
    kind: "NetworkAttachmentDefinition",
    metadata: {
      namespace: "ns1",
      name: "sf-net",
      annotations: { "k8s.v1.cni.cncf.io/resourceName": "sf-pool-1" },
    },
    spec: {
      config: JSON.stringify({
        cniVersion: "1.0.0",
        name: "sf-net",
        type: "host-device",
        ipam: { type: "static", addresses: [{ address: "192.168.77.5/24" }] },
      }),
    },
  });
  w.api.seed({
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceClaim",
    metadata: { namespace: "ns1", name: claimName },
    spec: { devices: { requests: [{ name: "nic", exactly: { deviceClassName: "sf-pool-1" } }] } },
    status: {
      allocation: {
        devices: { results: [{ request: "nic", driver: DRIVER, pool: "node-1", device: "nic0" }] },
      },
    },
  });
}

function engineFor(w: World, stateDir: string, deviceInfoDir: string): CniEngine {
  const logger = createLogger({ level: "silent" });
  const client = new KubeClient({
    kubeConfig: loadKubeConfig({ kind: "yaml", yaml: w.api.kubeconfigYaml() }),
    component: "cni",
  });
  const api = createApiPorts({ transport: client.transport, clock: realClock, logger });
  const correlation = createCorrelationPorts({
    driverName: DRIVER,
    podResourcesSocket: join(stateDir, "no-kubelet.sock"),
    checkpointPath: join(stateDir, "checkpoint.json"),
    deviceInfoDir,
    logger,
    api: {
      pods: client.resource<ApiPod>(RESOURCE_TYPES.pods),
      claims: client.resource<ApiClaim>(RESOURCE_TYPES.resourceClaims),
      slices: client.resource<ApiSlice>(RESOURCE_TYPES.resourceSlices),
    },
  });
  const { file, args } = commandInNetns(w.h.host.netns, [], w.h.netns.tools);
  const exec = new PrefixedExec(w.h.exec, [file, ...args]);
  return new CniEngine({
    ...api,
    ...correlation,
    confFiles: new FsConfFiles(),
    readiness: new FileReadinessGate(),
    routes: new IpRouteApplier({ exec: w.h.exec }),
    executorFor: (binDirs) => new DelegateRunner({ exec, binDirs, baseEnv: { PATH: DEFAULT_PATH_ENV } }),
    cacheFor: (dir) => new AttachmentCache(dir),
    clock: realClock,
    logger,
  });
}

/** The pod references the claim directly, and the node's slice publishes nic0 (for the API source). */
function seedPodClaimAndSlice(w: World, sandbox: PodSandbox, claimName: string): void {
  const pod = w.api.getObject({ resource: "pods", namespace: "ns1", name: sandbox.config.name });
  w.api.seed({
    ...pod,
    spec: { nodeName: "node-1", resourceClaims: [{ name: "net", resourceClaimName: claimName }] },
  });
  const attributes = {
    "k8s.cni.cncf.io/resourceName": "sf-pool-1",
    "k8s.cni.cncf.io/deviceID": "nic0",
    ifName: "nic0",
    type: "netdev",
  };
  w.api.seed({
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceSlice",
    metadata: { name: "node-1-netclaim" },
    spec: {
      driver: DRIVER,
      nodeName: "node-1",
      pool: { name: "node-1", generation: 1, resourceSliceCount: 1 },
      devices: [
        {
          name: "nic0",
          attributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { string: v }])),
        },
      ],
    },
  });
}

async function setUp(withCheckpoint: boolean): Promise<Setup> {
  const w = (world = await createWorld({ spareLinks: ["nic0"] }));
  const sandbox = await w.newPod("ns1", { [NETWORKS_ANNOTATION]: "sf-net" });
  const claimName = `${sandbox.config.name}-net`;
  const stateDir = await w.h.makeDir("netclaim-state");
  if (withCheckpoint)
    await writeFile(join(stateDir, "checkpoint.json"), checkpointFor(sandbox.config.uid, claimName));
  seedApi(w, claimName);
  seedPodClaimAndSlice(w, sandbox, claimName);
  const deviceInfoDir = await w.h.makeDir("devinfo");
  return { w, sandbox, engine: engineFor(w, stateDir, deviceInfoDir), deviceInfoDir, claimName };
}

async function run(s: Setup, command: "ADD" | "DEL") {
  const netconf = JSON.stringify(s.w.netconf());
  const env = pluginEnv({ command, ...s.w.h.runtime.runtimeConf(s.sandbox), cniPath: [s.w.binDir] });
  const reply = await s.engine.handle(parseCniRequest(env, netconf), parseNetConf(netconf));
  if (reply.exitCode !== 0) throw new Error(`${command} failed: ${reply.stdout}`);
  return reply;
}

async function hostLinks(w: World): Promise<string[]> {
  return (await w.h.netns.links(w.h.host.netns)).map((l) => l.ifname);
}

describePrivileged("correlation: the claim's netdev through real host-device", () => {
  it.each([
    {
      source: "the kubelet plugin's checkpoint",
      withCheckpoint: true,
      claimReads: 0,
      sliceLists: 0,
      cdi: [`${DRIVER}/net=claim-uid-1-nic0`],
    },
    // the API holds no CDI IDs
    {
      source: "the API server (no checkpoint, no PodResources)",
      withCheckpoint: false,
      claimReads: 1,
      sliceLists: 1,
      cdi: [],
    },
  ])(
    "from $source: nic0 goes into the pod as net1, is reported on the pod and the claim, and comes back on DEL",
    async ({ withCheckpoint, claimReads, sliceLists, cdi }) => {
      const s = await setUp(withCheckpoint);
      const { w, sandbox } = s;
      const hostMac = (await w.h.netns.links(w.h.host.netns)).find((l) => l.ifname === "nic0")?.address;
      expect(hostMac).toMatch(/^[0-9a-f:]{17}$/);

      await run(s, "ADD");
      const addresses = await w.addresses(sandbox);
      expect(addresses.get("net1")).toEqual(["192.168.77.5/24"]);
      expect(addresses.get("eth0")).toHaveLength(1);
      expect(await hostLinks(w)).not.toContain("nic0");

      const cniDir = join(s.deviceInfoDir, "cni");
      const [infoFile] = await readdir(cniDir);
      expect(infoFile).toBe(`ns1-sf-net-${sandbox.id}_net1`);
      expect(JSON.parse(await readFile(join(cniDir, infoFile ?? ""), "utf8"))).toMatchObject({
        version: "1.1.0",
        "netclaim.dev/device": { device: "nic0", ifName: "nic0", cdiDeviceIDs: cdi },
      });

      const podObj = w.api.getObject({ resource: "pods", namespace: "ns1", name: sandbox.config.name });
      const statuses = JSON.parse(
        podObj?.metadata?.annotations?.[NETWORK_STATUS_ANNOTATION] ?? "[]",
      ) as unknown[];
      expect(statuses).toContainEqual(
        expect.objectContaining({
          name: "ns1/sf-net",
          interface: "net1",
          ips: ["192.168.77.5"],
          mac: hostMac,
        }),
      );

      const claim = w.api.getObject({
        group: "resource.k8s.io",
        resource: "resourceclaims",
        namespace: "ns1",
        name: s.claimName,
      });
      expect((claim as { status?: { devices?: unknown } } | undefined)?.status?.devices).toEqual([
        {
          driver: DRIVER,
          pool: "node-1",
          device: "nic0",
          conditions: [expect.objectContaining({ type: "Ready", status: "True", reason: "NetworkAttached" })],
          networkData: { interfaceName: "net1", ips: ["192.168.77.5/24"], hardwareAddress: hostMac },
        },
      ]);
      // the checkpoint answers alone; without it, one claim read and one slice list
      expect(w.api.requestCount({ verb: "get", resource: "resourceclaims" })).toBe(claimReads);
      expect(w.api.requestCount({ verb: "list", resource: "resourceslices" })).toBe(sliceLists);

      await run(s, "DEL");
      expect(await hostLinks(w)).toContain("nic0");
      expect((await w.addresses(sandbox)).has("net1")).toBe(false);
      expect(await readdir(cniDir)).toEqual([]);
    },
  );
});
