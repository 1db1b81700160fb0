// Which resourceNames this driver's published devices carry (the Multus attribute
// k8s.cni.cncf.io/resourceName), counting only the current generation of each pool, as the
// scheduler does.
import type { ResourceSlice } from "../../k8s/resource-slice-types.ts";

export const RESOURCE_NAME_ATTRIBUTE = "k8s.cni.cncf.io/resourceName";

/** The resourceNames the slice's devices carry (any generation). */
export function resourceNamesOfSlice(slice: ResourceSlice): string[] {
  const names = new Set<string>();
  for (const device of slice.spec?.devices ?? []) {
    const value = device.attributes?.[RESOURCE_NAME_ATTRIBUTE]?.string;
    if (value !== undefined && value !== "") names.add(value);
  }
  return [...names];
}

/** "driver/pool": slices of one pool share it. */
export function poolKeyOf(slice: ResourceSlice): string {
  return `${slice.spec?.driver ?? ""}/${slice.spec?.pool?.name ?? ""}`;
}

/** The slices of the highest generation of their pool, of `driverName` only. */
export function currentSlices(slices: readonly ResourceSlice[], driverName: string): ResourceSlice[] {
  const ours = slices.filter((s) => s.spec?.driver === driverName);
  const newest = new Map<string, number>();
  for (const s of ours) {
    const key = poolKeyOf(s);
    newest.set(key, Math.max(newest.get(key) ?? -Infinity, s.spec.pool?.generation ?? 0));
  }
  return ours.filter((s) => (s.spec.pool?.generation ?? 0) === newest.get(poolKeyOf(s)));
}

/** Every resourceName a current device of `driverName` carries. */
export function publishedResourceNames(slices: readonly ResourceSlice[], driverName: string): Set<string> {
  return new Set(currentSlices(slices, driverName).flatMap(resourceNamesOfSlice));
}
