import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeApiServer } from "./index.ts";
import { call, pod } from "./test-client.ts";
import type { KubeObject } from "./types.ts";

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
const CLAIMS = "/apis/resource.k8s.io/v1/namespaces/default/resourceclaims";

function meta(body: Record<string, unknown>): Record<string, unknown> {
  return body["metadata"] as Record<string, unknown>;
}

describe("create", () => {
  it("fills in uid, creationTimestamp, resourceVersion and generation", async () => {
    const reply = await call(url, "POST", PODS, pod("p1"));
    expect(reply.status).toBe(201);
    expect(meta(reply.body)).toMatchObject({
      name: "p1",
      namespace: "default",
      uid: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      creationTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) as unknown,
      resourceVersion: server.resourceVersion,
      generation: 1,
    });
    expect(reply.body["status"]).toEqual({ phase: "Pending" });
  });

  it("generates a name from generateName", async () => {
    const reply = await call(url, "POST", CMS, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { generateName: "cfg-" },
    });
    expect(meta(reply.body)["name"]).toMatch(/^cfg-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it("drops status on create for kinds with a status subresource", async () => {
    const reply = await call(url, "POST", CLAIMS, {
      apiVersion: "resource.k8s.io/v1",
      kind: "ResourceClaim",
      metadata: { name: "c1" },
      spec: { devices: { requests: [] } },
      status: { devices: [{ driver: "d", pool: "p", device: "x" }] },
    });
    expect(reply.status).toBe(201);
    expect(reply.body["status"]).toBeUndefined();
    expect(meta(reply.body)["generation"]).toBeUndefined();
  });

  const failures = [
    {
      name: "an existing name is 409 AlreadyExists",
      path: PODS,
      body: pod("dup"),
      before: pod("dup"),
      want: {
        code: 409,
        reason: "AlreadyExists",
        message: 'pods "dup" already exists',
        details: { name: "dup", kind: "pods" },
      },
    },
    {
      name: "no name is 422 Invalid",
      path: CMS,
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: {} },
      want: {
        code: 422,
        reason: "Invalid",
        message: 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required',
      },
    },
    {
      name: "an invalid name is 422 Invalid",
      path: CMS,
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Bad_Name" } },
      want: { code: 422, reason: "Invalid" },
    },
    {
      name: "another namespace in the body is 400",
      path: CMS,
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "other" } },
      want: {
        code: 400,
        reason: "BadRequest",
        message: "the namespace of the provided object does not match the namespace sent on the request",
      },
    },
    {
      name: "a resourceVersion on create is refused",
      path: CMS,
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", resourceVersion: "5" } },
      want: {
        code: 500,
        message: "Internal error occurred: resourceVersion should not be set on objects to be created",
      },
    },
    {
      name: "an already existing claim names its group",
      path: CLAIMS,
      body: { apiVersion: "resource.k8s.io/v1", kind: "ResourceClaim", metadata: { name: "c" }, spec: {} },
      before: { apiVersion: "resource.k8s.io/v1", kind: "ResourceClaim", metadata: { name: "c" }, spec: {} },
      want: {
        code: 409,
        message: 'resourceclaims.resource.k8s.io "c" already exists',
        details: { name: "c", group: "resource.k8s.io", kind: "resourceclaims" },
      },
    },
  ];
  it.each(failures)("$name", async ({ path, body, before, want }) => {
    if (before !== undefined) expect((await call(url, "POST", path, before)).status).toBe(201);
    const reply = await call(url, "POST", path, body);
    expect(reply.status).toBe(want.code);
    expect(reply.body).toMatchObject({ kind: "Status", apiVersion: "v1", status: "Failure", ...want });
  });

  it("dryRun=All answers without storing", async () => {
    const reply = await call(url, "POST", `${CMS}?dryRun=All`, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "dry" },
    });
    expect(reply.status).toBe(201);
    expect(server.getObject({ resource: "configmaps", namespace: "default", name: "dry" })).toBeUndefined();
  });
});

