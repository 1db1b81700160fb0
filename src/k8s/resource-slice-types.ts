// resource.k8s.io/v1 ResourceSlice shapes (kubernetes/api resource/v1/types.go) as plain JSON, the
// API's per-slice and per-device limits, and the checks a device must pass before it is published.
import type { KubeObject } from "./types.ts";

export const RESOURCE_GROUP = "resource.k8s.io";

/** ResourceSliceMaxDevices. */
export const MAX_DEVICES_PER_SLICE = 128;
/** ResourceSliceMaxDevicesWithTaintsOrConsumesCounters: the limit once any device of the slice has either. */
export const MAX_DEVICES_PER_SLICE_WITH_TAINTS_OR_COUNTERS = 64;
/** ResourceSliceMaxAttributesAndCapacitiesPerDevice. */
export const MAX_ATTRIBUTES_AND_CAPACITIES_PER_DEVICE = 32;
/** DeviceAttributeMaxValueLength (string and version values). */
export const MAX_ATTRIBUTE_VALUE_LENGTH = 64;
/** DeviceTaintsMaxLength. */
export const MAX_TAINTS_PER_DEVICE = 16;
/** PoolNameMaxLength (a DNS subdomain's length). */
export const MAX_POOL_NAME_LENGTH = 253;
/** DeviceMaxDomainLength and DeviceMaxIDLength of a qualified attribute/capacity name. */
const MAX_NAME_DOMAIN_LENGTH = 63;
const MAX_NAME_ID_LENGTH = 32;
const MAX_DNS_LABEL_LENGTH = 63;

/** Exactly one field set. The list forms are alpha (DRAListTypeAttributes, 1.36). */
export interface DeviceAttribute {
  int?: number;
  bool?: boolean;
  string?: string;
  version?: string;
  ints?: number[];
  bools?: boolean[];
  strings?: string[];
  versions?: string[];
}

/** Quantities are strings ("10Gi", "1500m") or plain numbers, as the API accepts. */
export type Quantity = string | number;

export interface DeviceCapacity {
  value: Quantity;
  requestPolicy?: {
    default?: Quantity;
    validValues?: Quantity[];
    validRange?: { min?: Quantity; max?: Quantity; step?: Quantity };
  };
}

export interface DeviceTaint {
  key: string;
  value?: string;
  effect: string;
  /** Set by the API server when absent. */
  timeAdded?: string;
}

export interface DeviceCounterConsumption {
  counterSet: string;
  counters: Record<string, { value: Quantity }>;
}

/** One device (v1: flat; v1beta1 wraps everything but the name in `basic`). */
export interface Device {
  name: string;
  attributes?: Record<string, DeviceAttribute>;
  capacity?: Record<string, DeviceCapacity>;
  consumesCounters?: DeviceCounterConsumption[];
  taints?: DeviceTaint[];
  bindsToNode?: boolean;
  bindingConditions?: string[];
  bindingFailureConditions?: string[];
  allowMultipleAllocations?: boolean;
  nodeName?: string;
  nodeSelector?: unknown;
  allNodes?: boolean;
}

export interface ResourcePool {
  name: string;
  generation: number;
  resourceSliceCount: number;
}

export interface ResourceSliceSpec {
  driver: string;
  pool: ResourcePool;
  nodeName?: string;
  nodeSelector?: unknown;
  allNodes?: boolean;
  perDeviceNodeSelection?: boolean;
  devices?: Device[];
  sharedCounters?: unknown[];
}

export interface ResourceSlice extends KubeObject {
  spec: ResourceSliceSpec;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
// semver.org 2.0.0, as the API validates version attributes.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function isDnsLabel(value: string): boolean {
  return value.length <= MAX_DNS_LABEL_LENGTH && DNS_LABEL.test(value);
}

export function isDnsSubdomain(value: string, maxLength = 253): boolean {
  return value.length <= maxLength && DNS_SUBDOMAIN.test(value);
}

/** A C identifier (≤32) or `<DNS subdomain ≤63>/<C identifier ≤32>`. */
export function isQualifiedName(name: string): boolean {
  const slash = name.indexOf("/");
  const id = slash < 0 ? name : name.slice(slash + 1);
  if (id.length > MAX_NAME_ID_LENGTH || !C_IDENTIFIER.test(id)) return false;
  return slash < 0 || isDnsSubdomain(name.slice(0, slash), MAX_NAME_DOMAIN_LENGTH);
}

const ATTRIBUTE_FIELDS = [
  "int",
  "bool",
  "string",
  "version",
  "ints",
  "bools",
  "strings",
  "versions",
] as const;

function attributeProblems(name: string, attr: DeviceAttribute): string[] {
  const set = ATTRIBUTE_FIELDS.filter((f) => attr[f] !== undefined);
  if (set.length !== 1) return [`attribute ${name}: exactly one value field must be set, got ${set.length}`];
  const problems: string[] = [];
  const tooLong = (s: string): boolean => s.length > MAX_ATTRIBUTE_VALUE_LENGTH;
  if (attr.int !== undefined && !Number.isInteger(attr.int))
    problems.push(`attribute ${name}: int is not an integer`);
  if (attr.string !== undefined && tooLong(attr.string))
    problems.push(`attribute ${name}: string longer than ${MAX_ATTRIBUTE_VALUE_LENGTH}`);
  for (const v of attr.version === undefined ? (attr.versions ?? []) : [attr.version]) {
    if (tooLong(v) || !SEMVER.test(v))
      problems.push(`attribute ${name}: ${JSON.stringify(v)} is not a semantic version`);
  }
  for (const s of attr.strings ?? []) {
    if (tooLong(s)) problems.push(`attribute ${name}: list string longer than ${MAX_ATTRIBUTE_VALUE_LENGTH}`);
  }
  return problems;
}

/** Why the API server would reject this device, or [] when it would not (the checks netclaim can make). */
export function deviceProblems(device: Device): string[] {
  const problems: string[] = [];
  if (typeof device.name !== "string" || !isDnsLabel(device.name)) {
    problems.push(`name ${JSON.stringify(device.name)} is not a DNS label`);
  }
  const attributes = Object.entries(device.attributes ?? {});
  const capacities = Object.entries(device.capacity ?? {});
  if (attributes.length + capacities.length > MAX_ATTRIBUTES_AND_CAPACITIES_PER_DEVICE) {
    problems.push(
      `${attributes.length} attributes and ${capacities.length} capacities exceed ${MAX_ATTRIBUTES_AND_CAPACITIES_PER_DEVICE}`,
    );
  }
  for (const [name, attr] of attributes) {
    if (!isQualifiedName(name))
      problems.push(`attribute name ${JSON.stringify(name)} is not a qualified name`);
    problems.push(...attributeProblems(name, attr));
  }
  for (const [name, cap] of capacities) {
    if (!isQualifiedName(name))
      problems.push(`capacity name ${JSON.stringify(name)} is not a qualified name`);
    if (cap.value === undefined) problems.push(`capacity ${name}: value is required`);
  }
  if ((device.taints?.length ?? 0) > MAX_TAINTS_PER_DEVICE) {
    problems.push(`${device.taints?.length} taints exceed ${MAX_TAINTS_PER_DEVICE}`);
  }
  return problems;
}

/** Whether the device lowers its slice's limit to 64 devices. */
export function usesTaintsOrCounters(device: Device): boolean {
  return (device.taints?.length ?? 0) > 0 || (device.consumesCounters?.length ?? 0) > 0;
}
