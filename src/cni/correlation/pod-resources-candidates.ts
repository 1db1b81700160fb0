// The pod's devices as the kubelet's PodResources API v1 shows them (Get's pod_resources). Pure.
//   - containers[].dynamic_resources[]: the DRA claims a container references, one claim_resources entry
//     per prepared device (driver_name, pool_name, device_name, share_id, cdi_devices). PodResources has
//     no request names and no attributes; the other sources fill them in (merge-candidates.ts). Some
//     kubelets accumulate a driver's CDI IDs across the devices of a claim (the 2nd device also lists the
//     1st's): an ID already given to an earlier device of the same claim and driver is dropped.
//   - containers[].devices[]: device-plugin devices (resource_name, device_ids), in container order then
//     device order, as the kubelet lists them (Multus flattens them the same way).
// A claim listed by several containers, or a device by several entries, comes out once.
//
// Public API: `podResourcesCandidates`, `devicePluginCandidate`.
import type { PodResources__Output } from "../../generated/podresources-v1/v1/PodResources.ts";
import type { DynamicResource__Output } from "../../generated/podresources-v1/v1/DynamicResource.ts";
import { isPciAddress } from "./handover.ts";
import { mergeCandidates } from "./merge-candidates.ts";
import type { CandidateDevice } from "./types.ts";

function claimDevices(dynamic: DynamicResource__Output): CandidateDevice[] {
  const given = new Map<string, Set<string>>();
  return dynamic.claim_resources.map((resource): CandidateDevice => {
    const seen = given.get(resource.driver_name) ?? new Set<string>();
    given.set(resource.driver_name, seen);
    const cdi = resource.cdi_devices.map((d) => d.name).filter((name) => name !== "" && !seen.has(name));
    for (const name of cdi) seen.add(name);
    const candidate: CandidateDevice = {
      origin: "claim",
      sources: ["podresources"],
      claimNamespace: dynamic.claim_namespace,
      claimName: dynamic.claim_name,
      requestNames: [],
      driver: resource.driver_name,
      pool: resource.pool_name,
      device: resource.device_name,
      kind: "unknown",
      cdiDeviceIds: cdi,
    };
    if (resource.share_id !== undefined && resource.share_id !== "") candidate.shareID = resource.share_id;
    return candidate;
  });
}

/** A device-plugin device of `resourceName` with ID `id` (its PCI address when the ID is one). Pure. */
export function devicePluginCandidate(resourceName: string, id: string): CandidateDevice {
  const candidate: CandidateDevice = {
    origin: "device-plugin",
    sources: ["podresources"],
    claimNamespace: "",
    claimName: "",
    requestNames: [],
    driver: "",
    pool: "",
    device: id,
    resourceNameAttr: resourceName,
    deviceIDAttr: id,
    kind: "unknown",
    cdiDeviceIds: [],
  };
  if (isPciAddress(id)) candidate.pciAddress = id;
  return candidate;
}

export function podResourcesCandidates(pod: PodResources__Output | undefined): CandidateDevice[] {
  if (pod === undefined) return [];
  const found: CandidateDevice[] = [];
  for (const container of pod.containers) {
    for (const dynamic of container.dynamic_resources) found.push(...claimDevices(dynamic));
  }
  for (const container of pod.containers) {
    for (const devices of container.devices) {
      found.push(...devices.device_ids.map((id) => devicePluginCandidate(devices.resource_name, id)));
    }
  }
  return mergeCandidates([], found);
}
