// Issue 6 end to end: the pod's secondary interface carries its controller-allocated addresses in its netns.
// The node world with cluster IPAM (IPAM CRDs, two IPPools, the REAL `netclaim controller` as a child process):
//   pool-a  10.10.0.0/24 + fd00:10::/64, named by the claim's opaque config (`ipPool`); NAD ipam-net
//   pool-b  10.20.0.0/24, named by NAD pool-net's `netclaim.dev/ip-pool` (the claim has no config)
// (both NADs host-device + static IPAM with capabilities.ips). The controller writes status.devices[]
// networkData.ips + AddressesAllocated; prepare before that fails retriably for a config-named pool, the ADD
// with TRY_AGAIN_LATER for a NAD-named one, and a retry succeeds; ADD through the shim puts the addresses on
// net1, in network-status and beside the CNI side's fields in the claim's one status entry (each field its
// writer's). Then the claim's life: controller restart and new sandbox; pod deleted and re-created; claim
// deleted for real (finalizers honoured): its addresses stay while a pod still uses them, and go with it.
import { access } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describePrivileged } from "../harness/privileged.ts";
import { CniPluginError } from "../harness/runtime/index.ts";
import {
  allocatedDevices,
  checkpointClaims,
  claimObject,
  claimStatus,
  hostNics,
  networkStatus,
  podInterfaces,
} from "./support/node-inspect.ts";
import type { ClaimDeviceStatus } from "./support/node-inspect.ts";
import {
  claimFinalizers,
  CNI_MANAGER,
  CONTROLLER_MANAGER,
  controllerAddressesOf,
  deleteClaim,
  IP_ALLOCATION_FINALIZER,
  fieldOwners,
  ipamNad,
  ipamPodPlan,
  ipAllocationsOf,
  poolClaim,
  waitForControllerAddresses,
} from "./support/node-ipam.ts";
import { addPod, createPod, delPod, preparePod, recreateSandbox, schedulePod } from "./support/node-pods.ts";
import type { NodePod } from "./support/node-pods.ts";
import { createNodeWorld } from "./support/node-world.ts";
import type { NodeWorld } from "./support/node-world.ts";
import { CLAIM_FINALIZER, claimStatusOf } from "./support/scheduler.ts";
import { DRIVER } from "./support/scenario.ts";

const POOLS = {
  "pool-a": { cidrs: ["10.10.0.0/24", "fd00:10::/64"], exclude: ["10.10.0.1/32"] },
  "pool-b": { cidrs: ["10.20.0.0/24"] },
};
/** Where the pool is named: the claim's config or the NAD's annotation; the devices' class, the NAD. */
const BY_CONFIG = {
  from: "the claim's opaque config",
  pool: "pool-a",
  deviceClass: "sf-pool-1",
  nad: "ipam-net",
  want: [/^10\.10\.0\.\d+\/24$/, /^fd00:10::[0-9a-f]+\/64$/],
};
const BY_NAD = {
  from: "the NAD's netclaim.dev/ip-pool",
  pool: "pool-b",
  deviceClass: "sf-pool-2",
  nad: "pool-net",
  want: [/^10\.20\.0\.\d+\/24$/],
};
const TRY_AGAIN_LATER = 11;
const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );
const POLL = { timeout: 15_000 };

