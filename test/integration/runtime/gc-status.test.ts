// CNI 1.1 GC and STATUS as libcni sends them: only for cniVersion >= 1.1.0, with empty CNI_CONTAINERID,
// CNI_NETNS and CNI_IFNAME; GC first DELs cached attachments that are not valid, then hands each plugin
// `cni.dev/valid-attachments`. Plugins that predate 1.1 are reported as unsupported, not thrown.
import { afterEach, expect, it } from "vitest";
import { CNI_1_0_VERSIONS, CNI_1_1_VERSIONS, writeRecordingPlugins } from "../../harness/runtime/index.ts";
import type { JsonObject, RecordedCall } from "../../harness/runtime/index.ts";
import { describePrivileged, findCniPluginDir } from "../../harness/privileged.ts";
import { POD, recordingHarness } from "./support.ts";
import type { RecordingHarness } from "./support.ts";

const list = (cniVersion: string, types: string[], extra: JsonObject = {}): JsonObject => ({
  cniVersion,
  name: "gcnet",
  plugins: types.map((type) => ({ type, ...extra })),
});
const order = (calls: RecordedCall[]) => calls.map((c) => `${c.command} ${c.plugin}`);
const emptyAttachmentEnv = { CNI_CONTAINERID: "", CNI_NETNS: "", CNI_IFNAME: "", CNI_ARGS: "" };

