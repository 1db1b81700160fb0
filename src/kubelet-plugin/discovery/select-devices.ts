// Which resource of the devices config each discovered device belongs to. A resource takes the devices
// of its kind that match ALL its given selectors; a selector list matches when ANY entry does; an empty
// list and `isRdma: false` constrain nothing (the SR-IOV device plugin's rules). A device two resources
// match goes to the first in config order, and the overlap is reported.
//
// Public API: `selectDevices`, `matchesResource`, `Selection`.
import type { DeviceConfig, DeviceResource, DeviceSelectors } from "../../api/device-config.ts";
import { fullMatchRegExp, inVfRanges, nameMatches } from "../../api/device-config-selectors.ts";
import type { PfSelector } from "../../api/device-config-selectors.ts";
import type { SysfsDevice } from "./device.ts";

export interface Selection {
  /** resourceName → its devices, in config order (every resource present, possibly empty). */
  byResource: Map<string, SysfsDevice[]>;
  /** The resource each selected device went to, by device name. */
  resourceOf: Map<string, DeviceResource>;
  problems: string[];
}

function given<T>(list: readonly T[] | undefined): list is readonly T[] {
  return list !== undefined && list.length > 0;
}

function oneOf<T>(list: readonly T[] | undefined, value: T | null): boolean {
  return !given(list) || (value !== null && list.includes(value));
}

function pfMatches(
  list: readonly PfSelector[] | undefined,
  name: string | null,
  vfIndex: number | null,
): boolean {
  if (!given(list)) return true;
  if (name === null) return false;
  return list.some((s) => nameMatches(s.pattern, name) && inVfRanges(s.vfRanges, vfIndex));
}

function ifNameMatches(patterns: readonly string[] | undefined, ifName: string | null): boolean {
  if (!given(patterns)) return true;
  if (ifName === null) return false;
  return patterns.some((p) => {
    const re = fullMatchRegExp(p);
    return typeof re !== "string" && re.test(ifName);
  });
}

function selectorsMatch(s: DeviceSelectors, d: SysfsDevice): boolean {
  return (
    oneOf(s.vendors, d.vendor) &&
    oneOf(s.devices, d.deviceId) &&
    oneOf(s.drivers, d.driver) &&
    oneOf(s.pciAddresses, d.pciAddress) &&
    oneOf(s.linkTypes, d.linkType) &&
    oneOf(s.numaNodes, d.numaNode ?? -1) &&
    pfMatches(s.pfNames, d.pfName, d.vfIndex) &&
    pfMatches(s.rootDevices, d.pfPciAddress, d.vfIndex) &&
    ifNameMatches(s.ifNames, d.ifName) &&
    (s.isRdma !== true || d.rdmaDevices.length > 0)
  );
}

/** Whether `resource` takes `device` (kind and every given selector). */
export function matchesResource(resource: DeviceResource, device: SysfsDevice): boolean {
  return resource.kind === device.kind && selectorsMatch(resource.selectors, device);
}

const OVERLAP_NAMES_SHOWN = 5;

/** One line per set of resources that match the same devices, naming a few of them. */
function overlapProblems(overlaps: Map<string, string[]>): string[] {
  return [...overlaps].map(([resources, devices]) => {
    const [first] = resources.split(", ");
    const shown = devices.slice(0, OVERLAP_NAMES_SHOWN).join(", ");
    const more =
      devices.length > OVERLAP_NAMES_SHOWN ? ` and ${devices.length - OVERLAP_NAMES_SHOWN} more` : "";
    if (devices.length === 1)
      return `device ${shown} matches resources ${resources}; it goes to ${first}, the first`;
    return `${devices.length} devices (${shown}${more}) match resources ${resources}; each goes to ${first}, the first`;
  });
}

/** Assigns each device to the first resource that matches it; devices no resource matches are left out. */
export function selectDevices(config: DeviceConfig, devices: readonly SysfsDevice[]): Selection {
  const byResource = new Map<string, SysfsDevice[]>(config.resources.map((r) => [r.resourceName, []]));
  const resourceOf = new Map<string, DeviceResource>();
  const overlaps = new Map<string, string[]>();
  for (const device of devices) {
    const matching = config.resources.filter((r) => matchesResource(r, device));
    const [first] = matching;
    if (first === undefined) continue;
    if (matching.length > 1) {
      const key = matching.map((r) => r.resourceName).join(", ");
      overlaps.set(key, [...(overlaps.get(key) ?? []), device.name]);
    }
    byResource.get(first.resourceName)!.push(device);
    resourceOf.set(device.name, first);
  }
  return { byResource, resourceOf, problems: overlapProblems(overlaps) };
}
