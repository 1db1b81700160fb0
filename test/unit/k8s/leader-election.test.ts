import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "../../../src/k8s/api-error.ts";
import { LeaderElector, validateElectorTimings } from "../../../src/k8s/leader-election.ts";
import type { LeaderElectorOptions } from "../../../src/k8s/leader-election.ts";
import { formatMicroTime } from "../../../src/k8s/lease-record.ts";
import type { Lease } from "../../../src/k8s/lease-record.ts";
import { FakeClock, flushMicrotasks } from "../../fakes/clock.ts";
import { FakeLeaseClient, FakeLeaseServer } from "../../fakes/kube-lease-client.ts";
import { until } from "../../fakes/kube-list-watch.ts";

const REF = { namespace: "netclaim", name: "netclaim-controller" };

function unavailable(): ApiError {
  return new ApiError({ status: 503, reason: "ServiceUnavailable", message: "apiserver unreachable" });
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

const electors: LeaderElector[] = [];
afterEach(async () => {
  await Promise.all(electors.splice(0).map((e) => e.stop()));
});

/** One candidate with its own client onto the shared server, recording its callbacks. */
function candidate(
  server: FakeLeaseServer,
  clock: FakeClock,
  identity: string,
  extra: Partial<LeaderElectorOptions> = {},
) {
  const client = new FakeLeaseClient(server);
  const log: string[] = [];
  let leading = false;
  const elector = new LeaderElector({
    lease: REF,
    identity,
    client,
    clock,
    random: () => 0,
    callbacks: {
      onStartedLeading: async (signal) => {
        leading = true;
        log.push(`started@${clock.now() - START}`);
        await aborted(signal);
        leading = false;
        log.push(`leading signal aborted@${clock.now() - START}`);
      },
      onStoppedLeading: () => void log.push("stopped"),
      onNewLeader: (id) => void log.push(`leader ${id}`),
    },
    ...extra,
  });
  electors.push(elector);
  return { client, elector, log, isLeading: () => leading };
}

const START = Date.UTC(2025, 0, 1);

function seedLease(server: FakeLeaseServer, spec: Lease["spec"]): void {
  server.seed({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { ...REF }, spec });
}

describe("LeaderElector acquire and renew", () => {
  it("creates the Lease when there is none and starts leading", async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock(START);
    const a = candidate(server, clock, "a");
    a.elector.start();
    await until(a.isLeading, "a leads");
    expect(a.client.verbs()).toEqual(["get", "create"]);
    expect(server.lease?.spec).toEqual({
      holderIdentity: "a",
      leaseDurationSeconds: 15,
      acquireTime: "2025-01-01T00:00:00.000000Z",
      renewTime: "2025-01-01T00:00:00.000000Z",
      leaseTransitions: 0,
    });
    expect(a.log).toEqual(["leader a", "started@0"]);
    expect(a.elector.isLeader()).toBe(true);
  });

  it("renews every retryPeriod over the record it wrote (no read), keeping acquireTime and transitions", async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock(START);
    const a = candidate(server, clock, "a");
    a.elector.start();
    await until(a.isLeading, "a leads");
    await clock.advanceAsync(2_000);
    await clock.advanceAsync(2_000);
    expect(a.client.verbs()).toEqual(["get", "create", "update", "update"]);
    expect(server.lease?.spec).toMatchObject({
      holderIdentity: "a",
      acquireTime: "2025-01-01T00:00:00.000000Z",
      renewTime: "2025-01-01T00:00:04.000000Z",
      leaseTransitions: 0,
    });
  });

  it("takes back a Lease that names itself at once (a restart with the same identity)", async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock(START);
    seedLease(server, {
      holderIdentity: "a",
      leaseDurationSeconds: 15,
      acquireTime: "2024-12-31T23:00:00.000000Z",
      renewTime: formatMicroTime(START - 1_000),
      leaseTransitions: 2,
    });
    const a = candidate(server, clock, "a");
    a.elector.start();
    await until(a.isLeading, "a leads");
    expect(server.lease?.spec).toMatchObject({
      acquireTime: "2024-12-31T23:00:00.000000Z",
      leaseTransitions: 2,
    });
  });

  it.each([
    { name: "far in the past", renewOffsetMs: -3_600_000 },
    { name: "in the future (a skewed clock)", renewOffsetMs: 3_600_000 },
  ])(
    "takes over an unrenewed Lease 15s after first seeing it, whatever its renewTime says ($name)",
    async ({ renewOffsetMs }) => {
      const server = new FakeLeaseServer();
      const clock = new FakeClock(START);
      seedLease(server, {
        holderIdentity: "old",
        leaseDurationSeconds: 15,
        acquireTime: formatMicroTime(START + renewOffsetMs),
        renewTime: formatMicroTime(START + renewOffsetMs),
        leaseTransitions: 3,
      });
      const b = candidate(server, clock, "b");
      b.elector.start();
      await until(() => b.client.calls.length === 1, "first read");
      await clock.advanceAsync(14_000);
      expect(b.isLeading()).toBe(false);
      expect(b.client.verbs().every((v) => v === "get")).toBe(true);
      expect(b.log).toEqual(["leader old"]);
      await clock.advanceAsync(2_000);
      await until(b.isLeading, "b takes over");
      expect(server.lease?.spec).toEqual({
        holderIdentity: "b",
        leaseDurationSeconds: 15,
        acquireTime: "2025-01-01T00:00:16.000000Z",
        renewTime: "2025-01-01T00:00:16.000000Z",
        leaseTransitions: 4,
      });
    },
  );

  it("never takes a Lease its holder keeps renewing", async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock(START);
    const renew = (): void =>
      seedLease(server, {
        holderIdentity: "old",
        leaseDurationSeconds: 15,
        renewTime: formatMicroTime(clock.now()),
      });
    renew();
    const b = candidate(server, clock, "b");
    b.elector.start();
    for (let t = 0; t < 60_000; t += 2_000) {
      await clock.advanceAsync(2_000);
      renew();
    }
    expect(b.isLeading()).toBe(false);
    expect(b.client.verbs()).not.toContain("update");
  });

  it("treats a 409 on its takeover write as another candidate winning", async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock(START);
    seedLease(server, { holderIdentity: "", leaseDurationSeconds: 1, leaseTransitions: 5 });
    const a = candidate(server, clock, "a");
    const b = candidate(server, clock, "b");
    a.elector.start();
    b.elector.start();
    await until(() => a.isLeading() || b.isLeading(), "someone leads");
    await clock.advanceAsync(6_000);
    expect([a.isLeading(), b.isLeading()].filter(Boolean)).toHaveLength(1);
    expect(server.lease?.spec?.leaseTransitions).toBe(6);
    const loser = a.isLeading() ? b : a;
    expect(loser.client.verbs()).toContain("update");
    expect(loser.log).not.toContain("started@0");
  });
});

