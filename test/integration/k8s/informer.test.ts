// Informers over the client wrapper against the stand-in API server: events for real changes, a
// relist after the history is compacted while the watch is down, selectors, bookmarks, request
// counts of a warm informer, and a clean stop.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubeClient } from "../../../src/k8s/client.ts";
import { Informer } from "../../../src/k8s/informer.ts";
import type { InformerOptions } from "../../../src/k8s/informer.ts";
import { RESOURCE_TYPES } from "../../../src/k8s/resource-path.ts";
import type { KubeObject } from "../../../src/k8s/types.ts";
import type { FakeApiServer, FakeApiServerOptions } from "../../harness/api-server/index.ts";
import { captureLogger } from "../../fakes/logger.ts";
import { clientFor, eventually, FAST_BACKOFF, startServer } from "./helpers.ts";

interface Pod extends KubeObject {
  spec?: { nodeName?: string; containers?: { name: string; image: string }[] };
}

let server: FakeApiServer;
let kube: KubeClient;
const informers: Informer<Pod>[] = [];

async function setup(options: FakeApiServerOptions = {}): Promise<void> {
  server = await startServer({ podGracefulDeletion: false, ...options });
  kube = clientFor(server, "informer-test");
}
beforeEach(async () => setup());
afterEach(async () => {
  await Promise.all(informers.splice(0).map((i) => i.stop()));
  await server.stop();
});

function pod(
  name: string,
  opts: { namespace?: string; nodeName?: string; labels?: Record<string, string> } = {},
): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: opts.namespace ?? "default", labels: opts.labels ?? {} },
    spec: {
      containers: [{ name: "c", image: "busybox" }],
      ...(opts.nodeName === undefined ? {} : { nodeName: opts.nodeName }),
    },
  };
}

/** A started pod informer that records its events as "add a", "update a", "delete a (missed)". */
function podInformer(opts: Partial<InformerOptions<Pod>> & { namespace?: string } = {}) {
  const { namespace, ...rest } = opts;
  const scope = namespace === undefined ? {} : { namespace };
  const informer = new Informer<Pod>({
    listWatch: kube.listWatch<Pod>(RESOURCE_TYPES.pods, scope),
    name: "pods",
    backoff: FAST_BACKOFF,
    ...rest,
  });
  const events: string[] = [];
  informer.addEventHandler({
    onAdd: (p) => void events.push(`add ${p.metadata?.name}`),
    onUpdate: (o, p) => void events.push(`update ${p.metadata?.name}${o === p ? " (resync)" : ""}`),
    onDelete: (p, info) =>
      void events.push(`delete ${p.metadata?.name}${info.finalStateUnknown ? " (missed)" : ""}`),
  });
  const abort = new AbortController();
  informer.start(abort.signal);
  informers.push(informer);
  return { informer, events, abort };
}

const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata?.name ?? "").sort();

