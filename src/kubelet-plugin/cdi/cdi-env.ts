// The environment a container gets from a netclaim CDI device — the contract with workloads.
//
// Per request R the device serves (the main request name of a subrequest result "R/sub"), with R
// upper-cased and every character other than A-Z and 0-9 turned into "_" (request names are DNS labels,
// so this is one-to-one), and P = `NETCLAIM_<R>` when R has one device in the claim, or
// `NETCLAIM_<R>_<i>` for the i-th (from 0, in allocation order) when it has several:
//   P_CLAIM=<claim namespace>/<claim name>
//   P_DEVICE=<device name>        P_POOL=<pool name>        P_KIND=sriov-vf | subfunction | netdev
//   P_PCI_ADDRESS=<DDDD:BB:DD.F>  (PCI devices)
//   P_IFNAME=<host netdev name at prepare time>  P_POD_IFNAME=<the config's ifName, when set>
//   P_VFIO_DEVICE=/dev/vfio/<group>  (devices bound to vfio-pci)
//   P_RESOURCE_NAME=<the device's k8s.cni.cncf.io/resourceName>
// and, for SR-IOV device plugin users (its `PCIDEVICE_<PREFIX>_<NAME>` variables, which SR-IOV CNI's
// app-netutil reads), for a PCI device with a resourceName "<prefix>/<name>" (or "<name>", prefixed by
// the driver name): `PCIDEVICE_<PREFIX>_<NAME>` (same mangling) = the comma-separated PCI addresses of
// all of the claim's devices with that resourceName, in allocation order. Every device of a resource
// carries the whole list, so the order in which a runtime applies the devices does not matter.
// Example: request "net-a", one VF, resource "sf-pool-1", driver netclaim.dev:
//   NETCLAIM_NET_A_PCI_ADDRESS=0000:3b:02.1  PCIDEVICE_NETCLAIM_DEV_SF_POOL_1=0000:3b:02.1
//
// Public API: `DEVICE_ENV_FIELDS`, `DeviceEnvField`, `envToken`, `mainRequestName`, `EnvDevice`,
// `deviceEnvPrefixes`, `deviceEnvValues`, `pciDeviceEnvKey`, `pciDeviceEnv`, `readDeviceEnv`, `claimOfCdiSpec`.

import type { NetworkDeviceConfig } from "../../api/network-device-config.ts";
import type { CdiSpec } from "./cdi-types.ts";

export const DEVICE_ENV_FIELDS = [
  "CLAIM",
  "DEVICE",
  "POOL",
  "KIND",
  "PCI_ADDRESS",
  "IFNAME",
  "POD_IFNAME",
  "VFIO_DEVICE",
  "RESOURCE_NAME",
] as const;
export type DeviceEnvField = (typeof DEVICE_ENV_FIELDS)[number];

const ENV_PREFIX = "NETCLAIM";
const PCIDEVICE_PREFIX = "PCIDEVICE";

/** The device facts the environment is made of. */
export interface EnvDevice {
  requestNames: readonly string[];
  poolName: string;
  deviceName: string;
  kind: string;
  pciAddress?: string | undefined;
  ifName?: string | undefined;
  vfioGroup?: string | undefined;
  resourceName?: string | undefined;
  /** The applied config; only `ifName` shows in the environment. */
  config: NetworkDeviceConfig;
}

/** "sf-pool-1" → "SF_POOL_1". */
export function envToken(value: string): string {
  return value.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** "req/sub" → "req"; containers reference main requests only. */
export function mainRequestName(request: string): string {
  return request.split("/")[0] ?? request;
}

function uniqueMainRequests(device: EnvDevice): string[] {
  return [...new Set(device.requestNames.map(mainRequestName))];
}

/** For each device (same order), the variable prefixes of the requests it serves. */
export function deviceEnvPrefixes(devices: readonly EnvDevice[]): string[][] {
  const members = new Map<string, number[]>();
  devices.forEach((device, index) => {
    for (const request of uniqueMainRequests(device)) {
      members.set(request, [...(members.get(request) ?? []), index]);
    }
  });
  return devices.map((device, index) =>
    uniqueMainRequests(device).map((request) => {
      const list = members.get(request) ?? [index];
      const base = `${ENV_PREFIX}_${envToken(request)}`;
      return list.length === 1 ? base : `${base}_${list.indexOf(index)}`;
    }),
  );
}

/** The per-device values; absent facts are left out. */
export function deviceEnvValues(
  device: EnvDevice,
  claim: { namespace: string; name: string },
): Partial<Record<DeviceEnvField, string>> {
  const values: Partial<Record<DeviceEnvField, string | undefined>> = {
    CLAIM: `${claim.namespace}/${claim.name}`,
    DEVICE: device.deviceName,
    POOL: device.poolName,
    KIND: device.kind,
    PCI_ADDRESS: device.pciAddress,
    IFNAME: device.ifName,
    POD_IFNAME: device.config.ifName,
    VFIO_DEVICE: device.vfioGroup === undefined ? undefined : `/dev/vfio/${device.vfioGroup}`,
    RESOURCE_NAME: device.resourceName,
  };
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== ""));
}

/** `PCIDEVICE_<PREFIX>_<NAME>` for a resourceName ("intel.com/x", or "x" under the driver's name). */
export function pciDeviceEnvKey(driver: string, resourceName: string): string {
  const slash = resourceName.lastIndexOf("/");
  const prefix = slash >= 0 ? resourceName.slice(0, slash) : driver;
  const name = slash >= 0 ? resourceName.slice(slash + 1) : resourceName;
  return `${PCIDEVICE_PREFIX}_${envToken(prefix)}_${envToken(name)}`;
}

/** The PCIDEVICE_* variable per resourceName of the claim's PCI devices. */
export function pciDeviceEnv(driver: string, devices: readonly EnvDevice[]): Map<string, string> {
  const byResource = new Map<string, string[]>();
  for (const device of devices) {
    if (device.pciAddress === undefined || device.resourceName === undefined) continue;
    const list = byResource.get(device.resourceName) ?? [];
    if (!list.includes(device.pciAddress)) list.push(device.pciAddress);
    byResource.set(device.resourceName, list);
  }
  return new Map(
    [...byResource].map(([resource, list]) => [
      resource,
      `${pciDeviceEnvKey(driver, resource)}=${list.join(",")}`,
    ]),
  );
}

/** Reads the per-device values back from a CDI device's env, for one of its prefixes. */
export function readDeviceEnv(
  env: readonly string[],
  prefix: string,
): Partial<Record<DeviceEnvField, string>> {
  const values: Partial<Record<DeviceEnvField, string>> = {};
  for (const entry of env) {
    const eq = entry.indexOf("=");
    if (eq <= 0) continue;
    const key = entry.slice(0, eq);
    const field = DEVICE_ENV_FIELDS.find((f) => key === `${prefix}_${f}`);
    if (field !== undefined) values[field] = entry.slice(eq + 1);
  }
  return values;
}

/**
 * The claim a spec of ours was written for (its devices' `*_CLAIM` variable), so that a rebuild can
 * GET the claim by name; undefined when no device names one.
 */
export function claimOfCdiSpec(spec: CdiSpec): { namespace: string; name: string } | undefined {
  for (const device of spec.devices) {
    for (const entry of device.containerEdits.env ?? []) {
      const match = /^NETCLAIM_[A-Z0-9_]*_CLAIM=([^/]+)\/(.+)$/.exec(entry);
      if (match?.[1] !== undefined && match[2] !== undefined) return { namespace: match[1], name: match[2] };
    }
  }
  return undefined;
}
