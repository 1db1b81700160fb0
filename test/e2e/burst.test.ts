// 200 concurrent ADDs on one node (support/node-burst.ts: every pod with a device-plugin device found through
// correlation, `fastnet` as the delegates), as after a node reboot: none fails, every pod gets eth0, every
// pod's network-status is written, the kubelet plugin's memory stays bounded (its resident memory idle and at
// its peak is printed; no timing is asserted); then 200 concurrent DELs leave no cache entry or device-info
// file.
import { afterAll, beforeAll, expect, it } from "vitest";
import { describePrivileged } from "../harness/privileged.ts";
import { prepareBurst } from "./support/node-burst.ts";
import type { BurstPods } from "./support/node-burst.ts";
import { cacheEntries, deviceInfoFiles } from "./support/node-inspect.ts";
import { createNodeWorld } from "./support/node-world.ts";
import type { NodeWorld } from "./support/node-world.ts";

const PODS = 200;
/** Growth of the plugin's peak resident memory over idle that counts as unbounded. */
const MAX_GROWTH_KB = 512 * 1024;

describePrivileged(`${PODS} concurrent ADDs through the kubelet plugin's CNI server`, () => {
  let w: NodeWorld;
  let pods: BurstPods;

  beforeAll(async () => {
    w = await createNodeWorld({ pluginLogLevel: "warn" });
    pods = await prepareBurst(w, PODS);
  }, 120_000);

  afterAll(async () => {
    await pods?.remove();
    await w?.dispose();
  }, 60_000);

  it("answers every ADD with eth0, writes every network-status, stays bounded in memory; DELs clean up", async () => {
    const idle = await w.plugin.current.memoryKb();
    const outcomes = await pods.burst("ADD");
    const peak = await w.plugin.current.memoryKb();
    // an ADD whose pod's device is not found fails (DEVICE_NOT_FOUND): none may
    const failed = outcomes.filter((o) => o.kind !== "answered" || o.reply.exitCode !== 0);
    expect(failed).toEqual([]);
    const names = outcomes.map((o) =>
      o.kind === "answered"
        ? (JSON.parse(o.reply.stdout) as { interfaces?: { name: string }[] }).interfaces?.[0]?.name
        : undefined,
    );
    expect(new Set(names)).toEqual(new Set(["eth0"]));
    expect(await cacheEntries(w)).toHaveLength(PODS);
    await expect.poll(() => pods.withNetworkStatus(), { timeout: 60_000, interval: 200 }).toBe(PODS);
    process.stdout.write(
      `kubelet plugin RSS: idle ${(idle.rss / 1024).toFixed(0)} MiB, peak over ${PODS} concurrent ADDs ${(peak.peak / 1024).toFixed(0)} MiB\n`,
    );
    expect(peak.peak - idle.rss).toBeLessThan(MAX_GROWTH_KB);

    const dels = await pods.burst("DEL");
    expect(dels.filter((o) => o.kind !== "answered" || o.reply.exitCode !== 0)).toEqual([]);
    expect(await cacheEntries(w)).toEqual([]);
    expect(await deviceInfoFiles(w)).toEqual([]);
  }, 120_000);
});
