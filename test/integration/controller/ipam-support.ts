// Shared setup of the IPAM integration tests: a stand-in API server serving the project's CRD manifests
// (deployments/crds, created through the API as an installer would), clients per "controller", and
// claims created and allocated as kube-scheduler would (create, then status.allocation).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import pLimit from "p-limit";
import { parse } from "yaml";
import type { IPAllocation } from "../../../src/api/ip-address.ts";
import { CachedAllocationStore } from "../../../src/controller/ipam/allocation-cache.ts";
import { IpamReconciler } from "../../../src/controller/ipam/ipam-reconciler.ts";
import { IP_ALLOCATIONS, k8sIpamPorts } from "../../../src/controller/ipam/ipam-k8s.ts";
import type { IpamPorts } from "../../../src/controller/ipam/ports.ts";
import type { ResourceClaim } from "../../../src/controller/ipam/types.ts";
import { KubeClient } from "../../../src/k8s/client.ts";
import { loadKubeConfig } from "../../../src/k8s/kube-config.ts";
import { RESOURCE_TYPES } from "../../../src/k8s/resource-path.ts";
import type { KubeObject } from "../../../src/k8s/types.ts";
import { FakeApiServer } from "../../harness/api-server/index.ts";
import { isNotFound } from "../../../src/k8s/api-error.ts";

export const DRIVER = "netclaim.dev";
export const NAMESPACE = "team-a";
const CRD_TYPE = {
  group: "apiextensions.k8s.io",
  version: "v1",
  resource: "customresourcedefinitions",
  namespaced: false,
  kind: "CustomResourceDefinition",
} as const;

export function crdManifest(file: string): KubeObject {
  const path = fileURLToPath(new URL(`../../../deployments/crds/${file}`, import.meta.url));
  return parse(readFileSync(path, "utf8")) as KubeObject;
}

export function clientFor(server: FakeApiServer, component = "controller"): KubeClient {
  return new KubeClient({
    kubeConfig: loadKubeConfig({ kind: "yaml", yaml: server.kubeconfigYaml() }),
    component,
  });
}

export interface World {
  server: FakeApiServer;
  kube: KubeClient;
  stop(): Promise<void>;
}

/** A started server with the IPPool and IPAllocation CRDs installed and the given pools created. */
/** The project's IPPool and IPAllocation CRDs (deployments/crds), created through the API. */
export async function installIpamCrds(kube: KubeClient): Promise<void> {
  for (const file of ["ippools.netclaim.dev.yaml", "ipallocations.netclaim.dev.yaml"]) {
    await kube.resource(CRD_TYPE).create(crdManifest(file));
  }
}

/** The IPAM CRDs, then an IPPool of each spec, through the API. */
export async function installIpamWithPools(
  kube: KubeClient,
  pools: Readonly<Record<string, unknown>>,
): Promise<void> {
  await installIpamCrds(kube);
  for (const [name, spec] of Object.entries(pools)) {
    await kube.resource(RESOURCE_TYPES.ipPools).create({
      apiVersion: "netclaim.dev/v1alpha1",
      kind: "IPPool",
      metadata: { name },
      spec,
    } as KubeObject);
  }
}

export async function startWorld(pools: Record<string, unknown>): Promise<World> {
  const server = new FakeApiServer();
  await server.start();
  const kube = clientFor(server, "installer");
  await installIpamWithPools(kube, pools);
  return { server, kube, stop: () => server.stop() };
}

/** A reconciler with its own client (its own "controller process"); ports may be wrapped. */
export function reconcilerFor(
  server: FakeApiServer,
  wrap: (ports: IpamPorts) => IpamPorts = (p) => p,
): IpamReconciler {
  const ports = k8sIpamPorts({ kube: clientFor(server), instance: "test-controller" });
  return new IpamReconciler(wrap(ports));
}

/** A reconciler reading IPAllocations from an informer (CachedAllocationStore), synced; ports may be wrapped. */
export async function cachedReconciler(
  server: FakeApiServer,
  signal: AbortSignal,
  wrap: (ports: IpamPorts) => IpamPorts = (p) => p,
): Promise<{ ipam: IpamReconciler; store: CachedAllocationStore }> {
  const kube = clientFor(server);
  const store = new CachedAllocationStore({ kube });
  store.start(signal);
  await store.waitForSync(signal);
  const ports = { ...k8sIpamPorts({ kube, instance: "cached-controller" }), allocations: store };
  return { ipam: new IpamReconciler(wrap(ports)), store };
}

