// The decisions for one allocated device: does its config fit the device, which driver must it be bound
// to, and what is recorded for it.
//
// Config fields by device kind:
//   vlan, trust, spoofChk   SR-IOV VFs only — they are set on the PF for the VF (`ip link set <pf> vf <n>
//                           ...`), so the VF needs its PF name and VF index.
//   mac                     a VF: set through the PF (works on any driver); a subfunction or host netdev:
//                           set on its netdev (kernel driver).
//   driver: vfio-pci        SR-IOV VFs only (a PCI function with an IOMMU group); mtu and ifName do not
//                           apply then, as there is no host netdev.
//   mtu, ifName, ipPool     any device with a netdev (ipPool also with vfio-pci: the addresses are data).
// Driver binding (effective driver = the config's `driver`, else "vfio-pci" when the device is bound to
// vfio-pci already, else "kernel"):
//   vfio-pci wanted, bound to anything else (or nothing)       → rebind { from: <current or "">, to: "vfio-pci" }
//   kernel asked for, bound to a userspace driver or unbound   → rebind { from: <current or "">, to: "kernel" }
//     ("kernel": clear driver_override and let the kernel probe the device's own driver)
//   otherwise                                                  → no rebind
// A device allocated with adminAccess may be in use by another claim: it is never rebound.
// After a rebind to "kernel" the netdev's name is not known until the kernel has probed it, so the
// record's ifName is left for the shell to fill in; a device used through vfio-pci has no ifName.
//
// Public API: `USERSPACE_PCI_DRIVERS`, `DeviceAllocation`, `DevicePlanInput`, `planDevice`,
// `effectiveDriver`.
import type { PreparedDeviceRecord } from "../../api/checkpoint.ts";
import type { NetworkDeviceConfig, NetworkDeviceDriver } from "../../api/network-device-config.ts";
import { cdiDeviceId } from "../cdi/cdi-names.ts";
import { resourceNameOf } from "./plan-types.ts";
import type { NodeDevice } from "./plan-types.ts";

/** Drivers that give a PCI function to user space: no netdev while bound. */
export const USERSPACE_PCI_DRIVERS: readonly string[] = ["vfio-pci", "uio_pci_generic", "igb_uio"];

/** One device of the claim with every request it serves (results grouped by pool, device, shareID). */
export interface DeviceAllocation {
  requestNames: string[];
  poolName: string;
  deviceName: string;
  shareID?: string;
  adminAccess: boolean;
}

export interface DevicePlanInput {
  driverName: string;
  claimUID: string;
  allocation: DeviceAllocation;
  device: NodeDevice;
  config: NetworkDeviceConfig;
}

export type DevicePlanResult = { ok: true; record: PreparedDeviceRecord } | { ok: false; problem: string };

export function effectiveDriver(device: NodeDevice, config: NetworkDeviceConfig): NetworkDeviceDriver {
  return config.driver ?? (device.driver === "vfio-pci" ? "vfio-pci" : "kernel");
}

function set(config: NetworkDeviceConfig, fields: readonly (keyof NetworkDeviceConfig)[]): string[] {
  return fields.filter((f) => config[f] !== undefined);
}

/** Why the config does not fit the device, or undefined. */
function configProblem(device: NodeDevice, config: NetworkDeviceConfig, driver: NetworkDeviceDriver) {
  const isVf = device.kind === "sriov-vf";
  const vfOnly = set(config, ["vlan", "trust", "spoofChk"]);
  if (!isVf && vfOnly.length > 0)
    return `${vfOnly.join(", ")} apply to SR-IOV VFs only, not to a ${device.kind}`;
  if (isVf && (vfOnly.length > 0 || config.mac !== undefined)) {
    if (device.pfName === undefined || device.vfIndex === undefined) {
      return `${[...vfOnly, ...set(config, ["mac"])].join(", ")} need the VF's PF and index, which are unknown`;
    }
  }
  if (driver !== "vfio-pci") return undefined;
  if (!isVf) return `driver vfio-pci applies to SR-IOV VFs only, not to a ${device.kind}`;
  if (device.pciAddress === undefined) return "driver vfio-pci needs a PCI address, which is unknown";
  if (device.iommuGroup === undefined) return "driver vfio-pci needs an IOMMU group, and the device has none";
  const netdevOnly = set(config, ["mtu", "ifName"]);
  if (netdevOnly.length > 0) return `${netdevOnly.join(", ")} cannot apply with driver vfio-pci (no netdev)`;
  return undefined;
}

function rebindFor(device: NodeDevice, config: NetworkDeviceConfig, driver: NetworkDeviceDriver) {
  const current = device.driver ?? "";
  if (driver === "vfio-pci") return current === "vfio-pci" ? undefined : { from: current, to: "vfio-pci" };
  if (config.driver !== "kernel" || device.kind !== "sriov-vf") return undefined;
  if (current === "" || USERSPACE_PCI_DRIVERS.includes(current)) return { from: current, to: "kernel" };
  return undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** The record for one device, or why it cannot be prepared. */
export function planDevice(input: DevicePlanInput): DevicePlanResult {
  const { device, config, allocation } = input;
  const driver = effectiveDriver(device, config);
  const problem = configProblem(device, config, driver);
  if (problem !== undefined) return { ok: false, problem };
  const rebind = rebindFor(device, config, driver);
  if (rebind !== undefined && allocation.adminAccess) {
    return { ok: false, problem: `allocated with admin access, so it is not rebound to ${rebind.to}` };
  }
  const hasNetdev = driver === "kernel" && rebind === undefined;
  const record: PreparedDeviceRecord = {
    requestNames: allocation.requestNames,
    poolName: allocation.poolName,
    deviceName: allocation.deviceName,
    ...optional("shareID", allocation.shareID),
    kind: device.kind,
    ...optional("pciAddress", device.pciAddress),
    ...optional("ifName", hasNetdev ? device.ifName : undefined),
    ...optional("pfName", device.pfName),
    ...optional("vfIndex", device.vfIndex),
    ...optional("vfioGroup", driver === "vfio-pci" ? String(device.iommuGroup) : undefined),
    ...optional("resourceName", resourceNameOf(device)),
    cdiDeviceIDs: [cdiDeviceId(input.driverName, input.claimUID, allocation.deviceName)],
    ...optional("rebind", rebind),
    config,
  };
  return { ok: true, record };
}
