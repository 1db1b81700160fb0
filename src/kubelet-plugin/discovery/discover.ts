// The one entry the kubelet plugin calls: read sysfs with the providers the config's kinds need, give
// each device to its resource, attach its attributes. Nothing here throws for what sysfs shows: odd or
// unreadable entries, devices two resources match, attributes over the API's limits all come back as
// `problems` (sorted, each once) next to the devices that could be published.
//
// Public API: `discoverDevices`, `assembleDevices`, `DiscoverOptions`, `DiscoveryResult`.
import { DEFAULT_DRIVER_NAME } from "../../api/device-config-attributes.ts";
import type { DeviceKind } from "../../api/device-config-attributes.ts";
import type { DeviceConfig } from "../../api/device-config.ts";
import { errorMessage } from "../../common/errors.ts";
import { buildAttributes } from "./attributes.ts";
import type { DiscoveredDevice, ProviderResult, SysfsDevice } from "./device.ts";
import { discoverNetdevs } from "./netdev-provider.ts";
import { selectDevices } from "./select-devices.ts";
import { discoverSriovVfs } from "./sriov-vf-provider.ts";
import { discoverSubfunctions } from "./subfunction-provider.ts";
import { createSysfsReader, DEFAULT_SYSFS_ROOT } from "./sysfs-reader.ts";
import type { SysfsReader } from "./sysfs-reader.ts";

export interface DiscoverOptions {
  /** `--sysfs-root`; /sys by default. Ignored when `reader` is given. */
  sysfsRoot?: string;
  config: DeviceConfig;
  /** `--driver-name`: the domain of the unqualified attributes. */
  driverName?: string;
  reader?: SysfsReader;
}

export interface DiscoveryResult {
  /** Sorted by device name. */
  devices: DiscoveredDevice[];
  problems: string[];
}

const PROVIDERS: Readonly<Record<DeviceKind, (reader: SysfsReader) => Promise<ProviderResult>>> = {
  "sriov-vf": discoverSriovVfs,
  subfunction: discoverSubfunctions,
  netdev: discoverNetdevs,
};

async function runProvider(kind: DeviceKind, reader: SysfsReader): Promise<ProviderResult> {
  try {
    return await PROVIDERS[kind](reader);
  } catch (err) {
    return { devices: [], problems: [`${kind} discovery failed: ${errorMessage(err)}`] };
  }
}

function uniqueByName(devices: readonly SysfsDevice[], problems: string[]): SysfsDevice[] {
  const seen = new Map<string, SysfsDevice>();
  for (const device of devices) {
    const earlier = seen.get(device.name);
    if (earlier === undefined) seen.set(device.name, device);
    else
      problems.push(
        `device name ${device.name} found twice (${earlier.kind}, ${device.kind}); the second is skipped`,
      );
  }
  return [...seen.values()];
}

/** Pure: devices from the providers → the devices to publish, with resource and attributes. */
export function assembleDevices(
  config: DeviceConfig,
  found: readonly SysfsDevice[],
  driverName: string = DEFAULT_DRIVER_NAME,
): DiscoveryResult {
  const problems: string[] = [];
  const selection = selectDevices(config, uniqueByName(found, problems));
  problems.push(...selection.problems);
  const devices: DiscoveredDevice[] = [];
  for (const [resourceName, members] of selection.byResource) {
    const resource = config.resources.find((r) => r.resourceName === resourceName)!;
    for (const device of members) {
      const built = buildAttributes(device, resource, driverName);
      problems.push(...built.problems);
      if (built.fits) devices.push({ ...device, resourceName, attributes: built.attributes });
      else problems.push(`device ${device.name} is not published`);
    }
  }
  devices.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { devices, problems: [...new Set(problems)].sort() };
}

/** Discovers the devices `config` asks for under `sysfsRoot` (or through `reader`). */
export async function discoverDevices(options: DiscoverOptions): Promise<DiscoveryResult> {
  const reader = options.reader ?? createSysfsReader(options.sysfsRoot ?? DEFAULT_SYSFS_ROOT);
  const kinds = [...new Set(options.config.resources.map((r) => r.kind))];
  const results = await Promise.all(kinds.map((kind) => runProvider(kind, reader)));
  const assembled = assembleDevices(
    options.config,
    results.flatMap((r) => r.devices),
    options.driverName ?? DEFAULT_DRIVER_NAME,
  );
  const problems = new Set([...results.flatMap((r) => r.problems), ...assembled.problems]);
  return { devices: assembled.devices, problems: [...problems].sort() };
}
