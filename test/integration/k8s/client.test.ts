// The client wrapper against the stand-in API server over HTTP: CRUD, patches, subresources,
// preconditions, and errors mapped to ApiError (409 Conflict / AlreadyExists, 404, 410).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiError, isAlreadyExists, isConflict, isGone, isNotFound } from "../../../src/k8s/api-error.ts";
import { userAgent } from "../../../src/k8s/client.ts";
import type { KubeClient } from "../../../src/k8s/client.ts";
import { RESOURCE_API_VERSIONS } from "../../../src/k8s/discovery.ts";
import { RESOURCE_TYPES } from "../../../src/k8s/resource-path.ts";
import type { ResourceType } from "../../../src/k8s/resource-path.ts";
import type { KubeObject, WatchEvent } from "../../../src/k8s/types.ts";
import type { FakeApiServer } from "../../harness/api-server/index.ts";
import { clientFor, startServer } from "./helpers.ts";

const CONFIGMAPS: ResourceType = {
  group: "",
  version: "v1",
  resource: "configmaps",
  namespaced: true,
  kind: "ConfigMap",
};

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

let server: FakeApiServer;
let kube: KubeClient;
beforeEach(async () => {
  server = await startServer();
  kube = clientFor(server, "client-test");
});
afterEach(async () => {
  await server.stop();
});

function configMap(name: string, data: Record<string, string> = {}): ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default", labels: { app: "x" } },
    data,
  };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error("expected a rejection"),
    (err: unknown) => err,
  );
}

describe("KubeClient CRUD on the stand-in", () => {
  it("creates, reads, lists with a selector, updates and deletes", async () => {
    const cms = kube.resource<ConfigMap>(CONFIGMAPS);
    const created = await cms.create(configMap("a", { k: "1" }), { fieldManager: "netclaim-test" });
    expect(created.metadata?.uid).toBeTruthy();
    await cms.create({
      ...configMap("b"),
      metadata: { name: "b", namespace: "default", labels: { app: "y" } },
    });

    expect((await cms.get("a", { namespace: "default" })).data).toEqual({ k: "1" });
    const listed = await cms.list({ namespace: "default", labelSelector: "app=x" });
    expect(listed.items.map((c) => c.metadata?.name)).toEqual(["a"]);
    expect(listed.metadata?.resourceVersion).toMatch(/^\d+$/);

    const updated = await cms.update({ ...created, data: { k: "2" } });
    expect(updated.metadata?.resourceVersion).not.toBe(created.metadata?.resourceVersion);
    await cms.delete("a", { namespace: "default" });
    expect(isNotFound(await caught(cms.get("a", { namespace: "default" })))).toBe(true);
  });

  it("sends netclaim's user agent and the field manager", async () => {
    await kube.resource<ConfigMap>(CONFIGMAPS).create(configMap("a"), { fieldManager: "netclaim-test" });
    const [create] = server.requests().filter((r) => r.verb === "create");
    expect(create).toMatchObject({
      userAgent: userAgent("client-test"),
      fieldManager: "netclaim-test",
      bearerToken: true,
    });
  });

  it.each([
    { type: "merge" as const, patch: { data: { k: "merged" } }, want: { k: "merged", keep: "yes" } },
    {
      type: "json" as const,
      patch: [{ op: "replace", path: "/data/k", value: "json" }],
      want: { k: "json", keep: "yes" },
    },
    { type: "strategic" as const, patch: { data: { k: "smp" } }, want: { k: "smp", keep: "yes" } },
  ])("applies a $type patch", async ({ type, patch, want }) => {
    const cms = kube.resource<ConfigMap>(CONFIGMAPS);
    await cms.create(configMap("a", { k: "1", keep: "yes" }));
    const patched = await cms.patch("a", patch, { type, namespace: "default" });
    expect(patched.data).toEqual(want);
  });

  it("server-side applies with a field manager, and force takes over a conflicting field", async () => {
    const cms = kube.resource<ConfigMap>(CONFIGMAPS);
    const intent = (v: string) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "a", namespace: "default" },
      data: { k: v },
    });
    await cms.patch("a", intent("1"), { type: "apply", namespace: "default", fieldManager: "first" });
    const conflict = await caught(
      cms.patch("a", intent("2"), { type: "apply", namespace: "default", fieldManager: "second" }),
    );
    expect(isConflict(conflict)).toBe(true);
    const forced = await cms.patch("a", intent("2"), {
      type: "apply",
      namespace: "default",
      fieldManager: "second",
      force: true,
    });
    expect(forced.data).toEqual({ k: "2" });
  });

  it("writes status only through updateStatus", async () => {
    const claims = kube.resource<KubeObject & { status?: unknown }>(RESOURCE_TYPES.resourceClaims);
    const claim = await claims.create({
      apiVersion: "resource.k8s.io/v1",
      kind: "ResourceClaim",
      metadata: { name: "c", namespace: "default" },
      spec: { devices: { requests: [{ name: "r", exactly: { deviceClassName: "sf-pool-1" } }] } },
    } as KubeObject);
    const status = {
      devices: [{ driver: "netclaim.dev", pool: "p", device: "d", networkData: { interfaceName: "net1" } }],
    };
    const viaUpdate = await claims.update({ ...claim, status });
    expect(viaUpdate.status ?? {}).not.toMatchObject(status);
    const viaStatus = await claims.updateStatus({ ...viaUpdate, status });
    expect(viaStatus.status).toMatchObject(status);
  });
});

