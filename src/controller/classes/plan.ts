// Pure decisions of the class controller. For one resourceName R, from the NADs that carry it, the
// DeviceClass named R (if any) and whether a current device of this driver carries R:
// - NADs labelled netclaim.dev/manage-device-class=true want a class R: create it, or correct a
//   netclaim-managed one that drifted; a class R that netclaim does not manage is never touched;
// - a netclaim-managed class that no labelled NAD wants any more is deleted;
// - warnings, on NADs: no DeviceClass R, no published device with R, a class R not managed by
//   netclaim, an R that cannot name a class. An unlabelled NAD whose R is no DNS subdomain (a
//   device-plugin name such as intel.com/sriov) gets none: no DeviceClass can have that name.
// planDeviceClasses does it for every R at once: (NADs, classes, slices) → actions + warnings.
import type { ResourceSlice } from "../../k8s/resource-slice-types.ts";
import { correctedClass, desiredDeviceClass, isClassName, isManagedClass } from "./device-class.ts";
import type { DeviceClass } from "./device-class.ts";
import { managesDeviceClass, nadKey, resourceNameOf } from "./nad.ts";
import type { NetworkAttachmentDefinition } from "./nad.ts";
import { publishedResourceNames } from "./published-devices.ts";

export const WARNING_REASONS = {
  noDeviceClass: "NoDeviceClass",
  noPublishedDevice: "NoPublishedDevice",
  classNotManaged: "DeviceClassNotManaged",
  invalidName: "InvalidResourceName",
} as const;

export type WarningReason = (typeof WARNING_REASONS)[keyof typeof WARNING_REASONS];

export interface NadWarning {
  nad: NetworkAttachmentDefinition;
  reason: WarningReason;
  message: string;
}

export type ClassAction =
  | { type: "none" }
  | { type: "create"; object: DeviceClass }
  | { type: "update"; object: DeviceClass }
  | { type: "delete"; name: string; uid: string | undefined };

export interface ResourceNameInput {
  resourceName: string;
  driverName: string;
  /** The NADs whose resourceName is R. */
  nads: readonly NetworkAttachmentDefinition[];
  /** The DeviceClass named R. */
  existing: DeviceClass | undefined;
  /** A current device of this driver carries R. */
  published: boolean;
  /** apiVersion of classes created (the served resource.k8s.io version). */
  apiVersion?: string;
}

export interface ResourceNameDecision {
  action: ClassAction;
  warnings: NadWarning[];
}

function classAction(input: ResourceNameInput, wanting: readonly NetworkAttachmentDefinition[]): ClassAction {
  const { existing, driverName, resourceName } = input;
  const ours = existing !== undefined && isManagedClass(existing, driverName);
  if (wanting.length === 0 || !isClassName(resourceName)) {
    if (!ours || existing.metadata?.deletionTimestamp !== undefined) return { type: "none" };
    return { type: "delete", name: resourceName, uid: existing.metadata?.uid };
  }
  const desired = desiredDeviceClass({
    driverName,
    resourceName,
    networks: wanting.map(nadKey),
    ...(input.apiVersion === undefined ? {} : { apiVersion: input.apiVersion }),
  });
  if (existing === undefined) return { type: "create", object: desired };
  if (!ours || existing.metadata?.deletionTimestamp !== undefined) return { type: "none" };
  const corrected = correctedClass(existing, desired);
  return corrected === undefined ? { type: "none" } : { type: "update", object: corrected };
}

function warningsFor(
  input: ResourceNameInput,
  nad: NetworkAttachmentDefinition,
  classThere: boolean,
): NadWarning[] {
  const r = JSON.stringify(input.resourceName);
  const wants = managesDeviceClass(nad);
  if (!isClassName(input.resourceName)) {
    if (!wants) return [];
    const message = `resourceName ${r} is not a DNS subdomain, so no DeviceClass can be named after it`;
    return [{ nad, reason: WARNING_REASONS.invalidName, message }];
  }
  const warnings: NadWarning[] = [];
  const existing = input.existing;
  if (wants && existing !== undefined && !isManagedClass(existing, input.driverName)) {
    const message = `DeviceClass ${r} exists and is not managed by netclaim (${input.driverName}); left as it is`;
    warnings.push({ nad, reason: WARNING_REASONS.classNotManaged, message });
  }
  if (!classThere) {
    const message = `resourceName ${r} matches no DeviceClass; claims cannot request this network by class`;
    warnings.push({ nad, reason: WARNING_REASONS.noDeviceClass, message });
  }
  if (!input.published) {
    const message = `no ResourceSlice of driver ${input.driverName} publishes a device with k8s.cni.cncf.io/resourceName ${r}`;
    warnings.push({ nad, reason: WARNING_REASONS.noPublishedDevice, message });
  }
  return warnings;
}

/** What to do about resourceName R. */
export function decideResourceName(input: ResourceNameInput): ResourceNameDecision {
  const live = input.nads.filter((n) => n.metadata?.deletionTimestamp === undefined);
  const wanting = live.filter(managesDeviceClass);
  const action = classAction(input, wanting);
  const existingStays =
    input.existing !== undefined && input.existing.metadata?.deletionTimestamp === undefined;
  const classThere = action.type === "create" || (existingStays && action.type !== "delete");
  return { action, warnings: live.flatMap((nad) => warningsFor(input, nad, classThere)) };
}

export interface PlanInput {
  driverName: string;
  nads: readonly NetworkAttachmentDefinition[];
  classes: readonly DeviceClass[];
  slices: readonly ResourceSlice[];
  apiVersion?: string;
}

/** Every resourceName any NAD carries or any managed class is named after, decided; sorted by R. */
export function planDeviceClasses(input: PlanInput): Map<string, ResourceNameDecision> {
  const byName = new Map<string, NetworkAttachmentDefinition[]>();
  for (const nad of input.nads) {
    const r = resourceNameOf(nad);
    if (r !== undefined) byName.set(r, [...(byName.get(r) ?? []), nad]);
  }
  for (const cls of input.classes) {
    const name = cls.metadata?.name;
    if (name !== undefined && isManagedClass(cls, input.driverName) && !byName.has(name))
      byName.set(name, []);
  }
  const classes = new Map(input.classes.map((c) => [c.metadata?.name ?? "", c]));
  const published = publishedResourceNames(input.slices, input.driverName);
  const plan = new Map<string, ResourceNameDecision>();
  for (const r of [...byName.keys()].sort()) {
    plan.set(
      r,
      decideResourceName({
        resourceName: r,
        driverName: input.driverName,
        nads: byName.get(r) ?? [],
        existing: classes.get(r),
        published: published.has(r),
        ...(input.apiVersion === undefined ? {} : { apiVersion: input.apiVersion }),
      }),
    );
  }
  return plan;
}
