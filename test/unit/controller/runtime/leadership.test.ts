// Leadership on the fake clock and the fake Lease server: the work runs only while leading; work
// that fails is restarted with backoff within the term; stop drains the work, then releases the
// lease so a standby takes over at its next retry; a lost term campaigns again with fresh work; the
// loop counts as alive only while it keeps calling the Lease API.
import { afterEach, describe, expect, it } from "vitest";
import { Leadership } from "../../../../src/controller/runtime/leadership.ts";
import type { LeadershipOptions } from "../../../../src/controller/runtime/leadership.ts";
import { ApiError } from "../../../../src/k8s/api-error.ts";
import { FakeClock } from "../../../fakes/clock.ts";
import { FakeLeaseClient, FakeLeaseServer } from "../../../fakes/kube-lease-client.ts";
import { until } from "../../../fakes/kube-list-watch.ts";

const REF = { namespace: "netclaim", name: "netclaim-controller" };
const TIMINGS = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

const running: Leadership[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((l) => l.stop()));
});

function replica(
  server: FakeLeaseServer,
  clock: FakeClock,
  identity: string,
  lead: LeadershipOptions["lead"] = aborted,
) {
  const client = new FakeLeaseClient(server);
  const leading: boolean[] = [];
  const leadership = new Leadership({
    lease: REF,
    identity,
    client,
    lead,
    clock,
    random: () => 0,
    ...TIMINGS,
    workBackoff: { initialMs: 1_000, maxMs: 8_000, factor: 2, jitter: 0 },
    observer: { leading: (l) => leading.push(l) },
  });
  running.push(leadership);
  return { client, leadership, leading };
}

describe("Leadership", () => {
  it("runs the work only while leading; stop drains it and releases the lease", async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock();
    const events: string[] = [];
    const a = replica(server, clock, "a", async (signal) => {
      events.push("work started");
      await aborted(signal);
      events.push("work drained");
    });
    a.leadership.start();
    await until(() => a.leadership.isLeader() && events.length === 1, "a leads");
    expect(a.leadership.alive()).toBe(true);
    await a.leadership.stop();
    expect(events).toEqual(["work started", "work drained"]);
    expect(server.lease?.spec).toMatchObject({ holderIdentity: "", leaseDurationSeconds: 1 });
    expect(a.leading).toEqual([true, false]);
    expect(a.leadership.alive()).toBe(false);
  });

  it("a standby takes over at its next retry once the leader released", async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock();
    const a = replica(server, clock, "a");
    const b = replica(server, clock, "b");
    a.leadership.start();
    await until(() => a.leadership.isLeader(), "a leads");
    b.leadership.start();
    await until(() => b.leadership.leader() === "a", "b sees a");
    await a.leadership.stop();
    await clock.advanceAsync(TIMINGS.retryPeriodMs);
    await until(() => b.leadership.isLeader(), "b leads");
    expect(server.lease?.spec).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
  });

  it("restarts failing work with backoff while the term lasts", async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock();
    const starts: number[] = [];
    const a = replica(server, clock, "a", async (signal) => {
      starts.push(clock.now());
      if (starts.length < 3) throw new Error("discovery failed");
      await aborted(signal);
    });
    a.leadership.start();
    await until(() => starts.length === 1, "first start");
    await clock.advanceAsync(3_000);
    await until(() => starts.length === 3, "restarted twice");
    expect(starts.map((ms) => ms - starts[0]!)).toEqual([0, 1_000, 3_000]);
    expect(a.leadership.isLeader()).toBe(true);
  });

  it("after a lost term campaigns again and starts fresh work", async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock();
    let terms = 0;
    const a = replica(server, clock, "a", async (signal) => {
      terms++;
      await aborted(signal);
    });
    a.leadership.start();
    await until(() => terms === 1, "first term");
    a.client.failAll(new ApiError({ status: 503, reason: "ServiceUnavailable", message: "down" }));
    await clock.advanceAsync(TIMINGS.retryPeriodMs + TIMINGS.renewDeadlineMs);
    await until(() => !a.leadership.isLeader(), "term lost");
    a.client.failAll(undefined);
    await clock.advanceAsync(TIMINGS.retryPeriodMs * 2);
    await until(() => terms === 2, "second term");
    expect(a.leading).toEqual([true, false, true]);
  });

  it("is not alive once the loop stops calling the Lease API", async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock();
    const a = replica(server, clock, "a");
    a.client.hangAll(true);
    a.leadership.start();
    await until(() => a.client.calls.length === 1, "first call");
    expect(a.leadership.alive()).toBe(true);
    clock.advance(a.leadership.staleAfterMs + 1);
    expect(a.leadership.alive()).toBe(false);
    a.client.hangAll(false);
  });

  it("rejects timings client-go would reject", () => {
    const l = new Leadership({
      lease: REF,
      identity: "a",
      client: new FakeLeaseClient(new FakeLeaseServer()),
      lead: aborted,
      leaseDurationMs: 5_000,
      renewDeadlineMs: 6_000,
    });
    expect(() => l.start()).toThrow(/leaseDuration must be greater than renewDeadline/);
  });
});
