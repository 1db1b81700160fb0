// Admission and concurrency of CNI calls: the lanes' limits hold, a container's calls keep their order,
// a full queue refuses at once with "try again later", and STATUS is never held up.
import { describe, expect, it } from "vitest";
import { laneOf, QueueFullError, RequestQueue } from "../../../../src/cni/server/request-queue.ts";
import { toCniError } from "../../../../src/cni/protocol/errors.ts";

/** A call the test finishes by hand. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("laneOf", () => {
  it.each([
    ["ADD", "attach"],
    ["CHECK", "attach"],
    ["DEL", "detach"],
    ["GC", "detach"],
    ["STATUS", "status"],
    ["VERSION", "status"],
    ["BOGUS", "detach"],
  ])("%s runs in %s", (command, lane) => {
    expect(laneOf(command)).toBe(lane);
  });
});

describe("RequestQueue", () => {
  it("runs at most attachConcurrency calls of the lane at once, the rest in arrival order", async () => {
    const queue = new RequestQueue({ attachConcurrency: 2, maxQueued: 100 });
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const calls = gates.map((g, i) =>
      queue.run("attach", `c${i}`, async () => {
        started.push(i);
        peak = Math.max(peak, ++running);
        await g.promise;
        running--;
        return i;
      }),
    );
    await turn();
    expect(started).toEqual([0, 1]);
    expect(queue.stats()).toMatchObject({ running: 2, queued: 3 });
    for (const g of gates) g.open();
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(queue.stats()).toMatchObject({ running: 0, queued: 0, peakAdmitted: 5 });
  });

  it("keeps one container's calls in order: the DEL waits for the ADD, even in another lane", async () => {
    const queue = new RequestQueue({ attachConcurrency: 4, detachConcurrency: 4 });
    const add = gate();
    const order: string[] = [];
    const adding = queue.run("attach", "c1", async () => {
      order.push("ADD start");
      await add.promise;
      order.push("ADD end");
    });
    const deleting = queue.run("detach", "c1", () => {
      order.push("DEL");
      return Promise.resolve();
    });
    const other = queue.run("detach", "c2", () => {
      order.push("DEL other");
      return Promise.resolve();
    });
    await other;
    expect(order).toEqual(["ADD start", "DEL other"]);
    add.open();
    await Promise.all([adding, deleting]);
    expect(order).toEqual(["ADD start", "DEL other", "ADD end", "DEL"]);
  });

  it("goes on with a container's next call when the earlier one failed", async () => {
    const queue = new RequestQueue();
    const first = queue.run("attach", "c1", () => Promise.reject(new Error("boom")));
    const second = queue.run("detach", "c1", () => Promise.resolve("deleted"));
    await expect(first).rejects.toThrow("boom");
    expect(await second).toBe("deleted");
  });

  it("refuses at once beyond maxQueued waiting calls, with a code 11 error; STATUS still runs", async () => {
    const queue = new RequestQueue({ attachConcurrency: 1, detachConcurrency: 1, maxQueued: 2 });
    const g = gate();
    // 1 attach + 1 detach running, 2 waiting: full
    const admitted = [0, 1, 2, 3].map((i) =>
      queue.run(i === 0 ? "detach" : "attach", `c${i}`, () => g.promise),
    );
    await turn();
    const refused = queue.run("detach", "c9", () => Promise.resolve());
    await expect(refused).rejects.toBeInstanceOf(QueueFullError);
    const err = await refused.catch((e: unknown) => e);
    expect(toCniError(err).cniCode).toBe(11);
    expect(toCniError(err).msg).toMatch(/4 calls in hand already; try again later/);
    expect(await queue.run("status", "", () => Promise.resolve("ready"))).toBe("ready");
    expect(queue.stats().refused).toBe(1);
    g.open();
    await Promise.all(admitted);
    expect(await queue.run("detach", "c9", () => Promise.resolve("now"))).toBe("now");
  });

  it("does not let a lane full of ADDs hold up DELs", async () => {
    const queue = new RequestQueue({ attachConcurrency: 1, detachConcurrency: 1 });
    const g = gate();
    const add = queue.run("attach", "a", () => g.promise);
    expect(await queue.run("detach", "b", () => Promise.resolve("del"))).toBe("del");
    g.open();
    await add;
  });
});
