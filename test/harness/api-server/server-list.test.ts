import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeApiServer } from "./index.ts";
import { call } from "./test-client.ts";

let server: FakeApiServer;
let url: string;
beforeEach(async () => {
  server = new FakeApiServer({ watchHistoryLimit: 50 });
  await server.start();
  url = server.url;
});
afterEach(async () => {
  await server.stop();
});

function itemNames(body: Record<string, unknown>): string[] {
  return (body["items"] as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name);
}

function seedPods(): void {
  const pods: Array<{
    name: string;
    ns: string;
    node: string;
    phase: string;
    labels: Record<string, string>;
  }> = [
    { name: "a", ns: "default", node: "node-1", phase: "Running", labels: { app: "web" } },
    { name: "b", ns: "default", node: "node-2", phase: "Pending", labels: { app: "db" } },
    { name: "c", ns: "other", node: "node-1", phase: "Running", labels: { app: "web", tier: "x" } },
  ];
  server.seed({ apiVersion: "v1", kind: "Namespace", metadata: { name: "other" } });
  for (const p of pods) {
    server.seed({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: p.name, namespace: p.ns, labels: p.labels },
      spec: { nodeName: p.node, containers: [] },
      status: { phase: p.phase },
    });
  }
}

describe("list", () => {
  it("answers a typed list with the current resourceVersion, items without kind", async () => {
    seedPods();
    const reply = await call(url, "GET", "/api/v1/namespaces/default/pods");
    expect(reply.body).toMatchObject({
      kind: "PodList",
      apiVersion: "v1",
      metadata: { resourceVersion: server.resourceVersion },
    });
    expect(itemNames(reply.body)).toEqual(["a", "b"]);
    expect((reply.body["items"] as Array<Record<string, unknown>>)[0]?.["kind"]).toBeUndefined();
  });

  const selections = [
    { name: "all namespaces", path: "/api/v1/pods", want: ["a", "b", "c"] },
    { name: "label =", path: "/api/v1/pods?labelSelector=app%3Dweb", want: ["a", "c"] },
    { name: "label notin", path: "/api/v1/pods?labelSelector=app%20notin%20(web)", want: ["b"] },
    { name: "label exists", path: "/api/v1/pods?labelSelector=tier", want: ["c"] },
    { name: "label !exists", path: "/api/v1/pods?labelSelector=!tier", want: ["a", "b"] },
    { name: "spec.nodeName", path: "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1", want: ["a", "c"] },
    { name: "status.phase !=", path: "/api/v1/pods?fieldSelector=status.phase!%3DRunning", want: ["b"] },
    {
      name: "metadata.namespace",
      path: "/api/v1/pods?fieldSelector=metadata.namespace%3Dother",
      want: ["c"],
    },
    {
      name: "metadata.name in a namespace",
      path: "/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Db",
      want: ["b"],
    },
    {
      name: "labels and fields",
      path: "/api/v1/pods?labelSelector=app%3Dweb&fieldSelector=spec.nodeName%3Dnode-1,metadata.namespace%3Ddefault",
      want: ["a"],
    },
  ];
  it.each(selections)("selects by $name", async ({ path, want }) => {
    seedPods();
    const reply = await call(url, "GET", path);
    expect(reply.status).toBe(200);
    expect(itemNames(reply.body)).toEqual(want);
  });

  it("selects resourceslices by spec.driver and spec.nodeName", async () => {
    for (const [name, driver, nodeName] of [
      ["s1", "netclaim.dev", "n1"],
      ["s2", "other.dev", "n1"],
      ["s3", "netclaim.dev", "n2"],
    ]) {
      server.seed({
        apiVersion: "resource.k8s.io/v1",
        kind: "ResourceSlice",
        metadata: { name },
        spec: { driver, nodeName, pool: { name: "p", generation: 1, resourceSliceCount: 1 } },
      });
    }
    const reply = await call(
      url,
      "GET",
      "/apis/resource.k8s.io/v1/resourceslices?fieldSelector=spec.driver%3Dnetclaim.dev,spec.nodeName%3Dn2",
    );
    expect(itemNames(reply.body)).toEqual(["s3"]);
  });

  it("an unsupported field selector is 400 like the real one", async () => {
    const reply = await call(url, "GET", "/api/v1/pods?fieldSelector=spec.dnsPolicy%3DNone");
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({
      reason: "BadRequest",
      message: "field label not supported: spec.dnsPolicy",
    });
  });

  it("pages with limit/continue over a consistent snapshot", async () => {
    for (const name of ["a", "b", "c", "d", "e"])
      server.seed({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name, namespace: "default" },
        data: { v: "1" },
      });
    const first = await call(url, "GET", "/api/v1/namespaces/default/configmaps?limit=2");
    const listRv = (first.body["metadata"] as { resourceVersion: string }).resourceVersion;
    expect(itemNames(first.body)).toEqual(["a", "b"]);
    expect(first.body["metadata"]).toMatchObject({
      remainingItemCount: 3,
      continue: expect.any(String) as unknown,
    });
    // Changes between pages do not show: the list is served at the first page's resourceVersion.
    server.seed({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "bb", namespace: "default" } });
    server.seed({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", namespace: "default" },
      data: { v: "2" },
    });
    server.removeObject({ resource: "configmaps", namespace: "default", name: "d" });
    const token = (first.body["metadata"] as { continue: string }).continue;
    const second = await call(url, "GET", `/api/v1/namespaces/default/configmaps?limit=2&continue=${token}`);
    expect(itemNames(second.body)).toEqual(["c", "d"]);
    expect((second.body["items"] as Array<{ data: { v: string } }>)[0]?.data.v).toBe("1");
    expect((second.body["metadata"] as { resourceVersion: string }).resourceVersion).toBe(listRv);
    const token2 = (second.body["metadata"] as { continue: string }).continue;
    const third = await call(url, "GET", `/api/v1/namespaces/default/configmaps?limit=2&continue=${token2}`);
    expect(itemNames(third.body)).toEqual(["e"]);
    expect((third.body["metadata"] as { continue?: string }).continue).toBeUndefined();
  });

  it("a continue token older than the history is 410 Expired", async () => {
    for (const name of ["a", "b", "c"])
      server.seed({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" } });
    const first = await call(url, "GET", "/api/v1/namespaces/default/configmaps?limit=1");
    server.seed({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "z", namespace: "default" } });
    server.compactHistory();
    const token = (first.body["metadata"] as { continue: string }).continue;
    const reply = await call(url, "GET", `/api/v1/namespaces/default/configmaps?limit=1&continue=${token}`);
    expect(reply.status).toBe(410);
    expect(reply.body).toMatchObject({
      reason: "Expired",
      message: expect.stringContaining("The provided continue parameter is too old") as unknown,
    });
  });

  it("serves resourceVersionMatch=Exact from history", async () => {
    server.seed({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "default" } });
    const rv = server.resourceVersion;
    server.seed({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b", namespace: "default" } });
    const exact = await call(
      url,
      "GET",
      `/api/v1/namespaces/default/configmaps?resourceVersion=${rv}&resourceVersionMatch=Exact`,
    );
    expect(itemNames(exact.body)).toEqual(["a"]);
    const notOlder = await call(
      url,
      "GET",
      `/api/v1/namespaces/default/configmaps?resourceVersion=${rv}&resourceVersionMatch=NotOlderThan`,
    );
    expect(itemNames(notOlder.body)).toEqual(["a", "b"]);
  });

  const rvErrors = [
    {
      name: "Exact below the history",
      query: () => "resourceVersion=2&resourceVersionMatch=Exact",
      compact: true,
      code: 410,
      reason: "Expired",
    },
    {
      name: "a version from the future",
      query: () => `resourceVersion=${Number(server.resourceVersion) + 10}`,
      code: 504,
      reason: "Timeout",
    },
    {
      name: "resourceVersionMatch without resourceVersion",
      query: () => "resourceVersionMatch=NotOlderThan",
      code: 422,
      reason: "Invalid",
    },
    {
      name: "continue with resourceVersion",
      query: () => "continue=abc&resourceVersion=5",
      code: 400,
      reason: "BadRequest",
    },
    { name: "a malformed continue token", query: () => "continue=abc", code: 400, reason: "BadRequest" },
  ];
  it.each(rvErrors)("$name → $code", async ({ query, compact, code, reason }) => {
    server.seed({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "default" } });
    if (compact === true) server.compactHistory();
    const reply = await call(url, "GET", `/api/v1/namespaces/default/configmaps?${query()}`);
    expect(reply.status).toBe(code);
    expect(reply.body["reason"]).toBe(reason);
  });
});
