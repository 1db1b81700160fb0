// Which published devices a DeviceClass (and a request's own selectors) would select, and for every
// other device the selector that rejected it, with src/api/cel's DRA environment. Only the current
// generation of each pool counts, as for the scheduler. Pure.
//
// Public API: `PublishedDevice`, `publishedDevices`, `classSelectors`, `requestSelectors`,
// `evaluateDevices`, `matchingDevices`.
import { compileSelector, matchDevice } from "../api/cel/dra-selector.ts";
import type { CompiledSelector } from "../api/cel/dra-selector.ts";
import type { DraDeviceInput } from "../api/cel/dra-device.ts";
import { currentSlices } from "../controller/classes/published-devices.ts";
import type { ResourceSlice } from "../k8s/resource-slice-types.ts";
import type { DeviceEvaluation, SelectorRef } from "./explanation.ts";
import type { CelSelector, ExplainDeviceClass } from "./snapshot.ts";

export interface PublishedDevice {
  /** `driver/pool/device`. */
  id: string;
  input: DraDeviceInput;
}

/** The devices of the current slices of every driver in `slices`, in slice order. */
export function publishedDevices(slices: readonly ResourceSlice[]): PublishedDevice[] {
  const drivers = [...new Set(slices.map((s) => s.spec?.driver ?? ""))];
  const current = new Set(drivers.flatMap((driver) => currentSlices(slices, driver)));
  const devices: PublishedDevice[] = [];
  for (const slice of slices) {
    if (!current.has(slice)) continue;
    const { driver, pool } = slice.spec;
    for (const device of slice.spec.devices ?? []) {
      const input: DraDeviceInput = { driver };
      if (device.attributes !== undefined) input.attributes = device.attributes;
      if (device.capacity !== undefined) input.capacity = device.capacity;
      if (device.allowMultipleAllocations !== undefined) {
        input.allowMultipleAllocations = device.allowMultipleAllocations;
      }
      devices.push({ id: `${driver}/${pool.name}/${device.name}`, input });
    }
  }
  return devices;
}

function refs(
  selectors: readonly CelSelector[] | undefined,
  source: SelectorRef["source"],
  className?: string,
): SelectorRef[] {
  return (selectors ?? []).flatMap((s, index): SelectorRef[] => {
    if (s.cel?.expression === undefined) return [];
    const ref: SelectorRef = { source, index, expression: s.cel.expression };
    if (className !== undefined) ref.className = className;
    return [ref];
  });
}

export function classSelectors(cls: ExplainDeviceClass): SelectorRef[] {
  return refs(cls.spec?.selectors, "class", cls.metadata?.name ?? "");
}

export function requestSelectors(selectors: readonly CelSelector[] | undefined): SelectorRef[] {
  return refs(selectors, "request");
}

/** Every device against every selector (ANDed, first rejection reported). */
export function evaluateDevices(
  selectors: readonly SelectorRef[],
  devices: readonly PublishedDevice[],
): DeviceEvaluation[] {
  const compiled: CompiledSelector[] = selectors.map((s) => compileSelector(s.expression));
  return devices.map((device): DeviceEvaluation => {
    const match = matchDevice(compiled, device.input);
    if (match.matches || match.rejectedBy === undefined) return { device: device.id, matches: true };
    const { index, outcome } = match.rejectedBy;
    const ref = selectors[index] as SelectorRef;
    const rejectedBy: DeviceEvaluation["rejectedBy"] =
      outcome.kind === "error"
        ? { ...ref, outcome: "error", message: outcome.message }
        : { ...ref, outcome: "false" };
    return { device: device.id, matches: false, rejectedBy };
  });
}

export function matchingDevices(evaluations: readonly DeviceEvaluation[]): string[] {
  return evaluations.filter((e) => e.matches).map((e) => e.device);
}
