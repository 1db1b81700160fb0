// A conflist the way libcni runs it: ADD in order with prevResult chained, the result cached, CHECK in
// order and DEL in reverse order with the cached prevResult, the cache entry gone after DEL; plugin
// failures as typed errors, containerd's DEL after a failed ADD, timeouts.
import { readFile, stat } from "node:fs/promises";
import { afterEach, expect, it } from "vitest";
import { errorCodeOf } from "../../../src/common/errors.ts";
import { cacheFilePath, CniPluginError } from "../../harness/runtime/index.ts";
import type { JsonObject, RecordedCall } from "../../harness/runtime/index.ts";
import { describePrivileged } from "../../harness/privileged.ts";
import { POD, recordingHarness } from "./support.ts";
import type { RecordingHarness } from "./support.ts";

function chain(cniVersion: string, extra: JsonObject = {}): JsonObject {
  return {
    cniVersion,
    name: "chain",
    ...extra,
    plugins: [
      { type: "rec-a", record: { ifName: "a0", address: "10.10.0.5/24" } },
      { type: "rec-b", record: { ifName: "b0" } },
      { type: "rec-c", record: { ifName: "c0" } },
    ],
  };
}

const order = (calls: RecordedCall[]) => calls.map((c) => `${c.command} ${c.plugin}`);

