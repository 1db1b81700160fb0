// The node world's cluster IPAM (issue 6): the project's IPPool and IPAllocation CRDs created in the stand-in
// API server as an installer would (installIpamWithPools, test/integration/controller/ipam-support.ts) and
// IPPools through the API, before `netclaim controller` starts (it serves IPAM only when the CRDs are
// there); the objects that name a pool — a NAD whose delegate takes the controller's addresses (host-device,
// static IPAM without addresses of its own, `capabilities: {ips: true}`), optionally naming the pool itself
// (`netclaim.dev/ip-pool`), and a claim whose opaque NetworkDeviceConfig names `ipPool` —; and what the
// tests look at: a claim's IPAllocation objects, who owns its status ips, its finalizers, a real DELETE.
//
// Public API: `IP_POOL_ANNOTATION`, `IP_ALLOCATION_FINALIZER`, `CONTROLLER_MANAGER`, `CNI_MANAGER`, `installIpam`,
// `ipamNad`, `poolClaim`, `ipamPodPlan`, `controllerAddressesOf`, `waitForControllerAddresses`,
// `ipAllocationsOf`, `IpAllocationShape`, `fieldOwners`, `claimFinalizers`,
// `deleteClaim`.
import { randomUUID } from "node:crypto";
import type { IPPoolSpec } from "../../../src/api/ip-pool.ts";
import type { FakeApiServer, KubeObject } from "../../harness/api-server/index.ts";
import { call } from "../../harness/api-server/test-client.ts";
import { clientFor, installIpamWithPools } from "../../integration/controller/ipam-support.ts";
import type { NodeWorld } from "./node-world.ts";
import { claimObject, claimStatus } from "./node-inspect.ts";
import { DRIVER, NAMESPACE, RESOURCE_NAME_ANNOTATION, resourceClaim } from "./scenario.ts";
import type { PodPlan } from "./scenario.ts";

export const IP_POOL_ANNOTATION = "netclaim.dev/ip-pool";
export const IP_ALLOCATION_FINALIZER = "netclaim.dev/ip-allocation";
/** The field manager of the controller's writes. */
export const CONTROLLER_MANAGER = "netclaim.dev/controller";
/** The field manager of the CNI side's claim status writes. */
export const CNI_MANAGER = "netclaim.dev/cni";

/** The IPAM CRDs, then each pool, through the API. */
export async function installIpam(
  api: FakeApiServer,
  pools: Readonly<Record<string, IPPoolSpec>>,
): Promise<void> {
  await installIpamWithPools(clientFor(api, "installer"), pools);
}

/** A NAD for devices of `resourceName` whose addresses are the controller's; `pool` names its IPPool. */
export function ipamNad(name: string, resourceName: string, pool?: string): KubeObject {
  const annotations: Record<string, string> = { [RESOURCE_NAME_ANNOTATION]: resourceName };
  if (pool !== undefined) annotations[IP_POOL_ANNOTATION] = pool;
  return {
    apiVersion: "k8s.cni.cncf.io/v1",
    kind: "NetworkAttachmentDefinition",
    metadata: { namespace: NAMESPACE, name, annotations },
    spec: {
      config: JSON.stringify({
        cniVersion: "1.0.0",
        name,
        type: "host-device",
        capabilities: { ips: true },
        ipam: { type: "static" },
      }),
    },
  };
}

/** A claim with one request "nic" of `className`; with `pool`, its opaque config names that IPPool. */
export function poolClaim(name: string, className: string, pool?: string): KubeObject {
  const claim = resourceClaim(name, { nic: className });
  if (pool === undefined) return claim;
  const parameters = { apiVersion: "netclaim.dev/v1alpha1", kind: "NetworkDeviceConfig", ipPool: pool };
  const spec = claim.spec as { devices: Record<string, unknown> };
  spec.devices.config = [{ requests: ["nic"], opaque: { driver: DRIVER, parameters } }];
  return claim;
}

export interface IpAllocationShape {
  metadata: { name: string; uid?: string; labels?: Record<string, string> };
  spec: {
    pool: string;
    address: string;
    claim: { namespace: string; name: string; uid: string };
    device: { driver: string; pool: string; device: string };
  };
}

/** The addresses the controller recorded for the claim's device once AddressesAllocated is True. */
export function controllerAddressesOf(w: NodeWorld, claimName: string): string[] | undefined {
  const entry = claimStatus(w, claimName)[0];
  const done = entry?.conditions?.some((c) => c.type === "AddressesAllocated" && c.status === "True");
  return done ? entry?.networkData?.ips : undefined;
}

/** Waits for controllerAddressesOf (polling the API server's store); rejects after `timeoutMs`. */
export async function waitForControllerAddresses(
  w: NodeWorld,
  claimName: string,
  timeoutMs = 20_000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ips = controllerAddressesOf(w, claimName);
    if (ips !== undefined) return ips;
    if (Date.now() > deadline) throw new Error(`the controller gave claim ${claimName} no addresses in time`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A pod on the NAD `nad` whose container references its claim `<name>-nic` (pod claim "nic"). */
export function ipamPodPlan(name: string, nad: string): PodPlan {
  return {
    name,
    uid: randomUUID(),
    networks: nad,
    claims: [{ podClaimName: "nic", claimName: `${name}-nic`, containerRef: true }],
  };
}

/** The IPAllocation objects naming the claim, by address. */
export function ipAllocationsOf(w: NodeWorld, claimName: string): IpAllocationShape[] {
  const all = w.api.listObjects({ group: "netclaim.dev", resource: "ipallocations" });
  return (all as unknown as IpAllocationShape[])
    .filter((a) => a.spec.claim.namespace === NAMESPACE && a.spec.claim.name === claimName)
    .sort((a, b) => a.spec.address.localeCompare(b.spec.address));
}

function fieldKeys(fields: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof fields !== "object" || fields === null) return into;
  for (const [key, value] of Object.entries(fields)) {
    into.add(key);
    fieldKeys(value, into);
  }
  return into;
}

/**
 * The managers whose managedFields hold a field set key anywhere: "f:ips" (networkData.ips),
 * 'k:{"type":"Ready"}' (a condition), ...
 */
export function fieldOwners(w: NodeWorld, claimName: string, key: string): string[] {
  return (claimObject(w, claimName)?.metadata?.managedFields ?? [])
    .filter((m) => fieldKeys(m.fieldsV1).has(key))
    .map((m) => m.manager ?? "")
    .sort();
}

export function claimFinalizers(w: NodeWorld, claimName: string): string[] | undefined {
  const claim = claimObject(w, claimName);
  return claim === undefined ? undefined : (claim.metadata?.finalizers ?? []);
}

/** DELETE through the API (finalizers honoured: the claim stays, deletionTimestamp set, until they go). */
export async function deleteClaim(w: NodeWorld, name: string): Promise<void> {
  const path = `/apis/resource.k8s.io/v1/namespaces/${NAMESPACE}/resourceclaims/${name}`;
  const reply = await call(w.api.url, "DELETE", path);
  if (reply.status !== 200 && reply.status !== 202)
    throw new Error(`delete claim ${NAMESPACE}/${name}: ${reply.status} ${JSON.stringify(reply.body)}`);
}
