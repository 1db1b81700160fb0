// Variations of the seed scenario on one node world (two resources: sf-pool-1 = nic0, nic1 and
// sf-pool-2 = nic2, nic3; dpnic0 in neither): where the pod's device is found and which network gets it.
//   - the claim referenced by the container (PodResources lists it) or only at pod level (PodResources does
//     not: only the kubelet plugin's checkpoint knows it) — both attach the NIC;
//   - two claims for two NADs of different resources, and two claims of one class for two NADs of the same
//     resourceName: each network gets its own claim's NIC, never one NIC for both;
//   - a device-plugin device: a NAD whose resourceName only the stand-in kubelet's PodResources serves (a
//     container's device-plugin device, ID "dpnic0", handed over as deviceID to netdev-by-id);
//   - a missing device: ADD fails with DEVICE_NOT_FOUND naming the pod, the NAD and the resourceName, and
//     leaves nothing attached.
import { afterAll, beforeAll, expect, it } from "vitest";
import { describePrivileged } from "../harness/privileged.ts";
import { CniPluginError } from "../harness/runtime/index.ts";
import {
  allocatedDevices,
  cacheEntries,
  claimStatus,
  hostLocalAllocations,
  hostNics,
  networkStatus,
  podInterfaces,
  podResources,
} from "./support/node-inspect.ts";
import { addPod, createClaim, createPod, delPod, startPod } from "./support/node-pods.ts";
import type { NodePod } from "./support/node-pods.ts";
import { createNodeWorld, DEVICE_PLUGIN_NIC } from "./support/node-world.ts";
import type { NodeWorld } from "./support/node-world.ts";
import { deviceNad } from "./support/scenario.ts";
import type { PodPlan } from "./support/scenario.ts";
import { NETDEV_BY_ID } from "./support/test-plugins.ts";

const DP_RESOURCE = "example.com/dpnic";
let uidSeq = 0;
const uid = (): string => `00000000-0000-4000-8000-${String(++uidSeq).padStart(12, "0")}`;

