// The stand-in against the real client: @kubernetes/client-node 2.0.1 over a kubeconfig.
import {
  ApiException,
  ApisApi,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  makeInformer,
  PatchStrategy,
  ResourceV1Api,
  setHeaderOptions,
  Watch,
} from "@kubernetes/client-node";
import type { V1Pod } from "@kubernetes/client-node";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeApiServer } from "./index.ts";

let server: FakeApiServer;
let kc: KubeConfig;
beforeEach(async () => {
  server = new FakeApiServer({
    bookmarkIntervalMs: 50,
    resources: [
      {
        group: "netclaim.dev",
        version: "v1alpha1",
        kind: "IPPool",
        plural: "ippools",
        namespaced: false,
        statusSubresource: true,
      },
    ],
  });
  await server.start();
  kc = new KubeConfig();
  kc.loadFromString(server.kubeconfigYaml({ token: "t0k3n" }));
});
afterEach(async () => {
  await server.stop();
});

function podBody(name: string, labels: Record<string, string> = {}): V1Pod {
  return { metadata: { name, labels }, spec: { containers: [{ name: "c", image: "busybox" }] } };
}

async function apiError(
  promise: Promise<unknown>,
): Promise<{ code: number; status: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiException) {
      const body =
        typeof error.body === "string"
          ? (JSON.parse(error.body) as Record<string, unknown>)
          : (error.body as Record<string, unknown>);
      return { code: error.code, status: body };
    }
    throw error;
  }
  throw new Error("expected an ApiException");
}

