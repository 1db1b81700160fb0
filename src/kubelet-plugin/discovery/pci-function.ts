// One PCI function as sysfs shows it under bus/pci/devices/<address> (→ its real directory under
// devices/pci<domain>:<bus>/...): IDs, bound driver, NUMA node, PCIe root, IOMMU group, netdevs, RDMA
// devices, SR-IOV links. Odd entries (a missing numa_node, a driver link to nowhere, unreadable IDs)
// become problems and null fields; only an address sysfs does not know at all yields no record.
//
// Public API: `PciFunction`, `readPciFunction`, `readDriverName`.
import {
  auxiliaryDeviceType,
  basename,
  parseDecimal,
  parseHexId,
  parseNumaNode,
  pcieRootOf,
} from "./sysfs-values.ts";
import { listOptional, readOptionalLink, readOptionalText } from "./sysfs-reader.ts";
import type { SysfsReader } from "./sysfs-reader.ts";
import { errorMessage } from "../../common/errors.ts";

export interface PciFunction {
  address: string;
  /** The real, root-relative directory (devices/pci0000:00/.../<address>). */
  path: string;
  vendor: string | null;
  deviceId: string | null;
  driver: string | null;
  numaNode: number | null;
  pcieRoot: string | null;
  iommuGroup: number | null;
  /** Entries of net/: the netdevs of this function visible in this network namespace. */
  netdevs: string[];
  /** Entries of infiniband/. */
  rdmaDevices: string[];
  /** Has a physfn link: an SR-IOV virtual function. */
  isVf: boolean;
  /** virtfnN links by VF index, sorted by index. */
  virtfns: number[];
  /** sriov_numvfs, when the function has SR-IOV. */
  numVfs: number | null;
  /** Its subfunctions' auxiliary devices (mlx5_core.sf.4). */
  subfunctions: string[];
}

type Problems = string[];

async function readId(
  reader: SysfsReader,
  path: string,
  what: string,
  problems: Problems,
): Promise<string | null> {
  const text = await readOptionalText(reader, `${path}/${what}`);
  const id = text === undefined ? undefined : parseHexId(text);
  if (id === undefined) {
    problems.push(`${path}/${what}: ${text === undefined ? "missing" : `unreadable value "${text}"`}`);
  }
  return id ?? null;
}

async function readNuma(reader: SysfsReader, path: string, problems: Problems): Promise<number | null> {
  const text = await readOptionalText(reader, `${path}/numa_node`);
  const numa = text === undefined ? undefined : parseNumaNode(text);
  if (numa === undefined) {
    const why = text === undefined ? "missing" : `unreadable value "${text}"`;
    problems.push(`${path}/numa_node: ${why}; published without a NUMA node`);
    return null;
  }
  return numa;
}

/** The driver bound to the device at the real path `path`; null when none, or when the link is dangling. */
export async function readDriverName(
  reader: SysfsReader,
  path: string,
  problems: Problems,
): Promise<string | null> {
  const target = await readOptionalLink(reader, `${path}/driver`);
  if (target === undefined) return null;
  if (!(await reader.exists(`${path}/driver`))) {
    problems.push(`${path}/driver: link to ${target}, which does not exist; published without a driver`);
    return null;
  }
  return basename(target);
}

async function readIommuGroup(reader: SysfsReader, path: string, problems: Problems): Promise<number | null> {
  const target = await readOptionalLink(reader, `${path}/iommu_group`);
  if (target === undefined) return null;
  const group = parseDecimal(basename(target));
  if (group === undefined) problems.push(`${path}/iommu_group: link to ${target} names no group number`);
  return group ?? null;
}

async function readNumVfs(reader: SysfsReader, path: string, entries: string[]): Promise<number | null> {
  if (!entries.includes("sriov_numvfs")) return null;
  const text = await readOptionalText(reader, `${path}/sriov_numvfs`);
  return text === undefined ? null : (parseDecimal(text) ?? null);
}

async function resolveDevicePath(
  reader: SysfsReader,
  address: string,
  problems: Problems,
): Promise<string | undefined> {
  const busLink = `bus/pci/devices/${address}`;
  const path = await readOptionalLink(reader, busLink);
  if (path === undefined) {
    problems.push(`${busLink}: no such PCI device`);
    return undefined;
  }
  if (!(await reader.exists(path))) {
    problems.push(`${busLink}: link to ${path}, which does not exist`);
    return undefined;
  }
  return path;
}

async function readFunction(
  reader: SysfsReader,
  address: string,
  problems: Problems,
): Promise<PciFunction | undefined> {
  const path = await resolveDevicePath(reader, address, problems);
  if (path === undefined) return undefined;
  const entries = await reader.list(path);
  const pcieRoot = pcieRootOf(path, address);
  if (pcieRoot === undefined) problems.push(`bus/pci/devices/${address}: ${path} is not under devices/pci*`);
  const virtfns = entries
    .map((e) => /^virtfn(\d+)$/.exec(e)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  return {
    address,
    path,
    vendor: await readId(reader, path, "vendor", problems),
    deviceId: await readId(reader, path, "device", problems),
    driver: await readDriverName(reader, path, problems),
    numaNode: await readNuma(reader, path, problems),
    pcieRoot: pcieRoot ?? null,
    iommuGroup: await readIommuGroup(reader, path, problems),
    netdevs: entries.includes("net") ? await listOptional(reader, `${path}/net`) : [],
    rdmaDevices: entries.includes("infiniband") ? await listOptional(reader, `${path}/infiniband`) : [],
    isVf: entries.includes("physfn"),
    virtfns,
    numVfs: await readNumVfs(reader, path, entries),
    subfunctions: entries.filter((e) => auxiliaryDeviceType(e) === "sf"),
  };
}

/**
 * Reads the PCI function `address`; problems go to `problems`. Undefined when sysfs has no such device
 * (or an I/O error other than "not found" stops the read — reported too).
 */
export async function readPciFunction(
  reader: SysfsReader,
  address: string,
  problems: Problems,
): Promise<PciFunction | undefined> {
  try {
    return await readFunction(reader, address, problems);
  } catch (err) {
    problems.push(`PCI device ${address}: ${errorMessage(err)}`);
    return undefined;
  }
}
