// The plugin killed (SIGKILL) in the middle of a prepare, and started again: stale sockets replaced,
// the half-done prepare rolled back, the kubelet's retry succeeds. And a corrupt checkpoint: reported,
// kept aside, rebuilt from the CDI specs and the API server — never read as empty.
import { lstat, readFile, writeFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DRIVER, PluginWorld, vfAddress } from "./support.ts";

let world: PluginWorld;

beforeEach(async () => {
  world = new PluginWorld();
  await world.setUp();
});

afterEach(async () => {
  await world.tearDown();
});

describe("netclaim kubelet-plugin after a crash", () => {
  it("killed while reading the claim: restarts over stale sockets, and the retried prepare works", async () => {
    await world.startPlugin();
    const registered = world.kubelet.watcher.getPlugin(DRIVER)!;
    const claim = world.seedClaim({ name: "slow", vfs: { net: 1 }, podUid: "pod-s" });
    const removeFault = world.api.addFault({
      match: { verb: "get", resource: "resourceclaims", name: "slow" },
      delayMs: 30_000,
    });
    const first = world.kubelet.runPod(world.pod("pod-s", [claim]));
    await world.logLine(
      (l) => l.msg === "reading the claim" && l.claim === "default/slow",
      "claim GET started",
    );
    await world.killPlugin();
    expect((await first).ok).toBe(false);
    removeFault();
    // The sockets outlived the process; the new one replaces them.
    expect((await lstat(registered.socketPath)).isSocket()).toBe(true);
    await world.startPlugin();
    const retried = await world.kubelet.runPod(world.pod("pod-s", [claim]));
    expect(retried).toMatchObject({ ok: true });
    expect((await world.checkpoint()).data.claims[claim.metadata!.uid!]).toMatchObject({ state: "prepared" });
  });

  it("killed between the rebind and the CDI spec: the restart restores the driver and the retry prepares", async () => {
    await world.startPlugin();
    const claim = world.seedClaim({
      name: "dpdk",
      vfs: { net: 3 },
      config: { driver: "vfio-pci" },
      podUid: "pod-d",
    });
    const uid = claim.metadata!.uid!;
    world.kernel.holdProbe.add(vfAddress(3));
    const first = world.kubelet.runPod(world.pod("pod-d", [claim]));
    await world.kernel.probeHeld();
    expect((await world.checkpoint()).data.claims[uid]).toMatchObject({ state: "preparing" });
    await world.killPlugin();
    expect((await first).ok).toBe(false);
    world.kernel.releaseProbes(); // the kernel finishes the bind the dead process asked for
    await world.kernel.idle();
    expect(await world.kernel.driverOf(vfAddress(3))).toBe("vfio-pci");

    await world.startPlugin();
    const recovered = await world.logLine((l) => l.msg === "recovered", "recovery action");
    expect(recovered.action).toBe("rolled back the half-done prepare of claim default/dpdk");
    expect(await world.kernel.driverOf(vfAddress(3))).toBe("iavf");
    expect((await world.checkpoint()).data.claims[uid]).toBeUndefined();

    const retried = await world.kubelet.runPod(world.pod("pod-d", [claim]));
    expect(retried).toMatchObject({ ok: true });
    expect(await world.kernel.driverOf(vfAddress(3))).toBe("vfio-pci");
    expect((await world.checkpoint()).data.claims[uid]).toMatchObject({ state: "prepared" });
  });

  it("rebuilds a corrupt checkpoint from the CDI specs and the API server", async () => {
    const plugin = await world.startPlugin();
    const kept = world.seedClaim({ name: "kept", vfs: { net: 0 }, podUid: "pod-k" });
    const gone = world.seedClaim({ name: "gone", vfs: { net: 4 }, podUid: "pod-g" });
    expect((await world.kubelet.runPod(world.pod("pod-k", [kept]))).ok).toBe(true);
    expect((await world.kubelet.runPod(world.pod("pod-g", [gone]))).ok).toBe(true);
    plugin.child.kill("SIGTERM");
    await plugin.exited;
    const text = await readFile(world.checkpointPath, "utf8");
    await writeFile(world.checkpointPath, text.replace('"prepared"', '"prepered"'));
    world.api.removeObject({
      resource: "resourceclaims",
      group: "resource.k8s.io",
      namespace: "default",
      name: "gone",
    });

    await world.startPlugin();
    const report = await world.logLine(
      (l) => typeof l.msg === "string" && l.msg.startsWith("checkpoint is corrupt"),
      "corrupt report",
    );
    expect(report.level).toBe("error");
    expect(await readFile(`${world.checkpointPath}.corrupt`, "utf8")).toContain("prepered");
    const rebuilt = (await world.checkpoint()).data.claims;
    expect(Object.keys(rebuilt)).toEqual([kept.metadata!.uid!]);
    expect(rebuilt[kept.metadata!.uid!]).toMatchObject({
      state: "prepared",
      rebuilt: true,
      podUIDs: ["pod-k"],
    });
    await expect(world.cdiSpec(gone.metadata!.uid!)).rejects.toMatchObject({ code: "ENOENT" });
    // The rebuilt claim unprepares normally.
    expect((await world.kubelet.removePod("pod-k")).ok).toBe(true);
    expect((await world.checkpoint()).data.claims).toEqual({});
  });
});
