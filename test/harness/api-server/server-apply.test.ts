import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeApiServer } from "./index.ts";
import { call } from "./test-client.ts";

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

const CLAIMS = "/apis/resource.k8s.io/v1/namespaces/default/resourceclaims";
const APPLY = "application/apply-patch+yaml";

function seedClaim(): void {
  server.seed({
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceClaim",
    metadata: { name: "claim", namespace: "default" },
    spec: { devices: { requests: [{ name: "net", exactly: { deviceClassName: "sf-pool-1" } }] } },
  });
}

function devicesApply(devices: Array<Record<string, unknown>>): string {
  return JSON.stringify({
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceClaim",
    metadata: { name: "claim", namespace: "default" },
    status: { devices },
  });
}

const eth = (device: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  driver: "netclaim.dev",
  pool: "node-a",
  device,
  ...extra,
});

describe("server-side apply", () => {
  it("requires fieldManager (422 with the real message)", async () => {
    seedClaim();
    const reply = await call(url, "PATCH", `${CLAIMS}/claim/status`, devicesApply([eth("eth1")]), APPLY);
    expect(reply.status).toBe(422);
    expect(reply.body["message"]).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  });

  it("creates a missing object (201) owned by the applier", async () => {
    const body = JSON.stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cfg" },
      data: { a: "1" },
    });
    const reply = await call(
      url,
      "PATCH",
      "/api/v1/namespaces/default/configmaps/cfg?fieldManager=me",
      body,
      APPLY,
    );
    expect(reply.status).toBe(201);
    expect(reply.body["metadata"]).toMatchObject({
      uid: expect.any(String) as unknown,
      managedFields: [{ manager: "me", operation: "Apply", fieldsV1: { "f:data": { "f:a": {} } } }],
    });
  });

  it("accepts YAML bodies", async () => {
    const yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  k: v\n";
    const reply = await call(
      url,
      "PATCH",
      "/api/v1/namespaces/default/configmaps/y?fieldManager=me",
      yaml,
      APPLY,
    );
    expect(reply.status).toBe(201);
    expect(reply.body["data"]).toEqual({ k: "v" });
  });

  it("lets two managers own their own status.devices entries", async () => {
    seedClaim();
    const first = await call(
      url,
      "PATCH",
      `${CLAIMS}/claim/status?fieldManager=netclaim.dev`,
      devicesApply([eth("eth1", { networkData: { interfaceName: "net1" } })]),
      APPLY,
    );
    expect(first.status).toBe(200);
    await call(
      url,
      "PATCH",
      `${CLAIMS}/claim/status?fieldManager=other.dev`,
      devicesApply([eth("eth2")]),
      APPLY,
    );
    const again = await call(
      url,
      "PATCH",
      `${CLAIMS}/claim/status?fieldManager=netclaim.dev`,
      devicesApply([eth("eth1", { networkData: { interfaceName: "net2" } })]),
      APPLY,
    );
    const devices = (again.body["status"] as { devices: Array<Record<string, unknown>> }).devices;
    expect(devices).toEqual([eth("eth1", { networkData: { interfaceName: "net2" } }), eth("eth2")]);
    const managers = (
      again.body["metadata"] as { managedFields: Array<{ manager: string; subresource?: string }> }
    ).managedFields;
    expect(managers.map((m) => `${m.manager}/${m.subresource ?? ""}`)).toEqual([
      "netclaim.dev/status",
      "other.dev/status",
    ]);
    expect(again.body["spec"]).toEqual({
      devices: { requests: [{ name: "net", exactly: { deviceClassName: "sf-pool-1" } }] },
    });
  });

  it("conflicts on another manager's field unless forced", async () => {
    seedClaim();
    await call(
      url,
      "PATCH",
      `${CLAIMS}/claim/status?fieldManager=a`,
      devicesApply([eth("eth1", { data: { v: 1 } })]),
      APPLY,
    );
    const conflict = await call(
      url,
      "PATCH",
      `${CLAIMS}/claim/status?fieldManager=b`,
      devicesApply([eth("eth1", { data: { v: 2 } })]),
      APPLY,
    );
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({
      reason: "Conflict",
      details: {
        causes: [
          {
            type: "FieldManagerConflict",
            field: '.status.devices[device="eth1",driver="netclaim.dev",pool="node-a"].data.v',
          },
        ],
      },
    });
    const forced = await call(
      url,
      "PATCH",
      `${CLAIMS}/claim/status?fieldManager=b&force=true`,
      devicesApply([eth("eth1", { data: { v: 2 } })]),
      APPLY,
    );
    expect(forced.status).toBe(200);
    expect((forced.body["status"] as { devices: unknown }).devices).toEqual([
      eth("eth1", { data: { v: 2 } }),
    ]);
  });

  const identity = [
    {
      name: "another apiVersion",
      body: { apiVersion: "v1beta1", kind: "ConfigMap", metadata: { name: "c" } },
      message: "the API version in the data (v1beta1) does not match the expected API version (v1)",
    },
    {
      name: "another kind",
      body: { apiVersion: "v1", kind: "Secret", metadata: { name: "c" } },
      message: "the kind in the data (Secret) does not match the expected kind (ConfigMap)",
    },
    {
      name: "another name",
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "d" } },
      message: "the name of the object (d) does not match the name on the URL (c)",
    },
  ];
  it.each(identity)("refuses $name with 400", async ({ body, message }) => {
    const reply = await call(
      url,
      "PATCH",
      "/api/v1/namespaces/default/configmaps/c?fieldManager=me",
      JSON.stringify(body),
      APPLY,
    );
    expect(reply.status).toBe(400);
    expect(reply.body["message"]).toBe(message);
  });

  it("an apply to the main resource leaves status alone", async () => {
    seedClaim();
    await call(url, "PATCH", `${CLAIMS}/claim/status?fieldManager=k`, devicesApply([eth("eth1")]), APPLY);
    const body = JSON.stringify({
      apiVersion: "resource.k8s.io/v1",
      kind: "ResourceClaim",
      metadata: { name: "claim", labels: { l: "1" } },
      status: { devices: [] },
    });
    const reply = await call(url, "PATCH", `${CLAIMS}/claim?fieldManager=m`, body, APPLY);
    expect((reply.body["status"] as { devices: unknown }).devices).toEqual([eth("eth1")]);
    expect((reply.body["metadata"] as { labels: unknown }).labels).toEqual({ l: "1" });
  });
});