export type StoreKind = "cached" | "live";

/** A reconciler of either kind (the runtime's is "cached"); a cached one's informer runs until `signal`. */
export async function reconcilerOfKind(
  kind: StoreKind,
  server: FakeApiServer,
  signal: AbortSignal,
  wrap: (ports: IpamPorts) => IpamPorts = (p) => p,
): Promise<IpamReconciler> {
  if (kind === "live") return reconcilerFor(server, wrap);
  return (await cachedReconciler(server, signal, wrap)).ipam;
}

export interface ClaimSpec {
  name: string;
  pool?: string;
  deviceClass?: string;
  device?: string;
}

/** Creates the claim, then allocates it (status.allocation) to one device, as the scheduler would. */
export async function createAllocatedClaim(kube: KubeClient, spec: ClaimSpec): Promise<ResourceClaim> {
  const claims = kube.resource<ResourceClaim & KubeObject>(RESOURCE_TYPES.resourceClaims);
  const created = await claims.create({
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceClaim",
    metadata: { namespace: NAMESPACE, name: spec.name },
    spec: {
      devices: { requests: [{ name: "net", exactly: { deviceClassName: spec.deviceClass ?? "sf-pool-1" } }] },
    },
  });
  const config =
    spec.pool === undefined
      ? []
      : [
          {
            source: "FromClaim",
            opaque: {
              driver: DRIVER,
              parameters: {
                apiVersion: "netclaim.dev/v1alpha1",
                kind: "NetworkDeviceConfig",
                ipPool: spec.pool,
              },
            },
          },
        ];
  const results = [
    { request: "net", driver: DRIVER, pool: "node-1", device: spec.device ?? `vf-${spec.name}` },
  ];
  const status = { allocation: { devices: { results, config } } };
  return claims.patch(
    created.metadata!.name!,
    { status },
    { type: "merge", subresource: "status", namespace: NAMESPACE },
  );
}

/**
 * Deletes a claim as a cluster does: the DELETE (the controller's finalizer holds the object), then what
 * kube's resourceclaim controller does for a deleted claim no pod reserves: it deallocates it
 * (status.allocation cleared). Only then does netclaim's controller release the claim's addresses.
 */
export async function deleteClaim(kube: KubeClient, name: string, namespace = NAMESPACE): Promise<void> {
  const claims = kube.resource(RESOURCE_TYPES.resourceClaims);
  await claims.delete(name, { namespace });
  try {
    await claims.patch(
      name,
      { status: { allocation: null } },
      { type: "merge", subresource: "status", namespace },
    );
  } catch (err) {
    if (!isNotFound(err)) throw err; // no finalizer held it: gone already
  }
}

export async function createClaims(kube: KubeClient, specs: ClaimSpec[], concurrency = 32): Promise<void> {
  const limit = pLimit(concurrency);
  await Promise.all(specs.map((s) => limit(() => createAllocatedClaim(kube, s))));
}

export async function reconcileAll(ipam: IpamReconciler, keys: string[], concurrency = 8): Promise<void> {
  const limit = pLimit(concurrency);
  await Promise.all(keys.map((key) => limit(() => ipam.reconcileClaim(key))));
}

export function claimsOf(server: FakeApiServer): ResourceClaim[] {
  return server.listObjects({ group: "resource.k8s.io", resource: "resourceclaims" }, NAMESPACE);
}

export function allocationsOf(server: FakeApiServer): IPAllocation[] {
  return server.listObjects({
    group: IP_ALLOCATIONS.group,
    resource: IP_ALLOCATIONS.resource,
  }) as unknown as IPAllocation[];
}

/** The addresses each claim's status shows, by claim name. */
export function statusIps(server: FakeApiServer): Map<string, string[]> {
  return new Map(
    claimsOf(server).map((c) => [
      c.metadata!.name!,
      (c.status?.devices ?? []).flatMap((d) => d.networkData?.ips ?? []),
    ]),
  );
}

export function ourCondition(claim: ResourceClaim) {
  return claim.status?.devices?.[0]?.conditions?.find((c) => c.type === "AddressesAllocated");
}
