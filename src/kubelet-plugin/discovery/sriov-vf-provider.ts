// SR-IOV virtual functions, found from their physical functions: every PCI function under
// bus/pci/devices with virtfnN links is a PF, and each virtfnN (→ ../<VF address>) is a device, whatever
// driver it is bound to. A VF bound to a net driver shows its netdev under net/; bound to vfio-pci, or
// with its netdev moved into a pod's network namespace, net/ is empty and the device has no ifName.
//
// Public API: `discoverSriovVfs`.
import { emptyDevice } from "./device.ts";
import type { ProviderResult, SysfsDevice } from "./device.ts";
import { pciDeviceName } from "./names.ts";
import { choosePfNetdev, readNetdevs } from "./netdev-info.ts";
import type { NetdevInfo } from "./netdev-info.ts";
import { readPciFunction } from "./pci-function.ts";
import type { PciFunction } from "./pci-function.ts";
import { listOptional, readOptionalLink } from "./sysfs-reader.ts";
import type { SysfsReader } from "./sysfs-reader.ts";
import { basename, PCI_ADDRESS_RE } from "./sysfs-values.ts";
import { errorMessage } from "../../common/errors.ts";

interface PfContext {
  pf: PciFunction;
  netdev: NetdevInfo | null;
}

async function hasVirtfns(reader: SysfsReader, address: string, problems: string[]): Promise<boolean> {
  try {
    return (await listOptional(reader, `bus/pci/devices/${address}`)).some((e) => /^virtfn\d+$/.test(e));
  } catch (err) {
    problems.push(`bus/pci/devices/${address}: ${errorMessage(err)}`);
    return false;
  }
}

function vfDevice(ctx: PfContext, vf: PciFunction, index: number, netdev: NetdevInfo | null): SysfsDevice {
  return {
    ...emptyDevice("sriov-vf", pciDeviceName(vf.address), vf.address),
    ifName: netdev?.ifName ?? null,
    pciAddress: vf.address,
    pfName: ctx.netdev?.ifName ?? null,
    pfPciAddress: ctx.pf.address,
    vfIndex: index,
    vendor: vf.vendor,
    deviceId: vf.deviceId,
    driver: vf.driver,
    numaNode: vf.numaNode,
    pcieRoot: vf.pcieRoot,
    iommuGroup: vf.iommuGroup,
    linkType: netdev?.linkType ?? ctx.netdev?.linkType ?? null,
    mac: netdev?.mac ?? null,
    mtu: netdev?.mtu ?? null,
    rdmaDevices: vf.rdmaDevices,
  };
}

async function readVf(
  reader: SysfsReader,
  ctx: PfContext,
  index: number,
  problems: string[],
): Promise<SysfsDevice | undefined> {
  const linkPath = `${ctx.pf.path}/virtfn${index}`;
  const target = await readOptionalLink(reader, linkPath);
  const address = target === undefined ? undefined : basename(target);
  if (address === undefined || !PCI_ADDRESS_RE.test(address)) {
    problems.push(`${linkPath}: link to ${target ?? "nothing"} names no PCI address; VF ${index} skipped`);
    return undefined;
  }
  const vf = await readPciFunction(reader, address, problems);
  if (vf === undefined) return undefined;
  if (vf.netdevs.length > 1)
    problems.push(`VF ${address} has several netdevs (${vf.netdevs.join(", ")}); using the first`);
  const [netdev = null] = await readNetdevs(reader, vf.path, vf.netdevs.slice(0, 1), problems);
  return vfDevice(ctx, vf, index, netdev);
}

async function readPf(reader: SysfsReader, address: string, problems: string[]): Promise<SysfsDevice[]> {
  const pf = await readPciFunction(reader, address, problems);
  if (pf === undefined || pf.isVf) return [];
  const netdev = choosePfNetdev(await readNetdevs(reader, pf.path, pf.netdevs, problems));
  const ctx: PfContext = { pf, netdev };
  const vfs = await Promise.all(
    pf.virtfns.map(async (index) => {
      try {
        return await readVf(reader, ctx, index, problems);
      } catch (err) {
        problems.push(`VF ${index} of PF ${address}: ${errorMessage(err)}`);
        return undefined;
      }
    }),
  );
  return vfs.filter((d): d is SysfsDevice => d !== undefined);
}

/** Every VF of every PF in `reader`'s sysfs, ordered by PF then VF index. */
export async function discoverSriovVfs(reader: SysfsReader): Promise<ProviderResult> {
  const problems: string[] = [];
  const addresses = (await listOptional(reader, "bus/pci/devices")).filter((a) => PCI_ADDRESS_RE.test(a));
  const flags = await Promise.all(addresses.map((a) => hasVirtfns(reader, a, problems)));
  const pfAddresses = addresses.filter((_, i) => flags[i]);
  const perPf = await Promise.all(pfAddresses.map((a) => readPf(reader, a, problems)));
  return { devices: perPf.flat(), problems };
}
