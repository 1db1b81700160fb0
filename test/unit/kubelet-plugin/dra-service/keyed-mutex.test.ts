// Per-key serialization: one key's work in arrival order, other keys concurrently.
import { describe, expect, it } from "vitest";
import { KeyedMutex } from "../../../../src/kubelet-plugin/dra-service/keyed-mutex.ts";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("KeyedMutex", () => {
  it("runs work for one key one at a time, in arrival order", async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    const first = deferred();
    const p1 = mutex.run("k", async () => {
      order.push("1 start");
      await first.promise;
      order.push("1 end");
    });
    const p2 = mutex.run("k", async () => {
      order.push("2 start");
      return Promise.resolve(2);
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(order).toEqual(["1 start"]);
    first.resolve();
    await expect(p2).resolves.toBe(2);
    await p1;
    expect(order).toEqual(["1 start", "1 end", "2 start"]);
    expect(mutex.activeKeys).toBe(0);
  });

  it("lets different keys run at the same time", async () => {
    const mutex = new KeyedMutex();
    const held = deferred();
    const started: string[] = [];
    const p1 = mutex.run("a", async () => {
      started.push("a");
      await held.promise;
    });
    const p2 = mutex.run("b", async () => {
      started.push("b");
      await held.promise;
    });
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(["a", "b"]);
    held.resolve();
    await Promise.all([p1, p2]);
  });

  it("keeps going after a failure", async () => {
    const mutex = new KeyedMutex();
    const failing = mutex.run("k", () => Promise.reject(new Error("boom")));
    const next = mutex.run("k", () => Promise.resolve("ok"));
    await expect(failing).rejects.toThrow("boom");
    await expect(next).resolves.toBe("ok");
  });
});
