// Leader election between two electors through the client wrapper on the stand-in API server, on
// real time with short terms: a stopped leader hands over by releasing, a killed one by expiry.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LeaderElector } from "../../../src/k8s/leader-election.ts";
import type { Lease } from "../../../src/k8s/leader-election.ts";
import type { FakeApiServer } from "../../harness/api-server/index.ts";
import { clientFor, eventually, startServer } from "./helpers.ts";

const REF = { namespace: "default", name: "netclaim-controller" };
const TIMINGS = { leaseDurationMs: 1_500, renewDeadlineMs: 1_000, retryPeriodMs: 200 };

let server: FakeApiServer;
const electors: LeaderElector[] = [];
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await Promise.all(electors.splice(0).map((e) => e.stop()));
  await server.stop();
});

/** A candidate with its own client (its own connection and identity), recording when it led. */
function candidate(identity: string, releaseOnCancel: boolean) {
  const leases = clientFor(server, `elector-${identity}`).leaseClient();
  const times = { started: 0, stopped: 0 };
  const elector = new LeaderElector({
    lease: REF,
    identity,
    client: leases,
    releaseOnCancel,
    ...TIMINGS,
    callbacks: {
      onStartedLeading: (signal) => {
        times.started = Date.now();
        signal.addEventListener("abort", () => (times.stopped = Date.now()), { once: true });
      },
    },
  });
  electors.push(elector);
  return { elector, times };
}

function storedLease(): Lease | undefined {
  return server.getObject({ resource: "leases", group: "coordination.k8s.io", ...REF }) as Lease | undefined;
}

describe("LeaderElector on the stand-in", () => {
  it("hands over at once when the leader stops with releaseOnCancel", async () => {
    const a = candidate("a", true);
    const b = candidate("b", true);
    a.elector.start();
    await eventually(() => a.elector.isLeader(), "a leads");
    b.elector.start();
    await eventually(() => b.elector.getLeader() === "a", "b sees a leading");
    expect(b.elector.isLeader()).toBe(false);

    await expect(a.elector.stop()).resolves.toBe("stopped");
    await eventually(() => b.elector.isLeader(), "b takes over");
    expect(storedLease()?.spec).toMatchObject({
      holderIdentity: "b",
      leaseDurationSeconds: 2,
      leaseTransitions: 1,
    });
  });

  it("takes over from a killed leader only after its term runs out, counting a transition", async () => {
    const a = candidate("a", false);
    const b = candidate("b", false);
    a.elector.start();
    await eventually(() => a.elector.isLeader(), "a leads");
    b.elector.start();
    await eventually(() => b.elector.getLeader() === "a", "b sees a leading");

    await a.elector.stop(); // no release: to b this is a crash
    const killedAt = Date.now();
    expect(storedLease()?.spec?.holderIdentity).toBe("a");
    await eventually(() => b.elector.isLeader(), "b takes over after expiry");
    // b may only act once a full term passed since it last saw a's record change (a renewed at most
    // one retryPeriod before it died).
    expect(b.times.started - killedAt).toBeGreaterThanOrEqual(
      TIMINGS.leaseDurationMs - TIMINGS.retryPeriodMs - 50,
    );
    expect(storedLease()?.spec).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
  });

  it("lets exactly one of two simultaneous candidates lead", async () => {
    const a = candidate("a", true);
    const b = candidate("b", true);
    a.elector.start();
    b.elector.start();
    await eventually(() => a.elector.isLeader() || b.elector.isLeader(), "someone leads");
    let both = 0;
    const until = Date.now() + 1_000;
    while (Date.now() < until) {
      if (a.elector.isLeader() && b.elector.isLeader()) both++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(both).toBe(0);
    const leader = a.elector.isLeader() ? "a" : "b";
    expect(storedLease()?.spec?.holderIdentity).toBe(leader);
    expect(a.elector.getLeader()).toBe(leader);
    expect(b.elector.getLeader()).toBe(leader);
  });
});