describePrivileged("GC and STATUS in the runtime stand-in", () => {
  let current: RecordingHarness | undefined;
  afterEach(async () => {
    await current?.harness.dispose();
    current = undefined;
  });

  it("GC deletes stale cached attachments, then gives every plugin the valid ones", async () => {
    current = await recordingHarness({ names: ["new-a", "new-b"], supportedVersions: CNI_1_1_VERSIONS });
    const { harness, plugins } = current;
    const conf = list("1.1.0", ["new-a", "new-b"]);
    const keep = await harness.runtime.runPodSandbox(POD);
    const stale = await harness.runtime.runPodSandbox({ ...POD, name: "pod2", uid: "uid-2" });
    await harness.runtime.setUpPodNetwork(keep, conf);
    const staleResult = await harness.runtime.setUpPodNetwork(stale, conf);
    const before = (await plugins.read()).length;

    const report = await harness.runtime.gc(conf, [{ containerID: keep.id, ifname: "eth0" }]);
    expect(report.deleted).toEqual([{ attachment: { containerID: stale.id, ifname: "eth0" } }]);
    expect(report.plugins).toEqual([
      { plugin: "new-a", outcome: "ok" },
      { plugin: "new-b", outcome: "ok" },
    ]);
    const calls = (await plugins.read()).slice(before);
    expect(order(calls)).toEqual(["DEL new-b", "DEL new-a", "GC new-a", "GC new-b"]);
    for (const del of calls.slice(0, 2)) {
      expect(del.env).toMatchObject({
        CNI_CONTAINERID: stale.id,
        CNI_NETNS: stale.netns.path,
        CNI_IFNAME: "eth0",
      });
      expect(del.env.CNI_ARGS).toContain("K8S_POD_NAME=pod2");
      expect(del.stdin?.prevResult).toEqual(staleResult);
    }
    for (const gc of calls.slice(2)) {
      expect(gc.env).toMatchObject(emptyAttachmentEnv);
      expect(gc.stdin?.["cni.dev/valid-attachments"]).toEqual([{ containerID: keep.id, ifname: "eth0" }]);
      expect(gc.stdin).toMatchObject({ name: "gcnet", cniVersion: "1.1.0" });
    }
    expect((await harness.runtime.cachedAttachments()).map((e) => e.containerId)).toEqual([keep.id]);
  });

  it("STATUS asks each plugin with empty attachment env and stops at the first failure", async () => {
    current = await recordingHarness({ names: ["new-a", "new-b"], supportedVersions: CNI_1_1_VERSIONS });
    const { harness, plugins } = current;
    expect((await harness.runtime.status(list("1.1.0", ["new-a", "new-b"]))).plugins).toEqual([
      { plugin: "new-a", outcome: "ok" },
      { plugin: "new-b", outcome: "ok" },
    ]);
    const calls = await plugins.read();
    expect(order(calls)).toEqual(["STATUS new-a", "STATUS new-b"]);
    for (const call of calls) expect(call.env).toMatchObject(emptyAttachmentEnv);

    const failing = list("1.1.0", ["new-a", "new-b"], {
      record: { fail: { STATUS: { code: 50, msg: "not ready" } } },
    });
    const report = await harness.runtime.status(failing);
    expect(report.plugins).toHaveLength(1);
    expect(report.plugins[0]).toMatchObject({
      plugin: "new-a",
      outcome: "error",
      error: { code: 50, msg: "not ready" },
    });
  });

  it("a CNI 1.0 plugin given a 1.1.0 config is reported as unsupported (code 4 unknown CNI_COMMAND)", async () => {
    current = await recordingHarness({ names: ["old"], supportedVersions: CNI_1_0_VERSIONS });
    const { harness } = current;
    for (const report of [
      await harness.runtime.gc(list("1.1.0", ["old"]), []),
      await harness.runtime.status(list("1.1.0", ["old"])),
    ]) {
      expect(report.plugins).toEqual([
        expect.objectContaining({
          plugin: "old",
          outcome: "unsupported",
          supportedVersions: [...CNI_1_0_VERSIONS],
          error: expect.objectContaining({ code: 4 }) as unknown,
        }),
      ]);
    }
  });

  it("the reference bridge plugin (CNI 1.0) is reported as unsupported", async () => {
    const pluginDir = findCniPluginDir();
    if (pluginDir === undefined) throw new Error("reference CNI plugins not found");
    current = await recordingHarness({ names: [], extraBinDirs: [pluginDir] });
    const report = await current.harness.runtime.status(list("1.1.0", ["bridge"], { bridge: "ncbr9" }));
    const outcome = report.plugins[0];
    expect(outcome?.outcome).toBe("unsupported");
    if (outcome?.outcome !== "unsupported") return;
    expect(outcome.supportedVersions).not.toContain("1.1.0");
    // v1.1.1's skel answers code 3 "missing containerID" to libcni's empty CNI_CONTAINERID (code 4
    // "unknown CNI_COMMAND" only when the attachment variables are set).
    expect([3, 4]).toContain(outcome.error.code);
  });

  it("below cniVersion 1.1.0 no plugin is asked, but stale attachments still get their DEL", async () => {
    current = await recordingHarness({ names: ["new-a"], supportedVersions: CNI_1_1_VERSIONS });
    const { harness, plugins } = current;
    const conf = list("1.0.0", ["new-a"]);
    const stale = await harness.runtime.runPodSandbox(POD);
    await harness.runtime.setUpPodNetwork(stale, conf);
    const status = await harness.runtime.status(conf);
    const gc = await harness.runtime.gc(conf, []);
    expect(status).toMatchObject({
      skipped: "cniVersion 1.0.0 < 1.1.0: libcni sends no STATUS",
      plugins: [],
    });
    expect(gc).toMatchObject({ skipped: "cniVersion 1.0.0 < 1.1.0: libcni sends no GC", plugins: [] });
    expect(gc.deleted).toEqual([{ attachment: { containerID: stale.id, ifname: "eth0" } }]);
    expect(order(await plugins.read())).toEqual(["ADD new-a", "DEL new-a"]);
  });

  it("GC leaves other networks' cached attachments alone", async () => {
    current = await recordingHarness({ names: ["new-a"], supportedVersions: CNI_1_1_VERSIONS });
    const { harness, binDir } = current;
    await writeRecordingPlugins({ binDir, names: ["other"], supportedVersions: CNI_1_1_VERSIONS });
    const sandbox = await harness.runtime.runPodSandbox(POD);
    await harness.runtime.setUpPodNetwork(sandbox, { cniVersion: "1.1.0", name: "othernet", type: "other" });
    const report = await harness.runtime.gc(list("1.1.0", ["new-a"]), []);
    expect(report.deleted).toEqual([]);
    expect((await harness.runtime.cachedAttachments()).map((e) => e.networkName)).toEqual(["othernet"]);
  });
});