describe("LeaderElector stop and loss", () => {
  it("on stop with releaseOnCancel, waits for the leading work, then clears the holder with a 1s term", async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock(START);
    const a = candidate(server, clock, "a", { releaseOnCancel: true });
    a.elector.start();
    await until(a.isLeading, "a leads");
    await clock.advanceAsync(2_000);
    const writesBeforeStop = a.client.updates().length;
    await expect(a.elector.stop()).resolves.toBe("stopped");
    expect(a.log).toEqual(["leader a", "started@0", "leading signal aborted@2000", "stopped"]);
    expect(a.client.updates()).toHaveLength(writesBeforeStop + 1);
    expect(server.lease?.spec).toEqual({
      holderIdentity: "",
      leaseDurationSeconds: 1,
      acquireTime: "2025-01-01T00:00:02.000000Z",
      renewTime: "2025-01-01T00:00:02.000000Z",
      leaseTransitions: 0,
    });
    expect(clock.pendingTimers()).toBe(0);
  });

  it("on stop without releaseOnCancel leaves the Lease as it was", async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock(START);
    const a = candidate(server, clock, "a");
    a.elector.start();
    await until(a.isLeading, "a leads");
    await a.elector.stop();
    expect(a.client.verbs()).toEqual(["get", "create"]);
    expect(server.lease?.spec?.holderIdentity).toBe("a");
  });

  it.each([
    { name: "fail", partition: (c: FakeLeaseClient) => c.failAll(unavailable()) },
    { name: "hang", partition: (c: FakeLeaseClient) => c.hangAll(true) },
  ])(
    "stops leading exactly renewDeadline after the first missed renewal when calls $name",
    async ({ partition }) => {
      const server = new FakeLeaseServer();
      const clock = new FakeClock(START);
      const a = candidate(server, clock, "a");
      a.elector.start();
      await until(a.isLeading, "a leads");
      await clock.advanceAsync(4_000); // renewed at 2s and 4s
      partition(a.client);
      await clock.advanceAsync(11_900); // the round began at 6s: its deadline is 16s
      expect(a.isLeading()).toBe(true);
      await clock.advanceAsync(100);
      await until(() => !a.isLeading(), "a steps down");
      await expect(a.elector.done).resolves.toBe("lost");
      expect(a.log.slice(-2)).toEqual(["leading signal aborted@16000", "stopped"]);
      expect(clock.pendingTimers()).toBe(0);
    },
  );
});

