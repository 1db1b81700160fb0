// The DeviceClass netclaim keeps for a resourceName R: named R, selecting this driver's devices whose
// Multus attribute k8s.cni.cncf.io/resourceName is R, labelled as netclaim's.
//
// The CEL form (resource.k8s.io/v1, k8s.io/dynamic-resource-allocation/cel): `device.attributes` maps
// a domain to a map of names, so the qualified name k8s.cni.cncf.io/resourceName is
// `device.attributes["k8s.cni.cncf.io"].resourceName`. A missing domain reads as an empty map, but a
// missing name in a present domain is a runtime error, and a CEL error in a class selector fails the
// whole allocation — so the expression checks `"resourceName" in ...` before comparing. `&&` is
// commutative in CEL (false wins over an error), and the driver test comes first for readers.
import type { KubeObject } from "../../k8s/types.ts";
import { isDnsSubdomain } from "../../k8s/resource-slice-types.ts";

export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "netclaim";
/** Which netclaim driver manages the class (two installations with different driver names coexist). */
export const DRIVER_LABEL = "netclaim.dev/driver";
/** The NADs ("namespace/name", comma-separated) the class is kept for; for people. */
export const NETWORKS_ANNOTATION = "netclaim.dev/networks";

export const MULTUS_ATTRIBUTE_DOMAIN = "k8s.cni.cncf.io";
export const MULTUS_RESOURCE_NAME_ID = "resourceName";

export interface DeviceSelector {
  cel?: { expression: string };
}

export interface DeviceClass extends KubeObject {
  spec?: {
    selectors?: DeviceSelector[];
    config?: unknown[];
    extendedResourceName?: string;
  };
}

/** A CEL string literal (JSON's escapes are CEL escapes too). */
export function celString(value: string): string {
  return JSON.stringify(value);
}

/** The selector of the class for `resourceName`. */
export function selectorExpression(driverName: string, resourceName: string): string {
  const attrs = `device.attributes[${celString(MULTUS_ATTRIBUTE_DOMAIN)}]`;
  return [
    `device.driver == ${celString(driverName)}`,
    `${celString(MULTUS_RESOURCE_NAME_ID)} in ${attrs}`,
    `${attrs}.${MULTUS_RESOURCE_NAME_ID} == ${celString(resourceName)}`,
  ].join(" && ");
}

/** Whether a DeviceClass can be named after the resourceName (a DNS subdomain, as object names are). */
export function isClassName(resourceName: string): boolean {
  return isDnsSubdomain(resourceName);
}

/** Made by this controller for this driver: the only classes it ever changes or deletes. */
export function isManagedClass(cls: DeviceClass, driverName: string): boolean {
  const labels = cls.metadata?.labels ?? {};
  return labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && labels[DRIVER_LABEL] === driverName;
}

export interface ClassSpecInput {
  driverName: string;
  resourceName: string;
  /** "namespace/name" of the NADs that want the class. */
  networks: readonly string[];
  apiVersion?: string;
}

/** The class as it should be. */
export function desiredDeviceClass(input: ClassSpecInput): DeviceClass {
  return {
    apiVersion: input.apiVersion ?? "resource.k8s.io/v1",
    kind: "DeviceClass",
    metadata: {
      name: input.resourceName,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [DRIVER_LABEL]: input.driverName },
      annotations: { [NETWORKS_ANNOTATION]: [...input.networks].sort().join(",") },
    },
    spec: { selectors: [{ cel: { expression: selectorExpression(input.driverName, input.resourceName) } }] },
  };
}

/**
 * `existing` brought in line with `desired`: the selectors, netclaim's labels and annotation are
 * netclaim's; other labels, annotations and spec fields (config, extendedResourceName) stay as a
 * user set them. Undefined when nothing differs (no write).
 */
export function correctedClass(existing: DeviceClass, desired: DeviceClass): DeviceClass | undefined {
  const meta = existing.metadata ?? {};
  const labels = { ...meta.labels, ...desired.metadata?.labels };
  const annotations = { ...meta.annotations, ...desired.metadata?.annotations };
  const selectors = desired.spec?.selectors ?? [];
  const same =
    sameRecord(labels, meta.labels) &&
    sameRecord(annotations, meta.annotations) &&
    JSON.stringify(existing.spec?.selectors ?? []) === JSON.stringify(selectors);
  if (same) return undefined;
  return { ...existing, metadata: { ...meta, labels, annotations }, spec: { ...existing.spec, selectors } };
}

function sameRecord(a: Record<string, string>, b: Record<string, string> | undefined): boolean {
  const bb = b ?? {};
  const keys = Object.keys(a);
  return keys.length === Object.keys(bb).length && keys.every((k) => a[k] === bb[k]);
}