describePrivileged("conflist chaining in the runtime stand-in", () => {
  let current: RecordingHarness | undefined;
  afterEach(async () => {
    await current?.harness.dispose();
    current = undefined;
  });

  async function setUp(pluginTimeoutMs?: number) {
    current = await recordingHarness({ names: ["rec-a", "rec-b", "rec-c", "rec-slow"], pluginTimeoutMs });
    const sandbox = await current.harness.runtime.runPodSandbox(POD);
    return { ...current, runtime: current.harness.runtime, sandbox };
  }

  it("ADD chains prevResult, caches the result; CHECK in order and DEL in reverse get the cached result", async () => {
    const { runtime, sandbox, plugins } = await setUp();
    const conf = chain("1.0.0");
    const result = await runtime.setUpPodNetwork(sandbox, conf);
    expect((result.interfaces as { name: string }[]).map((i) => i.name)).toEqual(["a0", "b0", "c0"]);

    const adds = await plugins.read();
    expect(order(adds)).toEqual(["ADD rec-a", "ADD rec-b", "ADD rec-c"]);
    expect(adds[0]?.stdin?.prevResult).toBeUndefined();
    const resultOfA = { cniVersion: "1.0.0", interfaces: [{ name: "a0", sandbox: sandbox.netns.path }] };
    expect(adds[1]?.stdin?.prevResult).toMatchObject(resultOfA);
    expect((adds[2]?.stdin?.prevResult as { interfaces: unknown[] }).interfaces).toHaveLength(2);

    const cacheFile = cacheFilePath(runtime.cacheDir, "chain", sandbox.id, "eth0");
    expect((await stat(cacheFile)).mode & 0o777).toBe(0o600);
    const cached = JSON.parse(await readFile(cacheFile, "utf8")) as Record<string, unknown>;
    expect(cached).toMatchObject({
      kind: "cniCacheV1",
      containerId: sandbox.id,
      ifName: "eth0",
      networkName: "chain",
      netns: sandbox.netns.path,
      result,
    });
    expect(JSON.parse(Buffer.from(cached.config as string, "base64").toString())).toEqual(conf);
    expect(cached.cniArgs).toContainEqual(["K8S_POD_INFRA_CONTAINER_ID", sandbox.id]);

    await runtime.checkPodNetwork(sandbox, conf);
    await runtime.tearDownPodNetwork(sandbox, conf);
    const later = (await plugins.read()).slice(3);
    expect(order(later)).toEqual([
      "CHECK rec-a",
      "CHECK rec-b",
      "CHECK rec-c",
      "DEL rec-c",
      "DEL rec-b",
      "DEL rec-a",
    ]);
    for (const call of later) expect(call.stdin?.prevResult).toEqual(result);
    await expect(stat(cacheFile)).rejects.toThrow(/ENOENT/);

    // Again: still succeeds, now without a cached prevResult.
    await runtime.tearDownPodNetwork(sandbox, conf);
    const again = (await plugins.read()).slice(9);
    expect(order(again)).toEqual(["DEL rec-c", "DEL rec-b", "DEL rec-a"]);
    for (const call of again) expect(call.stdin?.prevResult).toBeUndefined();
  });

  it("0.3.1: CHECK is refused without running plugins, DEL gets no prevResult and leaves the cache entry (as libcni)", async () => {
    const { runtime, sandbox, plugins } = await setUp();
    const conf = chain("0.3.1");
    await runtime.setUpPodNetwork(sandbox, conf);
    await expect(runtime.checkPodNetwork(sandbox, conf)).rejects.toThrow(
      'configuration version "0.3.1" does not support the CHECK command',
    );
    await runtime.tearDownPodNetwork(sandbox, conf);
    const dels = (await plugins.read()).slice(3);
    expect(order(dels)).toEqual(["DEL rec-c", "DEL rec-b", "DEL rec-a"]);
    for (const call of dels) expect(call.stdin?.prevResult).toBeUndefined();
    expect(await runtime.cachedAttachments(sandbox)).toHaveLength(1);
  });

  it("disableCheck: CHECK runs no plugin", async () => {
    const { runtime, sandbox, plugins } = await setUp();
    const conf = chain("1.0.0", { disableCheck: true });
    await runtime.setUpPodNetwork(sandbox, conf);
    await runtime.checkPodNetwork(sandbox, conf);
    expect(order(await plugins.read())).toEqual(["ADD rec-a", "ADD rec-b", "ADD rec-c"]);
  });

  it("a failing ADD throws the plugin's CNI error and, like containerd, DELs the whole list", async () => {
    const { runtime, sandbox, plugins } = await setUp();
    const conf = chain("1.0.0");
    (conf.plugins as JsonObject[])[1] = {
      type: "rec-b",
      record: { fail: { ADD: { code: 7, msg: "bad network config", details: "field x" } } },
    };
    const err = await runtime.setUpPodNetwork(sandbox, conf).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CniPluginError);
    expect(err).toMatchObject({
      code: 7,
      msg: "bad network config",
      details: "field x",
      plugin: "rec-b",
      command: "ADD",
    });
    expect(order(await plugins.read())).toEqual([
      "ADD rec-a",
      "ADD rec-b",
      "DEL rec-c",
      "DEL rec-b",
      "DEL rec-a",
    ]);
    expect(await runtime.cachedAttachments(sandbox)).toEqual([]);
  });

  it("a plugin that is not in CNI_PATH fails with libcni's message", async () => {
    const { runtime, sandbox } = await setUp();
    await expect(
      runtime.setUpPodNetwork(sandbox, { cniVersion: "1.0.0", name: "x", type: "nope" }),
    ).rejects.toThrow(/failed to find plugin "nope" in path/);
  });

  it("a plugin that runs past the timeout is killed and reported as a timeout", async () => {
    const { runtime, sandbox } = await setUp(300);
    const conf = { cniVersion: "1.0.0", name: "slow", type: "rec-slow", record: { sleepMs: 20_000 } };
    const err = await runtime.setUpPodNetwork(sandbox, conf).catch((e: unknown) => e);
    expect(errorCodeOf(err)).toBe("TIMEOUT");
    expect(String((err as Error).message)).toMatch(/plugin rec-slow \(add\)/);
  });

  it("teardown without a config uses the cached one; removePodSandbox tears down and removes the netns", async () => {
    const { harness, runtime, sandbox, plugins } = await setUp();
    await runtime.setUpPodNetwork(sandbox, chain("1.0.0"));
    await runtime.setUpPodNetwork(
      sandbox,
      { cniVersion: "1.0.0", name: "second", type: "rec-a" },
      { ifName: "net1" },
    );
    await runtime.tearDownPodNetwork(sandbox, undefined, { ifName: "net1" });
    expect((await runtime.cachedAttachments(sandbox)).map((e) => e.networkName)).toEqual(["chain"]);

    await runtime.removePodSandbox(sandbox);
    const calls = order(await plugins.read());
    expect(calls.slice(4)).toEqual(["DEL rec-a", "DEL rec-c", "DEL rec-b", "DEL rec-a"]);
    expect(await runtime.cachedAttachments(sandbox)).toEqual([]);
    expect(await harness.podNetns.list()).not.toContain(sandbox.netns.name);
    expect(runtime.liveSandboxes).toEqual([]);
  });
});
