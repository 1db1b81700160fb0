// The Controller on the fake clock: no reconcile before the informers synced, failures retried with
// growing backoff and forgotten after a success, requeueAfterMs honoured, one key never reconciled
// by two workers at once, and stop draining the reconcile in flight before run() resolves.
import { describe, expect, it } from "vitest";
import { Controller, enqueueKeys } from "../../../../src/controller/runtime/controller.ts";
import type { Reconcile, ReconcileOutcome } from "../../../../src/controller/runtime/controller.ts";
import { ExponentialFailureRateLimiter } from "../../../../src/controller/runtime/rate-limiter.ts";
import { WorkQueue } from "../../../../src/controller/runtime/work-queue.ts";
import { FakeClock, flushMicrotasks } from "../../../fakes/clock.ts";
import { until } from "../../../fakes/kube-list-watch.ts";

class FakeSync {
  synced = false;
  #waiters: (() => void)[] = [];
  hasSynced(): boolean {
    return this.synced;
  }
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
  markSynced(): void {
    this.synced = true;
    for (const w of this.#waiters.splice(0)) w();
  }
}

function setUp(reconcile: Reconcile, opts: { workers?: number; synced?: boolean } = {}) {
  const clock = new FakeClock();
  const sync = new FakeSync();
  if (opts.synced ?? true) sync.markSynced();
  const outcomes: ReconcileOutcome[] = [];
  const queue = new WorkQueue<string>({
    clock,
    rateLimiter: new ExponentialFailureRateLimiter({ baseDelayMs: 100, maxDelayMs: 1_000 }),
  });
  const controller = new Controller({
    name: "test",
    reconcile,
    clock,
    queue,
    waitFor: [sync],
    workers: opts.workers ?? 1,
    observer: { reconciled: (o) => outcomes.push(o) },
  });
  const stop = new AbortController();
  const running = controller.run(stop.signal);
  return { clock, sync, controller, stop, running, outcomes };
}

describe("Controller", () => {
  it("reconciles nothing before its informers synced, then what was enqueued meanwhile", async () => {
    const seen: string[] = [];
    const t = setUp((key) => Promise.resolve(void seen.push(key)), { synced: false });
    t.controller.enqueue("a");
    await flushMicrotasks();
    expect(seen).toEqual([]);
    expect(t.controller.hasSynced()).toBe(false);
    t.sync.markSynced();
    await until(() => seen.length === 1, "reconcile after sync");
    expect(seen).toEqual(["a"]);
    t.stop.abort();
    await t.running;
  });

  it("retries a failing key with growing backoff and forgets it after a success", async () => {
    const attempts: number[] = [];
    let failures = 3;
    const t = setUp(() => {
      attempts.push(t.clock.now());
      return failures-- > 0 ? Promise.reject(new Error("API says no")) : Promise.resolve();
    });
    const start = t.clock.now();
    t.controller.enqueue("k");
    await until(() => attempts.length === 1, "first attempt");
    await t.clock.advanceAsync(699);
    expect(attempts).toHaveLength(3);
    await t.clock.advanceAsync(1);
    await until(() => attempts.length === 4, "fourth attempt");
    expect(attempts.map((ms) => ms - start)).toEqual([0, 100, 300, 700]);
    expect(t.outcomes).toEqual(["error", "error", "error", "success"]);
    expect(t.controller.queue.numRequeues("k")).toBe(0);
    t.stop.abort();
    await t.running;
  });

  it("looks at a key again after requeueAfterMs", async () => {
    const at: number[] = [];
    const t = setUp(() => {
      at.push(t.clock.now());
      return Promise.resolve(at.length === 1 ? { requeueAfterMs: 5_000 } : undefined);
    });
    t.controller.enqueue("k");
    await until(() => at.length === 1, "first");
    await t.clock.advanceAsync(4_999);
    expect(at).toHaveLength(1);
    await t.clock.advanceAsync(1);
    await until(() => at.length === 2, "requeued");
    expect(at[1]! - at[0]!).toBe(5_000);
    expect(t.outcomes).toEqual(["requeue", "success"]);
    t.stop.abort();
    await t.running;
  });

  it("never runs one key on two workers at once, but different keys in parallel", async () => {
    const active = new Map<string, number>();
    let maxSameKey = 0;
    let maxParallel = 0;
    const gates: (() => void)[] = [];
    const t = setUp(
      async (key) => {
        active.set(key, (active.get(key) ?? 0) + 1);
        maxSameKey = Math.max(maxSameKey, active.get(key)!);
        maxParallel = Math.max(
          maxParallel,
          [...active.values()].reduce((a, b) => a + b, 0),
        );
        await new Promise<void>((resolve) => gates.push(resolve));
        active.set(key, active.get(key)! - 1);
      },
      { workers: 3 },
    );
    t.controller.enqueue("a");
    t.controller.enqueue("b");
    await until(() => gates.length === 2, "a and b in flight");
    t.controller.enqueue("a"); // while a is being processed
    await flushMicrotasks();
    expect(gates).toHaveLength(2);
    gates.splice(0).forEach((open) => open());
    await until(() => gates.length === 1, "a again");
    gates.splice(0).forEach((open) => open());
    t.stop.abort();
    await t.running;
    expect({ maxSameKey, maxParallel }).toEqual({ maxSameKey: 1, maxParallel: 2 });
  });

  it("on stop lets the reconcile in flight finish (its signal aborted) before run() resolves", async () => {
    let release: () => void = () => undefined;
    let sawAbort = false;
    const t = setUp(async (_key, signal) => {
      await new Promise<void>((resolve) => (release = resolve));
      sawAbort = signal.aborted;
    });
    t.controller.enqueue("k");
    t.controller.enqueue("queued-behind");
    await until(() => t.controller.queue.processingCount === 1, "in flight");
    let finished = false;
    void t.running.then(() => (finished = true));
    t.stop.abort();
    await flushMicrotasks();
    expect(finished).toBe(false);
    release();
    await t.running;
    expect({ sawAbort, outcomes: t.outcomes }).toEqual({ sawAbort: true, outcomes: ["success"] });
  });

  it("enqueueKeys maps adds, deletes and both sides of an update", () => {
    const keys: string[] = [];
    const handler = enqueueKeys(
      (obj: { k: string[] }) => obj.k,
      (key) => keys.push(key),
    );
    void handler.onAdd?.({ k: ["a"] }, true);
    void handler.onUpdate?.({ k: ["a", "b"] }, { k: ["b", "c"] });
    void handler.onDelete?.({ k: ["d"] }, { finalStateUnknown: false });
    expect(keys).toEqual(["a", "a", "b", "c", "d"]);
  });
});
