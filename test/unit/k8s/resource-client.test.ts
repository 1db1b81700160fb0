import { describe, expect, it } from "vitest";
import { isAlreadyExists, isConflict, isGone, isNotFound } from "../../../src/k8s/api-error.ts";
import { GenericResourceClient } from "../../../src/k8s/resource-client.ts";
import type { PatchType } from "../../../src/k8s/resource-client.ts";
import { RESOURCE_TYPES } from "../../../src/k8s/resource-path.ts";
import type { KubeObject, WatchEvent } from "../../../src/k8s/types.ts";
import { FakeTransport } from "../../fakes/kube-transport.ts";

function clients() {
  const transport = new FakeTransport();
  return {
    transport,
    pods: new GenericResourceClient<KubeObject>({ transport, type: RESOURCE_TYPES.pods }),
    slices: new GenericResourceClient<KubeObject>({ transport, type: RESOURCE_TYPES.resourceSlices }),
    claims: new GenericResourceClient<KubeObject>({ transport, type: RESOURCE_TYPES.resourceClaims }),
  };
}

const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns", resourceVersion: "7" } };

describe("GenericResourceClient requests", () => {
  it.each([
    {
      name: "get a namespaced core object",
      call: (c: ReturnType<typeof clients>) => c.pods.get("p", { namespace: "ns" }),
      want: { method: "GET", path: "/api/v1/namespaces/ns/pods/p" },
    },
    {
      name: "get a cluster-scoped object of a group",
      call: (c: ReturnType<typeof clients>) => c.slices.get("node-1-abc"),
      want: { method: "GET", path: "/apis/resource.k8s.io/v1/resourceslices/node-1-abc" },
    },
    {
      name: "list across namespaces with selectors, RV and paging",
      call: (c: ReturnType<typeof clients>) =>
        c.pods.list({
          labelSelector: "app=x",
          fieldSelector: "spec.nodeName=n1",
          resourceVersion: "0",
          limit: 5,
          continue: "tok",
        }),
      want: {
        method: "GET",
        path: "/api/v1/pods?labelSelector=app%3Dx&fieldSelector=spec.nodeName%3Dn1&resourceVersion=0&limit=5&continue=tok",
      },
    },
    {
      name: "create in the object's namespace with a field manager",
      call: (c: ReturnType<typeof clients>) => c.pods.create(pod, { fieldManager: "netclaim" }),
      want: {
        method: "POST",
        path: "/api/v1/namespaces/ns/pods?fieldManager=netclaim",
        contentType: "application/json",
      },
    },
    {
      name: "update by name",
      call: (c: ReturnType<typeof clients>) => c.pods.update(pod),
      want: { method: "PUT", path: "/api/v1/namespaces/ns/pods/p" },
    },
    {
      name: "update the status subresource",
      call: (c: ReturnType<typeof clients>) => c.claims.updateStatus({ ...pod, kind: "ResourceClaim" }),
      want: { method: "PUT", path: "/apis/resource.k8s.io/v1/namespaces/ns/resourceclaims/p/status" },
    },
  ])("$name", async ({ call, want }) => {
    const c = clients();
    c.transport.reply(200, pod);
    await call(c);
    expect(c.transport.last()).toMatchObject(want);
  });

  it.each<{ type: PatchType; contentType: string }>([
    { type: "merge", contentType: "application/merge-patch+json" },
    { type: "json", contentType: "application/json-patch+json" },
    { type: "strategic", contentType: "application/strategic-merge-patch+json" },
    { type: "apply", contentType: "application/apply-patch+yaml" },
  ])("a $type patch is sent as $contentType", async ({ type, contentType }) => {
    const c = clients();
    c.transport.reply(200, pod);
    await c.pods.patch(
      "p",
      { metadata: { labels: { a: "b" } } },
      { type, namespace: "ns", fieldManager: "nc", force: type === "apply" },
    );
    const force = type === "apply" ? "&force=true" : "";
    expect(c.transport.last()).toMatchObject({
      method: "PATCH",
      path: `/api/v1/namespaces/ns/pods/p?fieldManager=nc${force}`,
      contentType,
    });
    expect(c.transport.lastBody()).toEqual({ metadata: { labels: { a: "b" } } });
  });

  it("patches a subresource", async () => {
    const c = clients();
    c.transport.reply(200, pod);
    await c.claims.patch("c", [{ op: "add", path: "/status/devices", value: [] }], {
      type: "json",
      namespace: "ns",
      subresource: "status",
    });
    expect(c.transport.last().path).toBe("/apis/resource.k8s.io/v1/namespaces/ns/resourceclaims/c/status");
  });

  it("refuses an apply patch without a field manager, and a namespaced create without a namespace", async () => {
    const c = clients();
    await expect(c.pods.patch("p", {}, { type: "apply", namespace: "ns" })).rejects.toThrow(/fieldManager/);
    await expect(c.pods.create({ metadata: { name: "p" } })).rejects.toThrow(/needs a namespace/);
    expect(c.transport.requests).toEqual([]);
  });

  it("deletes with preconditions and a propagation policy in DeleteOptions, and with no body when none is given", async () => {
    const c = clients();
    c.transport.reply(200, { kind: "Status", status: "Success" }).reply(200, pod);
    await c.pods.delete("p", {
      namespace: "ns",
      preconditions: { uid: "u1", resourceVersion: "7" },
      propagationPolicy: "Background",
    });
    expect(c.transport.lastBody()).toEqual({
      apiVersion: "v1",
      kind: "DeleteOptions",
      preconditions: { uid: "u1", resourceVersion: "7" },
      propagationPolicy: "Background",
    });
    await c.pods.delete("p", { namespace: "ns" });
    expect(c.transport.last().body).toBeUndefined();
  });
});

