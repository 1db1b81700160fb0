// The stand-in plugin watcher against fake DRA plugins on real unix sockets in a temp dir.
import * as grpc from "@grpc/grpc-js";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { draSocketPath } from "../../../src/k8s/kubelet-grpc.ts";
import { FakeClock } from "../../fakes/clock.ts";
import { FakeDraPlugin } from "../../fakes/dra-plugin.ts";
import type { FakeDraPluginOptions } from "../../fakes/dra-plugin.ts";
import { PluginWatcher } from "./plugin-watcher.ts";
import type { PluginWatcherOptions } from "./plugin-watcher.ts";

let root: string;
let registrationDir: string;
let pluginsDir: string;
let cleanups: (() => Promise<void>)[];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "netclaim-watcher-"));
  registrationDir = join(root, "plugins_registry");
  pluginsDir = join(root, "plugins");
  cleanups = [];
});

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await rm(root, { recursive: true, force: true });
});

async function startPlugin(options: Partial<FakeDraPluginOptions> = {}): Promise<FakeDraPlugin> {
  const plugin = new FakeDraPlugin({ driverName: "netclaim.dev", registrationDir, pluginsDir, ...options });
  await plugin.start();
  cleanups.push(() => plugin.stop());
  return plugin;
}

async function startWatcher(options: PluginWatcherOptions = {}): Promise<PluginWatcher> {
  const watcher = new PluginWatcher({ registrationDir, pingIntervalMs: 0, ...options });
  await watcher.start();
  cleanups.push(() => watcher.stop());
  return watcher;
}

describe("PluginWatcher registration", () => {
  it("registers a plugin whose socket was there before start (initial walk)", async () => {
    const plugin = await startPlugin();
    const watcher = await startWatcher();
    const status = await plugin.registrationStatuses.waitFor(() => true);
    expect(status).toEqual({ plugin_registered: true, error: "" });
    expect(watcher.getPlugin("netclaim.dev")).toMatchObject({
      driverName: "netclaim.dev",
      socketPath: plugin.registrationSocket,
      endpoint: draSocketPath("netclaim.dev", pluginsDir),
      dra: { service: "v1.DRAPlugin" },
    });
  });

  it("registers a plugin whose socket appears later, also in a sub-directory (fs.watch)", async () => {
    const watcher = await startWatcher();
    await mkdir(join(registrationDir, "sub"));
    const plugin = await startPlugin({ registrationSocket: join(registrationDir, "sub", "late-reg.sock") });
    await plugin.registrationStatuses.waitFor((s) => s.plugin_registered);
    expect(watcher.plugins().map((p) => p.socketPath)).toEqual([plugin.registrationSocket]);
  });

  it.each([
    { name: "v1 first", versions: ["v1.DRAPlugin", "v1beta1.DRAPlugin"], want: "v1.DRAPlugin" },
    {
      name: "plugin prefers v1beta1",
      versions: ["v1beta1.DRAPlugin", "v1.DRAPlugin"],
      want: "v1beta1.DRAPlugin",
    },
    {
      name: "health service is not a prepare service",
      versions: ["v1alpha1.DRAResourceHealth", "v1beta1.DRAPlugin"],
      want: "v1beta1.DRAPlugin",
    },
  ])("chooses the service in the plugin's order: $name", async ({ versions, want }) => {
    await startPlugin({ supportedVersions: versions });
    const watcher = await startWatcher();
    const event = await watcher.events.waitFor((e) => e.type === "registered");
    expect(event).toMatchObject({ service: want });
    expect(watcher.getPlugin("netclaim.dev")?.dra.service).toBe(want);
  });

  it.each([
    {
      name: "no supported service",
      options: { supportedVersions: ["v1alpha3.NodeService"] },
      want: /none of services supported/,
    },
    {
      name: "empty supported list",
      options: { supportedVersions: [] },
      want: /empty list of supported gRPC services/,
    },
    {
      name: "not a DRA plugin",
      options: { pluginType: "CSIPlugin" },
      want: /no handler registered for plugin type: CSIPlugin/,
    },
  ])("rejects and tells the plugin: $name", async ({ options, want }) => {
    const plugin = await startPlugin(options);
    const watcher = await startWatcher();
    const status = await plugin.registrationStatuses.waitFor(() => true);
    expect(status.plugin_registered).toBe(false);
    expect(status.error).toMatch(want);
    expect(watcher.plugins()).toEqual([]);
  });

  it("uses the registration socket as endpoint when the plugin gives none", async () => {
    const plugin = await startPlugin({ endpoint: "" });
    const watcher = await startWatcher();
    await plugin.registrationStatuses.waitFor((s) => s.plugin_registered);
    expect(watcher.getPlugin("netclaim.dev")?.endpoint).toBe(plugin.registrationSocket);
  });

  it("rejects a second plugin of the same driver on the same endpoint", async () => {
    await startPlugin();
    const watcher = await startWatcher();
    await watcher.events.waitFor((e) => e.type === "registered");
    const second = new FakeDraPlugin({
      driverName: "netclaim.dev",
      registrationDir,
      pluginsDir,
      registrationSocket: join(registrationDir, "second-reg.sock"),
      endpoint: draSocketPath("netclaim.dev", pluginsDir),
      serveDra: false, // the endpoint is the first plugin's
    });
    await second.start();
    cleanups.push(() => second.stop());
    const status = await second.registrationStatuses.waitFor(() => true);
    expect(status.error).toMatch(/already registered for DRA driver plugin netclaim.dev/);
  });

  it("ignores dot-files and files that are not sockets", async () => {
    await mkdir(registrationDir, { recursive: true });
    await writeFile(join(registrationDir, "notes-reg.sock"), "not a socket");
    const hidden = await startPlugin({
      driverName: "hidden.dev",
      registrationSocket: join(registrationDir, ".hidden-reg.sock"),
    });
    const visible = await startPlugin();
    const watcher = await startWatcher();
    await watcher.idle();
    expect(watcher.plugins().map((p) => p.driverName)).toEqual(["netclaim.dev"]);
    expect(hidden.getInfoCalls).toBe(0);
    expect(visible.getInfoCalls).toBe(1);
    expect(watcher.events.entries.filter((e) => e.type === "registration-failed")).toEqual([]);
  });
});

