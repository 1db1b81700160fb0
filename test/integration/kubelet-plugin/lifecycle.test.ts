// `netclaim kubelet-plugin` as a child process against the stand-in kubelet and API server: it
// registers (the kubelet picks v1.DRAPlugin), publishes the node's VFs, prepares and unprepares claims
// (CDI specs read back, the checkpoint, vfio-pci rebinding through the stand-in kernel), answers
// /healthz, /readyz and /metrics, re-registers with a restarted kubelet, and stops cleanly on SIGTERM.
import * as grpc from "@grpc/grpc-js";
import { lstat, readdir, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { kubeletServices, unixTarget } from "../../../src/k8s/kubelet-grpc.ts";
import type { PluginInfo__Output } from "../../../src/generated/pluginregistration-v1/pluginregistration/PluginInfo.ts";
import { unary } from "../../harness/kubelet/grpc-unix.ts";
import { DRIVER, NODE, PluginWorld, vfAddress, vfDevice } from "./support.ts";

let world: PluginWorld;

beforeEach(async () => {
  world = new PluginWorld();
  await world.setUp();
});

afterEach(async () => {
  await world.tearDown();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("netclaim kubelet-plugin", () => {
  it("registers over private sockets; the kubelet picks v1.DRAPlugin", async () => {
    await world.startPlugin();
    const plugin = world.kubelet.watcher.getPlugin(DRIVER);
    expect(plugin).toMatchObject({
      endpoint: `${world.dirs.pluginsDir}/${DRIVER}/dra.sock`,
      supportedVersions: ["v1.DRAPlugin", "v1beta1.DRAPlugin", "v1alpha1.DRAResourceHealth"],
      dra: { service: "v1.DRAPlugin" },
    });
    const client = new (kubeletServices().registration)(
      unixTarget(plugin!.socketPath),
      grpc.credentials.createInsecure(),
    );
    try {
      const info = await unary<PluginInfo__Output>((cb) => client.GetInfo({}, cb));
      expect(info.type).toBe("DRAPlugin");
    } finally {
      client.close();
    }
    for (const socket of [plugin!.socketPath, plugin!.endpoint]) {
      expect((await lstat(socket)).mode & 0o777).toBe(0o600);
      expect((await stat(dirname(socket))).mode & 0o007).toBe(0);
    }
    await world.logLine((l) => l.msg === "registered with the kubelet", "registration confirmed");
    const config = await world.logLine((l) => l.msg === "effective configuration", "effective config");
    expect(config.config).toMatchObject({ "node-name": NODE, "driver-name": DRIVER, "log-level": "debug" });
  });

  it("publishes the node's VFs in a ResourceSlice", async () => {
    await world.startPlugin();
    await vi.waitFor(
      () => {
        const slices = world.api.listObjects({ resource: "resourceslices", group: "resource.k8s.io" });
        const devices = slices.flatMap((s) =>
          ((s as { spec: { devices: { name: string }[] } }).spec.devices ?? []).map((d) => d.name),
        );
        expect(devices.sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map(vfDevice));
      },
      { timeout: 10_000, interval: 50 },
    );
  });

  it("prepares and unprepares a pod's claims: CDI spec, checkpoint, answer", async () => {
    await world.startPlugin();
    const claim = world.seedClaim({ name: "net-a", vfs: { net: 1 }, podUid: "pod-1" });
    const uid = claim.metadata!.uid!;
    const result = await world.kubelet.runPod(world.pod("pod-1", [claim]));
    expect(result).toMatchObject({ ok: true });
    expect(result.outcomes[0]).toMatchObject({
      ok: true,
      devices: [
        {
          requestNames: ["net"],
          poolName: NODE,
          deviceName: vfDevice(1),
          cdiDeviceIds: [`${DRIVER}/net=${uid}-${vfDevice(1)}`],
        },
      ],
    });
    const spec = await world.cdiSpec(uid);
    expect(spec.kind).toBe(`${DRIVER}/net`);
    expect(spec.devices[0]?.containerEdits.env).toEqual(
      expect.arrayContaining([`NETCLAIM_NET_PCI_ADDRESS=${vfAddress(1)}`, "NETCLAIM_NET_IFNAME=ens1f0v1"]),
    );
    expect((await world.checkpoint()).data.claims[uid]).toMatchObject({
      state: "prepared",
      podUIDs: ["pod-1"],
    });
    const removed = await world.kubelet.removePod("pod-1");
    expect(removed.ok).toBe(true);
    expect(await readdir(world.dirs.cdi)).toEqual([]);
    expect((await world.checkpoint()).data.claims).toEqual({});
  });

  it("binds vfio-pci for a claim that asks and restores the VF's driver on unprepare", async () => {
    await world.startPlugin();
    const claim = world.seedClaim({
      name: "dpdk",
      vfs: { net: 2 },
      config: { driver: "vfio-pci" },
      podUid: "pod-2",
    });
    const uid = claim.metadata!.uid!;
    const prepared = await world.kubelet.runPod(world.pod("pod-2", [claim]));
    expect(prepared).toMatchObject({ ok: true });
    expect(await world.kernel.driverOf(vfAddress(2))).toBe("vfio-pci");
    const spec = await world.cdiSpec(uid);
    expect(spec.devices[0]?.containerEdits.deviceNodes?.map((n) => n.path)).toEqual([
      "/dev/vfio/43",
      "/dev/vfio/vfio",
    ]);
    expect((await world.kubelet.removePod("pod-2")).ok).toBe(true);
    expect(await world.kernel.driverOf(vfAddress(2))).toBe("iavf");
    expect(world.kernel.actions).toEqual([
      `unbind ${vfAddress(2)} from iavf`,
      `probe ${vfAddress(2)} -> vfio-pci`,
      `unbind ${vfAddress(2)} from vfio-pci`,
      `probe ${vfAddress(2)} -> iavf`,
    ]);
  });

  it("fails only the bad claim of a batch", async () => {
    await world.startPlugin();
    const good = world.seedClaim({ name: "good", vfs: { net: 3 }, podUid: "pod-3" });
    const bad = world.seedClaim({ name: "bad", vfs: { net: 4 }, config: { mtu: 20 }, podUid: "pod-3" });
    const result = await world.kubelet.runPod(world.pod("pod-3", [good, bad]));
    expect(result.ok).toBe(false);
    const byName = Object.fromEntries(result.outcomes.map((o) => [o.claim.name, o]));
    expect(byName.good).toMatchObject({ ok: true });
    expect(byName.bad).toMatchObject({
      ok: false,
      error: expect.stringMatching(/ResourceClaim bad: claim default\/bad: .*"mtu"/) as unknown,
    });
    expect(await readdir(world.dirs.cdi)).toEqual([`${DRIVER}-net_${good.metadata!.uid!}.json`]);
  });

  it("serves /healthz, /readyz (the CNI server's caches included) and /metrics", async () => {
    const port = await freePort();
    await world.startPlugin([`--metrics-address=127.0.0.1:${port}`]);
    const claim = world.seedClaim({ name: "net-m", vfs: { net: 0 }, podUid: "pod-m" });
    expect((await world.kubelet.runPod(world.pod("pod-m", [claim]))).ok).toBe(true);
    await vi.waitFor(async () => {
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
    });
    await vi.waitFor(async () => {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      const report = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
      expect(report.checks["cni-server"]).toEqual({ ok: true });
    });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('netclaim_dra_claim_operations_total{operation="prepare",result="success"} 1');
    expect(metrics).toContain("netclaim_resource_slice_devices_published 8");
    expect(metrics).toContain("netclaim_prepared_claims 1");
    expect(metrics).toMatch(
      /netclaim_dra_grpc_calls_total\{method="NodePrepareResources",service="v1.DRAPlugin",code="OK"\} 1/,
    );
  });

  it("registers again with a restarted kubelet and after its socket was removed", async () => {
    await world.startPlugin();
    const slices = () => world.api.listObjects({ resource: "resourceslices", group: "resource.k8s.io" });
    await vi.waitFor(() => expect(slices().length).toBeGreaterThan(0), { timeout: 10_000 });
    await world.kubelet.stop();
    // A starting kubelet deletes its node's slices; the plugin republishes once registered again,
    // well before its periodic resync (60 s).
    for (const slice of slices()) {
      world.api.removeObject({
        resource: "resourceslices",
        group: "resource.k8s.io",
        name: slice.metadata!.name!,
      });
    }
    await world.startKubelet();
    await world.kubelet.waitForPlugin(DRIVER);
    await vi.waitFor(() => expect(slices().length).toBeGreaterThan(0), { timeout: 10_000 });
    const plugin = world.kubelet.watcher.getPlugin(DRIVER)!;
    const claim = world.seedClaim({ name: "after-restart", vfs: { net: 5 }, podUid: "pod-5" });
    expect((await world.kubelet.runPod(world.pod("pod-5", [claim]))).ok).toBe(true);
    const from = world.kubelet.watcher.events.entries.length;
    const { rm } = await import("node:fs/promises");
    await rm(plugin.socketPath);
    await world.kubelet.watcher.events.waitFor((e) => e.type === "registered", { from, timeoutMs: 15_000 });
    expect(world.kubelet.watcher.getPlugin(DRIVER)).toBeDefined();
  });

  it("stops on SIGTERM: exit 0, sockets removed, checkpoint kept", async () => {
    const plugin = await world.startPlugin();
    await vi.waitFor(
      () =>
        expect(
          world.api.listObjects({ resource: "resourceslices", group: "resource.k8s.io" }).length,
        ).toBeGreaterThan(0),
      {
        timeout: 10_000,
      },
    );
    const claim = world.seedClaim({ name: "kept", vfs: { net: 0 }, podUid: "pod-k" });
    expect((await world.kubelet.runPod(world.pod("pod-k", [claim]))).ok).toBe(true);
    const registered = world.kubelet.watcher.getPlugin(DRIVER)!;
    plugin.child.kill("SIGTERM");
    expect(await plugin.exited).toEqual({ code: 0, signal: null });
    await expect(lstat(registered.socketPath)).rejects.toMatchObject({ code: "ENOENT" });
    await expect(lstat(registered.endpoint)).rejects.toMatchObject({ code: "ENOENT" });
    expect((await world.checkpoint()).data.claims[claim.metadata!.uid!]).toMatchObject({ state: "prepared" });
    // The slices stay (no --delete-resource-slices-on-exit).
    expect(
      world.api.listObjects({ resource: "resourceslices", group: "resource.k8s.io" }).length,
    ).toBeGreaterThan(0);
  });

  it("deletes this node's ResourceSlices on exit when asked", async () => {
    const plugin = await world.startPlugin(["--delete-resource-slices-on-exit"]);
    await vi.waitFor(
      () =>
        expect(
          world.api.listObjects({ resource: "resourceslices", group: "resource.k8s.io" }).length,
        ).toBeGreaterThan(0),
      {
        timeout: 10_000,
      },
    );
    plugin.child.kill("SIGTERM");
    expect((await plugin.exited).code).toBe(0);
    expect(world.api.listObjects({ resource: "resourceslices", group: "resource.k8s.io" })).toEqual([]);
  });
});
