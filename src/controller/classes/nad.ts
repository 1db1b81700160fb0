// The parts of a NetworkAttachmentDefinition (k8s.cni.cncf.io/v1) the class controller reads: the
// resourceName annotation Multus defines and netclaim's opt-in label for a managed DeviceClass.
import { RESOURCE_TYPES, apiVersionOf } from "../../k8s/resource-path.ts";
import type { KubeObject } from "../../k8s/types.ts";
import type { EventTarget } from "../runtime/event-recorder.ts";

export const RESOURCE_NAME_ANNOTATION = "k8s.v1.cni.cncf.io/resourceName";
/** `"true"` asks the controller to keep a DeviceClass named after the resourceName. */
export const MANAGE_DEVICE_CLASS_LABEL = "netclaim.dev/manage-device-class";

export interface NetworkAttachmentDefinition extends KubeObject {
  spec?: { config?: string };
}

const NAD_TYPE = RESOURCE_TYPES.networkAttachmentDefinitions;

/** The NAD's resourceName, trimmed; undefined when it has none. */
export function resourceNameOf(nad: NetworkAttachmentDefinition): string | undefined {
  const value = nad.metadata?.annotations?.[RESOURCE_NAME_ANNOTATION]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** The NAD opted in to a managed DeviceClass (and is not being deleted). */
export function managesDeviceClass(nad: NetworkAttachmentDefinition): boolean {
  return (
    nad.metadata?.labels?.[MANAGE_DEVICE_CLASS_LABEL] === "true" &&
    nad.metadata.deletionTimestamp === undefined
  );
}

export function nadKey(nad: NetworkAttachmentDefinition): string {
  return `${nad.metadata?.namespace ?? ""}/${nad.metadata?.name ?? ""}`;
}

/** The NAD as the object of an Event. */
export function nadEventTarget(nad: NetworkAttachmentDefinition): EventTarget {
  const m = nad.metadata ?? {};
  return {
    apiVersion: apiVersionOf(NAD_TYPE),
    kind: NAD_TYPE.kind,
    name: m.name ?? "",
    ...(m.namespace === undefined ? {} : { namespace: m.namespace }),
    ...(m.uid === undefined ? {} : { uid: m.uid }),
    ...(m.resourceVersion === undefined ? {} : { resourceVersion: m.resourceVersion }),
  };
}
