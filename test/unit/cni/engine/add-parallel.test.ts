// ADD with `attachConcurrency`: the default network first and alone, then the secondaries several at once
// (never more than the limit); the answer, network-status and the cache entry keep plan order; a failing
// secondary starts nothing more, lets the running ones finish and rolls back every network attempted.
// DEL mirrors it: the secondaries up to the limit at once, the default network last and alone.
// Default (1): one after the other, as Multus.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DelegateOutput, DelegateRequest } from "../../../../src/cni/delegate/delegate-types.ts";
import { pluginError } from "../../../fakes/cni-delegates.ts";
import { CONTAINER_ID, invoke, macvlan, nad, parsed, pod } from "./support.ts";
import type { World } from "./support.ts";
import { makeWorld } from "./support.ts";

let world: World;
let inFlight: string[];
let peak: number;
let maxDels: number;
let concurrentWithEth0: boolean;

/** Every delegate run yields to the event loop before answering, so that runs can overlap. */
function trackConcurrency(w: World): void {
  const run = w.delegates.run.bind(w.delegates);
  w.delegates.run = async (request: DelegateRequest): Promise<DelegateOutput> => {
    const label = `${request.command} ${request.attachment.ifName}`;
    if (request.command === "ADD" && inFlight.some((l) => l === "ADD eth0")) concurrentWithEth0 = true;
    inFlight.push(label);
    peak = Math.max(peak, inFlight.filter((l) => l.startsWith("ADD")).length);
    maxDels = Math.max(maxDels, inFlight.filter((l) => l.startsWith("DEL")).length);
    await new Promise((resolve) => setImmediate(resolve));
    try {
      return await run(request);
    } finally {
      inFlight.splice(inFlight.indexOf(label), 1);
    }
  };
}

beforeEach(async () => {
  world = await makeWorld();
  inFlight = [];
  peak = 0;
  maxDels = 0;
  concurrentWithEth0 = false;
  world.cluster.addPod(pod({ networks: "n1, n2, n3, n4" }));
  for (const name of ["n1", "n2", "n3", "n4"]) world.cluster.addNad(nad("ns1", name, macvlan(name)));
  trackConcurrency(world);
});
afterEach(async () => {
  await world.cleanup();
});

describe("ADD with attachConcurrency", () => {
  it.each([
    { attachConcurrency: undefined, expectedPeak: 1 },
    { attachConcurrency: 1, expectedPeak: 1 },
    { attachConcurrency: 2, expectedPeak: 2 },
    { attachConcurrency: 8, expectedPeak: 4 },
  ])(
    "attachConcurrency $attachConcurrency: at most $expectedPeak secondary ADDs at once, the default alone",
    async ({ attachConcurrency, expectedPeak }) => {
      const conf = attachConcurrency === undefined ? {} : { attachConcurrency };
      const reply = await invoke(world, "ADD", { conf });
      expect(reply.exitCode).toBe(0);
      // the cluster network's conflist (bridge + portmap) ran before any secondary
      expect(world.delegates.summary().slice(0, 2)).toEqual(["ADD bridge eth0", "ADD portmap eth0"]);
      expect(concurrentWithEth0).toBe(false);
      expect(peak).toBe(expectedPeak);
      const result = parsed(reply);
      expect((result.interfaces as { name: string }[]).map((i) => i.name)).toEqual([
        "eth0",
        "net1",
        "net2",
        "net3",
        "net4",
      ]);
      const status = JSON.parse(world.writer.writes.at(-1)?.value ?? "[]") as { interface: string }[];
      expect(status.map((s) => s.interface)).toEqual(["eth0", "net1", "net2", "net3", "net4"]);
      const entry = await world.cache.read({ containerID: CONTAINER_ID, ifname: "eth0" });
      expect(entry.kind).toBe("found");
      if (entry.kind === "found") {
        expect(entry.entry.networks.map((n) => n.ifName)).toEqual(["eth0", "net1", "net2", "net3", "net4"]);
        expect(entry.entry.networks.map((n) => n.status)).toEqual(Array(5).fill("added"));
      }
    },
  );

  it.each([
    { attachConcurrency: 1, expectedPeak: 1 },
    { attachConcurrency: 4, expectedPeak: 4 },
  ])(
    "DEL with attachConcurrency $attachConcurrency: the secondaries $expectedPeak at once, eth0 last and alone",
    async ({ attachConcurrency, expectedPeak }) => {
      const conf = { attachConcurrency };
      expect((await invoke(world, "ADD", { conf })).exitCode).toBe(0);
      peak = 0;
      let eth0WithOthers = false;
      const run = world.delegates.run.bind(world.delegates);
      world.delegates.run = (request) => {
        if (request.command === "DEL" && request.attachment.ifName === "eth0" && inFlight.length > 0)
          eth0WithOthers = true;
        return run(request);
      };
      expect((await invoke(world, "DEL", { conf })).exitCode).toBe(0);
      const dels = world.delegates.summary(["DEL"]);
      expect(new Set(dels.slice(0, 4))).toEqual(
        new Set(["DEL macvlan net1", "DEL macvlan net2", "DEL macvlan net3", "DEL macvlan net4"]),
      );
      expect(dels.slice(4)).toEqual(["DEL portmap eth0", "DEL bridge eth0"]);
      expect(eth0WithOthers).toBe(false);
      expect(peak).toBe(0); // the tracker counts ADDs; DELs are counted below
      expect(maxDels).toBe(expectedPeak);
    },
  );

  it("rolls back every network attempted when one secondary fails, and starts nothing more", async () => {
    world.delegates.on({ command: "ADD", ifName: "net2" }, pluginError("macvlan", "ADD", 11, "no master"));
    const reply = await invoke(world, "ADD", { conf: { attachConcurrency: 2 } });
    expect(reply.exitCode).toBe(1);
    expect(parsed(reply).msg).toContain("net2");
    const adds = world.delegates.summary(["ADD"]);
    // net1 and net2 ran together; net2's failure stopped the lane before net4 (net3 may have started)
    expect(adds).not.toContain("ADD macvlan net4");
    const dels = world.delegates.summary(["DEL"]);
    const attempted = adds.map((a) => a.replace("ADD ", "DEL "));
    expect(new Set(dels)).toEqual(new Set(attempted));
    // last first: the secondaries before the cluster network
    expect(dels.slice(-2)).toEqual(["DEL portmap eth0", "DEL bridge eth0"]);
    expect((await world.cache.read({ containerID: CONTAINER_ID, ifname: "eth0" })).kind).toBe("missing");
  });
});