describePrivileged("controller-allocated addresses on the pod's secondary interface", () => {
  let w: NodeWorld;

  beforeAll(async () => {
    w = await createNodeWorld({
      resources: [
        { resourceName: BY_CONFIG.deviceClass, nics: ["nic0", "nic1"] },
        { resourceName: BY_NAD.deviceClass, nics: ["nic2", "nic3"] },
      ],
      ipam: { pools: POOLS },
    });
    w.api.seed(ipamNad(BY_CONFIG.nad, BY_CONFIG.deviceClass));
    w.api.seed(ipamNad(BY_NAD.nad, BY_NAD.deviceClass, BY_NAD.pool));
  }, 120_000);

  afterAll(async () => {
    await w?.dispose();
  }, 60_000);

  const controller = () => {
    if (w.controller === undefined) throw new Error("the world runs no controller");
    return w.controller;
  };

  const addressesWritten = (claimName: string) => waitForControllerAddresses(w, claimName, POLL.timeout);

  const byType = (s: ClaimDeviceStatus): ClaimDeviceStatus => ({
    ...s,
    conditions: [...(s.conditions ?? [])].sort((a, b) => a.type.localeCompare(b.type)),
  });

  /** ADD through the shim; resolves with the MAC the claim's NIC had in the fake host. */
  async function attach(pod: NodePod): Promise<string | undefined> {
    const mac = (await hostNics(w)).get(allocatedDevices(w, pod.plan.claims?.[0]?.claimName ?? "")[0] ?? "");
    await addPod(w, pod);
    return mac;
  }

  /** net1 (the claim's NIC), network-status, status.devices, IPAllocations and managers show `ips`. */
  async function expectAttached(want: {
    pod: NodePod;
    ips: readonly string[];
    nad: string;
    pool: string;
    mac: string | undefined;
  }) {
    const { pod, ips, nad } = want;
    const claimName = pod.plan.claims?.[0]?.claimName ?? "";
    const device = allocatedDevices(w, claimName)[0] ?? "";
    const net1 = (await podInterfaces(w, pod)).get("net1");
    expect(net1).toEqual({ name: "net1", mac: want.mac, addresses: ips });
    expect((await hostNics(w)).has(device)).toBe(false);
    await expect
      .poll(() => networkStatus(w, pod)?.find((s) => s.interface === "net1"), POLL)
      .toMatchObject({ name: `default/${nad}`, ips: ips.map((ip) => ip.split("/")[0]), mac: net1?.mac });
    await expect
      .poll(() => claimStatus(w, claimName).map(byType), POLL)
      .toEqual([
        {
          driver: DRIVER,
          pool: "node-1",
          device,
          conditions: [
            expect.objectContaining({ type: "AddressesAllocated", status: "True", reason: "Allocated" }),
            expect.objectContaining({ type: "Ready", status: "True", reason: "NetworkAttached" }),
          ],
          networkData: { interfaceName: "net1", ips, hardwareAddress: net1?.mac },
        },
      ]);
    expect(fieldOwners(w, claimName, "f:ips")).toEqual([CONTROLLER_MANAGER]);
    expect(fieldOwners(w, claimName, 'k:{"type":"AddressesAllocated"}')).toEqual([CONTROLLER_MANAGER]);
    for (const key of ["f:interfaceName", "f:hardwareAddress", 'k:{"type":"Ready"}']) {
      expect(fieldOwners(w, claimName, key), key).toEqual([CNI_MANAGER]);
    }
    const uid = claimObject(w, claimName)?.metadata?.uid;
    expect(ipAllocationsOf(w, claimName).map((a) => a.spec)).toEqual(
      [...ips].sort().map((address) => ({
        pool: want.pool,
        address,
        claim: { namespace: "default", name: claimName, uid },
        device: { driver: DRIVER, pool: "node-1", device },
        request: "nic",
      })),
    );
    expect(claimFinalizers(w, claimName)).toEqual(expect.arrayContaining([IP_ALLOCATION_FINALIZER]));
  }

  const FIRST = "the controller wrote first";
  const LATE = "the node side came before the controller";
  it.each([
    { ...BY_CONFIG, controllerFirst: true, when: FIRST, name: "cfg-first" },
    { ...BY_CONFIG, controllerFirst: false, when: LATE, name: "cfg-late" },
    { ...BY_NAD, controllerFirst: true, when: FIRST, name: "nad-first" },
    { ...BY_NAD, controllerFirst: false, when: LATE, name: "nad-late" },
  ])(
    "pool from $from, $when: net1 carries the pool's addresses",
    async ({ pool, deviceClass, nad, want, controllerFirst, name }) => {
      const byConfig = pool === BY_CONFIG.pool;
      if (!controllerFirst) await controller().stop();
      const plan = ipamPodPlan(name, nad);
      w.api.seed(poolClaim(`${name}-nic`, deviceClass, byConfig ? pool : undefined));
      const pod = await createPod(w, plan);
      await schedulePod(w, pod);
      if (!controllerFirst && byConfig) {
        // prepare before the controller wrote: a per-claim error (the kubelet retries), nothing prepared
        await expect(preparePod(w, pod)).rejects.toThrow(
          `waiting for addresses from the netclaim controller: IPPool ${pool}`,
        );
        const recorded = Object.values(await checkpointClaims(w)).find((c) => c.name === `${name}-nic`);
        expect(recorded?.state).not.toBe("prepared");
        await controller().start();
      }
      if (byConfig || controllerFirst) await addressesWritten(`${name}-nic`);
      await preparePod(w, pod);
      if (!controllerFirst && !byConfig) {
        // the pool is only the NAD's: prepare had nothing to wait for, the ADD has
        const err = await addPod(w, pod).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(CniPluginError);
        expect(err).toMatchObject({ code: TRY_AGAIN_LATER });
        expect((err as CniPluginError).msg).toContain(
          `claim default/${name}-nic device node-1/${allocatedDevices(w, `${name}-nic`)[0]}: waiting for addresses from the netclaim controller (IPPool ${pool})`,
        );
        expect([...(await podInterfaces(w, pod)).keys()]).toEqual(["lo"]);
        expect((await hostNics(w)).has(allocatedDevices(w, `${name}-nic`)[0] ?? "")).toBe(true);
        await controller().start();
      }
      const ips = await addressesWritten(`${name}-nic`);
      expect(ips).toHaveLength(want.length);
      want.forEach((re, i) => expect(ips[i]).toMatch(re));
      await expectAttached({ pod, ips, nad, pool, mac: await attach(pod) });

      await delPod(w, pod);
      expect((await podInterfaces(w, pod)).has("net1")).toBe(false);
      expect((await hostNics(w)).has(allocatedDevices(w, `${name}-nic`)[0] ?? "")).toBe(true);
      await pod.teardown();
    },
  );

  // The claim's life, step by step on one claim (pool from its config).
  const life = { claim: "life-pod-nic", first: [] as string[], uids: [] as (string | undefined)[] };
  let lifePod: NodePod;
  const allocationUids = () => ipAllocationsOf(w, life.claim).map((a) => a.metadata.uid);

  it("keeps the addresses for the claim's life: a controller restart and a new pod sandbox change nothing", async () => {
    w.api.seed(poolClaim(life.claim, BY_CONFIG.deviceClass, BY_CONFIG.pool));
    lifePod = await createPod(w, ipamPodPlan("life-pod", BY_CONFIG.nad));
    await schedulePod(w, lifePod);
    life.first = await addressesWritten(life.claim);
    await preparePod(w, lifePod);
    await expectAttached({ pod: lifePod, ips: life.first, ...BY_CONFIG, mac: await attach(lifePod) });
    life.uids = allocationUids();

    await controller().stop();
    await controller().start();
    // the new process has reconciled every claim of the API (its informer's first list)
    const claims = w.api.listObjects({ group: "resource.k8s.io", resource: "resourceclaims" });
    await controller().idle(claims.length);
    expect(allocationUids()).toEqual(life.uids);
    expect(controllerAddressesOf(w, life.claim)).toEqual(life.first);

    const oldNetns = lifePod.sandbox.netns.path;
    await recreateSandbox(w, lifePod);
    expect(lifePod.sandbox.netns.path).not.toBe(oldNetns);
    await addPod(w, lifePod);
    expect((await podInterfaces(w, lifePod)).get("net1")?.addresses).toEqual(life.first);
    expect(allocationUids()).toEqual(life.uids);
  });

  let recreatedIps: string[] = [];
  let recreatedUids: (string | undefined)[] = [];

  it("attaches the claim's addresses again when the pod is deleted and re-created with the claim", async () => {
    // DEL, unprepare, pod deleted; the stand-in deallocates the claim no pod reserves
    await controller().afterChange(() => lifePod.teardown());
    expect(claimStatusOf(claimObject(w, life.claim))?.allocation).toBeUndefined();
    lifePod = await createPod(w, ipamPodPlan("life-pod", BY_CONFIG.nad));
    await schedulePod(w, lifePod);
    recreatedIps = await addressesWritten(life.claim);
    recreatedUids = allocationUids();
    expect(recreatedUids).toHaveLength(life.uids.length);
    await preparePod(w, lifePod);
    await expectAttached({ pod: lifePod, ips: recreatedIps, ...BY_CONFIG, mac: await attach(lifePod) });
  });

  // kube's resourceclaim controller deallocates the claim as soon as no pod reserves it; the controller holds
  // its addresses for the claim's life all the same, so the re-created pod gets the very same IPAllocations
  // (the objects' uids tell: equal addresses alone could be the next-fit cursor's luck).
  it("the re-created pod keeps its claim's IPAllocations", () => {
    expect(recreatedUids).toEqual(life.uids);
    expect(recreatedIps).toEqual(life.first);
  });

  let heldWhileDeleting: string[] = [];

  it("releases the addresses of a deleted claim: its IPAllocations go, the controller drops its finalizer, the claim goes", async () => {
    const from = controller().current.lines.length;
    const inUse = ipAllocationsOf(w, life.claim).map((a) => a.spec.address);
    expect(inUse).toEqual([...recreatedIps].sort());
    await controller().afterChange(() => deleteClaim(w, life.claim));
    // kube-scheduler's delete-protection holds it while allocated: the claim stays, being deleted
    expect(claimObject(w, life.claim)?.metadata?.deletionTimestamp).toEqual(expect.any(String));
    expect(claimFinalizers(w, life.claim)).toContain(CLAIM_FINALIZER);
    heldWhileDeleting = ipAllocationsOf(w, life.claim).map((a) => a.spec.address);
    expect((await podInterfaces(w, lifePod)).get("net1")?.addresses).toEqual(recreatedIps);

    await lifePod.teardown(); // the pod goes: the claim is deallocated, delete-protection removed
    await expect.poll(() => claimObject(w, life.claim), POLL).toBeUndefined();
    expect(ipAllocationsOf(w, life.claim)).toEqual([]);
    const releasedLines = controller()
      .current.lines.slice(from)
      .filter((l) => l.msg === "released address" && l.claim === `default/${life.claim}`)
      .map((l) => l.address as string);
    expect(releasedLines.sort()).toEqual([...recreatedIps].sort());
  });

  // a claim being deleted but still allocated (its pod runs) keeps its addresses: no other claim gets them
  it("a claim being deleted keeps its addresses while a pod still uses them", () => {
    expect(heldWhileDeleting).toEqual([...recreatedIps].sort());
  });

  it("stops the controller with the world: recorded for the sweep while it runs, SIGTERM, lease released", async () => {
    const pid = controller().current.child.pid;
    expect(w.leftovers.snapshot().processes).toContainEqual(
      expect.objectContaining({ pid, label: "netclaim controller" }),
    );
    await w.dispose();
    expect(controller().running).toBe(false);
    expect(await controller().current.exited).toEqual({ code: 0, signal: null });
    expect(controller().current.lines.map((l) => l.msg)).toContain("released the leader lease");
    expect(await exists(`/proc/${pid}`)).toBe(false);
    expect(await exists(w.leftovers.path)).toBe(false);
  });
});
