import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "../../../src/k8s/api-error.ts";
import { Informer } from "../../../src/k8s/informer.ts";
import type { InformerOptions } from "../../../src/k8s/informer.ts";
import { indexBySpecNodeName } from "../../../src/k8s/informer-store.ts";
import type { KubeObject } from "../../../src/k8s/types.ts";
import { FakeClock } from "../../fakes/clock.ts";
import { FakeListWatch, until } from "../../fakes/kube-list-watch.ts";
import { captureLogger } from "../../fakes/logger.ts";

interface Pod extends KubeObject {
  spec?: { nodeName?: string };
}

function pod(name: string, rv: string, nodeName?: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", resourceVersion: rv },
    ...(nodeName === undefined ? {} : { spec: { nodeName } }),
  };
}

function gone(): ApiError {
  return new ApiError({ status: 410, reason: "Expired", message: "too old resource version: 1 (5)" });
}

const name = (p: Pod): string => `${p.metadata?.name}@${p.metadata?.resourceVersion}`;

/** An informer over a fake ListWatch and a fake clock, recording what its handler is told. */
function setup(extra: Partial<InformerOptions<Pod>> = {}) {
  const lw = new FakeListWatch<Pod>();
  const clock = new FakeClock();
  const log = captureLogger();
  const events: string[] = [];
  const informer = new Informer<Pod>({
    listWatch: lw,
    name: "pods",
    clock,
    logger: log.logger,
    random: () => 0,
    ...extra,
  });
  informer.addEventHandler({
    onAdd: (p, initial) => void events.push(`add ${name(p)}${initial ? " (initial)" : ""}`),
    onUpdate: (o, p) => void events.push(`update ${name(o)} -> ${name(p)}`),
    onDelete: (p, info) => void events.push(`delete ${name(p)}${info.finalStateUnknown ? " (missed)" : ""}`),
  });
  const abort = new AbortController();
  running.push(informer);
  return { lw, clock, informer, events, abort, log };
}

const running: Informer<Pod>[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((i) => i.stop()));
});

describe("Informer list then watch", () => {
  it("lists from RV 0, watches from the list's RV with bookmarks and a 5-10 minute timeout, and reports changes in order", async () => {
    const { lw, informer, events, abort } = setup();
    lw.replyList({ items: [pod("a", "10")], resourceVersion: "10" });
    informer.start(abort.signal);
    await informer.waitForSync();
    expect(lw.listCalls).toEqual([{ resourceVersion: "0" }]);
    expect(events).toEqual(["add a@10 (initial)"]);

    const watch = await lw.waitForWatch(1);
    expect(watch.opts).toMatchObject({ resourceVersion: "10", allowWatchBookmarks: true });
    expect(watch.opts.timeoutSeconds).toBeGreaterThanOrEqual(300);
    expect(watch.opts.timeoutSeconds).toBeLessThan(600);

    watch.push(
      { type: "ADDED", object: pod("b", "11") },
      { type: "MODIFIED", object: pod("a", "12") },
      { type: "DELETED", object: pod("b", "13") },
    );
    await until(() => events.length === 4, "four events");
    expect(events).toEqual(["add a@10 (initial)", "add b@11", "update a@10 -> a@12", "delete b@13"]);
    expect(informer.list().map(name)).toEqual(["a@12"]);
    expect(informer.get("default/a")?.metadata?.resourceVersion).toBe("12");
    expect(informer.lastSyncResourceVersion()).toBe("13");
  });

  it("is not synced until the first list has been delivered, and waitForSync rejects when stopped first", async () => {
    const { lw, informer, abort } = setup();
    informer.start(abort.signal);
    await lw.waitForListCalls(1);
    expect(informer.hasSynced()).toBe(false);
    const waiting = informer.waitForSync();
    abort.abort();
    await expect(waiting).rejects.toThrow(/stopped before it synced/);
  });

  it("passes label and field selectors to list and watch", async () => {
    const { lw, informer, abort } = setup({ labelSelector: "app=x", fieldSelector: "spec.nodeName=n1" });
    lw.replyList({ items: [], resourceVersion: "5" });
    informer.start(abort.signal);
    await lw.waitForWatch(1);
    expect(lw.listCalls[0]).toMatchObject({ labelSelector: "app=x", fieldSelector: "spec.nodeName=n1" });
    expect(lw.watchCalls[0]).toMatchObject({ labelSelector: "app=x", fieldSelector: "spec.nodeName=n1" });
  });
});

