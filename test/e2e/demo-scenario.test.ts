// The seed scenario end to end on one node (support/node-world.ts), as `npm run demo` tells it: install-cni
// wrote netclaim's config around the bridge master, pointing the shim at the kubelet plugin's CNI socket;
// the stand-in scheduler gave the claim a published NIC of DeviceClass sf-pool-1; the kubelet plugin
// prepared it (checkpoint, CDI spec; PodResources lists it for the container); ADD through the shim put the
// NIC into the pod as net1 with the NAD's static address, macvlan as net2 and the bridge as eth0; the pod's
// network-status and the claim's status.devices (networkData, Ready, field manager netclaim.dev/cni) were
// written; a warm ADD read nothing from the API; DEL gave the NIC back and left no address, cache entry or
// device-info file; unprepare emptied the checkpoint; teardown left nothing on the machine.
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describePrivileged } from "../harness/privileged.ts";
import type { JsonObject } from "../harness/runtime/index.ts";
import { demoPlan, startDemoPod } from "./support/demo-pod.ts";
import {
  allocatedDevices,
  cacheEntries,
  cdiSpecFiles,
  checkpointClaims,
  claimObject,
  claimStatus,
  deviceInfoFiles,
  hostLocalAllocations,
  hostNics,
  networkStatus,
  podInterfaces,
  podResources,
  pluginApiCalls,
} from "./support/node-inspect.ts";
import { addPod, delPod, unpreparePod } from "./support/node-pods.ts";
import type { NodePod } from "./support/node-pods.ts";
import { createNodeWorld } from "./support/node-world.ts";
import type { NodeWorld } from "./support/node-world.ts";
import { DRIVER, MACVLAN_SUBNET } from "./support/scenario.ts";

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );
const subnetPrefix = (cidr: string): string => cidr.split(".").slice(0, 3).join(".");

