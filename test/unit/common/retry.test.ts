// Backoff delays grow, are capped and jittered downwards only; retry stops on success, on a
// non-retryable error, when attempts run out, and on abort — all on a fake clock.
import { describe, expect, it } from "vitest";
import { backoffDelayMs, retry } from "../../../src/common/retry.ts";
import type { RetryOptions } from "../../../src/common/retry.ts";
import { FakeClock } from "../../fakes/clock.ts";

describe("backoffDelayMs", () => {
  const opts = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 };
  const cases = [
    { name: "first retry, no jitter drawn", retry: 0, random: 0, want: 100 },
    { name: "grows by factor", retry: 2, random: 0, want: 400 },
    { name: "capped", retry: 10, random: 0, want: 1000 },
    { name: "jitter shortens", retry: 1, random: 0.5, want: 150 },
    { name: "jitter at the cap stays below it", retry: 20, random: 0.99, want: 505 },
    { name: "huge retry number stays at the cap", retry: 5000, random: 0, want: 1000 },
  ];
  it.each(cases)("$name", ({ retry: n, random, want }) => {
    expect(backoffDelayMs(n, opts, () => random)).toBe(want);
  });

  it("jitter outside [0, 1] is clamped", () => {
    expect(backoffDelayMs(0, { initialMs: 100, maxMs: 100, jitter: 5 }, () => 0.5)).toBe(50);
    expect(backoffDelayMs(0, { initialMs: 100, maxMs: 100, jitter: -1 }, () => 0.5)).toBe(100);
  });
});

interface Script {
  /** Per attempt: "ok" resolves, anything else throws an Error with that message. */
  outcomes: string[];
}

function scripted(script: Script, attempts: number[]): (attempt: number) => Promise<string> {
  return (attempt) => {
    attempts.push(attempt);
    const outcome = script.outcomes[attempt - 1] ?? "exhausted script";
    return outcome === "ok" ? Promise.resolve(`ok@${attempt}`) : Promise.reject(new Error(outcome));
  };
}

describe("retry", () => {
  const base = { initialMs: 10, maxMs: 40, factor: 2, jitter: 0, random: () => 0 };
  const cases: {
    name: string;
    outcomes: string[];
    options: Partial<RetryOptions>;
    want: { result?: string; error?: string; attempts: number; delays: number[] };
  }[] = [
    {
      name: "first try succeeds",
      outcomes: ["ok"],
      options: {},
      want: { result: "ok@1", attempts: 1, delays: [] },
    },
    {
      name: "succeeds after failures, delays grow and cap",
      outcomes: ["e1", "e2", "e3", "e4", "ok"],
      options: {},
      want: { result: "ok@5", attempts: 5, delays: [10, 20, 40, 40] },
    },
    {
      name: "gives up after maxAttempts with the last error",
      outcomes: ["e1", "e2", "e3"],
      options: { maxAttempts: 3 },
      want: { error: "e3", attempts: 3, delays: [10, 20] },
    },
    {
      name: "non-retryable error stops at once",
      outcomes: ["e1", "fatal", "ok"],
      options: { shouldRetry: (err) => (err as Error).message !== "fatal" },
      want: { error: "fatal", attempts: 2, delays: [10] },
    },
  ];
  it.each(cases)("$name", async ({ outcomes, options, want }) => {
    const clock = new FakeClock();
    const attempts: number[] = [];
    const delays: number[] = [];
    const running = retry(scripted({ outcomes }, attempts), {
      ...base,
      ...options,
      clock,
      onRetry: (_err, _attempt, delayMs) => delays.push(delayMs),
    }).then(
      (result) => ({ result }),
      (err: unknown) => ({ error: (err as Error).message }),
    );
    await clock.advanceAsync(1000);
    const outcome = await running;
    expect({ ...outcome, attempts: attempts.length, delays }).toEqual(want);
  });

  it("waits the delay on the clock before retrying", async () => {
    const clock = new FakeClock();
    const attempts: number[] = [];
    const running = retry(scripted({ outcomes: ["e1", "ok"] }, attempts), { ...base, clock });
    await clock.waitForTimers(1);
    expect(clock.pendingDueTimes()).toEqual([clock.now() + 10]);
    await clock.advanceAsync(9);
    expect(attempts).toEqual([1]);
    await clock.advanceAsync(1);
    await expect(running).resolves.toBe("ok@2");
  });

  it("abort during the wait rejects with the reason and makes no further attempt", async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const attempts: number[] = [];
    const running = retry(scripted({ outcomes: ["e1", "ok"] }, attempts), {
      ...base,
      clock,
      signal: controller.signal,
    });
    await clock.waitForTimers(1);
    controller.abort(new Error("shutting down"));
    await expect(running).rejects.toThrow("shutting down");
    await clock.advanceAsync(1000);
    expect(attempts).toEqual([1]);
  });

  it("an already aborted signal makes no attempt", async () => {
    const attempts: number[] = [];
    const running = retry(scripted({ outcomes: ["ok"] }, attempts), {
      clock: new FakeClock(),
      signal: AbortSignal.abort(new Error("too late")),
    });
    await expect(running).rejects.toThrow("too late");
    expect(attempts).toEqual([]);
  });
});
