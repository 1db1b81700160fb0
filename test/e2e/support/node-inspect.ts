// What the e2e tests and the demo look at in the node world: the pod's interfaces (ip inside its netns), the
// fake host's NICs, the pod's network-status annotation and the claim's status as the API server stores
// them, host-local's allocations, netclaim's attachment cache, the device-info files, the kubelet plugin's
// checkpoint and CDI specs, the API requests of the kubelet plugin (not those of the world itself).
//
// Public API: `PodInterface`, `podInterfaces`, `hostNics`, `networkStatus`, `claimStatus`, `claimObject`,
// `hostLocalAllocations`, `cacheEntries`, `deviceInfoFiles`, `checkpointClaims`, `cdiSpecFiles`,
// `allocatedDevices`, `podResources`, `pluginApiCalls`, `NetworkStatusEntry`, `ClaimDeviceStatus`.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { openPodResourcesClient } from "../../../src/cni/correlation/pod-resources-client.ts";
import type { PodResources__Output } from "../../../src/generated/podresources-v1/v1/PodResources.ts";
import type { KubeObject, RecordedRequest } from "../../harness/api-server/index.ts";
import type { NodePod } from "./node-pods.ts";
import type { NodeWorld } from "./node-world.ts";
import { NAMESPACE, NETWORK_STATUS_ANNOTATION } from "./scenario.ts";

export interface PodInterface {
  name: string;
  mac?: string;
  /** CIDRs, link-local left out. */
  addresses: string[];
}

export async function podInterfaces(w: NodeWorld, pod: NodePod): Promise<Map<string, PodInterface>> {
  const links = await w.h.podNetns.addresses(pod.sandbox.netns);
  return new Map(
    links.map((l) => [
      l.ifname,
      {
        name: l.ifname,
        ...(l.address === undefined ? {} : { mac: l.address }),
        addresses: l.addr_info.filter((a) => a.scope !== "link").map((a) => `${a.local}/${a.prefixlen}`),
      },
    ]),
  );
}

/** The fake host's links, with their MACs. */
export async function hostNics(w: NodeWorld): Promise<Map<string, string | undefined>> {
  return new Map((await w.h.netns.links(w.h.host.netns)).map((l) => [l.ifname, l.address]));
}

export interface NetworkStatusEntry {
  name: string;
  interface?: string;
  ips?: string[];
  mac?: string;
  default?: boolean;
  "device-info"?: Record<string, unknown>;
}

/** The pod's network-status annotation as stored, parsed; undefined without one. */
export function networkStatus(w: NodeWorld, pod: NodePod): NetworkStatusEntry[] | undefined {
  const obj = w.api.getObject({ resource: "pods", namespace: NAMESPACE, name: pod.plan.name });
  const value = obj?.metadata?.annotations?.[NETWORK_STATUS_ANNOTATION];
  return value === undefined ? undefined : (JSON.parse(value) as NetworkStatusEntry[]);
}

export function claimObject(w: NodeWorld, name: string): KubeObject | undefined {
  return w.api.getObject({
    group: "resource.k8s.io",
    resource: "resourceclaims",
    namespace: NAMESPACE,
    name,
  });
}

export interface ClaimDeviceStatus {
  driver: string;
  pool: string;
  device: string;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  networkData?: { interfaceName?: string; ips?: string[]; hardwareAddress?: string };
}

/** The claim's status.devices as stored ([] without). */
export function claimStatus(w: NodeWorld, name: string): ClaimDeviceStatus[] {
  const claim = claimObject(w, name) as { status?: { devices?: ClaimDeviceStatus[] } } | undefined;
  return claim?.status?.devices ?? [];
}

/** The devices the claim was allocated (status.allocation results), in order. */
export function allocatedDevices(w: NodeWorld, claimName: string): string[] {
  const claim = claimObject(w, claimName) as
    { status?: { allocation?: { devices?: { results?: { device: string }[] } } } } | undefined;
  return (claim?.status?.allocation?.devices?.results ?? []).map((r) => r.device);
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out.sort();
}

/** host-local's reservations (network/<ip> files) in the world's IPAM dir. */
export async function hostLocalAllocations(w: NodeWorld): Promise<string[]> {
  const files = await filesUnder(w.paths.host.ipamDir);
  return files.filter((f) => !/\/(lock|last_reserved_ip\.\d+)$/.test(f));
}

/** netclaim's attachment cache entries. */
export async function cacheEntries(w: NodeWorld): Promise<string[]> {
  return (await filesUnder(w.paths.host.cacheDir)).filter((f) => !f.split("/").at(-1)?.startsWith("."));
}

export async function deviceInfoFiles(w: NodeWorld): Promise<string[]> {
  return filesUnder(w.paths.deviceInfoDir);
}

/** The checkpoint's claims (uid → state, pods); {} without a checkpoint. */
export async function checkpointClaims(
  w: NodeWorld,
): Promise<Record<string, { name: string; state: string; podUIDs: string[] }>> {
  try {
    const text = await readFile(w.paths.checkpoint, "utf8");
    return (JSON.parse(text) as { data?: { claims?: Record<string, never> } }).data?.claims ?? {};
  } catch {
    return {};
  }
}

export async function cdiSpecFiles(w: NodeWorld): Promise<string[]> {
  return filesUnder(w.paths.cdiDir);
}

/** What the stand-in kubelet's PodResources `Get` answers for the pod, over its socket. */
export async function podResources(w: NodeWorld, pod: NodePod): Promise<PodResources__Output | undefined> {
  const client = openPodResourcesClient(w.paths.podResourcesSocket);
  try {
    return await client.get(NAMESPACE, pod.plan.name, 5_000);
  } finally {
    client.close();
  }
}

/** The kubelet plugin's requests to the API server since the last reset (no watches): `verb resource[/sub]`. */
export function pluginApiCalls(w: NodeWorld): string[] {
  return w.api
    .requests()
    .filter((r: RecordedRequest) => r.verb !== "watch" && r.userAgent !== "stand-in-test/1.0")
    .map((r) => `${r.verb} ${r.resource}${r.subresource ? `/${r.subresource}` : ""}`);
}
