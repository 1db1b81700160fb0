import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeApiServer } from "./index.ts";
import { call, pod } from "./test-client.ts";

let server: FakeApiServer;
let url: string;
beforeEach(async () => {
  server = new FakeApiServer();
  await server.start();
  url = server.url;
});
afterEach(async () => {
  await server.stop();
});

const PODS = "/api/v1/namespaces/default/pods";
const CMS = "/api/v1/namespaces/default/configmaps";

function meta(body: Record<string, unknown>): Record<string, unknown> {
  return body["metadata"] as Record<string, unknown>;
}

describe("delete", () => {
  it("answers a Status for kinds that do not return the object, the object for those that do", async () => {
    await call(url, "POST", CMS, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } });
    const cm = await call(url, "DELETE", `${CMS}/c`);
    expect(cm.body).toMatchObject({
      kind: "Status",
      status: "Success",
      details: { name: "c", kind: "configmaps" },
    });
    await call(url, "POST", PODS, pod("p"));
    const p = await call(url, "DELETE", `${PODS}/p`);
    expect(p.body).toMatchObject({ kind: "Pod", metadata: { name: "p" } });
    expect((await call(url, "DELETE", `${PODS}/p`)).status).toBe(404);
  });

  it("keeps an object with finalizers until they are removed", async () => {
    const created = await call(
      url,
      "POST",
      PODS,
      pod("p", { metadata: { name: "p", finalizers: ["netclaim.dev/x"] } }),
    );
    const deleting = await call(url, "DELETE", `${PODS}/p`);
    expect(deleting.status).toBe(200);
    expect(meta(deleting.body)).toMatchObject({
      deletionTimestamp: expect.any(String) as unknown,
      deletionGracePeriodSeconds: 0,
      generation: 2,
    });
    expect(meta(created.body)["deletionTimestamp"]).toBeUndefined();
    expect((await call(url, "GET", `${PODS}/p`)).status).toBe(200);
    const adding = await call(
      url,
      "PATCH",
      `${PODS}/p`,
      { metadata: { finalizers: ["netclaim.dev/x", "new"] } },
      "application/merge-patch+json",
    );
    expect(adding.status).toBe(422);
    const cleared = await call(
      url,
      "PATCH",
      `${PODS}/p`,
      { metadata: { finalizers: null } },
      "application/merge-patch+json",
    );
    expect(cleared.status).toBe(200);
    expect((await call(url, "GET", `${PODS}/p`)).status).toBe(404);
  });

  const preconditions = [
    {
      name: "uid",
      pre: { uid: "wrong" },
      message: /Precondition failed: UID in precondition: wrong, UID in object meta: /,
    },
    {
      name: "resourceVersion",
      pre: { resourceVersion: "1" },
      message: /Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: \d+/,
    },
  ];
  it.each(preconditions)("a failed $name precondition is 409", async ({ pre, message }) => {
    await call(url, "POST", CMS, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } });
    const reply = await call(url, "DELETE", `${CMS}/c`, {
      kind: "DeleteOptions",
      apiVersion: "v1",
      preconditions: pre,
    });
    expect(reply.status).toBe(409);
    expect(String(reply.body["message"])).toMatch(message);
  });

  it("deletes pods bound to a node gracefully, and at once with gracePeriodSeconds=0", async () => {
    await call(
      url,
      "POST",
      PODS,
      pod("p", { spec: { nodeName: "node-a", containers: [{ name: "c", image: "x" }] } }),
    );
    const graceful = await call(url, "DELETE", `${PODS}/p`);
    expect(meta(graceful.body)).toMatchObject({
      deletionGracePeriodSeconds: 30,
      deletionTimestamp: expect.any(String) as unknown,
    });
    expect((await call(url, "GET", `${PODS}/p`)).status).toBe(200);
    expect((await call(url, "DELETE", `${PODS}/p?gracePeriodSeconds=0`)).status).toBe(200);
    expect((await call(url, "GET", `${PODS}/p`)).status).toBe(404);
  });

  it("deletecollection deletes what the selector matches", async () => {
    for (const [name, app] of [
      ["a", "x"],
      ["b", "x"],
      ["c", "y"],
    ] as const) {
      await call(url, "POST", CMS, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name, labels: { app } },
      });
    }
    const reply = await call(url, "DELETE", `${CMS}?labelSelector=app%3Dx`);
    expect(reply.body).toMatchObject({
      kind: "ConfigMapList",
      items: [{ metadata: { name: "a" } }, { metadata: { name: "b" } }],
    });
    expect(server.listObjects({ resource: "configmaps" }, "default").map((o) => o.metadata?.name)).toEqual([
      "c",
    ]);
    expect(server.requestCount({ verb: "deletecollection" })).toBe(1);
  });

  it("deleting a namespace deletes what is in it", async () => {
    await call(url, "POST", "/api/v1/namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "team" },
    });
    await call(url, "POST", "/api/v1/namespaces/team/configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c" },
    });
    expect((await call(url, "DELETE", "/api/v1/namespaces/team")).status).toBe(200);
    expect(server.listObjects({ resource: "configmaps" }, "team")).toEqual([]);
  });
});
