// The kubelet plugin's process coming and going around a pod of the seed scenario (support/node-world.ts):
//   - restarted (SIGTERM, or killed as in a crash) between NodePrepareResources and ADD: the new process
//     registers again and the ADD still gets the claim's NIC, from the checkpoint the first one wrote;
//   - stopped after ADD: a new ADD fails fast (code 110, naming the socket), and DEL still completes — the
//     shim runs it itself from the attachment cache — giving the NIC back and leaving no host-local
//     address or cache entry behind.
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describePrivileged } from "../harness/privileged.ts";
import { CniPluginError } from "../harness/runtime/index.ts";
import { demoPlan, startDemoPod } from "./support/demo-pod.ts";
import {
  allocatedDevices,
  cacheEntries,
  checkpointClaims,
  deviceInfoFiles,
  hostLocalAllocations,
  hostNics,
  podInterfaces,
} from "./support/node-inspect.ts";
import { addPod, createPod, delPod } from "./support/node-pods.ts";
import { createNodeWorld } from "./support/node-world.ts";
import type { NodeWorld } from "./support/node-world.ts";

describePrivileged("the kubelet plugin restarted or down around a pod's ADD and DEL", () => {
  let w: NodeWorld;

  beforeAll(async () => {
    w = await createNodeWorld();
  }, 120_000);

  afterAll(async () => {
    await w?.dispose();
  }, 60_000);

  it.each([
    { how: "stop" as const, what: "stopped (SIGTERM) and started" },
    { how: "kill" as const, what: "killed (SIGKILL) and started" },
  ])(
    "attaches the prepared claim's NIC after the plugin was $what between prepare and ADD",
    async ({ how }) => {
      const pod = await startDemoPod(w, demoPlan(`restart-${how}`));
      const nic = allocatedDevices(w, `restart-${how}-nic`)[0] ?? "";
      const mac = (await hostNics(w)).get(nic);
      const before = w.plugin.pid;
      await w.plugin.restart(how);
      expect(w.plugin.pid).not.toBe(before);
      expect(Object.values(await checkpointClaims(w))).toContainEqual(
        expect.objectContaining({ name: `restart-${how}-nic`, state: "prepared" }),
      );
      const from = w.plugin.current.lineCount;
      await addPod(w, pod);
      expect((await podInterfaces(w, pod)).get("net1")).toEqual({
        name: "net1",
        mac,
        addresses: ["192.168.100.10/24"],
      });
      const line = await w.plugin.current.waitForLine(
        (l) => l.msg === "device correlated" && l.claim === `default/restart-${how}-nic`,
        "the device correlation",
        { from },
      );
      expect(line.sources).toEqual(["checkpoint"]);
      await delPod(w, pod);
      expect((await hostNics(w)).get(nic)).toBe(mac);
      await pod.teardown();
    },
  );

  it("completes DEL from the attachment cache while the server is down, and fails a new ADD fast", async () => {
    const pod = await startDemoPod(w, demoPlan("offline-del"));
    const nic = allocatedDevices(w, "offline-del-nic")[0] ?? "";
    const mac = (await hostNics(w)).get(nic);
    await addPod(w, pod);
    expect(await hostLocalAllocations(w)).toHaveLength(2); // eth0 (bridge) and net2 (macvlan)
    expect(await cacheEntries(w)).toHaveLength(1);
    expect(await w.plugin.stop()).toEqual({ code: 0, signal: null });

    const another = await createPod(w, { name: "while-down", uid: "0f0f0f0f-0000-4000-8000-000000000001" });
    const err = await addPod(w, another).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CniPluginError);
    expect((err as CniPluginError).code).toBe(110);
    expect((err as CniPluginError).msg).toContain(w.paths.cniSocket);

    try {
      await delPod(w, pod);
      expect([...(await podInterfaces(w, pod)).keys()]).toEqual(["lo"]);
      expect((await hostNics(w)).get(nic)).toBe(mac);
      expect(await hostLocalAllocations(w)).toEqual([]);
      expect(await cacheEntries(w)).toEqual([]);
      expect(await deviceInfoFiles(w)).toEqual([]);
      const shimLog = await readFile(w.paths.host.shimLog, "utf8");
      expect(shimLog).toContain("DEL runs here from the attachment cache");
    } finally {
      await w.plugin.start(); // for the unprepare of the teardowns
    }
    await another.teardown();
    await pod.teardown();
  });
});
