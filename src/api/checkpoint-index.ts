// Lookups over a checkpoint for the CNI side (which must not depend on the kubelet plugin's code): the
// devices prepared for a pod, found through the pod UIDs recorded from each claim's status.reservedFor.
// Only claims in state "prepared" count — a claim being prepared or unprepared has no usable devices.
//
// Public API: `PodDevice`, `devicesForPod`, `claimsForPod`.
import type { Checkpoint, PreparedClaimEntry, PreparedDeviceRecord } from "./checkpoint.ts";

export interface PodDevice {
  claim: { uid: string; namespace: string; name: string };
  device: PreparedDeviceRecord;
}

/** The prepared claims reserved for `podUID`, by claim UID (sorted by namespace/name for stable order). */
export function claimsForPod(checkpoint: Checkpoint, podUID: string): [string, PreparedClaimEntry][] {
  return Object.entries(checkpoint.claims)
    .filter(([, entry]) => entry.state === "prepared" && entry.podUIDs.includes(podUID))
    .sort(([, a], [, b]) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

/** Every device of the pod's prepared claims, claim by claim, in allocation order within a claim. */
export function devicesForPod(checkpoint: Checkpoint, podUID: string): PodDevice[] {
  return claimsForPod(checkpoint, podUID).flatMap(([uid, entry]) =>
    entry.devices.map((device) => ({ claim: { uid, namespace: entry.namespace, name: entry.name }, device })),
  );
}