describePrivileged("correlation variations: which device, from where, to which network", () => {
  let w: NodeWorld;

  beforeAll(async () => {
    w = await createNodeWorld({
      resources: [
        { resourceName: "sf-pool-1", nics: ["nic0", "nic1"] },
        { resourceName: "sf-pool-2", nics: ["nic2", "nic3"] },
      ],
    });
    w.api.seed(deviceNad("sf-pool-1-b", "sf-pool-1", "192.168.102.10/24"));
    w.api.seed(deviceNad("dp-net", DP_RESOURCE, "192.168.110.10/24", NETDEV_BY_ID));
  }, 120_000);

  afterAll(async () => {
    await w?.dispose();
  }, 60_000);

  /** ADD, check, DEL, check the NICs are back, tear the pod down. */
  async function attachAndRelease(pod: NodePod, check: () => Promise<void>, nics: readonly string[]) {
    await addPod(w, pod);
    await check();
    await delPod(w, pod);
    const host = await hostNics(w);
    for (const nic of nics) expect(host.has(nic), `${nic} back in the fake host`).toBe(true);
    await pod.teardown();
  }

  it.each([
    { where: "referenced by the container", containerRef: true, listed: 1 },
    { where: "only at pod level (no container references it)", containerRef: false, listed: 0 },
  ])("attaches the NIC of a claim $where", async ({ containerRef, listed }) => {
    const name = containerRef ? "ref-pod" : "podlevel-pod";
    createClaim(w, `${name}-nic`, { nic: "sf-pool-1" });
    const plan: PodPlan = {
      name,
      uid: uid(),
      networks: "sf-pool-1",
      claims: [{ podClaimName: "nic", claimName: `${name}-nic`, containerRef }],
    };
    const pod = await startPod(w, plan);
    const [nic] = allocatedDevices(w, `${name}-nic`);
    const mac = (await hostNics(w)).get(nic ?? "");
    // PodResources lists a claim only under a container that references it
    expect((await podResources(w, pod))?.containers[0]?.dynamic_resources).toHaveLength(listed);
    const from = w.plugin.current.lineCount;
    await attachAndRelease(pod, async () => {
      expect((await podInterfaces(w, pod)).get("net1")).toEqual({
        name: "net1",
        mac,
        addresses: ["192.168.100.10/24"],
      });
      const line = await w.plugin.current.waitForLine(
        (l) => l.msg === "device correlated" && l.claim === `default/${name}-nic`,
        "the device correlation",
        { from },
      );
      expect(line.sources).toEqual(["checkpoint"]);
    }, [nic ?? ""]);
  });

  // Two resources: each NAD has its claim. One resourceName: either NIC may go to either network, but
  // each network gets one of its own.
  it.each([
    {
      case: "two resources",
      second: "sf-pool-2",
      nad2: "sf-pool-2",
      address2: "192.168.101.10/24",
      fixed: true,
    },
    {
      case: "one resourceName",
      second: "sf-pool-1",
      nad2: "sf-pool-1-b",
      address2: "192.168.102.10/24",
      fixed: false,
    },
  ])(
    "gives each of two claims' NICs to a network of its own ($case)",
    async ({ second, nad2, address2, fixed }) => {
      const name = `two-${nad2}`;
      createClaim(w, `${name}-a`, { nic: "sf-pool-1" });
      createClaim(w, `${name}-b`, { nic: second });
      const pod = await startPod(w, {
        name,
        uid: uid(),
        networks: `sf-pool-1,${nad2}`,
        claims: [
          { podClaimName: "a", claimName: `${name}-a`, containerRef: true },
          { podClaimName: "b", claimName: `${name}-b`, containerRef: true },
        ],
      });
      const nicA = allocatedDevices(w, `${name}-a`)[0] ?? "";
      const nicB = allocatedDevices(w, `${name}-b`)[0] ?? "";
      expect(nicA).not.toBe(nicB);
      const host = await hostNics(w);
      await attachAndRelease(pod, async () => {
        const ifs = await podInterfaces(w, pod);
        expect(ifs.get("net1")?.addresses).toEqual(["192.168.100.10/24"]);
        expect(ifs.get("net2")?.addresses).toEqual([address2]);
        const macs = [ifs.get("net1")?.mac, ifs.get("net2")?.mac];
        if (fixed) expect(macs).toEqual([host.get(nicA), host.get(nicB)]);
        else expect(macs.sort()).toEqual([host.get(nicA), host.get(nicB)].sort());
        await expect.poll(() => claimStatus(w, `${name}-a`).length, { timeout: 10_000 }).toBe(1);
        await expect.poll(() => claimStatus(w, `${name}-b`).length, { timeout: 10_000 }).toBe(1);
        const reported = [claimStatus(w, `${name}-a`)[0], claimStatus(w, `${name}-b`)[0]];
        expect(reported.map((d) => d?.device)).toEqual([nicA, nicB]);
        const ifaces = reported.map((d) => d?.networkData?.interfaceName);
        if (fixed) expect(ifaces).toEqual(["net1", "net2"]);
        else expect(ifaces.sort()).toEqual(["net1", "net2"]);
      }, [nicA, nicB]);
    },
  );

  it("attaches a device-plugin device that only PodResources knows", async () => {
    const pod = await startPod(w, {
      name: "dp-pod",
      uid: uid(),
      networks: "dp-net",
      devicePluginDevices: [{ resourceName: DP_RESOURCE, ids: [DEVICE_PLUGIN_NIC] }],
    });
    const mac = (await hostNics(w)).get(DEVICE_PLUGIN_NIC);
    const from = w.plugin.current.lineCount;
    await attachAndRelease(pod, async () => {
      expect((await podInterfaces(w, pod)).get("net1")).toEqual({
        name: "net1",
        mac,
        addresses: ["192.168.110.10/24"],
      });
      expect((await hostNics(w)).has(DEVICE_PLUGIN_NIC)).toBe(false);
      const line = await w.plugin.current.waitForLine(
        (l) => l.msg === "device correlated" && l.network === "default/dp-net",
        "the device correlation",
        { from },
      );
      expect(line).toMatchObject({ rule: "device-plugin", sources: ["podresources"] });
      await expect
        .poll(() => networkStatus(w, pod)?.find((s) => s.interface === "net1"), { timeout: 10_000 })
        .toMatchObject({ name: "default/dp-net", ips: ["192.168.110.10"], mac });
    }, [DEVICE_PLUGIN_NIC]);
  });

  it("fails the ADD of a pod without the device, naming pod, NAD and resourceName, attaching nothing", async () => {
    const pod = await createPod(w, { name: "no-device-pod", uid: uid(), networks: "macvlan-net,sf-pool-2" });
    const nicsBefore = [...(await hostNics(w)).keys()].sort();
    const err = await addPod(w, pod).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CniPluginError);
    expect((err as CniPluginError).code).toBe(108);
    const msg = (err as CniPluginError).msg;
    expect(msg).toContain("pod default/no-device-pod");
    expect(msg).toContain('network "default/sf-pool-2"');
    expect(msg).toContain('resourceName "sf-pool-2"');
    expect([...(await podInterfaces(w, pod)).keys()]).toEqual(["lo"]);
    expect([...(await hostNics(w)).keys()].sort()).toEqual(nicsBefore);
    expect(await hostLocalAllocations(w)).toEqual([]);
    expect(await cacheEntries(w)).toEqual([]);
    await pod.teardown();
  });
});
