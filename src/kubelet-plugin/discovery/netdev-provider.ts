// Whole host netdevs (dranet-style): every entry of class/net (→ devices/.../net/<if>, or
// devices/virtual/net/<if> for veth, bridges and the like) except those another kind owns or nobody
// should get: the loopback device, SR-IOV VFs (kind sriov-vf), PFs with VFs or subfunctions (those are
// in use through it), subfunction netdevs (kind subfunction) and eswitch representors (phys_port_name pf0vf1, pf0sf88).
// Which of the rest a resource takes is the config's `ifNames`.
// A netdev directly under a PCI function that has no other netdev is named and identified (deviceID) by
// its PCI address; any other (virtual, under virtio, one of several netdevs of a function) by its
// interface name. A netdev anywhere below a PCI function (virtio included) carries that function's
// address, IDs, NUMA node and PCIe root.
//
// Public API: `discoverNetdevs`.
import { emptyDevice } from "./device.ts";
import type { ProviderResult, SysfsDevice } from "./device.ts";
import { netdevDeviceName, pciDeviceName } from "./names.ts";
import { readNetdev } from "./netdev-info.ts";
import type { NetdevInfo } from "./netdev-info.ts";
import { readDriverName, readPciFunction } from "./pci-function.ts";
import type { PciFunction } from "./pci-function.ts";
import { listOptional, readOptionalLink } from "./sysfs-reader.ts";
import type { SysfsReader } from "./sysfs-reader.ts";
import { auxiliaryDeviceType, basename, isRepresentorPortName, nearestPciAddress } from "./sysfs-values.ts";
import { errorMessage } from "../../common/errors.ts";

const ARPHRD_LOOPBACK = 772;
const VIRTUAL_PREFIX = "devices/virtual/";

function virtualDevice(netdev: NetdevInfo): SysfsDevice {
  return {
    ...emptyDevice("netdev", netdevDeviceName(netdev.ifName), netdev.ifName),
    ifName: netdev.ifName,
    linkType: netdev.linkType,
    mac: netdev.mac,
    mtu: netdev.mtu,
    virtual: true,
  };
}

/** Why this netdev belongs to another kind or to nobody, or undefined when it is a host netdev to offer. */
function exclusion(netdev: NetdevInfo, parentName: string, pci: PciFunction | undefined): string | undefined {
  if (netdev.arphrd === ARPHRD_LOOPBACK) return "loopback";
  if (isRepresentorPortName(netdev.physPortName)) return "eswitch representor";
  if (auxiliaryDeviceType(parentName) === "sf") return "subfunction";
  if (pci === undefined || pci.address !== parentName) return undefined;
  if (pci.isVf) return "SR-IOV VF";
  if ((pci.numVfs ?? 0) > 0) return "PF with VFs enabled";
  if (pci.subfunctions.length > 0) return "PF with subfunctions";
  return undefined;
}

async function backedDevice(
  reader: SysfsReader,
  netdev: NetdevInfo,
  problems: string[],
): Promise<SysfsDevice | undefined> {
  const parentPath = netdev.path.split("/").slice(0, -2).join("/"); // <device>/net/<if> → <device>
  const parentName = basename(parentPath);
  const address = nearestPciAddress(parentPath);
  const pci = address === undefined ? undefined : await readPciFunction(reader, address, problems);
  // A PCI function that cannot be read might be a VF or a PF in use: not offered (already reported).
  if (address !== undefined && pci === undefined) return undefined;
  if (exclusion(netdev, parentName, pci) !== undefined) return undefined;
  const direct = pci !== undefined && pci.address === parentName && pci.netdevs.length === 1;
  const driver =
    pci !== undefined && pci.address === parentName
      ? pci.driver
      : await readDriverName(reader, parentPath, problems);
  return {
    ...emptyDevice(
      "netdev",
      direct ? pciDeviceName(pci.address) : netdevDeviceName(netdev.ifName),
      direct ? pci.address : netdev.ifName,
    ),
    ifName: netdev.ifName,
    pciAddress: pci?.address ?? null,
    vendor: pci?.vendor ?? null,
    deviceId: pci?.deviceId ?? null,
    driver,
    numaNode: pci?.numaNode ?? null,
    pcieRoot: pci?.pcieRoot ?? null,
    linkType: netdev.linkType,
    mac: netdev.mac,
    mtu: netdev.mtu,
    rdmaDevices: direct ? pci.rdmaDevices : [],
  };
}

async function readHostNetdev(
  reader: SysfsReader,
  ifName: string,
  problems: string[],
): Promise<SysfsDevice | undefined> {
  const linkPath = `class/net/${ifName}`;
  const path = await readOptionalLink(reader, linkPath);
  if (path === undefined || !(await reader.exists(path))) {
    problems.push(`${linkPath}: link to ${path ?? "nothing"}, which does not exist; skipped`);
    return undefined;
  }
  const netdev = await readNetdev(reader, path, problems);
  if (path.startsWith(VIRTUAL_PREFIX)) {
    return netdev.arphrd === ARPHRD_LOOPBACK ? undefined : virtualDevice(netdev);
  }
  return backedDevice(reader, netdev, problems);
}

/** Every host netdev on offer, in class/net order. */
export async function discoverNetdevs(reader: SysfsReader): Promise<ProviderResult> {
  const problems: string[] = [];
  const names = await listOptional(reader, "class/net");
  const found = await Promise.all(
    names.map(async (ifName) => {
      try {
        return await readHostNetdev(reader, ifName, problems);
      } catch (err) {
        problems.push(`class/net/${ifName}: ${errorMessage(err)}`);
        return undefined;
      }
    }),
  );
  return { devices: found.filter((d): d is SysfsDevice => d !== undefined), problems };
}
