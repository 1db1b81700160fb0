import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeApiServer } from "./index.ts";
import { call, WatchReader } from "./test-client.ts";
import type { WatchEvent } from "./test-client.ts";

let server: FakeApiServer;
let url: string;
const readers: WatchReader[] = [];
beforeEach(async () => {
  server = new FakeApiServer({ watchHistoryLimit: 20, bookmarkIntervalMs: 20 });
  await server.start();
  url = server.url;
});
afterEach(async () => {
  for (const reader of readers.splice(0)) reader.close();
  await server.stop();
});

async function open(path: string): Promise<WatchReader> {
  const reader = await WatchReader.open(url, path);
  readers.push(reader);
  return reader;
}

const CMS = "/api/v1/namespaces/default/configmaps";

function cm(
  name: string,
  data: Record<string, string> = {},
  labels?: Record<string, string>,
): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default", ...(labels === undefined ? {} : { labels }) },
    data,
  };
}

function summary(events: WatchEvent[]): string[] {
  return events.map((e) => `${e.type} ${e.object.metadata?.name ?? ""}`);
}

describe("watch", () => {
  it("streams ADDED/MODIFIED/DELETED as newline-delimited JSON with kind and apiVersion", async () => {
    const rv = server.resourceVersion;
    const watch = await open(`${CMS}?watch=true&resourceVersion=${rv}`);
    expect(watch.status).toBe(200);
    await call(url, "POST", CMS, cm("a"));
    await call(url, "PUT", `${CMS}/a`, cm("a", { k: "v" }));
    await call(url, "DELETE", `${CMS}/a`);
    const events = await watch.next(3);
    expect(summary(events)).toEqual(["ADDED a", "MODIFIED a", "DELETED a"]);
    expect(events[0]?.object).toMatchObject({ kind: "ConfigMap", apiVersion: "v1" });
    const rvs = events.map((e) => Number(e.object.metadata?.resourceVersion));
    expect(rvs[2]).toBeGreaterThan(rvs[1] ?? 0);
    expect(String(rvs[2])).toBe(server.resourceVersion);
  });

  it("without resourceVersion starts with ADDED for what exists", async () => {
    server.seed(cm("a"));
    server.seed(cm("b"));
    const watch = await open(`${CMS}?watch=true`);
    expect(summary(await watch.next(2))).toEqual(["ADDED a", "ADDED b"]);
  });

  it("resumes from a resourceVersion with the changes after it", async () => {
    server.seed(cm("a"));
    const rv = server.resourceVersion;
    server.seed(cm("b"));
    server.seed(cm("a", { k: "2" }));
    const watch = await open(`${CMS}?watch=true&resourceVersion=${rv}`);
    expect(summary(await watch.next(2))).toEqual(["ADDED b", "MODIFIED a"]);
  });

  it("answers a too old resourceVersion with a 410 ERROR event and ends", async () => {
    server.seed(cm("a"));
    const rv = server.resourceVersion;
    server.seed(cm("b"));
    server.compactHistory();
    const watch = await open(`${CMS}?watch=true&resourceVersion=${rv}`);
    await watch.untilEnded();
    expect(watch.status).toBe(200);
    expect(watch.events).toEqual([
      {
        type: "ERROR",
        object: {
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Failure",
          message: `too old resource version: ${rv} (${server.resourceVersion})`,
          reason: "Expired",
          code: 410,
        },
      },
    ]);
  });

  it("forgets the oldest events past watchHistoryLimit", async () => {
    const rv = server.resourceVersion;
    for (let i = 0; i < 25; i++) server.seed(cm("a", { i: String(i) }));
    const watch = await open(`${CMS}?watch=true&resourceVersion=${rv}`);
    expect((await watch.next(1))[0]).toMatchObject({ type: "ERROR", object: { code: 410 } });
  });

  it("sends BOOKMARKs with the current resourceVersion when asked", async () => {
    const watch = await open(
      `${CMS}?watch=true&allowWatchBookmarks=true&resourceVersion=${server.resourceVersion}`,
    );
    server.seed({ apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "default" } });
    const rvAfterSecret = server.resourceVersion;
    const [bookmark] = await watch.next(1);
    expect(bookmark).toEqual({
      type: "BOOKMARK",
      object: { kind: "ConfigMap", apiVersion: "v1", metadata: { resourceVersion: rvAfterSecret } },
    });
  });

  it("sends no BOOKMARK unless asked", async () => {
    const watch = await open(`${CMS}?watch=true&resourceVersion=${server.resourceVersion}&timeoutSeconds=1`);
    await watch.untilEnded();
    expect(watch.events).toEqual([]);
  });

  it("ends after timeoutSeconds", async () => {
    const watch = await open(`${CMS}?watch=true&timeoutSeconds=1`);
    await watch.untilEnded();
    expect(watch.ended).toBe(true);
    expect(server.openWatches).toBe(0);
  });

  it("applies selectors per watcher: leaving the selection is DELETED, entering it ADDED", async () => {
    const watch = await open(
      `${CMS}?watch=true&labelSelector=app%3Dweb&resourceVersion=${server.resourceVersion}`,
    );
    server.seed(cm("a", {}, { app: "db" }));
    server.seed(cm("a", {}, { app: "web" }));
    server.seed(cm("a", { x: "1" }, { app: "web" }));
    server.seed(cm("a", {}, { app: "db" }));
    server.seed(cm("b", {}, { app: "web" }));
    expect(summary(await watch.next(4))).toEqual(["ADDED a", "MODIFIED a", "DELETED a", "ADDED b"]);
  });

  it("filters by namespace, field selector and named path", async () => {
    server.seed({ apiVersion: "v1", kind: "Namespace", metadata: { name: "other" } });
    const rv = server.resourceVersion;
    const byField = await open(
      `/api/v1/configmaps?watch=true&fieldSelector=metadata.name%3Db&resourceVersion=${rv}`,
    );
    const inDefault = await open(`${CMS}?watch=true&resourceVersion=${rv}`);
    server.seed({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b", namespace: "other" } });
    server.seed(cm("a"));
    server.seed(cm("b"));
    expect(
      (await byField.next(2)).map(
        (e) => `${e.object.metadata?.namespace ?? ""}/${e.object.metadata?.name ?? ""}`,
      ),
    ).toEqual(["other/b", "default/b"]);
    expect(summary(await inDefault.next(2))).toEqual(["ADDED a", "ADDED b"]);
  });

  it("rejects a bad selector before streaming", async () => {
    const reply = await call(url, "GET", `${CMS}?watch=true&fieldSelector=data.x%3D1`);
    expect(reply.status).toBe(400);
  });

  it("stop() ends open watches and does not hang", async () => {
    const watch = await open(`${CMS}?watch=true`);
    await server.stop();
    await watch.untilEnded();
    expect(watch.ended).toBe(true);
  });

  it("closeWatches() ends watches so clients re-watch", async () => {
    const watch = await open(`${CMS}?watch=true`);
    expect(server.openWatches).toBe(1);
    server.closeWatches();
    await watch.untilEnded();
    expect(server.openWatches).toBe(0);
  });
});
