// Rate limiters: per-key exponential backoff with a cap, the token bucket's burst and refill
// (reservation semantics: each try takes a token, waiting for it when the bucket is empty), and the
// larger-of combination client-go's default controller rate limiter uses.
import { describe, expect, it } from "vitest";
import {
  ExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  TokenBucketRateLimiter,
  controllerRateLimiter,
  exponentialDelayMs,
} from "../../../../src/controller/runtime/rate-limiter.ts";
import { FakeClock } from "../../../fakes/clock.ts";

describe("exponentialDelayMs", () => {
  it.each([
    { failures: 0, want: 5 },
    { failures: 1, want: 10 },
    { failures: 4, want: 80 },
    { failures: 20, want: 1_000 },
    { failures: 5_000, want: 1_000 },
  ])("$failures failures → $want ms", ({ failures, want }) => {
    expect(exponentialDelayMs(failures, 5, 1_000)).toBe(want);
  });
});

describe("ExponentialFailureRateLimiter", () => {
  it("counts failures per key and forgets them", () => {
    const limiter = new ExponentialFailureRateLimiter<string>({ baseDelayMs: 1, maxDelayMs: 100 });
    expect([limiter.when("a"), limiter.when("a"), limiter.when("b"), limiter.when("a")]).toEqual([
      1, 2, 1, 4,
    ]);
    expect(limiter.numRequeues("a")).toBe(3);
    limiter.forget("a");
    expect([limiter.numRequeues("a"), limiter.when("a"), limiter.numRequeues("b")]).toEqual([0, 1, 1]);
  });
});

describe("TokenBucketRateLimiter", () => {
  it("lets a burst through, then spaces tries at 1/qps, refilling with time", () => {
    const clock = new FakeClock();
    const bucket = new TokenBucketRateLimiter<string>({ qps: 10, burst: 3, clock });
    const delays = [1, 2, 3, 4, 5].map((i) => bucket.when(`k${i}`));
    expect(delays).toEqual([0, 0, 0, 100, 200]);
    clock.advance(1_000); // +10 tokens, capped at the burst, minus the two borrowed
    expect(bucket.when("k")).toBe(0);
    expect(bucket.numRequeues("k")).toBe(0);
  });

  it("rejects a bucket that can never fill", () => {
    expect(() => new TokenBucketRateLimiter({ qps: 0, burst: 1, clock: new FakeClock() })).toThrow(/qps/);
  });
});

describe("MaxOfRateLimiter and controllerRateLimiter", () => {
  it("waits for the longer of per-key backoff and the overall bucket", () => {
    const clock = new FakeClock();
    const limiter = new MaxOfRateLimiter<string>([
      new ExponentialFailureRateLimiter({ baseDelayMs: 50, maxDelayMs: 1_000 }),
      new TokenBucketRateLimiter({ qps: 1, burst: 1, clock }),
    ]);
    expect(limiter.when("a")).toBe(50); // bucket has a token; backoff says 50
    expect(limiter.when("b")).toBe(1_000); // bucket empty: a second's wait beats b's 50
    expect(limiter.numRequeues("a")).toBe(1);
    limiter.forget("a");
    expect(limiter.numRequeues("a")).toBe(0);
  });

  it("without a bucket (qps 0) is the per-key backoff alone", () => {
    const limiter = controllerRateLimiter<string>({ clock: new FakeClock(), qps: 0, baseDelayMs: 7 });
    expect([limiter.when("a"), limiter.when("a")]).toEqual([7, 14]);
  });
});