describe("KubeClient errors from the stand-in", () => {
  it("maps a stale update to 409 Conflict and a taken name to 409 AlreadyExists", async () => {
    const cms = kube.resource<ConfigMap>(CONFIGMAPS);
    const created = await cms.create(configMap("a"));
    await cms.update({ ...created, data: { k: "newer" } });
    const stale = await caught(cms.update({ ...created, data: { k: "stale" } }));
    expect(stale).toBeInstanceOf(ApiError);
    expect(stale).toMatchObject({ status: 409, reason: "Conflict" });
    expect(isConflict(stale)).toBe(true);
    const taken = await caught(cms.create(configMap("a")));
    expect(isAlreadyExists(taken)).toBe(true);
    expect(isConflict(taken)).toBe(false);
  });

  it("maps a failed delete precondition to 409 and a missing object to 404", async () => {
    const cms = kube.resource<ConfigMap>(CONFIGMAPS);
    await cms.create(configMap("a"));
    const wrongUid = await caught(
      cms.delete("a", { namespace: "default", preconditions: { uid: "not-the-uid" } }),
    );
    expect(isConflict(wrongUid)).toBe(true);
    expect(isNotFound(await caught(cms.delete("nope", { namespace: "default" })))).toBe(true);
  });

  it("reports 410 for a watch resumed from a compacted resourceVersion", async () => {
    const cms = kube.resource<ConfigMap>(CONFIGMAPS);
    const { metadata } = await cms.list({ namespace: "default" });
    await cms.create(configMap("a"));
    server.compactHistory();
    const abort = new AbortController();
    const events: WatchEvent<ConfigMap>[] = [];
    try {
      const stream = await cms.watch({
        namespace: "default",
        resourceVersion: metadata?.resourceVersion,
        signal: abort.signal,
      });
      for await (const event of stream) {
        events.push(event);
        break;
      }
    } catch (err) {
      expect(isGone(err)).toBe(true); // a server may also answer HTTP 410
      return;
    } finally {
      abort.abort();
    }
    const [first] = events;
    expect(first?.type).toBe("ERROR");
    expect(first?.type === "ERROR" && isGone(ApiError.fromStatus(first.object))).toBe(true);
  });

  it("rejects the watch with an ApiError when the server answers it with an HTTP error", async () => {
    server.addFault({ match: { verb: "watch", resource: "configmaps" }, status: 410, times: 1 });
    expect(isGone(await caught(kube.resource<ConfigMap>(CONFIGMAPS).watch({ resourceVersion: "1" })))).toBe(
      true,
    );
  });
});

describe("KubeClient discovery on the stand-in", () => {
  it.each([
    { served: undefined, want: "v1" },
    { served: ["v1beta2", "v1beta1"], want: "v1beta2" },
    { served: ["v1beta1"], want: "v1beta1" },
  ])("picks resource.k8s.io $want when the server serves $served", async ({ served, want }) => {
    const other = await startServer(served === undefined ? {} : { resourceApiVersions: served });
    try {
      const client = clientFor(other);
      await expect(client.pickServedVersion("resource.k8s.io", RESOURCE_API_VERSIONS)).resolves.toBe(want);
      await expect(
        client.servesGroupVersion({ group: "resource.k8s.io", version: want, resource: "resourceclaims" }),
      ).resolves.toBe(true);
      if (want !== "v1")
        await expect(client.servesGroupVersion({ group: "resource.k8s.io", version: "v1" })).resolves.toBe(
          false,
        );
    } finally {
      await other.stop();
    }
  });
});