describe("client-node against the stand-in", () => {
  it("CoreV1Api: create, list with a selector, read, patch, and a 404 ApiException", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({ namespace: "default", body: podBody("a", { app: "web" }) });
    await core.createNamespacedPod({ namespace: "default", body: podBody("b", { app: "db" }) });
    const list = await core.listNamespacedPod({ namespace: "default", labelSelector: "app=web" });
    expect(list.items.map((p) => p.metadata?.name)).toEqual(["a"]);
    const merged = await core.patchNamespacedPod(
      { namespace: "default", name: "a", body: { metadata: { annotations: { x: "y" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(merged.metadata?.annotations).toEqual({ x: "y" });
    const jsonPatched = await core.patchNamespacedPod({
      namespace: "default",
      name: "a",
      body: [{ op: "add", path: "/metadata/labels/tier", value: "front" }],
    });
    expect(jsonPatched.metadata?.labels).toEqual({ app: "web", tier: "front" });
    const missing = await apiError(core.readNamespacedPod({ namespace: "default", name: "nope" }));
    expect(missing).toMatchObject({
      code: 404,
      status: { reason: "NotFound", message: 'pods "nope" not found' },
    });
    expect(
      server.requests().every((r) => r.bearerToken && r.userAgent === "kubernetes-client-javascript/2.0.1"),
    ).toBe(true);
    expect(server.requestCount({ verb: "patch", resource: "pods" })).toBe(2);
  });

  it("loads from a kubeconfig file, with the namespace in the context", async () => {
    const dir = await mkdtemp(join(tmpdir(), "stand-in-"));
    try {
      await server.writeKubeconfig(join(dir, "kubeconfig"));
      const fromFile = new KubeConfig();
      fromFile.loadFromFile(join(dir, "kubeconfig"));
      const namespaces = await fromFile.makeApiClient(CoreV1Api).listNamespace();
      expect(namespaces.items.map((n) => n.metadata?.name)).toEqual([
        "default",
        "kube-node-lease",
        "kube-public",
        "kube-system",
      ]);
      const scoped = new KubeConfig();
      scoped.loadFromString(server.kubeconfigYaml({ namespace: "kube-system" }));
      expect(scoped.getContextObject(scoped.getCurrentContext())?.namespace).toBe("kube-system");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("ResourceV1Api: slices by field selector, claim status by server-side apply", async () => {
    const resource = kc.makeApiClient(ResourceV1Api);
    for (const node of ["node-a", "node-b"]) {
      await resource.createResourceSlice({
        body: {
          metadata: { name: `${node}-netclaim` },
          spec: {
            driver: "netclaim.dev",
            nodeName: node,
            pool: { name: node, generation: 1, resourceSliceCount: 1 },
            devices: [{ name: "vf0" }],
          },
        },
      });
    }
    const slices = await resource.listResourceSlice({ fieldSelector: "spec.nodeName=node-b" });
    expect(slices.items.map((s) => s.metadata?.name)).toEqual(["node-b-netclaim"]);
    await resource.createNamespacedResourceClaim({
      namespace: "default",
      body: {
        metadata: { name: "claim" },
        spec: { devices: { requests: [{ name: "net", exactly: { deviceClassName: "sf-pool-1" } }] } },
      },
    });
    const applied = await resource.patchNamespacedResourceClaimStatus(
      {
        namespace: "default",
        name: "claim",
        fieldManager: "netclaim.dev",
        force: true,
        body: {
          apiVersion: "resource.k8s.io/v1",
          kind: "ResourceClaim",
          metadata: { name: "claim", namespace: "default" },
          status: {
            devices: [
              {
                driver: "netclaim.dev",
                pool: "node-a",
                device: "vf0",
                networkData: { interfaceName: "net1", ips: ["10.10.0.5/24"] },
              },
            ],
          },
        },
      },
      setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
    );
    expect(applied.status?.devices?.[0]?.networkData?.interfaceName).toBe("net1");
    expect(
      applied.metadata?.managedFields?.map((m) => `${m.manager}:${m.operation}:${m.subresource ?? ""}`),
    ).toEqual(["kubernetes-client-javascript:Update:", "netclaim.dev:Apply:status"]);
  });

  it("CustomObjectsApi: NetworkAttachmentDefinitions and a registered cluster-scoped type", async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      group: "k8s.cni.cncf.io",
      version: "v1",
      namespace: "default",
      plural: "network-attachment-definitions",
      body: {
        apiVersion: "k8s.cni.cncf.io/v1",
        kind: "NetworkAttachmentDefinition",
        metadata: { name: "sf-net" },
        spec: { config: "{}" },
      },
    });
    const nads = (await custom.listNamespacedCustomObject({
      group: "k8s.cni.cncf.io",
      version: "v1",
      namespace: "default",
      plural: "network-attachment-definitions",
    })) as { items: Array<{ metadata: { name: string } }> };
    expect(nads.items.map((n) => n.metadata.name)).toEqual(["sf-net"]);
    await custom.createClusterCustomObject({
      group: "netclaim.dev",
      version: "v1alpha1",
      plural: "ippools",
      body: {
        apiVersion: "netclaim.dev/v1alpha1",
        kind: "IPPool",
        metadata: { name: "pool-a" },
        spec: { cidrs: ["10.10.0.0/24"] },
      },
    });
    const read = (await custom.getClusterCustomObject({
      group: "netclaim.dev",
      version: "v1alpha1",
      plural: "ippools",
      name: "pool-a",
    })) as { metadata: { generation: number } };
    expect(read.metadata.generation).toBe(1);
  });

  it("CoordinationV1Api: a stale lease update is a 409 ApiException", async () => {
    const coordination = kc.makeApiClient(CoordinationV1Api);
    const lease = await coordination.createNamespacedLease({
      namespace: "kube-system",
      body: {
        metadata: { name: "netclaim-controller" },
        spec: { holderIdentity: "a", leaseDurationSeconds: 15 },
      },
    });
    await coordination.replaceNamespacedLease({
      namespace: "kube-system",
      name: "netclaim-controller",
      body: { ...lease, spec: { ...lease.spec, holderIdentity: "b" } },
    });
    const stale = await apiError(
      coordination.replaceNamespacedLease({
        namespace: "kube-system",
        name: "netclaim-controller",
        body: { ...lease, spec: { ...lease.spec, holderIdentity: "c" } },
      }),
    );
    expect(stale).toMatchObject({ code: 409, status: { reason: "Conflict" } });
  });

  it("Watch: events, bookmarks, and a 410 ERROR for a compacted resourceVersion", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const events: string[] = [];
    let resolveDeleted: () => void = () => undefined;
    const deleted = new Promise<void>((resolve) => (resolveDeleted = resolve));
    const watch = new Watch(kc);
    const controller = await watch.watch(
      "/api/v1/namespaces/default/pods",
      { allowWatchBookmarks: true, resourceVersion: server.resourceVersion },
      (type, obj: V1Pod) => {
        events.push(`${type} ${obj.metadata?.name ?? ""}`);
        if (type === "DELETED") resolveDeleted();
      },
      () => undefined,
    );
    await core.createNamespacedPod({ namespace: "default", body: podBody("w") });
    await core.deleteNamespacedPod({ namespace: "default", name: "w" });
    await deleted;
    controller.abort();
    expect(events.filter((e) => !e.startsWith("BOOKMARK"))).toEqual(["ADDED w", "DELETED w"]);

    const old = server.resourceVersion;
    server.seed({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "bump", namespace: "default" } });
    server.compactHistory();
    const errorEvent = await new Promise<{ type: string; code: unknown }>((resolve) => {
      void watch.watch(
        "/api/v1/namespaces/default/pods",
        { resourceVersion: old },
        (type, obj: { code?: number }) => resolve({ type, code: obj.code }),
        () => undefined,
      );
    });
    expect(errorEvent).toEqual({ type: "ERROR", code: 410 });
  });

  it("makeInformer lists, watches, and relists after a 410", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const informer = makeInformer(kc, "/api/v1/namespaces/default/pods", () =>
      core.listNamespacedPod({ namespace: "default" }),
    );
    const added: string[] = [];
    const waiters: Array<() => void> = [];
    informer.on("add", (pod: V1Pod) => {
      added.push(pod.metadata?.name ?? "");
      for (const w of waiters.splice(0)) w();
    });
    const seen = async (name: string): Promise<void> => {
      while (!added.includes(name)) await new Promise<void>((resolve) => waiters.push(resolve));
    };
    server.seed({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "before", namespace: "default" },
      spec: { containers: [] },
    });
    await informer.start();
    await seen("before");
    await core.createNamespacedPod({ namespace: "default", body: podBody("during") });
    await seen("during");
    // While the informer is disconnected a change happens and history is compacted past it: its
    // re-watch from the old resourceVersion gets a 410 ERROR, and it must list again.
    server.closeWatches();
    server.seed({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "after-compaction", namespace: "default" },
      spec: { containers: [] },
    });
    server.compactHistory();
    await seen("after-compaction");
    await informer.stop();
    expect(
      informer
        .list()
        .map((p) => p.metadata?.name)
        .sort(),
    ).toEqual(["after-compaction", "before", "during"]);
    expect(server.requestCount({ verb: "list", resource: "pods" })).toBe(2);
  });

  it("discovery through client-node", async () => {
    const groups = await kc.makeApiClient(ApisApi).getAPIVersions();
    expect(groups.groups.find((g) => g.name === "resource.k8s.io")?.preferredVersion?.version).toBe("v1");
  });
});
