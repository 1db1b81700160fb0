// The fake clock fires timers in due order as time is advanced, sleeps honour abort, and the real clock
// keeps the same contract.
import { describe, expect, it } from "vitest";
import { RealClock } from "../../../src/common/clock.ts";
import { FakeClock } from "../../fakes/clock.ts";

const START = 1_000_000;

describe("FakeClock timers", () => {
  const cases: {
    name: string;
    schedule: (clock: FakeClock, log: string[]) => void;
    advanceMs: number;
    want: string[];
    wantNow: number;
  }[] = [
    {
      name: "timers fire in due order with now at their due time",
      schedule: (c, log) => {
        c.setTimeout(() => log.push(`b@${c.now() - START}`), 20);
        c.setTimeout(() => log.push(`a@${c.now() - START}`), 10);
      },
      advanceMs: 30,
      want: ["a@10", "b@20"],
      wantNow: START + 30,
    },
    {
      name: "a timer past the window does not fire",
      schedule: (c, log) => void c.setTimeout(() => log.push("late"), 31),
      advanceMs: 30,
      want: [],
      wantNow: START + 30,
    },
    {
      name: "a timer due exactly at the end fires",
      schedule: (c, log) => void c.setTimeout(() => log.push("edge"), 30),
      advanceMs: 30,
      want: ["edge"],
      wantNow: START + 30,
    },
    {
      name: "equal due times fire in scheduling order",
      schedule: (c, log) => {
        c.setTimeout(() => log.push("first"), 5);
        c.setTimeout(() => log.push("second"), 5);
      },
      advanceMs: 5,
      want: ["first", "second"],
      wantNow: START + 5,
    },
    {
      name: "a timer scheduled by a timer within the window fires too",
      schedule: (c, log) =>
        void c.setTimeout(() => {
          log.push(`outer@${c.now() - START}`);
          c.setTimeout(() => log.push(`inner@${c.now() - START}`), 5);
        }, 10),
      advanceMs: 20,
      want: ["outer@10", "inner@15"],
      wantNow: START + 20,
    },
    {
      name: "intervals repeat until the window ends",
      schedule: (c, log) => void c.setInterval(() => log.push(`tick@${c.now() - START}`), 10),
      advanceMs: 35,
      want: ["tick@10", "tick@20", "tick@30"],
      wantNow: START + 35,
    },
    {
      name: "cancelled timers do not fire",
      schedule: (c, log) => {
        const t = c.setTimeout(() => log.push("cancelled"), 10);
        c.setTimeout(() => log.push("kept"), 10);
        t.cancel();
        t.cancel();
      },
      advanceMs: 10,
      want: ["kept"],
      wantNow: START + 10,
    },
    {
      name: "an interval cancelling itself stops",
      schedule: (c, log) => {
        const t = c.setInterval(() => {
          log.push("once");
          t.cancel();
        }, 10);
      },
      advanceMs: 100,
      want: ["once"],
      wantNow: START + 100,
    },
  ];
  it.each(cases)("$name", ({ schedule, advanceMs, want, wantNow }) => {
    const clock = new FakeClock(START);
    const log: string[] = [];
    schedule(clock, log);
    clock.advance(advanceMs);
    expect(log).toEqual(want);
    expect(clock.now()).toBe(wantNow);
  });
});

describe("FakeClock sleep", () => {
  it("resolves only when time reaches it", async () => {
    const clock = new FakeClock(START);
    let woke = false;
    const sleeping = clock.sleep(100).then(() => (woke = true));
    await clock.advanceAsync(99);
    expect(woke).toBe(false);
    await clock.advanceAsync(1);
    await sleeping;
    expect(woke).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("a loop of sleeps sees every wake-up within one advanceAsync", async () => {
    const clock = new FakeClock(START);
    const wakeups: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(10);
        wakeups.push(clock.now() - START);
      }
    })();
    await clock.advanceAsync(30);
    await loop;
    expect(wakeups).toEqual([10, 20, 30]);
  });

  it("rejects with the abort reason and cancels its timer", async () => {
    const clock = new FakeClock(START);
    const controller = new AbortController();
    const sleeping = clock.sleep(100, controller.signal);
    await clock.waitForTimers(1);
    controller.abort(new Error("stopping"));
    await expect(sleeping).rejects.toThrow("stopping");
    expect(clock.pendingTimers()).toBe(0);
  });

  it("rejects at once when already aborted", async () => {
    const clock = new FakeClock(START);
    await expect(clock.sleep(10, AbortSignal.abort(new Error("gone")))).rejects.toThrow("gone");
    expect(clock.pendingTimers()).toBe(0);
  });

  it("waitForTimers fails when nothing ever waits", async () => {
    await expect(new FakeClock(START).waitForTimers(1)).rejects.toThrow(
      "expected 1 pending timer(s), have 0",
    );
  });
});

describe("RealClock", () => {
  it("sleeps, fires timeouts and intervals, and aborts", async () => {
    const clock = new RealClock();
    expect(Math.abs(clock.now() - Date.now())).toBeLessThan(1000);
    await clock.sleep(1);
    const fired = await new Promise<string>((resolve) => void clock.setTimeout(() => resolve("fired"), 1));
    expect(fired).toBe("fired");
    let ticks = 0;
    await new Promise<void>((resolve) => {
      const t = clock.setInterval(() => {
        if (++ticks === 2) {
          t.cancel();
          resolve();
        }
      }, 1);
    });
    expect(ticks).toBe(2);
    const controller = new AbortController();
    const sleeping = clock.sleep(60_000, controller.signal);
    controller.abort(new Error("bye"));
    await expect(sleeping).rejects.toThrow("bye");
  });
});
