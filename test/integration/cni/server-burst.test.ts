// A node reboot's burst: 200 ADDs at once, then 200 DELs, sent to a CNI server (its own process, default
// limits) the way 200 shims send them — each its own connection to the unix socket, with the shim's own
// request code, from this process: 200 real shim processes would measure 200 Node start-ups (about 40 MB
// each) rather than the server. The delegate is a tiny shell plugin (support/server-burst.ts). Every call
// succeeds, none is refused, every pod gets its network-status, no read misses the caches, the pod
// informer watches this node only, and the server's resident memory stays bounded.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ForwardOutcome } from "../../../src/cni/shim/forward.ts";
import { createBurstWorld } from "./support/server-burst.ts";
import type { BurstWorld } from "./support/server-burst.ts";

const PODS = 200;
/** Generous: the server process idles at about 160 MB here; the burst adds a few tens of MB. */
const RSS_BOUND_KB = 400 * 1024;
/** The default attach lane's concurrency (REQUEST_QUEUE_DEFAULTS). */
const ATTACH_CONCURRENCY = 16;

describe("CNI server: a burst of 200 ADDs and DELs", () => {
  let w: BurstWorld;
  let idleKb: number;

  beforeAll(async () => {
    w = await createBurstWorld(PODS);
    idleKb = (await w.server.memoryKb()).rss;
  }, 60_000);

  afterAll(async () => {
    await w?.dispose();
  });

  it("watches the pods of its node only", () => {
    const pods = w.api
      .requests()
      .filter((r) => r.resource === "pods" && (r.verb === "list" || r.verb === "watch"));
    expect(pods.length).toBeGreaterThan(0);
    for (const r of pods) expect(r.query.fieldSelector).toBe("spec.nodeName=node-1");
  });

  it("answers 200 concurrent ADDs, each with its result, none refused, memory bounded", async () => {
    w.api.resetRequests();
    const outcomes = await w.burst("ADD", PODS);
    expect(outcomes.filter((o) => o.kind !== "answered" || o.reply.exitCode !== 0)).toEqual([]);
    for (const [i, o] of outcomes.entries()) {
      const answer = o as Extract<ForwardOutcome, { kind: "answered" }>;
      const result = JSON.parse(answer.reply.stdout) as { interfaces: { name: string; sandbox: string }[] };
      expect(result.interfaces).toContainEqual({ name: "eth0", sandbox: `/var/run/netns/fake-${i}` });
    }
    const stats = await w.server.stats();
    expect(stats.requests).toMatchObject({ refused: 0, running: 0, queued: 0 });
    // The 200 came faster than they ran: the burst was queued, not run all at once.
    expect(stats.requests.peakAdmitted).toBeGreaterThan(ATTACH_CONCURRENCY);
    expect(stats.directReads).toEqual({ pods: 0, nads: 0 });
    const memory = await w.server.memoryKb();
    console.log(
      `CNI server RSS: idle ${Math.round(idleKb / 1024)} MB, peak ${Math.round(memory.peak / 1024)} MB ` +
        `over ${PODS} concurrent ADDs (peak admitted ${stats.requests.peakAdmitted})`,
    );
    expect(memory.peak).toBeLessThan(RSS_BOUND_KB);
  }, 120_000);

  it("writes every pod's network-status, and reads nothing from the API", async () => {
    const updates = () => w.api.requestCount({ verb: "update", resource: "pods", subresource: "status" });
    await expect.poll(updates, { timeout: 30_000 }).toBe(PODS);
    expect(w.api.requests().filter((r) => r.verb === "get" || r.verb === "list")).toEqual([]);
    expect((await w.server.stats()).status).toMatchObject({ written: PODS, failed: 0, pending: 0 });
  }, 60_000);

  it("answers 200 concurrent DELs, leaving no attachment cache entry", async () => {
    w.api.resetRequests();
    const outcomes = await w.burst("DEL", PODS);
    expect(outcomes.filter((o) => o.kind !== "answered" || o.reply.exitCode !== 0)).toEqual([]);
    expect(await w.cacheEntries()).toEqual([]);
    expect(w.api.requests().filter((r) => r.verb !== "watch")).toEqual([]);
  }, 120_000);
});