describePrivileged(
  "the seed scenario on one node: claim → prepare → ADD through the shim → status → DEL",
  () => {
    let w: NodeWorld;
    let pod: NodePod;
    let device: string;
    let hostMac: string | undefined;
    let result: JsonObject;

    beforeAll(async () => {
      w = await createNodeWorld();
      pod = await startDemoPod(w, demoPlan());
      device = allocatedDevices(w, "demo-pod-nic")[0] ?? "";
      hostMac = (await hostNics(w)).get(device);
      result = await addPod(w, pod);
    }, 120_000);

    afterAll(async () => {
      await w?.dispose();
    }, 60_000);

    it("runs the config install-cni wrote: netclaim around the bridge master, forwarding to the CNI socket", async () => {
      expect(w.installed.configFile).toBe(join(w.paths.host.confDir, "00-netclaim.conflist"));
      expect(w.netconf.plugins).toEqual([
        expect.objectContaining({
          type: "netclaim",
          clusterNetwork: join(w.paths.host.confDir, "10-bridge.conflist"),
          daemonSocket: w.paths.cniSocket,
        }),
      ]);
      const launcher = await readFile(join(w.paths.host.binDir, "netclaim"), "utf8");
      expect(launcher).toMatch(/^#!\/bin\/sh\n/);
      expect(launcher).toContain("netclaim.d/bundle-");
    });

    it("allocated a published NIC of the class and prepared it: checkpoint, CDI spec, PodResources", async () => {
      expect(["nic0", "nic1", "nic2", "nic3"]).toContain(device);
      expect(hostMac).toMatch(/^[0-9a-f:]{17}$/);
      const claims = Object.values(await checkpointClaims(w));
      expect(claims).toEqual([
        expect.objectContaining({ name: "demo-pod-nic", state: "prepared", podUIDs: [pod.plan.uid] }),
      ]);
      expect(await cdiSpecFiles(w)).toHaveLength(1);
      const listed = await podResources(w, pod);
      expect(listed?.containers[0]?.dynamic_resources).toEqual([
        expect.objectContaining({
          claim_name: "demo-pod-nic",
          claim_resources: [expect.objectContaining({ driver_name: DRIVER, device_name: device })],
        }),
      ]);
    });

    it("puts the claim's NIC into the pod as net1 with the NAD's address, macvlan as net2, the bridge as eth0", async () => {
      const ifs = await podInterfaces(w, pod);
      expect([...ifs.keys()].sort()).toEqual(["eth0", "lo", "net1", "net2"]);
      expect(ifs.get("net1")).toEqual({ name: "net1", mac: hostMac, addresses: ["192.168.100.10/24"] });
      expect(ifs.get("net2")?.addresses).toEqual([expect.stringMatching(/^10\.245\.0\.\d+\/24$/)]);
      expect(ifs.get("eth0")?.addresses).toEqual([expect.stringMatching(/^10\.244\.0\.\d+\/24$/)]);
      expect((await hostNics(w)).has(device)).toBe(false);
      // the runtime gets the cluster network's result
      expect(result.ips).toEqual([expect.objectContaining({ address: ifs.get("eth0")?.addresses[0] })]);
    });

    it("writes the CNI device-info file of net1 (no spec type for a plain netdev: netclaim's record only)", async () => {
      const [file] = await deviceInfoFiles(w);
      expect(JSON.parse(await readFile(file ?? "", "utf8"))).toMatchObject({
        version: "1.1.0",
        "netclaim.dev/device": { driver: DRIVER, pool: "node-1", device, ifName: device },
      });
    });

    it("writes the pod's network-status: the three networks in order, net1 with the NIC's MAC", async () => {
      await expect.poll(() => networkStatus(w, pod)?.length, { timeout: 10_000 }).toBe(3);
      const status = networkStatus(w, pod) ?? [];
      const ifs = await podInterfaces(w, pod);
      expect(status).toEqual([
        expect.objectContaining({ name: "cluster-net", interface: "eth0", default: true }),
        expect.objectContaining({
          name: "default/sf-pool-1",
          interface: "net1",
          ips: ["192.168.100.10"],
          mac: hostMac,
        }),
        expect.objectContaining({
          name: "default/macvlan-net",
          interface: "net2",
          ips: [ifs.get("net2")?.addresses[0]?.split("/")[0]],
        }),
      ]);
      expect(status[2]?.ips?.[0]?.startsWith(subnetPrefix(MACVLAN_SUBNET))).toBe(true);
    });

    it("writes the claim's status.devices: networkData and Ready, with the driver's field manager", async () => {
      await expect.poll(() => claimStatus(w, "demo-pod-nic").length, { timeout: 10_000 }).toBe(1);
      expect(claimStatus(w, "demo-pod-nic")).toEqual([
        {
          driver: DRIVER,
          pool: "node-1",
          device,
          conditions: [
            expect.objectContaining({
              type: "Ready",
              status: "True",
              reason: "NetworkAttached",
              message: "attached to pod default/demo-pod as net1 (network default/sf-pool-1)",
            }),
          ],
          networkData: { interfaceName: "net1", ips: ["192.168.100.10/24"], hardwareAddress: hostMac },
        },
      ]);
      const managers = (claimObject(w, "demo-pod-nic")?.metadata?.managedFields ?? []).map((m) => ({
        manager: m.manager,
        operation: m.operation,
        subresource: m.subresource,
      }));
      expect(managers).toContainEqual({
        manager: `${DRIVER}/cni`,
        operation: "Apply",
        subresource: "status",
      });
    });

    it("reads nothing from the API server on a warm ADD: only the two status writes", async () => {
      const second = await startDemoPod(w, demoPlan("demo-pod-2"));
      w.api.resetRequests();
      await addPod(w, second);
      await expect.poll(() => claimStatus(w, "demo-pod-2-nic").length, { timeout: 10_000 }).toBe(1);
      await expect.poll(() => networkStatus(w, second)?.length, { timeout: 10_000 }).toBe(3);
      expect(pluginApiCalls(w).sort()).toEqual(["patch resourceclaims/status", "update pods/status"]);
      await second.teardown();
    });

    it("DEL gives the NIC back and leaves no address, cache entry or device-info file; unprepare empties the checkpoint", async () => {
      expect(await deviceInfoFiles(w)).toHaveLength(1);
      w.api.resetRequests();
      await delPod(w, pod);
      expect(pluginApiCalls(w)).toEqual([]);
      expect([...(await podInterfaces(w, pod)).keys()]).toEqual(["lo"]);
      expect((await hostNics(w)).get(device)).toBe(hostMac);
      expect(await hostLocalAllocations(w)).toEqual([]);
      expect(await cacheEntries(w)).toEqual([]);
      expect(await deviceInfoFiles(w)).toEqual([]);
      await unpreparePod(w, pod);
      expect(await checkpointClaims(w)).toEqual({});
      expect(await cdiSpecFiles(w)).toEqual([]);
    });

    it("tears everything down: plugin stopped, netns and temp dir gone, state file removed", async () => {
      const pid = w.plugin.pid;
      await w.dispose();
      expect(w.plugin.running).toBe(false);
      expect(await exists(`/proc/${pid}`)).toBe(false);
      const netns = [...(await w.h.netns.list()), ...(await w.h.podNetns.list())];
      expect(netns.filter((n) => n.startsWith(w.h.runPrefix))).toEqual([]);
      expect(await exists(w.h.tmpDir)).toBe(false);
      expect(await exists(w.leftovers.path)).toBe(false);
    });
  },
);