describe("LeaderElector with two candidates", () => {
  it.each([
    { name: "fail", partition: (c: FakeLeaseClient) => c.failAll(unavailable()) },
    { name: "hang", partition: (c: FakeLeaseClient) => c.hangAll(true) },
  ])("never has both leading when the leader's calls $name; the other takes over", async ({ partition }) => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock(START);
    const a = candidate(server, clock, "a");
    a.elector.start();
    await until(a.isLeading, "a leads");
    const b = candidate(server, clock, "b");
    b.elector.start();
    let bothLeading = 0;
    for (let t = 0; t < 60_000; t += 250) {
      if (t === 9_000) partition(a.client);
      await clock.advanceAsync(250);
      await flushMicrotasks();
      if (a.isLeading() && b.isLeading()) bothLeading++;
    }
    expect(bothLeading).toBe(0);
    expect(b.isLeading()).toBe(true);
    await expect(a.elector.done).resolves.toBe("lost");
    const lostAt = Number(a.log.find((l) => l.startsWith("leading signal aborted"))?.split("@")[1]);
    const tookOverAt = Number(b.log.find((l) => l.startsWith("started"))?.split("@")[1]);
    expect(lostAt).toBeLessThan(tookOverAt);
    expect(b.log).toContain("leader a");
    expect(server.lease?.spec).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
  });

  it("hands over within a retryPeriod when the leader releases on stop", async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock(START);
    const a = candidate(server, clock, "a", { releaseOnCancel: true });
    a.elector.start();
    await until(a.isLeading, "a leads");
    const b = candidate(server, clock, "b");
    b.elector.start();
    await clock.advanceAsync(4_000);
    await a.elector.stop();
    await clock.advanceAsync(2_000);
    await until(b.isLeading, "b leads");
    expect(server.lease?.spec).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
  });
});

describe("validateElectorTimings", () => {
  it.each([
    {
      name: "client-go defaults",
      t: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
      want: undefined,
    },
    {
      name: "lease not longer than deadline",
      t: { leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
      want: /leaseDuration/,
    },
    {
      name: "deadline within jittered retry",
      t: { leaseDurationMs: 15_000, renewDeadlineMs: 2_400, retryPeriodMs: 2_000 },
      want: /renewDeadline/,
    },
    {
      name: "zero retry",
      t: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 0 },
      want: /retryPeriod/,
    },
  ])("$name", ({ t, want }) => {
    if (want === undefined) expect(() => validateElectorTimings(t)).not.toThrow();
    else expect(() => validateElectorTimings(t)).toThrow(want);
  });
});
