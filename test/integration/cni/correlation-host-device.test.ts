// Correlation end to end on real things: the kubelet plugin's checkpoint file says the pod's claim got the
// host netdev `nic0` (a veth "NIC" in the fake host); ADD through the standalone plugin runs the real bridge (cluster network) and host-device (the NAD with resourceName
// sf-pool-1) inside the fake host, so nic0 lands in the pod as net1 with its static address; the
// device-info file is written, network-status and the claim's status.devices[].networkData reach the
// stand-in API server; DEL moves nic0 back and removes the device-info file.
// Both modes: the standalone plugin as the runtime runs it (`netclaim cni` in the fake host, config keys
// stateDir, deviceInfoDir and podResourcesSocket pointing at this test's files; no kubelet answers
// PodResources), and thick mode (the shim forwarding to a CNI server in the fake host, configured with the
// kubelet plugin's state as src/node-daemon configures it).
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { serializeCheckpoint } from "../../../src/api/checkpoint.ts";
import { describePrivileged } from "../../harness/privileged.ts";
import type { PodSandbox } from "../../harness/runtime/index.ts";
import { NETWORKS_ANNOTATION, NETWORK_STATUS_ANNOTATION, createWorld } from "./support/standalone-world.ts";
import type { World } from "./support/standalone-world.ts";
import { DRIVER, seedPodClaimAndSlice, startCorrelationServer } from "./support/correlation-node.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.dispose();
  world = undefined;
});

type Mode = "standalone" | "thick";

interface Setup {
  w: World;
  sandbox: PodSandbox;
  stateDir: string;
  deviceInfoDir: string;
  claimName: string;
  /** Thick mode: the shim's daemonSocket. */
  socket?: string;
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

async function setUp(withCheckpoint: boolean, mode: Mode = "standalone"): Promise<Setup> {
  const w = (world = await createWorld({ spareLinks: ["nic0"] }));
  const sandbox = await w.newPod("ns1", { [NETWORKS_ANNOTATION]: "sf-net" });
  const claimName = `${sandbox.config.name}-net`;
  const stateDir = await w.h.makeDir("netclaim-state");
  if (withCheckpoint)
    await writeFile(join(stateDir, "checkpoint.json"), checkpointFor(sandbox.config.uid, claimName));
  seedApi(w, claimName);
  seedPodClaimAndSlice(w, sandbox, claimName, {
    "k8s.cni.cncf.io/resourceName": "sf-pool-1",
    "k8s.cni.cncf.io/deviceID": "nic0",
    ifName: "nic0",
    type: "netdev",
  });
  const deviceInfoDir = await w.h.makeDir("devinfo");
  if (mode === "standalone") return { w, sandbox, stateDir, deviceInfoDir, claimName };
  const socket = await startCorrelationServer(w, stateDir, deviceInfoDir);
  return { w, sandbox, stateDir, deviceInfoDir, claimName, socket };
}

/** `netclaim cni` as the runtime runs it, pointed at this test's kubelet-plugin state and device-info dir. */
async function run(s: Setup, command: "ADD" | "DEL"): Promise<void> {
  const config = s.w.netconf(
    s.socket === undefined
      ? {
          stateDir: s.stateDir,
          deviceInfoDir: s.deviceInfoDir,
          podResourcesSocket: join(s.stateDir, "no-kubelet.sock"),
        }
      : { daemonSocket: s.socket },
  );
  await s.w.invoke(command, s.sandbox, config);
}

function claimDevices(s: Setup): unknown {
  const claim = s.w.api.getObject({
    group: "resource.k8s.io",
    resource: "resourceclaims",
    namespace: "ns1",
    name: s.claimName,
  });
  return (claim as { status?: { devices?: unknown } } | undefined)?.status?.devices;
}

async function hostLinks(w: World): Promise<string[]> {
  return (await w.h.netns.links(w.h.host.netns)).map((l) => l.ifname);
}

const SOURCES = [
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
];
const CASES = (["standalone", "thick"] as const).flatMap((mode) => SOURCES.map((c) => ({ ...c, mode })));

function networkStatus(s: Setup): unknown[] {
  const pod = s.w.api.getObject({ resource: "pods", namespace: "ns1", name: s.sandbox.config.name });
  return JSON.parse(pod?.metadata?.annotations?.[NETWORK_STATUS_ANNOTATION] ?? "[]") as unknown[];
}

describePrivileged("correlation: the claim's netdev through real host-device", () => {
  it.each(CASES)(
    "$mode, from $source: nic0 goes into the pod as net1, is reported on the pod and the claim, and comes back on DEL",
    async ({ mode, withCheckpoint, claimReads, sliceLists, cdi }) => {
      const s = await setUp(withCheckpoint, mode);
      const { w, sandbox } = s;
      const hostMac = (await w.h.netns.links(w.h.host.netns)).find((l) => l.ifname === "nic0")?.address;
      expect(hostMac).toMatch(/^[0-9a-f:]{17}$/);

      w.api.resetRequests(); // thick: the server's informers have synced by now
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

      // thick mode writes both off the ADD's path: poll
      await expect
        .poll(() => networkStatus(s), { timeout: 10_000 })
        .toContainEqual(
          expect.objectContaining({
            name: "ns1/sf-net",
            interface: "net1",
            ips: ["192.168.77.5"],
            mac: hostMac,
          }),
        );
      await expect
        .poll(() => claimDevices(s), { timeout: 10_000 })
        .toEqual([
          {
            driver: DRIVER,
            pool: "node-1",
            device: "nic0",
            conditions: [
              expect.objectContaining({ type: "Ready", status: "True", reason: "NetworkAttached" }),
            ],
            networkData: { interfaceName: "net1", ips: ["192.168.77.5/24"], hardwareAddress: hostMac },
          },
        ]);
      // the checkpoint answers alone; without it, one claim read and one slice list
      expect(w.api.requestCount({ verb: "get", resource: "resourceclaims" })).toBe(claimReads);
      expect(w.api.requestCount({ verb: "list", resource: "resourceslices" })).toBe(sliceLists);
      if (mode === "thick") {
        // pods and NADs come from the informers: the only reads are the claim's and the slices'
        const reads = w.api.requests().filter((r) => r.verb === "get" || r.verb === "list");
        expect(reads).toHaveLength(claimReads + sliceLists);
      }

      await run(s, "DEL");
      expect(await hostLinks(w)).toContain("nic0");
      expect((await w.addresses(sandbox)).has("net1")).toBe(false);
      expect(await readdir(cniDir)).toEqual([]);
    },
  );
});
