// The netclaim controller's addresses inside the pod, on real things: the real IPAM reconciler (the
// project's CRDs in the stand-in API server, an IPPool with an IPv4 and an IPv6 CIDR) gives the claim's
// device nic0 its addresses in status.devices[].networkData.ips; the real prepare decision turns the claim
// into the kubelet plugin's checkpoint; `netclaim cni` (standalone, and thick mode through the CNI server)
// hands the addresses to host-device's static IPAM as runtimeConfig.ips, and `ip -j addr` finds them on
// net1 in the pod's netns. The claim's one status entry then carries both managers' fields, the ips the
// controller's alone (the node side leaves them out when the delegate used them), and the controller's
// next pass still applies cleanly.
// Sources: the checkpoint recorded the addresses (no API read for them), or prepare ran before the
// controller wrote them and only the NAD names the pool — the plugin then reads them from the claim,
// and before the controller has written them the ADD fails with TRY_AGAIN_LATER and attaches nothing.
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { emptyCheckpoint, serializeCheckpoint } from "../../../src/api/checkpoint.ts";
import type { PreparedDeviceRecord } from "../../../src/api/checkpoint.ts";
import { IpamReconciler } from "../../../src/controller/ipam/ipam-reconciler.ts";
import { k8sIpamPorts } from "../../../src/controller/ipam/ipam-k8s.ts";
import { KubeClient } from "../../../src/k8s/client.ts";
import { loadKubeConfig } from "../../../src/k8s/kube-config.ts";
import { RESOURCE_TYPES } from "../../../src/k8s/resource-path.ts";
import type { KubeObject } from "../../../src/k8s/types.ts";
import { beginPrepare, markPrepared } from "../../../src/kubelet-plugin/checkpoint/checkpoint-updates.ts";
import { planClaimPrepare } from "../../../src/kubelet-plugin/prepare/plan.ts";
import type { ResourceClaim } from "../../../src/kubelet-plugin/prepare/plan-types.ts";
import { describePrivileged } from "../../harness/privileged.ts";
import type { PodSandbox } from "../../harness/runtime/index.ts";
import { installIpamCrds } from "../controller/ipam-support.ts";
import { NETWORKS_ANNOTATION, createWorld } from "./support/standalone-world.ts";
import type { World } from "./support/standalone-world.ts";
import { DRIVER, seedPodClaimAndSlice, startCorrelationServer } from "./support/correlation-node.ts";

const CONTROLLER = "netclaim.dev/controller";

let world: World | undefined;
afterEach(async () => {
  await world?.dispose();
  world = undefined;
});

type Mode = "standalone" | "thick";
/** Where the pool is named: the claim's opaque config, or only the NAD's annotation. */
type PoolFrom = "config" | "nad";

interface Setup {
  w: World;
  kube: KubeClient;
  sandbox: PodSandbox;
  stateDir: string;
  claimName: string;
  ipam: IpamReconciler;
  socket?: string;
}

async function installIpam(kube: KubeClient): Promise<void> {
  await installIpamCrds(kube);
  await kube.resource(RESOURCE_TYPES.ipPools).create({
    apiVersion: "netclaim.dev/v1alpha1",
    kind: "IPPool",
    metadata: { name: "pool-a" },
    spec: { cidrs: ["10.10.0.0/24", "fd00:10::/64"], exclude: ["10.10.0.1/32"] },
  } as KubeObject);
}

function seedNad(w: World, poolFrom: PoolFrom): void {
  const annotations: Record<string, string> = { "k8s.v1.cni.cncf.io/resourceName": "sf-pool-1" };
  if (poolFrom === "nad") annotations["netclaim.dev/ip-pool"] = "pool-a";
  w.api.seed({
    apiVersion: "k8s.cni.cncf.io/v1",
    kind: "NetworkAttachmentDefinition",
    metadata: { namespace: "ns1", name: "sf-net", annotations },
    spec: {
      config: JSON.stringify({
        cniVersion: "1.0.0",
        name: "sf-net",
        type: "host-device",
        capabilities: { ips: true },
        ipam: { type: "static" },
      }),
    },
  });
}