describe("GenericResourceClient errors", () => {
  const status = (code: number, reason: string) => ({
    kind: "Status",
    apiVersion: "v1",
    status: "Failure",
    code,
    reason,
    message: `m ${code}`,
  });
  it.each([
    {
      name: "409 Conflict",
      status: 409,
      body: status(409, "Conflict"),
      is: isConflict,
      not: [isAlreadyExists, isNotFound],
    },
    {
      name: "409 AlreadyExists",
      status: 409,
      body: status(409, "AlreadyExists"),
      is: isAlreadyExists,
      not: [isConflict],
    },
    { name: "404 NotFound", status: 404, body: status(404, "NotFound"), is: isNotFound, not: [isGone] },
    { name: "410 Expired", status: 410, body: status(410, "Expired"), is: isGone, not: [isNotFound] },
    {
      name: "404 without a Status body",
      status: 404,
      body: "404 page not found",
      is: isNotFound,
      not: [isConflict],
    },
    { name: "409 without a Status body", status: 409, body: "", is: isConflict, not: [isAlreadyExists] },
  ])("maps $name", async ({ status: code, body, is, not }) => {
    const c = clients();
    c.transport.reply(code, body);
    const err: unknown = await c.pods.get("p", { namespace: "ns" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "ApiError", status: code });
    expect(is(err)).toBe(true);
    for (const other of not) expect(other(err)).toBe(false);
    expect((err as Error).message).toContain("GET /api/v1/namespaces/ns/pods/p");
  });

  it("keeps the server's reason and message", async () => {
    const c = clients();
    c.transport.reply(422, {
      kind: "Status",
      code: 422,
      reason: "Invalid",
      message: 'Pod "p" is invalid: spec: Required value',
    });
    await expect(c.pods.create(pod)).rejects.toMatchObject({
      status: 422,
      reason: "Invalid",
      statusMessage: 'Pod "p" is invalid: spec: Required value',
    });
  });
});

describe("GenericResourceClient watch", () => {
  it("sends watch parameters and yields events split across chunks", async () => {
    const c = clients();
    const line = (e: unknown) => JSON.stringify(e) + "\n";
    const added = line({ type: "ADDED", object: { metadata: { name: "a", resourceVersion: "2" } } });
    const bookmark = line({ type: "BOOKMARK", object: { metadata: { resourceVersion: "3" } } });
    c.transport.replyChunks(200, [
      added.slice(0, 10),
      added.slice(10) + bookmark.slice(0, 5),
      bookmark.slice(5),
    ]);
    const events: WatchEvent<KubeObject>[] = [];
    for await (const e of await c.pods.watch({
      namespace: "ns",
      resourceVersion: "1",
      allowWatchBookmarks: true,
      timeoutSeconds: 300,
      fieldSelector: "a=b",
    })) {
      events.push(e);
    }
    expect(c.transport.last().path).toBe(
      "/api/v1/namespaces/ns/pods?watch=true&fieldSelector=a%3Db&resourceVersion=1&allowWatchBookmarks=true&timeoutSeconds=300",
    );
    expect(events.map((e) => e.type)).toEqual(["ADDED", "BOOKMARK"]);
  });

  it("rejects with an ApiError when the watch cannot start (410 as an HTTP status)", async () => {
    const c = clients();
    c.transport.reply(410, {
      kind: "Status",
      code: 410,
      reason: "Expired",
      message: "too old resource version: 1 (9)",
    });
    const err: unknown = await c.pods.watch({ resourceVersion: "1" }).catch((e: unknown) => e);
    expect(isGone(err)).toBe(true);
  });

  it("ends quietly when its signal aborts, destroying the body", async () => {
    const c = clients();
    const body = c.transport.replyStream();
    const abort = new AbortController();
    const seen: string[] = [];
    const stream = await c.pods.watch({ signal: abort.signal });
    body.write(JSON.stringify({ type: "ADDED", object: { metadata: { name: "a" } } }) + "\n");
    for await (const e of stream) {
      seen.push(e.type);
      abort.abort();
    }
    expect(seen).toEqual(["ADDED"]);
    expect(body.destroyed).toBe(true);
  });

  it("destroys the body when the consumer stops iterating", async () => {
    const c = clients();
    const body = c.transport.replyStream();
    body.write(JSON.stringify({ type: "ADDED", object: { metadata: { name: "a" } } }) + "\n");
    for await (const _ of await c.pods.watch()) break;
    expect(body.destroyed).toBe(true);
  });

  it("throws, with the cause, on a malformed line", async () => {
    const c = clients();
    c.transport.replyChunks(200, ['{"type":"ADDED","object":{}}\n', "not json\n"]);
    const run = async () => {
      for await (const _ of await c.pods.watch()) {
        // consume
      }
    };
    await expect(run()).rejects.toThrow(/watch stream broke/);
  });
});