describe("Informer relist on 410 Gone", () => {
  const cases = [
    {
      name: "HTTP 410 when the watch starts",
      breakWatch: (lw: FakeListWatch<Pod>) => lw.failNextWatch(gone()),
    },
    {
      name: "an ERROR event with code 410 in the stream",
      breakWatch: (lw: FakeListWatch<Pod>) => {
        void lw.waitForWatch(1).then((w) =>
          w.push({
            type: "ERROR",
            object: { kind: "Status", code: 410, reason: "Expired", message: "too old" },
          }),
        );
      },
    },
  ];
  it.each(cases)("after $name, relists from the last RV and reconciles the store", async ({ breakWatch }) => {
    const { lw, clock, informer, events, abort } = setup();
    lw.replyList({ items: [pod("a", "10"), pod("b", "11")], resourceVersion: "11" });
    breakWatch(lw);
    informer.start(abort.signal);
    await informer.waitForSync();
    await lw.waitForWatchCalls(1);
    // While we were not watching: a changed, b deleted, c created.
    lw.replyList({ items: [pod("a", "20"), pod("c", "21")], resourceVersion: "22" });
    await clock.waitForTimers(1);
    await clock.advanceAsync(800); // the reflector's first backoff
    await lw.waitForListCalls(2);
    expect(lw.listCalls[1]).toEqual({ resourceVersion: "11" });
    await until(() => events.length === 5, "relist events");
    expect(events.slice(2)).toEqual(["update a@10 -> a@20", "add c@21", "delete b@11 (missed)"]);
    expect(informer.list().map(name).sort()).toEqual(["a@20", "c@21"]);
    await lw.waitForWatchCalls(2);
    expect(lw.watchCalls[1]?.resourceVersion).toBe("22");
  });

  it('lists at RV "" (consistent read) when a list at the last RV is itself 410', async () => {
    const { lw, clock, informer, abort } = setup();
    lw.replyList({ items: [pod("a", "10")], resourceVersion: "10" });
    lw.failNextWatch(gone());
    informer.start(abort.signal);
    await lw.waitForWatchCalls(1);
    lw.replyList(gone(), { items: [], resourceVersion: "30" });
    await clock.waitForTimers(1);
    await clock.advanceAsync(800);
    await lw.waitForWatch(1);
    expect(lw.listCalls.map((c) => c.resourceVersion)).toEqual(["0", "10", ""]);
    expect(informer.list()).toEqual([]);
  });
});

describe("Informer watch resumption", () => {
  it("moves the RV on a bookmark and resumes from it when the watch times out, without relisting", async () => {
    const { lw, informer, events, abort, clock } = setup();
    lw.replyList({ items: [pod("a", "10")], resourceVersion: "10" });
    informer.start(abort.signal);
    const first = await lw.waitForWatch(1);
    first.push({ type: "BOOKMARK", object: { kind: "Pod", metadata: { resourceVersion: "50" } } });
    await first.drained();
    expect(informer.lastSyncResourceVersion()).toBe("50");
    clock.advance(300_000);
    first.end();
    const second = await lw.waitForWatch(2);
    expect(second.opts.resourceVersion).toBe("50");
    expect(lw.listCalls).toHaveLength(1);
    expect(events).toEqual(["add a@10 (initial)"]);
  });

  it("resumes from the last event's RV when the stream breaks after events", async () => {
    const { lw, informer, abort } = setup();
    lw.replyList({ items: [], resourceVersion: "10" });
    informer.start(abort.signal);
    const first = await lw.waitForWatch(1);
    first.push({ type: "ADDED", object: pod("a", "11") });
    first.fail(new Error("socket hang up"));
    const second = await lw.waitForWatch(2);
    expect(second.opts.resourceVersion).toBe("11");
    expect(lw.listCalls).toHaveLength(1);
  });

  it("treats a watch that closes at once with no events as a failure: backoff, then relist", async () => {
    const { lw, clock, informer, abort, log } = setup();
    lw.replyList({ items: [], resourceVersion: "10" }, { items: [], resourceVersion: "12" });
    informer.start(abort.signal);
    (await lw.waitForWatch(1)).end();
    await clock.waitForTimers(1);
    expect(lw.listCalls).toHaveLength(1);
    await clock.advanceAsync(800);
    await lw.waitForWatch(2);
    expect(lw.listCalls).toHaveLength(2);
    expect(log.lines().some((l) => String(l.err).includes("very short watch"))).toBe(true);
  });

  it("retries the watch (not the list) after a backoff when the connection is refused", async () => {
    const { lw, clock, informer, abort } = setup();
    lw.replyList({ items: [], resourceVersion: "10" });
    const refused = new Error("GET /api/v1/pods: connect ECONNREFUSED", { cause: { code: "ECONNREFUSED" } });
    lw.failNextWatch(refused).failNextWatch(refused);
    informer.start(abort.signal);
    await lw.waitForWatchCalls(1);
    await clock.waitForTimers(1);
    expect(clock.pendingDueTimes()[0]! - clock.now()).toBe(800);
    await clock.advanceAsync(800);
    await lw.waitForWatchCalls(2);
    await clock.waitForTimers(1);
    expect(clock.pendingDueTimes()[0]! - clock.now()).toBe(1600); // doubled
    await clock.advanceAsync(1600);
    const watch = await lw.waitForWatch(1);
    expect(watch.opts.resourceVersion).toBe("10");
    expect(lw.listCalls).toHaveLength(1);
  });
});

