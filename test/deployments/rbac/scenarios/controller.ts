// `netclaim controller`, two replicas as child processes (test/integration/controller/runtime-support.ts)
// on the stand-in API server with the project's IPAM CRDs (ipam-support.ts), the leader Lease in namespace
// netclaim as in the Deployment. What it goes through:
//   - leader election: a creates the Lease, b watches it (get), a's SIGTERM releases it, b takes over, b's
//     SIGTERM releases it;
//   - classes: a managed NAD gets its DeviceClass (create); an edited class is corrected (update, after a
//     409 the stand-in answers once: read live, get); the NAD's label goes, the class is deleted; a NAD with
//     no class and no device gets Warning Events (create), and when its warning comes back, the Event is
//     bumped (patch);
//   - ResourceSlice GC: a slice of a node that does not exist is deleted after the grace period (node get);
//   - IPAM: claims with pools get addresses (IPAllocations created — one create answered AlreadyExists once,
//     so the taken name is read, get —, finalizer patches, claim and pool status applies, Events for a full
//     pool); a deleted and deallocated claim frees its address (IPAllocation delete, finalizer removed); a
//     deleted pool's IPAllocations are collected after the grace period.
// No root needed.
//
// Public API: `recordController`.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RESOURCE_TYPES } from "../../../../src/k8s/resource-path.ts";
import type { KubeClient } from "../../../../src/k8s/client.ts";
import type { FakeApiServer, KubeObject } from "../../../harness/api-server/index.ts";
import {
  allocationsOf,
  clientFor,
  createAllocatedClaim,
  installIpamCrds,
  NAMESPACE,
  statusIps,
} from "../../../integration/controller/ipam-support.ts";
import {
  nadObject,
  nodeObject,
  ref,
  sliceObject,
  spawnController,
  startServer,
} from "../../../integration/controller/runtime-support.ts";
import type { ControllerProcess } from "../../../integration/controller/runtime-support.ts";
import { TEST_COMPONENT } from "../support/recorded-calls.ts";
import type { ScenarioRecording } from "./recording.ts";
import { waitFor } from "./recording.ts";

const LEASE_NAMESPACE = "netclaim";
const POOLS = { "pool-a": { cidrs: ["10.10.0.0/24"] }, "pool-small": { cidrs: ["10.11.0.0/30"] } };

function controllerArgs(identity: string): string[] {
  return [
    `--leader-election-namespace=${LEASE_NAMESPACE}`,
    `--leader-election-identity=${identity}`,
    "--leader-election-lease-duration=2s",
    "--leader-election-renew-deadline=1500ms",
    "--leader-election-retry-period=200ms",
    "--resource-slice-gc-grace-period=300ms",
    "--ip-pool-gc-grace-period=300ms",
  ];
}

async function stopController(p: ControllerProcess): Promise<void> {
  p.child.kill("SIGTERM");
  const exit = await p.exited;
  if (exit.code !== 0) throw new Error(`netclaim controller exited with ${JSON.stringify(exit)}`);
}

async function seed(server: FakeApiServer, kube: KubeClient): Promise<void> {
  await installIpamCrds(kube);
  for (const [name, spec] of Object.entries(POOLS)) {
    const pool = { apiVersion: "netclaim.dev/v1alpha1", kind: "IPPool", metadata: { name }, spec };
    await kube.resource(RESOURCE_TYPES.ipPools).create(pool);
  }
  server.seed(nodeObject("node-a"));
  server.seed(sliceObject({ node: "node-a", resourceNames: ["sf-pool-1"] }));
  server.seed(sliceObject({ node: "gone" }));
  server.seed(nadObject("net-a", "sf-pool-1", { manage: true, namespace: NAMESPACE }));
  server.seed(nadObject("plain", "y-pool", { namespace: NAMESPACE }));
}

/** The class corrected after an edit, through one 409 (so the controller reads it live). */
async function classes(server: FakeApiServer): Promise<void> {
  const cls = (): KubeObject | undefined => server.getObject(ref.deviceClass("sf-pool-1"));
  await waitFor("the managed NAD's DeviceClass", () => cls() !== undefined);
  server.addFault({
    match: { verb: "update", resource: "deviceclasses" },
    times: 1,
    status: 409,
    reason: "Conflict",
  });
  const edited = structuredClone(cls()!);
  edited.spec = { selectors: [{ cel: { expression: "true" } }] };
  server.seed(edited);
  await waitFor(
    "the class corrected",
    () => server.requestCount({ verb: "update", resource: "deviceclasses" }) >= 2,
  );
}

