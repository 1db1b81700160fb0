// What the kubelet's PodResources API shows for a pod (pure): per container, its device-plugin devices
// and the DRA devices of the claims that container references in resources.claims. A claim that no
// container references (a pod-level claim) appears nowhere, as in the real kubelet.
import type { ClaimResource } from "../../../src/generated/podresources-v1/v1/ClaimResource.ts";
import type { DynamicResource } from "../../../src/generated/podresources-v1/v1/DynamicResource.ts";
import type { PodResources } from "../../../src/generated/podresources-v1/v1/PodResources.ts";
import type { PreparedClaim, StandInContainer, StandInPod } from "./types.ts";

function claimResources(prepared: PreparedClaim): ClaimResource[] {
  return [...prepared.devicesByDriver].flatMap(([driver, devices]) =>
    devices.map((device) => {
      const resource: ClaimResource = {
        cdi_devices: device.cdiDeviceIds.map((name) => ({ name })),
        driver_name: driver,
        pool_name: device.poolName,
        device_name: device.deviceName,
      };
      if (device.shareId !== undefined) resource.share_id = device.shareId;
      return resource;
    }),
  );
}

function dynamicResources(container: StandInContainer, prepared: PreparedClaim[]): DynamicResource[] {
  return (container.claims ?? []).flatMap((podClaimName) => {
    const claim = prepared.find((p) => p.claim.podClaimName === podClaimName);
    if (claim === undefined) return [];
    return [
      {
        claim_name: claim.claim.name,
        claim_namespace: claim.namespace,
        claim_resources: claimResources(claim),
      },
    ];
  });
}

export function podResourcesView(pod: StandInPod, prepared: PreparedClaim[]): PodResources {
  return {
    name: pod.name,
    namespace: pod.namespace,
    containers: pod.containers.map((container) => ({
      name: container.name,
      devices: (container.devices ?? []).map((d) => ({
        resource_name: d.resource_name,
        device_ids: d.device_ids,
      })),
      cpu_ids: [],
      memory: [],
      dynamic_resources: dynamicResources(container, prepared),
    })),
  };
}
