import { describe, expect, it } from "vitest";
import { FileReadinessGate } from "../../../../src/cni/standalone/readiness.ts";
import { errorCodeOf } from "../../../../src/common/errors.ts";
import { FakeClock, flushMicrotasks } from "../../../fakes/clock.ts";

/** A file that appears after `checksUntilThere` checks (Infinity: never). */
function appearingFile(checksUntilThere: number) {
  const checks: number[] = [];
  let clock: FakeClock | undefined;
  return {
    checks,
    bind: (c: FakeClock) => (clock = c),
    exists: (path: string) => {
      expect(path).toBe("/run/ready");
      checks.push(clock?.now() ?? 0);
      return Promise.resolve(checks.length > checksUntilThere);
    },
  };
}

describe("FileReadinessGate", () => {
  it("is ready at once when the file is there, without waiting", async () => {
    const clock = new FakeClock();
    const file = appearingFile(0);
    file.bind(clock);
    await new FileReadinessGate({ clock, exists: file.exists }).waitReady("/run/ready", 45_000);
    expect(file.checks).toHaveLength(1);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("polls once per interval until the file appears", async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const file = appearingFile(3);
    file.bind(clock);
    const done = new FileReadinessGate({ clock, exists: file.exists }).waitReady("/run/ready", 45_000);
    await clock.advanceAsync(3_000);
    await done;
    expect(file.checks.map((t) => t - start)).toEqual([0, 1_000, 2_000, 3_000]);
  });

  it("gives up at the deadline, naming the file and the wait", async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const file = appearingFile(Number.POSITIVE_INFINITY);
    file.bind(clock);
    const gate = new FileReadinessGate({ clock, exists: file.exists, intervalMs: 1_000 });
    const outcome = gate.waitReady("/run/ready", 2_500).catch((e: unknown) => e);
    await clock.advanceAsync(2_500);
    const err = await outcome;
    expect(errorCodeOf(err)).toBe("TIMEOUT");
    expect((err as Error).message).toBe(
      "readiness indicator file /run/ready did not appear within 2500ms; is the default network (its CNI plugin) up on this node?",
    );
    // checks at 0, 1 s, 2 s and a last one at the deadline
    expect(file.checks.map((t) => t - start)).toEqual([0, 1_000, 2_000, 2_500]);
  });

  it("stops waiting when the signal aborts", async () => {
    const clock = new FakeClock();
    const file = appearingFile(Number.POSITIVE_INFINITY);
    file.bind(clock);
    const controller = new AbortController();
    const outcome = new FileReadinessGate({ clock, exists: file.exists })
      .waitReady("/run/ready", 45_000, controller.signal)
      .catch((e: unknown) => e);
    await clock.waitForTimers(1);
    controller.abort(new Error("runtime gave up"));
    await flushMicrotasks();
    expect(await outcome).toEqual(new Error("runtime gave up"));
    expect(clock.pendingTimers()).toBe(0);
  });

  it("reports presence with the real file system by default", async () => {
    const gate = new FileReadinessGate();
    await expect(gate.isReady("/proc/self/status")).resolves.toBe(true);
    await expect(gate.isReady("/proc/self/no-such-file")).resolves.toBe(false);
  });
});