describe("get", () => {
  it("404 is a NotFound Status naming the resource", async () => {
    const reply = await call(url, "GET", `${PODS}/nope`);
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'pods "nope" not found',
      reason: "NotFound",
      details: { name: "nope", kind: "pods" },
      code: 404,
    });
  });

  it("unknown resources and unserved versions are 404", async () => {
    expect((await call(url, "GET", "/api/v1/namespaces/default/widgets")).status).toBe(404);
    expect((await call(url, "GET", "/apis/resource.k8s.io/v9/resourceclaims")).status).toBe(404);
    expect(
      (await call(url, "GET", "/apis/resource.k8s.io/v1/namespaces/default/resourceslices")).status,
    ).toBe(404);
  });
});

describe("update", () => {
  async function created(path: string, body: KubeObject): Promise<Record<string, unknown>> {
    const reply = await call(url, "POST", path, body);
    expect(reply.status).toBe(201);
    return reply.body;
  }

  it("a stale resourceVersion is 409 with the real message", async () => {
    const cm = await created(CMS, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c" },
      data: { a: "1" },
    });
    expect((await call(url, "PUT", `${CMS}/c`, { ...cm, data: { a: "2" } })).status).toBe(200);
    const stale = await call(url, "PUT", `${CMS}/c`, { ...cm, data: { a: "3" } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      reason: "Conflict",
      message:
        'Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: "c", kind: "configmaps" },
    });
  });

  it("without resourceVersion it is unconditional", async () => {
    await created(CMS, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1" } });
    const reply = await call(url, "PUT", `${CMS}/c`, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c" },
      data: { a: "9" },
    });
    expect(reply.status).toBe(200);
    expect(reply.body["data"]).toEqual({ a: "9" });
  });

  it("bumps generation on spec changes only, and keeps resourceVersion on no-op updates", async () => {
    const p = await created(PODS, pod("p"));
    const labelled = await call(url, "PUT", `${PODS}/p`, {
      ...p,
      metadata: { ...meta(p), labels: { a: "b" } },
    });
    expect(meta(labelled.body)["generation"]).toBe(1);
    const respec = await call(url, "PUT", `${PODS}/p`, {
      ...labelled.body,
      spec: { containers: [{ name: "c", image: "other" }] },
    });
    expect(meta(respec.body)["generation"]).toBe(2);
    const noop = await call(url, "PUT", `${PODS}/p`, respec.body);
    expect(meta(noop.body)["resourceVersion"]).toBe(meta(respec.body)["resourceVersion"]);
  });

  it("main resource writes ignore status; pod /status writes keep spec and owner references", async () => {
    const p = await created(PODS, pod("p"));
    const main = await call(url, "PUT", `${PODS}/p`, { ...p, status: { phase: "Running" } });
    expect(main.body["status"]).toEqual({ phase: "Pending" });
    const status = await call(url, "PUT", `${PODS}/p/status`, {
      ...main.body,
      metadata: {
        ...meta(main.body),
        annotations: { "k8s.v1.cni.cncf.io/network-status": "[]" },
        ownerReferences: [{ apiVersion: "v1", kind: "Node", name: "n", uid: "u" }],
      },
      spec: { containers: [{ name: "ignored", image: "x" }] },
      status: { phase: "Running" },
    });
    expect(status.status).toBe(200);
    expect(status.body["status"]).toEqual({ phase: "Running" });
    // Like kube-apiserver's pod status strategy: metadata changes are kept (Multus writes its
    // network-status annotation through pods/status), owner references and spec are not.
    expect(meta(status.body)["annotations"]).toEqual({ "k8s.v1.cni.cncf.io/network-status": "[]" });
    expect(meta(status.body)["ownerReferences"]).toBeUndefined();
    expect((status.body["spec"] as { containers: Array<{ name: string }> }).containers[0]?.name).toBe("c");
  });

  it("/status writes of other kinds reset metadata", async () => {
    const claims = "/apis/resource.k8s.io/v1/namespaces/default/resourceclaims";
    const claim = await created(claims, {
      apiVersion: "resource.k8s.io/v1",
      kind: "ResourceClaim",
      metadata: { name: "c" },
      spec: { devices: { requests: [] } },
    });
    const status = await call(url, "PUT", `${claims}/c/status`, {
      ...claim,
      metadata: { ...meta(claim), labels: { ignored: "yes" } },
      status: { reservedFor: [] },
    });
    expect(status.status).toBe(200);
    expect(meta(status.body)["labels"]).toBeUndefined();
  });

  it("custom resources need a resourceVersion (422 without)", async () => {
    const nad = {
      apiVersion: "k8s.cni.cncf.io/v1",
      kind: "NetworkAttachmentDefinition",
      metadata: { name: "n" },
      spec: { config: "{}" },
    };
    const path = "/apis/k8s.cni.cncf.io/v1/namespaces/default/network-attachment-definitions";
    await created(path, nad);
    const reply = await call(url, "PUT", `${path}/n`, nad);
    expect(reply.status).toBe(422);
    expect(reply.body["message"]).toBe(
      'NetworkAttachmentDefinition.k8s.cni.cncf.io "n" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
    );
  });

  it("a name differing from the URL is 400, a missing object 404", async () => {
    expect(
      (await call(url, "PUT", `${CMS}/a`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b" } }))
        .status,
    ).toBe(400);
    expect(
      (await call(url, "PUT", `${CMS}/a`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } }))
        .status,
    ).toBe(404);
  });
});