describe("Informer on the stand-in", () => {
  it("sees pods created, updated and deleted", async () => {
    const pods = kube.resource<Pod>(RESOURCE_TYPES.pods);
    await pods.create(pod("before"));
    const { informer, events } = podInformer();
    await informer.waitForSync();
    expect(events).toEqual(["add before"]);

    const a = await pods.create(pod("a"));
    await pods.update({ ...a, metadata: { ...a.metadata, labels: { touched: "yes" } } });
    await pods.delete("before", { namespace: "default" });
    await eventually(() => events.length === 4, "three watch events");
    expect(events).toEqual(["add before", "add a", "update a", "delete before"]);
    expect(informer.get("default/a")?.metadata?.labels).toEqual({ touched: "yes" });
    expect(names(informer.list())).toEqual(["a"]);
  });

  it("relists after the history was compacted while its watch was down, reporting the missed delete", async () => {
    const pods = kube.resource<Pod>(RESOURCE_TYPES.pods);
    for (const name of ["a", "b"]) await pods.create(pod(name));
    const log = captureLogger({ level: "debug" });
    const { informer, events } = podInformer({ logger: log.logger });
    await informer.waitForSync();
    await pods.create(pod("c"));
    await eventually(() => events.includes("add c"), "the watch delivers c");

    // Keep the watch down (429s are retried without relisting) while things change and history goes.
    const healWatch = server.addFault({ match: { verb: "watch", resource: "pods" }, status: 429 });
    server.closeWatches();
    await eventually(
      () => server.requests().some((r) => r.verb === "watch" && r.status === 429),
      "a refused re-watch",
    );
    await pods.delete("b", { namespace: "default" });
    const c = await pods.get("c", { namespace: "default" });
    await pods.update({ ...c, metadata: { ...c.metadata, labels: { changed: "while-away" } } });
    server.compactHistory();
    const listsBefore = server.requestCount({ verb: "list", resource: "pods" });
    healWatch();

    await eventually(() => events.includes("delete b (missed)"), "the relist reports b deleted");
    expect(events.slice(events.indexOf("add c") + 1)).toEqual(["update c", "delete b (missed)"]);
    expect(server.requestCount({ verb: "list", resource: "pods" })).toBe(listsBefore + 1);
    expect(log.lines().map((l) => l.msg)).toContain("watch expired mid-stream; relisting");
    expect(names(informer.list())).toEqual(names(server.listObjects({ resource: "pods" }) as Pod[]));
    expect(informer.get("default/c")?.metadata?.labels).toEqual({ changed: "while-away" });
  });

  it("honours a field selector on list and watch", async () => {
    const pods = kube.resource<Pod>(RESOURCE_TYPES.pods);
    await pods.create(pod("on-1", { nodeName: "node-1" }));
    await pods.create(pod("on-2", { nodeName: "node-2" }));
    const { informer, events } = podInformer({ fieldSelector: "spec.nodeName=node-1" });
    await informer.waitForSync();
    await pods.create(pod("also-on-1", { nodeName: "node-1" }));
    await pods.create(pod("also-on-2", { nodeName: "node-2" }));
    await eventually(() => events.includes("add also-on-1"), "the watch delivers also-on-1");
    expect(names(informer.list())).toEqual(["also-on-1", "on-1"]);
    for (const verb of ["list", "watch"]) {
      const requests = server.requests().filter((r) => r.verb === verb && r.resource === "pods");
      expect(requests.length).toBeGreaterThan(0);
      expect(requests.every((r) => r.query.fieldSelector === "spec.nodeName=node-1")).toBe(true);
    }
  });

  it("makes no list calls once warm: watch timeouts resume from the last RV, bookmarks included", async () => {
    await server.stop();
    await setup({ bookmarkIntervalMs: 50 });
    const pods = kube.resource<Pod>(RESOURCE_TYPES.pods);
    const { informer, events } = podInformer({ namespace: "default" });
    await informer.waitForSync();
    server.resetRequests();

    for (let round = 0; round < 3; round++) {
      await pods.create(pod(`p${round}`));
      await eventually(() => events.includes(`add p${round}`), `add p${round}`);
      server.closeWatches(); // as the server's timeoutSeconds would
    }
    // Changes elsewhere move the global RV; a bookmark carries it to this namespace's watch.
    await pods.create(pod("elsewhere", { namespace: "kube-system" }));
    const globalRV = Number(server.resourceVersion);
    await eventually(() => Number(informer.lastSyncResourceVersion()) >= globalRV, "a bookmark moves the RV");
    server.closeWatches();
    await eventually(
      () => server.requests().some((r) => r.verb === "watch" && Number(r.query.resourceVersion) >= globalRV),
      "a watch resumed from the bookmark's RV",
    );

    expect(server.requestCount({ verb: "list", resource: "pods" })).toBe(0);
    expect(server.requestCount({ verb: "watch", resource: "pods" })).toBeGreaterThanOrEqual(4);
    const watches = server.requests().filter((r) => r.verb === "watch");
    expect(
      watches.every((r) => r.query.allowWatchBookmarks === "true" && Number(r.query.timeoutSeconds) >= 300),
    ).toBe(true);
  });

  it("closes its watch and stops on abort", async () => {
    const { informer, abort } = podInformer();
    await informer.waitForSync();
    await eventually(() => server.openWatches === 1, "the watch is open");
    abort.abort();
    await informer.stop();
    await eventually(() => server.openWatches === 0, "the server sees the watch close");
  });
});
