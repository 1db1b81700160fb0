// network-status writes off the ADD's path: enqueue answers at once, one write per pod (newest value),
// retries with backoff from a fresh read, no retry for another pod's UID, DEL drops a queued write, a full
// queue writes inline, stop gives queued writes one last attempt. Time is a FakeClock.
import { describe, expect, it } from "vitest";
import { StatusQueue } from "../../../../src/cni/server/status-queue.ts";
import type { StatusQueueOptions } from "../../../../src/cni/server/status-queue.ts";
import type { NetworkStatusWriter, PodInfo } from "../../../../src/cni/engine/ports.ts";
import { CniError } from "../../../../src/cni/protocol/errors.ts";
import { FakeClock, flushMicrotasks } from "../../../fakes/clock.ts";
import { captureLogger } from "../../../fakes/logger.ts";

type PodRef = Pick<PodInfo, "namespace" | "name" | "uid">;

/** A writer recording its writes; each write waits for `hold` (when set) and fails while `failures` last. */
class ScriptedWriter implements NetworkStatusWriter {
  readonly writes: { pod: string; value: string }[] = [];
  failures: Error[] = [];
  hold: Promise<void> | undefined;

  async writeNetworkStatus(pod: PodRef, value: string): Promise<void> {
    this.writes.push({ pod: `${pod.namespace}/${pod.name}`, value });
    if (this.hold !== undefined) await this.hold;
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
  }
}

function setup(options: Partial<StatusQueueOptions> = {}) {
  const clock = new FakeClock();
  const cached = new ScriptedWriter();
  const fresh = new ScriptedWriter();
  const log = captureLogger();
  const queue = new StatusQueue({
    cached,
    fresh,
    logger: log.logger,
    clock,
    random: () => 0,
    backoff: { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 },
    ...options,
  });
  return { clock, cached, fresh, queue, log };
}

const pod = (name: string, uid = `uid-${name}`): PodRef => ({ namespace: "ns", name, uid });

