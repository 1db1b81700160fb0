// `netclaim cni` standalone when things go wrong, with real plugins: a failing delegate rolled back by
// netclaim itself (before the runtime's own clean-up), DEL with the API server gone served from the
// attachment cache (no host-local address left behind), a corrupt cache entry making DEL fail loudly
// while the API is down and succeed from the API once it is back, and GC honouring the runtime's list
// of valid attachments.
import { readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describePrivileged } from "../../harness/privileged.ts";
import type { JsonObject } from "../../harness/runtime/index.ts";
import { cacheFilePath, CniPluginError } from "../../harness/runtime/index.ts";
import { createWorld, NETWORKS_ANNOTATION } from "./support/standalone-world.ts";
import type { World } from "./support/standalone-world.ts";

function hostLocal(w: World, subnet: string): JsonObject {
  return { type: "host-local", ranges: [[{ subnet }]], dataDir: w.ipamDir };
}

describePrivileged("netclaim cni standalone: rollback, DEL without the API, GC", () => {
  let w: World;

  beforeAll(async () => {
    w = await createWorld();
    w.seedNad("ns1", "mv", {
      cniVersion: "1.0.0",
      type: "macvlan",
      master: "eth1",
      ipam: hostLocal(w, "10.242.0.0/24"),
    });
    w.seedNad("ns1", "side", { cniVersion: "1.0.0", type: "ptp", ipam: hostLocal(w, "10.244.0.0/24") });
    // ADD fails (macvlan checks the mode when it creates the link); DEL, which does not, succeeds
    const broken = {
      cniVersion: "1.0.0",
      type: "macvlan",
      master: "eth1",
      mode: "bogus",
      ipam: hostLocal(w, "10.249.0.0/24"),
    };
    w.seedNad("ns1", "broken", broken);
  }, 60_000);

  afterAll(async () => {
    await w?.dispose();
  });

  it("rolls back the networks already added when a delegate fails, naming the network and its error", async () => {
    const sandbox = await w.newPod("ns1", { [NETWORKS_ANNOTATION]: "mv@data0,broken@bad0" });
    const err = await w.invoke("ADD", sandbox).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CniPluginError);
    const failure = err as CniPluginError;
    expect(failure.msg).toContain("ns1/broken");
    expect(failure.msg).toContain("plugin macvlan failed (add)"); // the delegate and its own words
    expect(failure.msg).toContain(`unknown macvlan mode: "bogus"`);
    // netclaim's own rollback, before any DEL from the runtime: eth0 and data0 are gone again
    expect([...(await w.addresses(sandbox)).keys()]).toEqual(["lo"]);
    expect(await w.allocations()).toEqual([]);
    // the runtime's follow-up DEL then succeeds and leaves no cache entry
    await w.invoke("DEL", sandbox);
    expect(await w.cacheEntries()).toEqual([]);
    await w.h.runtime.removePodSandbox(sandbox);
  });

  describe("DEL with the API server down", () => {
    it("tears everything down from the attachment cache", async () => {
      const sandbox = await w.newPod("ns1", { [NETWORKS_ANNOTATION]: "mv,side" });
      await w.h.runtime.setUpPodNetwork(sandbox, w.netconf());
      expect(await w.allocations()).toHaveLength(3);
      await w.api.stop();
      try {
        await w.h.runtime.tearDownPodNetwork(sandbox, w.netconf());
        expect([...(await w.addresses(sandbox)).keys()]).toEqual(["lo"]);
        expect(await w.allocations()).toEqual([]); // the IPAM dataDir holds only lock / last_reserved files
        expect(await w.cacheEntries()).toEqual([]);
        await w.invoke("DEL", sandbox); // DEL twice succeeds
      } finally {
        await w.api.start();
      }
      await w.h.runtime.removePodSandbox(sandbox);
    });

    it("also when every request to it is refused", async () => {
      const sandbox = await w.newPod("ns1", { [NETWORKS_ANNOTATION]: "side" });
      await w.h.runtime.setUpPodNetwork(sandbox, w.netconf());
      const removeFault = w.api.addFault({ match: {}, refuseConnection: true });
      try {
        await w.h.runtime.tearDownPodNetwork(sandbox, w.netconf());
        expect(await w.allocations()).toEqual([]);
      } finally {
        removeFault();
      }
      await w.h.runtime.removePodSandbox(sandbox);
    });

    it("fails loudly on a corrupt cache entry, and deletes from the API once it is back", async () => {
      const sandbox = await w.newPod("ns1", { [NETWORKS_ANNOTATION]: "mv" });
      await w.h.runtime.setUpPodNetwork(sandbox, w.netconf());
      const entry = (await w.cacheEntries()).find((f) => f.startsWith(sandbox.id));
      expect(entry).toBeDefined();
      await writeFile(join(w.cniDir, entry!), "{ this is not json");
      await w.api.stop();
      let failure: unknown;
      try {
        failure = await w.invoke("DEL", sandbox).catch((e: unknown) => e);
      } finally {
        await w.api.start();
      }
      expect(failure).toBeInstanceOf(CniPluginError);
      expect((failure as CniPluginError).code).toBe(109); // CACHE_FAILURE
      expect((failure as CniPluginError).msg).toContain(`${join(w.cniDir, entry!)} is corrupt`);
      expect((failure as CniPluginError).msg).toContain("cannot be rebuilt from the API");
      expect(await w.allocations()).toHaveLength(2); // nothing was released on a guess
      await w.invoke("DEL", sandbox);
      expect([...(await w.addresses(sandbox)).keys()]).toEqual(["lo"]);
      expect(await w.allocations()).toEqual([]);
      await w.h.runtime.removePodSandbox(sandbox);
    });

    it("succeeds for a container it never saw", async () => {
      const sandbox = await w.newPod("ns1");
      await expect(w.invoke("DEL", sandbox)).resolves.toBeUndefined();
      await w.h.runtime.removePodSandbox(sandbox);
    });
  });

  it("GC removes what is not in the runtime's list of valid attachments, and only that", async () => {
    const keep = await w.newPod("ns1", { [NETWORKS_ANNOTATION]: "mv" });
    const stale = await w.newPod("ns1", { [NETWORKS_ANNOTATION]: "side" });
    await w.h.runtime.setUpPodNetwork(keep, w.netconf());
    await w.h.runtime.setUpPodNetwork(stale, w.netconf());
    expect(await w.allocations()).toHaveLength(4);
    // The runtime has lost track of `stale` (its own result cache entry is gone), so only netclaim's
    // cache still knows it: the runtime's GC sends valid-attachments = [keep] and nothing else.
    await rm(cacheFilePath(w.h.runtime.cacheDir, "netclaim-net", stale.id, "eth0"));
    const report = await w.h.runtime.gc(w.netconf(), [{ containerID: keep.id, ifname: "eth0" }]);
    expect(report.deleted).toEqual([]);
    expect(report.plugins).toEqual([expect.objectContaining({ outcome: "ok" })]);
    // stale's addresses are released (host-local keeps only keep's two) and its cache entry is gone
    expect(await w.allocations()).toHaveLength(2);
    expect(await readdir(w.cniDir)).toEqual([expect.stringMatching(new RegExp(`^${keep.id}`))]);
    expect([...(await w.addresses(keep)).keys()].sort()).toEqual(["eth0", "lo", "net1"]);
    await w.h.runtime.tearDownPodNetwork(keep, w.netconf());
    expect(await w.allocations()).toEqual([]);
  });
});
