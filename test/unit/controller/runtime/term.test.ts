// One term's work: informers start with the term and stop after the controllers drained; one
// controller failing stops the others and the error goes up (Leadership restarts the term); a term
// ended by its signal ends quietly. Also the ListWatch transform informers read through.
import { describe, expect, it } from "vitest";
import { mapListWatch, metadataOnly } from "../../../../src/controller/runtime/mapped-list-watch.ts";
import { runTerm, unsyncedInformers } from "../../../../src/controller/runtime/term.ts";
import type { TermInformer } from "../../../../src/controller/runtime/term.ts";
import type { ListWatch } from "../../../../src/k8s/list-watch.ts";
import type { KubeObject, WatchEvent } from "../../../../src/k8s/types.ts";

class FakeInformer implements TermInformer {
  log: string[];
  name: string;
  synced = false;
  constructor(name: string, log: string[]) {
    this.name = name;
    this.log = log;
  }
  start(): void {
    this.log.push(`start ${this.name}`);
  }
  stop(): Promise<void> {
    this.log.push(`stop ${this.name}`);
    return Promise.resolve();
  }
  hasSynced(): boolean {
    return this.synced;
  }
  waitForSync(): Promise<void> {
    return Promise.resolve();
  }
}

async function* streamOf<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) {
    await Promise.resolve();
    yield item;
  }
}

const untilAborted = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));

describe("runTerm", () => {
  it("starts informers, runs controllers until the term ends, then stops the informers", async () => {
    const log: string[] = [];
    const informers = { a: new FakeInformer("a", log), b: new FakeInformer("b", log) };
    informers.a.synced = true;
    expect(unsyncedInformers({ informers })).toEqual(["b"]);
    const term = new AbortController();
    const done = runTerm(
      {
        informers,
        controllers: [
          {
            name: "c",
            run: async (signal) => {
              log.push("c runs");
              await untilAborted(signal);
              log.push("c drained");
            },
          },
        ],
      },
      term.signal,
    );
    term.abort();
    await expect(done).resolves.toBeUndefined();
    expect(log).toEqual(["start a", "start b", "c runs", "c drained", "stop a", "stop b"]);
  });

  it("stops every controller when one fails and rethrows its error", async () => {
    const log: string[] = [];
    const done = runTerm(
      {
        informers: { a: new FakeInformer("a", log) },
        controllers: [
          { name: "bad", run: () => Promise.reject(new Error("informers did not sync")) },
          { name: "good", run: (signal) => untilAborted(signal).then(() => void log.push("good stopped")) },
        ],
      },
      new AbortController().signal,
    );
    await expect(done).rejects.toThrow("informers did not sync");
    expect(log).toEqual(["start a", "good stopped", "stop a"]);
  });
});

describe("mapListWatch and metadataOnly", () => {
  it("transforms listed and watched objects, passing bookmarks and errors through", async () => {
    const node: KubeObject = {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "n1", uid: "u1", resourceVersion: "5", annotations: { big: "x".repeat(100) } },
    };
    const events: WatchEvent<KubeObject>[] = [
      { type: "ADDED", object: node },
      { type: "BOOKMARK", object: { metadata: { resourceVersion: "9" } } },
      { type: "ERROR", object: { code: 410, reason: "Expired" } },
    ];
    const inner: ListWatch<KubeObject> = {
      list: () => Promise.resolve({ items: [node], resourceVersion: "5" }),
      watch: () => Promise.resolve(streamOf(events)),
    };
    const lw = mapListWatch(inner, metadataOnly);
    const signal = new AbortController().signal;
    const slim = {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "n1", uid: "u1", resourceVersion: "5" },
    };
    expect(await lw.list({ resourceVersion: "", signal })).toEqual({ items: [slim], resourceVersion: "5" });
    const seen: WatchEvent<KubeObject>[] = [];
    for await (const e of await lw.watch({
      resourceVersion: "5",
      allowWatchBookmarks: true,
      timeoutSeconds: 1,
      signal,
    })) {
      seen.push(e);
    }
    expect(seen).toEqual([{ type: "ADDED", object: slim }, events[1], events[2]]);
  });
});