describe("StatusQueue", () => {
  it("resolves the engine's write at once and writes it from the informer's pod", async () => {
    const { cached, fresh, queue } = setup();
    let resolved = false;
    cached.hold = new Promise<void>(() => undefined); // the write itself never finishes
    void queue.enqueue(pod("a"), "[1]", "c1").then(() => (resolved = true));
    await flushMicrotasks();
    expect(resolved).toBe(true);
    expect(cached.writes).toEqual([{ pod: "ns/a", value: "[1]" }]);
    expect(fresh.writes).toEqual([]);
  });

  it("coalesces per pod: a value queued behind a running write replaces the older queued one", async () => {
    const { cached, queue } = setup();
    let release: () => void = () => undefined;
    cached.hold = new Promise<void>((resolve) => (release = resolve));
    await queue.enqueue(pod("a"), "v1", "c1");
    await queue.enqueue(pod("a"), "v2", "c2");
    await queue.enqueue(pod("a"), "v3", "c3");
    await queue.enqueue(pod("b"), "b1", "c4");
    await flushMicrotasks();
    expect(cached.writes.map((w) => w.value)).toEqual(["v1", "b1"]);
    cached.hold = undefined;
    release();
    await queue.idle();
    expect(cached.writes.map((w) => w.value)).toEqual(["v1", "b1", "v3"]);
    expect(queue.stats()).toMatchObject({ written: 3, coalesced: 1, pending: 0, running: 0 });
  });

  it("retries a failed write with backoff, reading the pod again, then gives up after maxAttempts", async () => {
    const { clock, cached, fresh, queue, log } = setup({ maxAttempts: 3 });
    cached.failures = [new Error("503 from the API")];
    fresh.failures = [new Error("again"), new Error("and again")];
    await queue.enqueue(pod("a"), "v", "c1");
    await flushMicrotasks();
    expect(clock.pendingDueTimes()).toEqual([clock.now() + 100]);
    await clock.advanceAsync(100);
    expect(fresh.writes).toHaveLength(1);
    await clock.advanceAsync(200);
    expect(fresh.writes).toHaveLength(2);
    await queue.idle();
    expect(queue.stats()).toMatchObject({ failed: 1, written: 0 });
    const messages = log.lines().map((l) => l.msg);
    expect(messages).toEqual([
      "network-status write failed; retrying",
      "network-status write failed; retrying",
      "network-status write failed; giving up",
    ]);
  });

  it("does not retry a pod of another UID", async () => {
    const { cached, fresh, queue } = setup();
    cached.failures = [new CniError("POD_MISMATCH", "pod ns/a in the API server has UID x, not uid-a")];
    await queue.enqueue(pod("a"), "v", "c1");
    await queue.idle();
    expect(fresh.writes).toEqual([]);
    expect(queue.stats().failed).toBe(1);
  });

  it("drops the queued write of a container whose DEL came, not another container's", async () => {
    const { cached, queue } = setup({ concurrency: 1 });
    let release: () => void = () => undefined;
    cached.hold = new Promise<void>((resolve) => (release = resolve));
    await queue.enqueue(pod("a"), "a", "c1");
    await queue.enqueue(pod("b"), "b", "c2");
    await queue.enqueue(pod("c"), "c", "c3");
    expect(queue.forgetContainer("c2")).toBe(true);
    expect(queue.forgetContainer("c2")).toBe(false);
    cached.hold = undefined;
    release();
    await queue.idle();
    expect(cached.writes.map((w) => w.value)).toEqual(["a", "c"]);
    expect(queue.stats().dropped).toBe(1);
  });

  it("writes inline (and fails the call with its error) once maxPending pods are queued", async () => {
    const { cached, queue } = setup({ concurrency: 1, maxPending: 1 });
    let release: () => void = () => undefined;
    cached.hold = new Promise<void>((resolve) => (release = resolve));
    await queue.enqueue(pod("a"), "a", "c1"); // running
    await queue.enqueue(pod("b"), "b", "c2"); // queued: 1 pending
    let inlineDone = false;
    const inline = queue.enqueue(pod("c"), "c", "c3").then(() => (inlineDone = true));
    await flushMicrotasks();
    expect(inlineDone).toBe(false);
    expect(cached.writes.map((w) => w.value)).toEqual(["a", "c"]);
    cached.hold = undefined;
    release();
    await inline;
    await queue.idle();
    expect(queue.stats()).toMatchObject({ inline: 1, written: 3 });
    cached.hold = new Promise<void>((resolve) => (release = resolve));
    await queue.enqueue(pod("a"), "a2", "c5"); // running again
    await queue.enqueue(pod("b"), "b2", "c6"); // full again
    cached.hold = undefined;
    cached.failures = [new Error("API down")];
    await expect(queue.enqueue(pod("d"), "d", "c7")).rejects.toThrow("API down");
    release();
    await queue.idle();
  });

  it("stop gives queued writes, retries waiting for their time too, one more attempt", async () => {
    const { cached, fresh, queue, log } = setup();
    cached.failures = [new Error("flaky")];
    await queue.enqueue(pod("a"), "a", "c1");
    await flushMicrotasks();
    fresh.failures = [new Error("still failing")];
    await queue.enqueue(pod("b"), "b", "c2");
    await queue.stop();
    expect(fresh.writes).toEqual([{ pod: "ns/a", value: "a" }]);
    expect(cached.writes.map((w) => w.value)).toEqual(["a", "b"]);
    expect(queue.stats()).toMatchObject({ written: 1, failed: 1, pending: 0 });
    expect(log.lines().map((l) => l.msg)).toContain("network-status write failed; giving up");
    await queue.enqueue(pod("c"), "c", "c3"); // after stop: written inline
    expect(cached.writes.map((w) => w.value)).toEqual(["a", "b", "c"]);
  });
});
