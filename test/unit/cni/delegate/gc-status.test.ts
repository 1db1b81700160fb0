import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import {
  PluginVersions,
  firstFailure,
  gcConflist,
  statusConflist,
} from "../../../../src/cni/delegate/gc-status.ts";
import { toDelegateNetwork } from "../../../../src/cni/delegate/plugin-config.ts";
import { DelegateRunner } from "../../../../src/cni/delegate/run-delegate.ts";
import { FakeExec } from "../../../fakes/exec.ts";
import type { ExecCall } from "../../../fakes/exec.ts";
import { cniFailure, commandOf, ok, plugin, stdinOf, testRunner } from "./support.ts";

const V10 = { cniVersion: "1.0.0", supportedVersions: ["0.3.1", "0.4.0", "1.0.0"] };
const V11 = { cniVersion: "1.1.0", supportedVersions: ["0.4.0", "1.0.0", "1.1.0"] };
const network = (cniVersion: string, extra: Record<string, unknown> = {}) =>
  toDelegateNetwork({
    cniVersion,
    name: "gcnet",
    ...extra,
    plugins: [{ type: "new" }, { type: "old" }, { type: "new2" }],
  });
const order = (calls: ExecCall[]) => calls.map((c) => `${commandOf(c) ?? "?"} ${basename(c.cmd)}`);
const valid = [{ containerID: "c1", ifname: "eth0" }];
const noAttachment = { CNI_CONTAINERID: "", CNI_NETNS: "", CNI_IFNAME: "", CNI_ARGS: "" };

function scripted() {
  const t = testRunner(["new", "old", "new2"]);
  t.exec
    .on(plugin("new", "VERSION"), ok(V11))
    .on(plugin("new2", "VERSION"), ok(V11))
    .on(plugin("old", "VERSION"), ok(V10))
    .on(plugin("old"), cniFailure(3, "missing containerID"))
    .on(() => true, ok());
  return { ...t, versions: new PluginVersions(t.runner) };
}