describe("every resource netclaim uses", () => {
  const resources = [
    { path: "/api/v1/namespaces/default/pods", apiVersion: "v1", kind: "Pod" },
    { path: "/api/v1/namespaces/default/events", apiVersion: "v1", kind: "Event" },
    { path: "/api/v1/nodes", apiVersion: "v1", kind: "Node" },
    { path: "/api/v1/namespaces", apiVersion: "v1", kind: "Namespace" },
    { path: "/api/v1/namespaces/default/configmaps", apiVersion: "v1", kind: "ConfigMap" },
    { path: "/api/v1/namespaces/default/secrets", apiVersion: "v1", kind: "Secret" },
    { path: "/api/v1/namespaces/default/serviceaccounts", apiVersion: "v1", kind: "ServiceAccount" },
    {
      path: "/apis/k8s.cni.cncf.io/v1/namespaces/default/network-attachment-definitions",
      apiVersion: "k8s.cni.cncf.io/v1",
      kind: "NetworkAttachmentDefinition",
    },
    {
      path: "/apis/resource.k8s.io/v1/namespaces/default/resourceclaims",
      apiVersion: "resource.k8s.io/v1",
      kind: "ResourceClaim",
    },
    {
      path: "/apis/resource.k8s.io/v1/namespaces/default/resourceclaimtemplates",
      apiVersion: "resource.k8s.io/v1",
      kind: "ResourceClaimTemplate",
    },
    {
      path: "/apis/resource.k8s.io/v1/resourceslices",
      apiVersion: "resource.k8s.io/v1",
      kind: "ResourceSlice",
    },
    { path: "/apis/resource.k8s.io/v1/deviceclasses", apiVersion: "resource.k8s.io/v1", kind: "DeviceClass" },
    {
      path: "/apis/coordination.k8s.io/v1/namespaces/default/leases",
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
    },
    {
      path: "/apis/events.k8s.io/v1/namespaces/default/events",
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
    },
  ];
  it.each(resources)("$kind ($apiVersion): create, get, list, delete", async ({ path, apiVersion, kind }) => {
    const created = await call(url, "POST", path, { apiVersion, kind, metadata: { name: "x1" } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ apiVersion, kind, metadata: { name: "x1" } });
    expect((await call(url, "GET", `${path}/x1`)).body).toMatchObject({ apiVersion, kind });
    expect((await call(url, "GET", path)).body).toMatchObject({ kind: `${kind}List`, apiVersion });
    expect((await call(url, "DELETE", `${path}/x1`)).status).toBe(200);
    expect((await call(url, "GET", `${path}/x1`)).status).toBe(404);
  });
});