describe("PluginWatcher liveness and removal", () => {
  it("deregisters when the registration socket is deleted", async () => {
    const plugin = await startPlugin();
    const watcher = await startWatcher();
    await watcher.events.waitFor((e) => e.type === "registered");
    await plugin.removeRegistrationSocket();
    const event = await watcher.events.waitFor((e) => e.type === "deregistered");
    expect(event).toEqual({
      type: "deregistered",
      socketPath: plugin.registrationSocket,
      driverName: "netclaim.dev",
      reason: "socket removed",
    });
    expect(watcher.getPlugin("netclaim.dev")).toBeUndefined();
  });

  it("pings every 10 s, deregisters after two failed pings and re-registers when it answers again", async () => {
    const clock = new FakeClock();
    const plugin = await startPlugin();
    const watcher = await startWatcher({ clock, pingIntervalMs: undefined });
    await watcher.idle();
    expect(clock.pendingDueTimes()).toEqual([clock.now() + 10_000]);
    const tick = async (): Promise<void> => {
      clock.advance(10_000);
      await watcher.idle();
    };

    plugin.getInfoFailing = true;
    await tick();
    expect(watcher.getPlugin("netclaim.dev")).toBeDefined();
    await tick();
    expect(watcher.getPlugin("netclaim.dev")).toBeUndefined();
    expect(watcher.events.entries.map((e) => e.type)).toEqual([
      "registered",
      "ping-failed",
      "ping-failed",
      "deregistered",
    ]);

    plugin.getInfoFailing = false;
    await tick();
    expect(watcher.getPlugin("netclaim.dev")).toBeDefined();
    expect(plugin.registrationStatuses.entries.map((s) => s.plugin_registered)).toEqual([true, true]);
  });

  it("a ping that succeeds resets the failure count", async () => {
    const plugin = await startPlugin();
    const watcher = await startWatcher();
    await watcher.idle();
    for (const failing of [true, false, true, false, true]) {
      plugin.getInfoFailing = failing;
      await watcher.pingAll();
    }
    expect(watcher.getPlugin("netclaim.dev")).toBeDefined();
  });
});

describe("PluginWatcher lifecycle", () => {
  it("stops on abort: closes its clients and ignores sockets created afterwards", async () => {
    const controller = new AbortController();
    const watcher = new PluginWatcher({ registrationDir, pingIntervalMs: 0 });
    await watcher.start(controller.signal);
    const first = await startPlugin();
    await first.registrationStatuses.waitFor(() => true);
    const dra = watcher.getPlugin("netclaim.dev")?.dra.client;
    controller.abort();
    await watcher.stop();
    expect(dra?.getChannel().getConnectivityState(false)).toBe(grpc.connectivityState.SHUTDOWN);
    const late = await startPlugin({ driverName: "late.dev" });
    await watcher.idle();
    expect(late.getInfoCalls).toBe(0);
    expect(watcher.plugins().map((p) => p.driverName)).toEqual([]);
  });
});