describe("gcConflist", () => {
  it("asks VERSION, GCs the plugins that support the config's version, skips the others", async () => {
    const { exec, runner, versions } = scripted();
    const report = await gcConflist(runner, versions, { network: network("1.1.0"), validAttachments: valid });
    expect(report.plugins).toEqual([
      { type: "new", outcome: "ok" },
      { type: "old", outcome: "unsupported", supportedVersions: V10.supportedVersions },
      { type: "new2", outcome: "ok" },
    ]);
    expect(order(exec.calls)).toEqual(["VERSION new", "GC new", "VERSION old", "VERSION new2", "GC new2"]);
    const gc = exec.calls.filter((c) => commandOf(c) === "GC");
    for (const call of gc) {
      expect(call.options.env).toMatchObject(noAttachment);
      expect(stdinOf(call)).toEqual({
        cniVersion: "1.1.0",
        "cni.dev/valid-attachments": valid,
        name: "gcnet",
        type: basename(call.cmd),
      });
    }
    const version = exec.calls[0] as ExecCall;
    expect(stdinOf(version)).toEqual({ cniVersion: "1.1.0" });
    expect(version.options.env).toMatchObject({ CNI_NETNS: "dummy", CNI_IFNAME: "dummy" });
  });

  it("asks each executable's VERSION once, again when its mtime changes", async () => {
    const exec = new FakeExec().on(plugin("new", "VERSION"), ok(V11)).on(() => true, ok());
    let mtimeMs = 1;
    const runner = new DelegateRunner({
      exec,
      binDirs: ["/b"],
      statFile: (path) => Promise.resolve(path === "/b/new" ? { isFile: true, mtimeMs } : undefined),
    });
    const versions = new PluginVersions(runner);
    const one = toDelegateNetwork({ cniVersion: "1.1.0", name: "n", type: "new" });
    await gcConflist(runner, versions, { network: one, validAttachments: [] });
    await gcConflist(runner, versions, { network: one, validAttachments: [] });
    mtimeMs = 2;
    await gcConflist(runner, versions, { network: one, validAttachments: [] });
    expect(order(exec.calls)).toEqual(["VERSION new", "GC new", "GC new", "VERSION new", "GC new"]);
  });

  it("goes on past a failing plugin and reports it", async () => {
    const t = testRunner(["new", "new2"]);
    t.exec
      .on((c) => commandOf(c) === "VERSION", ok(V11))
      .on(plugin("new", "GC"), cniFailure(5, "io"))
      .on(() => true, ok());
    const net = toDelegateNetwork({
      cniVersion: "1.1.0",
      name: "n",
      plugins: [{ type: "new" }, { type: "new2" }],
    });
    const report = await gcConflist(t.runner, new PluginVersions(t.runner), {
      network: net,
      validAttachments: [],
    });
    expect(report.plugins.map((p) => p.outcome)).toEqual(["error", "ok"]);
    expect(firstFailure(report)?.message).toBe("plugin new failed (gc): [code 5] io");
  });

  it("reads a VERSION-less plugin as 0.1.0 only", async () => {
    const t = testRunner(["ancient"]);
    t.exec.on(() => true, cniFailure(4, "unknown CNI_COMMAND: VERSION"));
    const net = toDelegateNetwork({ cniVersion: "1.1.0", name: "n", type: "ancient" });
    const report = await gcConflist(t.runner, new PluginVersions(t.runner), {
      network: net,
      validAttachments: [],
    });
    expect(report.plugins).toEqual([
      { type: "ancient", outcome: "unsupported", supportedVersions: ["0.1.0"] },
    ]);
  });

  it.each([
    {
      name: "cniVersion 1.0.0",
      net: network("1.0.0"),
      skipped: 'cniVersion "1.0.0" is older than 1.1.0: no GC',
    },
    { name: "disableGC", net: network("1.1.0", { disableGC: true }), skipped: "disableGC is set" },
  ])("asks no plugin for $name", async ({ net, skipped }) => {
    const { exec, runner, versions } = scripted();
    const report = await gcConflist(runner, versions, { network: net, validAttachments: valid });
    expect(report).toEqual({ network: "gcnet", cniVersion: net.cniVersion, skipped, plugins: [] });
    expect(exec.calls).toEqual([]);
  });
});

describe("statusConflist", () => {
  it("asks the plugins that support it and stops at the first not ready", async () => {
    const t = testRunner(["a", "b", "c"]);
    t.exec
      .on((c) => commandOf(c) === "VERSION", ok(V11))
      .on(plugin("b", "STATUS"), cniFailure(50, "not ready"))
      .on(() => true, ok());
    const net = toDelegateNetwork({
      cniVersion: "1.1.0",
      name: "n",
      plugins: [{ type: "a" }, { type: "b" }, { type: "c" }],
    });
    const report = await statusConflist(t.runner, new PluginVersions(t.runner), { network: net });
    expect(report.plugins.map((p) => `${p.type} ${p.outcome}`)).toEqual(["a ok", "b error"]);
    expect(order(t.exec.calls)).toEqual(["VERSION a", "STATUS a", "VERSION b", "STATUS b"]);
    expect(firstFailure(report)).toMatchObject({ pluginError: { code: 50, msg: "not ready" } });
    const status = t.exec.calls[1] as ExecCall;
    expect(stdinOf(status)).toEqual({ cniVersion: "1.1.0", name: "n", type: "a" });
    expect(status.options.env).toMatchObject(noAttachment);
  });

  it("skips networks older than 1.1.0", async () => {
    const { exec, runner, versions } = scripted();
    const report = await statusConflist(runner, versions, { network: network("0.4.0") });
    expect(report.skipped).toBe('cniVersion "0.4.0" is older than 1.1.0: no STATUS');
    expect(exec.calls).toEqual([]);
  });
});
