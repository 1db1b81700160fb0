import { afterEach, describe, expect, it } from "vitest";
import { FakeApiServer } from "./index.ts";
import type { FakeApiServerOptions, KubeObject } from "./index.ts";
import { call } from "./test-client.ts";

let server: FakeApiServer | undefined;
async function started(options: FakeApiServerOptions = {}): Promise<string> {
  server = new FakeApiServer(options);
  await server.start();
  return server.url;
}
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const IPPOOL_CRD: KubeObject = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "ippools.netclaim.dev" },
  spec: {
    group: "netclaim.dev",
    scope: "Cluster",
    names: { plural: "ippools", singular: "ippool", kind: "IPPool", listKind: "IPPoolList" },
    versions: [
      {
        name: "v1alpha1",
        served: true,
        storage: true,
        subresources: { status: {} },
        selectableFields: [{ jsonPath: ".spec.gateway" }],
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                properties: {
                  cidrs: { type: "array", items: { type: "string" } },
                  gateway: { type: "string" },
                },
              },
              status: {
                type: "object",
                properties: {
                  allocations: {
                    type: "array",
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["claim"],
                    items: { type: "object" },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

const POOLS = "/apis/netclaim.dev/v1alpha1/ippools";
const pool = {
  apiVersion: "netclaim.dev/v1alpha1",
  kind: "IPPool",
  metadata: { name: "pool-a" },
  spec: { cidrs: ["10.10.0.0/24"], gateway: "10.10.0.1" },
};

describe("custom resources from a CustomResourceDefinition object", () => {
  it("serves the CRD's versions once it is created, and reports it Established", async () => {
    const url = await started();
    expect((await call(url, "GET", POOLS)).status).toBe(404);
    const created = await call(
      url,
      "POST",
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
      IPPOOL_CRD,
    );
    expect(created.status).toBe(201);
    const crd = (
      await call(url, "GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/ippools.netclaim.dev")
    ).body;
    expect(
      (crd["status"] as { conditions: Array<{ type: string; status: string }> }).conditions.map(
        (c) => `${c.type}=${c.status}`,
      ),
    ).toEqual(["NamesAccepted=True", "Established=True"]);
    const discovery = (await call(url, "GET", "/apis/netclaim.dev/v1alpha1")).body;
    expect(discovery["resources"]).toEqual([
      expect.objectContaining({ name: "ippools", namespaced: false, kind: "IPPool", singularName: "ippool" }),
      expect.objectContaining({ name: "ippools/status" }),
    ]);
    expect((await call(url, "POST", POOLS, pool)).status).toBe(201);
    const list = (await call(url, "GET", POOLS)).body;
    expect(list).toMatchObject({
      kind: "IPPoolList",
      apiVersion: "netclaim.dev/v1alpha1",
      items: [
        { kind: "IPPool", apiVersion: "netclaim.dev/v1alpha1", metadata: { name: "pool-a", generation: 1 } },
      ],
    });
  });

  it("keeps status behind the status subresource and supports selectableFields", async () => {
    const url = await started();
    server?.seed(IPPOOL_CRD);
    const created = (await call(url, "POST", POOLS, { ...pool, status: { allocations: [{ claim: "x" }] } }))
      .body;
    expect(created["status"]).toBeUndefined();
    const status = await call(
      url,
      "PATCH",
      `${POOLS}/pool-a/status`,
      { status: { allocations: [{ claim: "ns/c", address: "10.10.0.5" }] } },
      "application/merge-patch+json",
    );
    expect(status.body["status"]).toEqual({ allocations: [{ claim: "ns/c", address: "10.10.0.5" }] });
    const bySelectable = (await call(url, "GET", `${POOLS}?fieldSelector=spec.gateway%3D10.10.0.1`)).body;
    expect((bySelectable["items"] as unknown[]).length).toBe(1);
    expect((await call(url, "GET", `${POOLS}?fieldSelector=spec.cidrs%3Dx`)).status).toBe(400);
  });

  it("uses the schema's list-map keys for server-side apply", async () => {
    const url = await started();
    server?.seed(IPPOOL_CRD);
    await call(url, "POST", POOLS, pool);
    const applyStatus = (
      manager: string,
      allocations: unknown[],
    ): Promise<{ status: number; body: Record<string, unknown> }> =>
      call(
        url,
        "PATCH",
        `${POOLS}/pool-a/status?fieldManager=${manager}`,
        JSON.stringify({
          apiVersion: "netclaim.dev/v1alpha1",
          kind: "IPPool",
          metadata: { name: "pool-a" },
          status: { allocations },
        }),
        "application/apply-patch+yaml",
      );
    await applyStatus("a", [{ claim: "c1", address: "10.10.0.5" }]);
    const second = await applyStatus("b", [{ claim: "c2", address: "10.10.0.6" }]);
    expect((second.body["status"] as { allocations: unknown[] }).allocations).toHaveLength(2);
  });

  it("refuses strategic merge patch on custom resources with 415", async () => {
    const url = await started();
    server?.seed(IPPOOL_CRD);
    await call(url, "POST", POOLS, pool);
    expect(
      (await call(url, "PATCH", `${POOLS}/pool-a`, { spec: {} }, "application/strategic-merge-patch+json"))
        .status,
    ).toBe(415);
  });

  it("deleting the CRD stops serving it and removes its objects", async () => {
    const url = await started();
    server?.seed(IPPOOL_CRD);
    await call(url, "POST", POOLS, pool);
    expect(
      (
        await call(
          url,
          "DELETE",
          "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/ippools.netclaim.dev",
        )
      ).status,
    ).toBe(200);
    expect((await call(url, "GET", POOLS)).status).toBe(404);
    expect((await call(url, "GET", "/apis/netclaim.dev/v1alpha1")).status).toBe(404);
  });

  it("an invalid CRD is 422", async () => {
    const url = await started();
    const bad = { ...IPPOOL_CRD, metadata: { name: "wrong.name" } };
    const reply = await call(url, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", bad);
    expect(reply.status).toBe(422);
    expect(String(reply.body["message"])).toContain('must be spec.names.plural+"."+spec.group');
  });

  it("deleting a custom resource answers a Success Status", async () => {
    const url = await started();
    server?.seed(IPPOOL_CRD);
    await call(url, "POST", POOLS, pool);
    const reply = await call(url, "DELETE", `${POOLS}/pool-a`);
    expect(reply.body).toMatchObject({
      kind: "Status",
      status: "Success",
      details: { name: "pool-a", group: "netclaim.dev", kind: "ippools" },
    });
  });
});

describe("custom resources from the resources option", () => {
  it("serves registered types like CRDs", async () => {
    const url = await started({
      resources: [
        {
          group: "netclaim.dev",
          version: "v1alpha1",
          kind: "IPPool",
          plural: "ippools",
          namespaced: false,
          statusSubresource: true,
        },
        {
          group: "netclaim.dev",
          version: "v1alpha1",
          kind: "IPAddress",
          plural: "ipaddresses",
          namespaced: true,
          selectableFields: ["spec.pool"],
        },
      ],
    });
    expect((await call(url, "POST", POOLS, pool)).status).toBe(201);
    const address = {
      apiVersion: "netclaim.dev/v1alpha1",
      kind: "IPAddress",
      metadata: { name: "10-10-0-5" },
      spec: { pool: "pool-a", claim: "c" },
    };
    expect(
      (await call(url, "POST", "/apis/netclaim.dev/v1alpha1/namespaces/default/ipaddresses", address)).status,
    ).toBe(201);
    const byPool = (
      await call(url, "GET", "/apis/netclaim.dev/v1alpha1/ipaddresses?fieldSelector=spec.pool%3Dpool-a")
    ).body;
    expect((byPool["items"] as unknown[]).length).toBe(1);
    const resources = (
      (await call(url, "GET", "/apis/netclaim.dev/v1alpha1")).body["resources"] as Array<{ name: string }>
    ).map((r) => r.name);
    expect(resources).toEqual(["ippools", "ippools/status", "ipaddresses"]);
  });

  it("serves NetworkAttachmentDefinitions out of the box", async () => {
    const url = await started();
    const nad = {
      apiVersion: "k8s.cni.cncf.io/v1",
      kind: "NetworkAttachmentDefinition",
      metadata: { name: "sf-net", annotations: { "k8s.v1.cni.cncf.io/resourceName": "sf-pool-1" } },
      spec: { config: "{}" },
    };
    expect(
      (
        await call(
          url,
          "POST",
          "/apis/k8s.cni.cncf.io/v1/namespaces/default/network-attachment-definitions",
          nad,
        )
      ).status,
    ).toBe(201);
    expect(
      server?.getObject({ resource: "network-attachment-definitions", namespace: "default", name: "sf-net" })
        ?.metadata?.annotations,
    ).toEqual(nad.metadata.annotations);
  });
});