/** NAD "plain" warns NoPublishedDevice; a device for it comes and goes until the warning's Event is bumped. */
async function bumpedEvent(server: FakeApiServer): Promise<void> {
  const bumps = () => server.requestCount({ verb: "patch", resource: "events" });
  const slice = sliceObject({ node: "node-a", resourceNames: ["y-pool"], driver: "netclaim.dev" });
  slice.metadata = { ...slice.metadata, name: "node-a-y-pool" };
  for (let attempt = 0; bumps() === 0; attempt++) {
    if (attempt === 50) throw new Error("RBAC scenario: the Warning Event was never bumped");
    server.seed(slice);
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.removeObject({ group: "resource.k8s.io", resource: "resourceslices", name: "node-a-y-pool" });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A claim deleted as a cluster deletes it: the DELETE (the controller's finalizer holds the object), then
 * kube's resourceclaim controller deallocating it (status.allocation cleared) once no pod reserves it.
 */
async function deleteClaim(kube: KubeClient, name: string): Promise<void> {
  const claims = kube.resource(RESOURCE_TYPES.resourceClaims);
  await claims.delete(name, { namespace: NAMESPACE });
  await claims.patch(
    name,
    { status: { allocation: null } },
    { type: "merge", subresource: "status", namespace: NAMESPACE },
  );
}

async function ipam(server: FakeApiServer, kube: KubeClient): Promise<void> {
  server.addFault({
    match: { verb: "create", resource: "ipallocations" },
    times: 1,
    status: 409,
    reason: "AlreadyExists",
  });
  await createAllocatedClaim(kube, { name: "c1", pool: "pool-a" });
  const small = ["c2", "c3", "c4"]; // two addresses in pool-small: one of them is left without
  for (const name of small) await createAllocatedClaim(kube, { name, pool: "pool-small" });
  const addressed = (c: string) => (statusIps(server).get(c) ?? []).length === 1;
  await waitFor("c1 addressed", () => addressed("c1"));
  await waitFor("pool-small full", () => small.filter(addressed).length === 2);
  await waitFor("a PoolExhausted Event", () =>
    server
      .listObjects({ group: "", resource: "events" }, NAMESPACE)
      .some((e) => (e as { reason?: string }).reason === "PoolExhausted"),
  );
  await deleteClaim(kube, "c1");
  await waitFor("c1's address freed", () => allocationsOf(server).every((a) => a.spec.claim.name !== "c1"));
  await kube.resource(RESOURCE_TYPES.ipPools).delete("pool-small");
  await waitFor("pool-small's IPAllocations collected", () =>
    allocationsOf(server).every((a) => a.spec.pool !== "pool-small"),
  );
}

async function cleanupsAndHandover(
  server: FakeApiServer,
  a: ControllerProcess,
  b: ControllerProcess,
): Promise<void> {
  server.seed(nadObject("net-a", "sf-pool-1", { namespace: NAMESPACE }));
  await waitFor(
    "the class no NAD wants deleted",
    () => server.getObject(ref.deviceClass("sf-pool-1")) === undefined,
  );
  await waitFor(
    "the stale slice collected",
    () => server.getObject(ref.slice("gone-netclaim.dev-slice")) === undefined,
  );
  await stopController(a);
  await b.logLine((l) => l.msg === "became leader", "b takes over");
  await stopController(b);
}

export async function recordController(): Promise<ScenarioRecording> {
  const server = await startServer();
  const dir = await mkdtemp(join(tmpdir(), "netclaim-rbac-"));
  const running: ControllerProcess[] = [];
  try {
    const kubeconfig = join(dir, "kubeconfig");
    await server.writeKubeconfig(kubeconfig);
    const kube = clientFor(server, TEST_COMPONENT);
    await seed(server, kube);
    const a = spawnController(kubeconfig, controllerArgs("replica-a"));
    running.push(a);
    await a.logLine((l) => l.msg === "became leader", "a leads");
    const b = spawnController(kubeconfig, controllerArgs("replica-b"));
    running.push(b);
    await b.logLine((l) => l.msg === "new leader observed", "b sees a");
    await classes(server);
    await bumpedEvent(server);
    await ipam(server, kube);
    await cleanupsAndHandover(server, a, b);
    return { name: "controller: two replicas, classes, slice GC, IPAM", requests: server.requests() };
  } finally {
    for (const p of running)
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    await Promise.all(running.map((p) => p.exited));
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
