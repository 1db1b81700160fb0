// WorkQueue semantics on the fake clock: de-duplication while waiting, re-processing of a key added
// while a worker has it (never two workers on one key), delays where the earliest wins, per-key
// exponential backoff with forget(), and shutdown that hands out nothing more and drains in flight.
import { describe, expect, it } from "vitest";
import { ExponentialFailureRateLimiter } from "../../../../src/controller/runtime/rate-limiter.ts";
import { WorkQueue } from "../../../../src/controller/runtime/work-queue.ts";
import { FakeClock, flushMicrotasks } from "../../../fakes/clock.ts";

function queue(clock = new FakeClock(), perKey = true) {
  const depths: number[] = [];
  const q = new WorkQueue<string>({
    clock,
    ...(perKey ? { rateLimiter: new ExponentialFailureRateLimiter({ baseDelayMs: 5, maxDelayMs: 40 }) } : {}),
    observer: { depth: (n) => depths.push(n) },
  });
  return { q, clock, depths };
}

/** Resolves to what is ready now, without waiting (undefined if get() would block). */
async function ready(q: WorkQueue<string>): Promise<string | undefined> {
  let got: string | undefined | null = null;
  void q.get().then((k) => (got = k));
  await flushMicrotasks();
  if (got === null) {
    q.add("__probe__"); // unblock the pending get() so the test leaves nothing waiting
    await flushMicrotasks();
    q.done("__probe__");
    return undefined;
  }
  return got;
}

describe("WorkQueue", () => {
  it("hands out a key added twice while waiting only once, in FIFO order", async () => {
    const { q } = queue();
    for (const k of ["a", "b", "a", "c", "b"]) q.add(k);
    expect(q.length).toBe(3);
    expect([await q.get(), await q.get(), await q.get()]).toEqual(["a", "b", "c"]);
    expect(await ready(q)).toBeUndefined();
  });

  it("queues a key re-added during processing again after done(), never to a second worker", async () => {
    const { q } = queue();
    q.add("a");
    expect(await q.get()).toBe("a");
    q.add("a");
    q.add("a");
    expect(q.length).toBe(0);
    expect(await ready(q)).toBeUndefined();
    q.done("a");
    expect(q.length).toBe(1);
    expect(await q.get()).toBe("a");
    q.done("a");
    expect(await ready(q)).toBeUndefined();
  });

  it("wakes a waiting worker when a key arrives", async () => {
    const { q } = queue();
    const next = q.get();
    q.add("x");
    expect(await next).toBe("x");
    expect(q.processingCount).toBe(1);
  });

  it("holds back addAfter keys until due; the earliest request wins", async () => {
    const { q, clock } = queue();
    q.addAfter("a", 100);
    q.addAfter("a", 300);
    q.addAfter("a", 50);
    expect(q.delayedCount).toBe(1);
    clock.advance(49);
    expect(q.length).toBe(0);
    clock.advance(1);
    expect(q.length).toBe(1);
    expect(await q.get()).toBe("a");
    clock.advance(1_000);
    expect(q.length).toBe(0);
  });

  it.each([
    { name: "first failure", failures: 1, want: 5 },
    { name: "second", failures: 2, want: 10 },
    { name: "third", failures: 3, want: 20 },
    { name: "capped", failures: 6, want: 40 },
  ])("backs a failing key off exponentially: $name", ({ failures, want }) => {
    const { q, clock } = queue();
    for (let i = 1; i < failures; i++) {
      q.addRateLimited("k");
      clock.advance(10_000);
    }
    expect(q.numRequeues("k")).toBe(failures - 1);
    q.addRateLimited("k");
    clock.advance(want - 1);
    expect(q.delayedCount).toBe(1);
    clock.advance(1);
    expect(q.delayedCount).toBe(0);
  });

  it("forget() resets the key's backoff", () => {
    const { q, clock } = queue();
    q.addRateLimited("k");
    q.addRateLimited("k");
    expect(q.numRequeues("k")).toBe(2);
    q.forget("k");
    expect(q.numRequeues("k")).toBe(0);
    clock.advance(100);
    q.addRateLimited("k");
    clock.advance(5);
    expect(q.length).toBe(1);
  });

  it("on shutdown hands out nothing more, drops waiting and delayed keys, and drains in flight", async () => {
    const { q, clock, depths } = queue();
    q.add("busy");
    expect(await q.get()).toBe("busy");
    q.add("waiting");
    q.addAfter("later", 10);
    const signal = new AbortController();
    q.start(signal.signal);
    signal.abort();
    expect(await q.get()).toBeUndefined();
    q.add("new");
    clock.advance(100);
    expect(q.length).toBe(0);
    expect(depths.at(-1)).toBe(0);
    let drained = false;
    void q.drain().then(() => (drained = true));
    await flushMicrotasks();
    expect(drained).toBe(false);
    q.done("busy");
    await flushMicrotasks();
    expect(drained).toBe(true);
  });

  it("resolves a blocked get() with undefined on shutdown", async () => {
    const { q } = queue();
    const next = q.get();
    q.shutDown();
    expect(await next).toBeUndefined();
    await expect(q.drain()).resolves.toBeUndefined();
  });
});