/** The claim as the scheduler leaves it: created, then allocated to nic0 (with ipPool in its config). */
async function createClaim(kube: KubeClient, name: string, poolFrom: PoolFrom): Promise<void> {
  const claims = kube.resource<KubeObject>(RESOURCE_TYPES.resourceClaims);
  await claims.create({
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceClaim",
    metadata: { namespace: "ns1", name },
    spec: { devices: { requests: [{ name: "nic", exactly: { deviceClassName: "sf-pool-1" } }] } },
  } as KubeObject);
  const parameters = { apiVersion: "netclaim.dev/v1alpha1", kind: "NetworkDeviceConfig", ipPool: "pool-a" };
  const config =
    poolFrom === "config" ? [{ source: "FromClaim", opaque: { driver: DRIVER, parameters } }] : [];
  const results = [{ request: "nic", driver: DRIVER, pool: "node-1", device: "nic0" }];
  await claims.patch(
    name,
    { status: { allocation: { devices: { results, config } } } },
    { type: "merge", subresource: "status", namespace: "ns1" },
  );
}

function claimObject(s: Setup): KubeObject & ResourceClaim {
  const claim = s.w.api.getObject({
    group: "resource.k8s.io",
    resource: "resourceclaims",
    namespace: "ns1",
    name: s.claimName,
  });
  if (claim === undefined) throw new Error(`claim ${s.claimName} is gone`);
  return claim as KubeObject & ResourceClaim;
}

/** Prepare's decision on the claim as the API serves it now, written as the kubelet plugin's checkpoint. */
async function prepare(s: Setup): Promise<PreparedDeviceRecord[]> {
  const claim = claimObject(s);
  const requested = { namespace: "ns1", name: s.claimName, uid: claim.metadata?.uid ?? "" };
  claim.status = {
    ...claim.status,
    reservedFor: [{ resource: "pods", name: "p", uid: s.sandbox.config.uid }],
  };
  const nodeDevices = new Map([
    ["node-1/nic0", { name: "nic0", kind: "netdev" as const, ifName: "nic0", resourceName: "sf-pool-1" }],
  ]);
  const plan = planClaimPrepare({ claim, requested, driverName: DRIVER, nodeDevices });
  if (!plan.ok) throw new Error(plan.message);
  const now = new Date("2026-12-01T10:00:00.000Z");
  const preparing = beginPrepare(emptyCheckpoint(), { ...requested, ...plan }, now);
  const text = serializeCheckpoint(markPrepared(preparing, requested.uid, now));
  await writeFile(join(s.stateDir, "checkpoint.json"), text);
  return plan.devices;
}

async function setUp(mode: Mode, poolFrom: PoolFrom): Promise<Setup> {
  const w = (world = await createWorld({ spareLinks: ["nic0"] }));
  const kube = new KubeClient({
    kubeConfig: loadKubeConfig({ kind: "yaml", yaml: w.api.kubeconfigYaml() }),
    component: "controller",
  });
  await installIpam(kube);
  seedNad(w, poolFrom);
  const sandbox = await w.newPod("ns1", { [NETWORKS_ANNOTATION]: "sf-net" });
  const claimName = `${sandbox.config.name}-net`;
  await createClaim(kube, claimName, poolFrom);
  seedPodClaimAndSlice(w, sandbox, claimName, {
    "k8s.cni.cncf.io/resourceName": "sf-pool-1",
    ifName: "nic0",
    type: "netdev",
  });
  const stateDir = await w.h.makeDir("netclaim-state");
  const ipam = new IpamReconciler(k8sIpamPorts({ kube, instance: "test-controller" }));
  const s: Setup = { w, kube, sandbox, stateDir, claimName, ipam };
  if (mode === "thick") s.socket = await startCorrelationServer(w, stateDir, join(stateDir, "devinfo"));
  return s;
}

function run(s: Setup, command: "ADD" | "DEL") {
  const config = s.w.netconf(
    s.socket === undefined
      ? {
          stateDir: s.stateDir,
          deviceInfoDir: join(s.stateDir, "devinfo"),
          podResourcesSocket: join(s.stateDir, "no-kubelet.sock"),
        }
      : { daemonSocket: s.socket },
  );
  return s.w.invoke(command, s.sandbox, config);
}