describe("Informer resync, indexes and handlers", () => {
  it("re-delivers every cached object as an update each resync period", async () => {
    const { lw, clock, informer, events, abort } = setup({ resyncPeriodMs: 30_000 });
    lw.replyList({ items: [pod("a", "10"), pod("b", "11")], resourceVersion: "11" });
    informer.start(abort.signal);
    await informer.waitForSync();
    await clock.advanceAsync(30_000);
    await until(() => events.length === 4, "resync updates");
    expect(events.slice(2)).toEqual(["update a@10 -> a@10", "update b@11 -> b@11"]);
  });

  it("keeps an index by spec.nodeName current through adds, moves and deletes", async () => {
    const { lw, informer, abort, events } = setup({ indexers: { node: indexBySpecNodeName } });
    lw.replyList({ items: [pod("a", "1", "n1"), pod("b", "2", "n1"), pod("c", "3")], resourceVersion: "3" });
    informer.start(abort.signal);
    await informer.waitForSync();
    expect(informer.byIndex("node", "n1").map(name)).toEqual(["a@1", "b@2"]);
    const watch = await lw.waitForWatch(1);
    watch.push(
      { type: "MODIFIED", object: pod("b", "4", "n2") },
      { type: "DELETED", object: pod("a", "5", "n1") },
    );
    await until(() => events.length === 5, "move and delete");
    expect(informer.byIndex("node", "n1")).toEqual([]);
    expect(informer.byIndex("node", "n2").map(name)).toEqual(["b@4"]);
    expect(informer.indexValues("node")).toEqual(["n2"]);
  });

  it("calls handlers one at a time in order, and logs a throwing handler without stopping", async () => {
    const { lw, informer, abort, log } = setup();
    const seen: string[] = [];
    let release: () => void = () => undefined;
    let active = 0;
    informer.addEventHandler({
      onAdd: async (p) => {
        active++;
        try {
          if (active !== 1) seen.push("overlap!");
          seen.push(`start ${name(p)}`);
          if (p.metadata?.name === "a") await new Promise<void>((resolve) => (release = resolve));
          if (p.metadata?.name === "b") throw new Error("handler bug");
          seen.push(`end ${name(p)}`);
        } finally {
          active--;
        }
      },
    });
    lw.replyList({ items: [pod("a", "1"), pod("b", "2"), pod("c", "3")], resourceVersion: "3" });
    informer.start(abort.signal);
    await until(() => seen.length === 1, "first handler call");
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(["start a@1"]);
    expect(informer.hasSynced()).toBe(false);
    release();
    await informer.waitForSync();
    expect(seen).toEqual(["start a@1", "end a@1", "start b@2", "start c@3", "end c@3"]);
    expect(log.lines().filter((l) => l.msg === "informer event handler failed")).toHaveLength(1);
  });

  it("tells a handler added after the sync about every cached object", async () => {
    const { lw, informer, abort } = setup();
    lw.replyList({ items: [pod("a", "1"), pod("b", "2")], resourceVersion: "2" });
    informer.start(abort.signal);
    await informer.waitForSync();
    const late: string[] = [];
    informer.addEventHandler({ onAdd: (p) => void late.push(name(p)) });
    await until(() => late.length === 2, "late handler catch-up");
    expect(late).toEqual(["a@1", "b@2"]);
  });
});

describe("Informer stop", () => {
  it("on abort ends the watch, aborts its signal, cancels every timer and resolves stop()", async () => {
    const { lw, clock, informer, abort } = setup({ resyncPeriodMs: 60_000 });
    lw.replyList({ items: [pod("a", "1")], resourceVersion: "1" });
    informer.start(abort.signal);
    const watch = await lw.waitForWatch(1);
    expect(clock.pendingTimers()).toBe(1); // the resync ticker
    abort.abort();
    await informer.stop();
    expect(watch.closed).toBe(true);
    expect(lw.openCalls()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("stops while waiting out a backoff", async () => {
    const { lw, clock, informer, abort } = setup();
    lw.replyList(new Error("apiserver down"));
    informer.start(abort.signal);
    await clock.waitForTimers(1);
    await informer.stop();
    expect(clock.pendingTimers()).toBe(0);
    expect(lw.openCalls()).toBe(0);
  });
});
