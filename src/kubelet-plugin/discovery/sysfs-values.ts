// Pure readings of sysfs values and paths (Documentation/ABI/testing/sysfs-bus-pci, sysfs-class-net):
// - `vendor`, `device`: "0x8086\n" → "8086".
// - `numa_node`: "-1\n" means no NUMA affinity → null (deviceattribute refuses to publish -1 too).
// - class/net/<if>/type: the ARPHRD_* number, named as netlink's EncapType names it.
// - PCIe root: the first directory under devices/ of the device's real path, which must start with
//   "devices/pci" and end in the device's address — exactly k8s.io/dynamic-resource-allocation's
//   deviceattribute `resolvePCIeRoot` (it reads /sys/bus/pci/devices/<addr>'s link the same way).
//
// Public API: `PCI_ADDRESS_RE`, `parseHexId`, `parseNumaNode`, `parseDecimal`, `pcieRootOf`,
// `nearestPciAddress`, `auxiliaryDeviceType`, `linkTypeName`, `isRepresentorPortName`, `isUplinkPortName`, `basename`.
import { posix } from "node:path";
import { PCI_ADDRESS_RE } from "../../api/device-config-selectors.ts";

export { PCI_ADDRESS_RE } from "../../api/device-config-selectors.ts";

export const basename = (path: string): string => posix.basename(path);

/** "0x15b3\n" → "15b3"; undefined when the text is no hex ID. */
export function parseHexId(text: string): string | undefined {
  const m = /^0x([0-9a-f]{1,4})$/i.exec(text.trim());
  return m === null ? undefined : m[1]!.toLowerCase().padStart(4, "0");
}

/** A decimal integer file ("1500\n", "-1\n"); undefined when it is not one. */
export function parseDecimal(text: string): number | undefined {
  const trimmed = text.trim();
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : undefined;
}

/** numa_node: a node number, null for -1 (no affinity), undefined when unreadable. */
export function parseNumaNode(text: string): number | null | undefined {
  const n = parseDecimal(text);
  if (n === undefined) return undefined;
  return n < 0 ? null : n;
}

/**
 * The PCIe root (`pci0000:00`) of the device at the real path `devicePath` (root-relative), or
 * undefined when the path is not `devices/pci.../<address>`.
 */
export function pcieRootOf(devicePath: string, address: string): string | undefined {
  if (!devicePath.startsWith("devices/pci") || posix.basename(devicePath) !== address) return undefined;
  return devicePath.split("/")[1];
}

/** The address of the nearest PCI function at or above `path` (a netdev, an auxiliary device). */
export function nearestPciAddress(path: string): string | undefined {
  const segments = path.split("/");
  for (let i = segments.length - 1; i >= 0; i--) {
    if (PCI_ADDRESS_RE.test(segments[i]!)) return segments[i];
  }
  return undefined;
}

/** "mlx5_core.sf.4" → "sf" (the SR-IOV device plugin's ParseAuxDeviceType); undefined when not <a>.<type>.<n>. */
export function auxiliaryDeviceType(name: string): string | undefined {
  return /^.+\.([^.]+)\.\d+$/.exec(name)?.[1];
}

/** vishvananda/netlink's EncapType names for the ARPHRD_* values a NIC shows. */
const LINK_TYPES: Readonly<Record<number, string>> = {
  0: "generic",
  1: "ether",
  32: "infiniband",
  512: "ppp",
  768: "ipip",
  769: "tunnel6",
  772: "loopback",
  776: "sit",
  778: "gre",
  65534: "none",
  65535: "void",
};

export function linkTypeName(arphrd: number): string {
  return LINK_TYPES[arphrd] ?? `unknown${arphrd}`;
}

/** An eswitch representor of a VF or SF (`pf0vf3`, `pf0sf88`, `c1pf0vf2`): not a NIC to hand out. */
export function isRepresentorPortName(physPortName: string | null): boolean {
  return physPortName !== null && /^(c\d+)?pf\d+(vf|sf)\d+$/.test(physPortName);
}

/** The uplink representor of a switchdev PF (`p0`, `p1`). */
export function isUplinkPortName(physPortName: string | null): boolean {
  return physPortName !== null && /^p\d+$/.test(physPortName);
}
