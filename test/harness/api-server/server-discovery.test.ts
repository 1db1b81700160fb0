import { afterEach, describe, expect, it } from "vitest";
import { FakeApiServer } from "./index.ts";
import type { FakeApiServerOptions } from "./index.ts";
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

type Resource = {
  name: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  singularName: string;
  shortNames?: string[];
};

describe("discovery", () => {
  it("/api lists v1 and /api/v1 the core resources with status subresources", async () => {
    const url = await started();
    expect((await call(url, "GET", "/api")).body).toMatchObject({ kind: "APIVersions", versions: ["v1"] });
    const core = (await call(url, "GET", "/api/v1")).body;
    expect(core).toMatchObject({ kind: "APIResourceList", groupVersion: "v1" });
    const resources = core["resources"] as Resource[];
    expect(resources.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        "pods",
        "pods/status",
        "events",
        "nodes",
        "nodes/status",
        "namespaces",
        "configmaps",
        "secrets",
        "serviceaccounts",
      ]),
    );
    expect(resources.find((r) => r.name === "pods")).toEqual({
      name: "pods",
      singularName: "pod",
      namespaced: true,
      kind: "Pod",
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
      shortNames: ["po"],
    });
    expect(resources.find((r) => r.name === "pods/status")?.verbs).toEqual(["get", "patch", "update"]);
    expect(resources.find((r) => r.name === "nodes")?.namespaced).toBe(false);
  });

  it("serves only v1 of resource.k8s.io by default, as Kubernetes 1.34 does", async () => {
    const url = await started();
    const group = (await call(url, "GET", "/apis/resource.k8s.io")).body;
    expect(group["versions"]).toEqual([{ groupVersion: "resource.k8s.io/v1", version: "v1" }]);
    expect((await call(url, "GET", "/apis/resource.k8s.io/v1beta1/resourceslices")).status).toBe(404);
  });

  it("/apis lists the groups with their preferred versions", async () => {
    const url = await started({ resourceApiVersions: ["v1", "v1beta2", "v1beta1"] });
    const groups = (await call(url, "GET", "/apis")).body["groups"] as Array<{
      name: string;
      preferredVersion: { version: string };
      versions: Array<{ version: string }>;
    }>;
    const names = groups.map((g) => g.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "resource.k8s.io",
        "coordination.k8s.io",
        "events.k8s.io",
        "apiextensions.k8s.io",
        "k8s.cni.cncf.io",
      ]),
    );
    const dra = groups.find((g) => g.name === "resource.k8s.io");
    expect(dra?.versions.map((v) => v.version)).toEqual(["v1", "v1beta2", "v1beta1"]);
    expect(dra?.preferredVersion).toEqual({ groupVersion: "resource.k8s.io/v1", version: "v1" });
  });

  const served = [
    {
      name: "1.34 with the betas turned on",
      versions: ["v1", "v1beta1", "v1beta2"],
      want: ["v1", "v1beta2", "v1beta1"],
      preferred: "v1",
    },
    { name: "only v1", versions: ["v1"], want: ["v1"], preferred: "v1" },
    { name: "a 1.32-like cluster", versions: ["v1beta1"], want: ["v1beta1"], preferred: "v1beta1" },
    {
      name: "a 1.33-like cluster, in any order",
      versions: ["v1beta1", "v1beta2"],
      want: ["v1beta2", "v1beta1"],
      preferred: "v1beta2",
    },
  ];
  it.each(served)("serves resource.k8s.io as configured: $name", async ({ versions, want, preferred }) => {
    const url = await started({ resourceApiVersions: versions });
    const group = (await call(url, "GET", "/apis/resource.k8s.io")).body;
    expect(group).toMatchObject({
      kind: "APIGroup",
      name: "resource.k8s.io",
      preferredVersion: { version: preferred },
    });
    expect((group["versions"] as Array<{ version: string }>).map((v) => v.version)).toEqual(want);
    for (const version of ["v1", "v1beta2", "v1beta1"]) {
      const reply = await call(url, "GET", `/apis/resource.k8s.io/${version}`);
      expect(reply.status, version).toBe(want.includes(version) ? 200 : 404);
    }
  });

  it("/apis/resource.k8s.io/v1 lists the DRA resources", async () => {
    const url = await started();
    const list = (await call(url, "GET", "/apis/resource.k8s.io/v1")).body;
    const resources = list["resources"] as Resource[];
    expect(resources.map((r) => `${r.name}:${String(r.namespaced)}:${r.kind}`)).toEqual([
      "resourceclaims:true:ResourceClaim",
      "resourceclaims/status:true:ResourceClaim",
      "resourceclaimtemplates:true:ResourceClaimTemplate",
      "resourceslices:false:ResourceSlice",
      "deviceclasses:false:DeviceClass",
    ]);
  });

  it("/version reports the configured Kubernetes version", async () => {
    const url = await started({ gitVersion: "v1.33.4" });
    expect((await call(url, "GET", "/version")).body).toMatchObject({
      major: "1",
      minor: "33",
      gitVersion: "v1.33.4",
    });
  });

  it("unknown groups are 404", async () => {
    const url = await started();
    expect((await call(url, "GET", "/apis/example.com")).status).toBe(404);
    expect((await call(url, "GET", "/apis/example.com/v1")).status).toBe(404);
  });
});

