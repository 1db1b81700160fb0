// The registration server against the stand-in kubelet's plugin watcher on real unix sockets:
// GetInfo's answer, registration status recorded, a lost socket bound again, stop removes it.
import * as grpc from "@grpc/grpc-js";
import { lstat, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { kubeletServices, unixTarget } from "../../../../src/k8s/kubelet-grpc.ts";
import type { PluginInfo__Output } from "../../../../src/generated/pluginregistration-v1/pluginregistration/PluginInfo.ts";
import { buildPluginInfo } from "../../../../src/kubelet-plugin/registration/plugin-info.ts";
import { RegistrationServer } from "../../../../src/kubelet-plugin/registration/registration-server.ts";
import { captureLogger } from "../../../fakes/logger.ts";
import { unary } from "../../../harness/kubelet/grpc-unix.ts";
import { PluginWatcher } from "../../../harness/kubelet/plugin-watcher.ts";

let root: string;
let registrationDir: string;
let server: RegistrationServer;
let watcher: PluginWatcher | undefined;
let log: ReturnType<typeof captureLogger>;

const endpoint = "/var/lib/kubelet/plugins/netclaim.dev/dra.sock";

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "netclaim-reg-"));
  registrationDir = join(root, "plugins_registry");
  log = captureLogger();
  server = new RegistrationServer({
    socketPath: join(registrationDir, "netclaim.dev-reg.sock"),
    info: buildPluginInfo({ driverName: "netclaim.dev", endpoint, resourceHealth: true }),
    logger: log.logger,
    checkIntervalMs: 60_000,
  });
});

afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
  await server.stop();
  await rm(root, { recursive: true, force: true });
});

function registrationClient() {
  return new (kubeletServices().registration)(
    unixTarget(server.socketPath),
    grpc.credentials.createInsecure(),
  );
}

describe("RegistrationServer", () => {
  it("answers GetInfo with the DRA plugin info", async () => {
    await server.start();
    const client = registrationClient();
    try {
      const info = await unary<PluginInfo__Output>((cb) => client.GetInfo({}, cb));
      expect(info).toEqual({
        type: "DRAPlugin",
        name: "netclaim.dev",
        endpoint,
        supported_versions: ["v1.DRAPlugin", "v1beta1.DRAPlugin", "v1alpha1.DRAResourceHealth"],
      });
    } finally {
      client.close();
    }
    expect((await lstat(server.socketPath)).mode & 0o777).toBe(0o600);
  });

  it("is registered by the stand-in kubelet, which picks v1 and notifies success", async () => {
    await server.start();
    watcher = new PluginWatcher({ registrationDir, pingIntervalMs: 0 });
    await watcher.start();
    await watcher.events.waitFor((e) => e.type === "registered");
    expect(watcher.getPlugin("netclaim.dev")).toMatchObject({ endpoint, dra: { service: "v1.DRAPlugin" } });
    await vi.waitFor(() => expect(server.state.status).toBe("registered"));
    expect(log.lines().some((l) => l.msg === "registered with the kubelet")).toBe(true);
  });

  it("logs a rejected registration as an error and keeps answering GetInfo", async () => {
    await server.start();
    const client = registrationClient();
    try {
      await unary((cb) => client.NotifyRegistrationStatus({ plugin_registered: false, error: "no" }, cb));
      expect(server.state).toMatchObject({ status: "failed", error: "no" });
      const errorLine = log.lines().find((l) => l.level === "error");
      expect(errorLine).toMatchObject({ error: "no", driver: "netclaim.dev" });
      await expect(unary((cb) => client.GetInfo({}, cb))).resolves.toMatchObject({ name: "netclaim.dev" });
    } finally {
      client.close();
    }
  });

  it("binds the socket again when the file disappears (fs.watch)", async () => {
    await server.start();
    await rm(server.socketPath);
    await vi.waitFor(() => expect(server.rebinds).toBe(1), { timeout: 5_000 });
    expect((await lstat(server.socketPath)).isSocket()).toBe(true);
    const client = registrationClient();
    try {
      await expect(unary((cb) => client.GetInfo({}, cb))).resolves.toMatchObject({ name: "netclaim.dev" });
    } finally {
      client.close();
    }
  });

  it("binds again after the whole directory was removed (periodic check)", async () => {
    await server.start();
    await rm(registrationDir, { recursive: true });
    await server.check();
    expect((await lstat(server.socketPath)).isSocket()).toBe(true);
    const rebinds = server.rebinds;
    // The watch on the new directory works: a second removal is noticed without calling check().
    await rm(server.socketPath);
    await vi.waitFor(() => expect(server.rebinds).toBe(rebinds + 1), { timeout: 5_000 });
    expect((await lstat(server.socketPath)).isSocket()).toBe(true);
  });

  it("stop removes the socket and the kubelet deregisters the plugin", async () => {
    await server.start();
    watcher = new PluginWatcher({ registrationDir, pingIntervalMs: 0 });
    await watcher.start();
    await watcher.events.waitFor((e) => e.type === "registered");
    await server.stop();
    await expect(lstat(server.socketPath)).rejects.toMatchObject({ code: "ENOENT" });
    await watcher.events.waitFor((e) => e.type === "deregistered");
    expect(watcher.getPlugin("netclaim.dev")).toBeUndefined();
    expect(server.serving).toBe(false);
  });

  it("stops on abort", async () => {
    const controller = new AbortController();
    await server.start(controller.signal);
    controller.abort();
    await vi.waitFor(async () => {
      await expect(lstat(server.socketPath)).rejects.toMatchObject({ code: "ENOENT" });
    });
  });
});