/** The controller's pass; resolves with the addresses it gave nic0. */
async function allocate(s: Setup): Promise<string[]> {
  await s.ipam.reconcileClaim(`ns1/${s.claimName}`);
  const ips = claimObject(s).status?.devices?.[0]?.networkData?.ips ?? [];
  expect(ips).toHaveLength(2);
  expect(ips[0]).toMatch(/^10\.10\.0\.\d+\/24$/);
  expect(ips[1]).toMatch(/^fd00:10::[0-9a-f]+\/64$/);
  return ips;
}

/** The managers whose managedFields hold status.devices[].networkData.ips. */
function ipsOwners(s: Setup): string[] {
  const claim = s.w.api.getObject({
    group: "resource.k8s.io",
    resource: "resourceclaims",
    namespace: "ns1",
    name: s.claimName,
  });
  return (claim?.metadata?.managedFields ?? [])
    .filter((m) => JSON.stringify(m.fieldsV1 ?? {}).includes('"f:ips"'))
    .map((m) => m.manager)
    .sort();
}

async function hostLinks(w: World): Promise<string[]> {
  return (await w.h.netns.links(w.h.host.netns)).map((l) => l.ifname);
}

const CASES = (["standalone", "thick"] as const).flatMap((mode) => [
  { mode, poolFrom: "config" as const, source: "recorded in the checkpoint at prepare", claimReads: 0 },
  {
    mode,
    poolFrom: "nad" as const,
    source: "read from the claim (prepared before the controller)",
    claimReads: 1,
  },
]);

describePrivileged("correlation: the controller's addresses through real static IPAM", () => {
  it.each(CASES)(
    "$mode, pool from the $poolFrom, addresses $source: net1 carries them in the pod",
    async ({ mode, poolFrom, claimReads }) => {
      const s = await setUp(mode, poolFrom);
      let ips: string[];
      if (poolFrom === "config") {
        ips = await allocate(s);
        expect((await prepare(s)).map((d) => d.ips)).toEqual([ips]);
      } else {
        expect((await prepare(s)).map((d) => d.ips)).toEqual([undefined]);
        ips = await allocate(s);
      }
      const hostMac = (await s.w.h.netns.links(s.w.h.host.netns)).find((l) => l.ifname === "nic0")?.address;

      s.w.api.resetRequests();
      await run(s, "ADD");
      expect((await s.w.addresses(s.sandbox)).get("net1")).toEqual(ips);
      expect(await hostLinks(s.w)).not.toContain("nic0");
      expect(s.w.api.requestCount({ verb: "get", resource: "resourceclaims" })).toBe(claimReads);

      // one entry: the node side's fields and the controller's, `ips` the controller's only
      await expect
        .poll(() => claimObject(s).status?.devices, { timeout: 10_000 })
        .toEqual([
          {
            driver: DRIVER,
            pool: "node-1",
            device: "nic0",
            conditions: [
              expect.objectContaining({ type: "AddressesAllocated", status: "True", reason: "Allocated" }),
              expect.objectContaining({ type: "Ready", status: "True", reason: "NetworkAttached" }),
            ],
            networkData: { interfaceName: "net1", ips, hardwareAddress: hostMac },
          },
        ]);
      expect(ipsOwners(s)).toEqual([CONTROLLER]);
      // the controller's next pass applies without a conflict and changes nothing
      await s.ipam.reconcileClaim(`ns1/${s.claimName}`);
      expect(claimObject(s).status?.devices?.[0]?.networkData?.ips).toEqual(ips);

      await run(s, "DEL");
      expect(await hostLinks(s.w)).toContain("nic0");
      expect((await s.w.addresses(s.sandbox)).has("net1")).toBe(false);
    },
  );

  it("standalone, pool from the NAD, before the controller wrote: TRY_AGAIN_LATER, then attached", async () => {
    const s = await setUp("standalone", "nad");
    await prepare(s);
    await expect(run(s, "ADD")).rejects.toMatchObject({
      code: 11,
      msg: expect.stringContaining(
        `claim ns1/${s.claimName} device node-1/nic0: waiting for addresses from the netclaim controller (IPPool pool-a)`,
      ) as string,
    });
    expect(await hostLinks(s.w)).toContain("nic0");
    expect(await readdir(join(s.stateDir, "devinfo", "cni")).catch(() => [])).toEqual([]);

    const ips = await allocate(s);
    await run(s, "ADD");
    expect((await s.w.addresses(s.sandbox)).get("net1")).toEqual(ips);
  });
});