describe("resource.k8s.io versions share storage", () => {
  const sliceV1 = {
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceSlice",
    metadata: { name: "node-a-netclaim" },
    spec: {
      driver: "netclaim.dev",
      nodeName: "node-a",
      pool: { name: "node-a", generation: 1, resourceSliceCount: 1 },
      devices: [{ name: "vf0", attributes: { "netclaim.dev/ifName": { string: "ens1f0v0" } } }],
    },
  };

  it("a v1 ResourceSlice reads back in v1beta1 with devices under basic, and in v1beta2 unchanged", async () => {
    const url = await started({ resourceApiVersions: ["v1", "v1beta2", "v1beta1"] });
    expect((await call(url, "POST", "/apis/resource.k8s.io/v1/resourceslices", sliceV1)).status).toBe(201);
    const beta1 = (await call(url, "GET", "/apis/resource.k8s.io/v1beta1/resourceslices/node-a-netclaim"))
      .body;
    expect(beta1["apiVersion"]).toBe("resource.k8s.io/v1beta1");
    expect((beta1["spec"] as { devices: unknown }).devices).toEqual([
      { name: "vf0", basic: { attributes: { "netclaim.dev/ifName": { string: "ens1f0v0" } } } },
    ]);
    const beta2 = (await call(url, "GET", "/apis/resource.k8s.io/v1beta2/resourceslices/node-a-netclaim"))
      .body;
    expect(beta2["spec"]).toEqual(sliceV1.spec);
  });

  it("a v1beta1 claim's flat request is stored as v1's exactly", async () => {
    const url = await started({ resourceApiVersions: ["v1", "v1beta2", "v1beta1"] });
    const claim = {
      apiVersion: "resource.k8s.io/v1beta1",
      kind: "ResourceClaim",
      metadata: { name: "c" },
      spec: {
        devices: {
          requests: [{ name: "net", deviceClassName: "sf-pool-1", allocationMode: "ExactCount", count: 1 }],
        },
      },
    };
    expect(
      (await call(url, "POST", "/apis/resource.k8s.io/v1beta1/namespaces/default/resourceclaims", claim))
        .status,
    ).toBe(201);
    const v1 = (await call(url, "GET", "/apis/resource.k8s.io/v1/namespaces/default/resourceclaims/c")).body;
    expect(v1["spec"]).toEqual({
      devices: {
        requests: [
          { name: "net", exactly: { deviceClassName: "sf-pool-1", allocationMode: "ExactCount", count: 1 } },
        ],
      },
    });
    expect(
      server?.getObject({ resource: "resourceclaims", namespace: "default", name: "c" })?.["spec"],
    ).toEqual(v1["spec"]);
    const list = (await call(url, "GET", "/apis/resource.k8s.io/v1beta1/namespaces/default/resourceclaims"))
      .body;
    expect(list).toMatchObject({
      kind: "ResourceClaimList",
      apiVersion: "resource.k8s.io/v1beta1",
      items: [{ spec: claim.spec }],
    });
  });
});
