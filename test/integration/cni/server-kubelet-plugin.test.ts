// The composition (src/node-daemon): `netclaim kubelet-plugin` as a process serves the CNI server on
// --cni-socket next to its DRA sockets — 0600 in a 0700 directory, /healthz, /readyz once its caches
// synced, a /cni call answered (a STATUS) — and removes the socket when SIGTERM stops it; when the socket
// is held by another live process, the plugin does not run half: it stops and exits 1. With
// --cni-server=false it runs without one.
import { request } from "node:http";
import { lstat, mkdir, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { forwardCniCall } from "../../../src/cni/shim/forward.ts";
import { DRIVER, PluginWorld } from "../kubelet-plugin/support.ts";

function httpGet(socketPath: string, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, agent: false }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: text.trim() }));
    });
    req.on("error", reject);
    req.end();
  });
}

let world: PluginWorld;
beforeEach(async () => {
  world = new PluginWorld();
  await world.setUp();
});
afterEach(async () => {
  await world.tearDown();
});

describe("netclaim kubelet-plugin hosts the CNI server", () => {
  it("serves --cni-socket while running and removes it on SIGTERM", async () => {
    const plugin = await world.startPlugin();
    const socket = join(world.root, "cni", "cni.sock");
    await vi.waitFor(() => lstat(socket), { timeout: 10_000 });
    expect((await lstat(socket)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(socket))).mode & 0o777).toBe(0o700);
    expect(await httpGet(socket, "/healthz")).toEqual({ status: 200, text: "ok" });
    await vi.waitFor(
      async () => expect(await httpGet(socket, "/readyz")).toEqual({ status: 200, text: "ok" }),
      {
        timeout: 10_000,
      },
    );
    const status = await forwardCniCall({
      socketPath: socket,
      body: {
        env: { CNI_COMMAND: "STATUS", CNI_PATH: "/opt/cni/bin" },
        config: JSON.stringify({
          cniVersion: "1.1.0",
          name: "n",
          type: "netclaim",
          clusterNetwork: "/x.conflist",
        }),
      },
    });
    expect(status).toEqual({ kind: "answered", status: 200, reply: { exitCode: 0, stdout: "" } });
    await world.logLine((l) => l.msg === "CNI server listening", "CNI server started");
    plugin.child.kill("SIGTERM");
    expect(await plugin.exited).toEqual({ code: 0, signal: null });
    await expect(lstat(socket)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("runs without the CNI server when --cni-server=false (Multus stays the meta-plugin)", async () => {
    const plugin = await world.startPlugin(["--cni-server=false"]);
    await world.logLine(
      (l) => l.msg === "CNI server off (--cni-server=false): another meta-plugin serves the node",
      "off",
    );
    await world.kubelet.waitForPlugin(DRIVER);
    await expect(lstat(join(world.root, "cni", "cni.sock"))).rejects.toMatchObject({ code: "ENOENT" });
    plugin.child.kill("SIGTERM");
    expect(await plugin.exited).toEqual({ code: 0, signal: null });
  });

  it("stops the plugin and exits 1 when the CNI socket is another live process's", async () => {
    const socket = join(world.root, "cni", "cni.sock");
    await mkdir(dirname(socket), { recursive: true });
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(socket, () => resolve()));
    try {
      // It may exit before or after the kubelet saw it register: either way it must exit 1, saying why.
      const plugin = await world.startPlugin().catch(() => world.plugin!);
      expect((await plugin.exited).code).toBe(1);
      const failure = await world.logLine((l) => l.msg === "kubelet plugin failed", "start failure");
      expect(String(failure.err)).toContain(`socket ${socket} is in use by another process`);
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });
});
