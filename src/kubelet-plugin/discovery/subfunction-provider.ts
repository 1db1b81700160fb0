// Subfunctions on the auxiliary bus (Documentation/ABI/testing/sysfs-bus-auxiliary, mlx5 docs):
//   bus/auxiliary/devices/mlx5_core.sf.4 -> ../../../devices/pci0000:00/0000:00:03.0/0000:06:00.0/mlx5_core.sf.4
//   <that>/sfnum ("88"), <that>/net/<if>, <that>/infiniband/mlx5_2, <that>/driver -> .../auxiliary/drivers/mlx5_core.sf
// Only auxiliary devices of type "sf" (`<driver>.sf.<n>`) are subfunctions; the PF's own auxiliary
// devices (mlx5_core.eth.0, mlx5_core.rdma.0) are not. The parent PF is the nearest PCI function above.
// As in the SR-IOV device plugin's auxnetdevice, vendor, device ID and driver are the parent PF's.
//
// Public API: `discoverSubfunctions`.
import { emptyDevice } from "./device.ts";
import type { ProviderResult, SysfsDevice } from "./device.ts";
import { subfunctionDeviceName } from "./names.ts";
import { choosePfNetdev, readNetdevs } from "./netdev-info.ts";
import { readPciFunction } from "./pci-function.ts";
import { listOptional, readOptionalLink, readOptionalText } from "./sysfs-reader.ts";
import type { SysfsReader } from "./sysfs-reader.ts";
import { auxiliaryDeviceType, nearestPciAddress, parseDecimal } from "./sysfs-values.ts";
import { errorMessage } from "../../common/errors.ts";

const AUX_DIR = "bus/auxiliary/devices";

async function readSubfunction(
  reader: SysfsReader,
  auxName: string,
  problems: string[],
): Promise<SysfsDevice | undefined> {
  const linkPath = `${AUX_DIR}/${auxName}`;
  const path = await readOptionalLink(reader, linkPath);
  const pfAddress = path === undefined ? undefined : nearestPciAddress(path);
  if (path === undefined || pfAddress === undefined) {
    problems.push(`${linkPath}: link to ${path ?? "nothing"} has no parent PCI function; skipped`);
    return undefined;
  }
  const sfText = await readOptionalText(reader, `${path}/sfnum`);
  const sfNum = sfText === undefined ? undefined : parseDecimal(sfText);
  if (sfNum === undefined || sfNum < 0) {
    problems.push(
      `${path}/sfnum: ${sfText === undefined ? "missing" : `unreadable value "${sfText}"`}; skipped`,
    );
    return undefined;
  }
  const pf = await readPciFunction(reader, pfAddress, problems);
  if (pf === undefined) return undefined;
  const pfNetdev = choosePfNetdev(await readNetdevs(reader, pf.path, pf.netdevs, problems));
  const netNames = await listOptional(reader, `${path}/net`);
  const [netdev = null] = await readNetdevs(reader, path, netNames.slice(0, 1), problems);
  return {
    ...emptyDevice("subfunction", subfunctionDeviceName(pfAddress, sfNum), auxName),
    ifName: netdev?.ifName ?? null,
    pfName: pfNetdev?.ifName ?? null,
    pfPciAddress: pfAddress,
    sfNum,
    auxDevice: auxName,
    vendor: pf.vendor,
    deviceId: pf.deviceId,
    driver: pf.driver,
    numaNode: pf.numaNode,
    pcieRoot: pf.pcieRoot,
    linkType: netdev?.linkType ?? pfNetdev?.linkType ?? null,
    mac: netdev?.mac ?? null,
    mtu: netdev?.mtu ?? null,
    rdmaDevices: await listOptional(reader, `${path}/infiniband`),
  };
}

/** Every subfunction on the auxiliary bus, ordered by auxiliary device name. */
export async function discoverSubfunctions(reader: SysfsReader): Promise<ProviderResult> {
  const problems: string[] = [];
  const names = (await listOptional(reader, AUX_DIR)).filter((n) => auxiliaryDeviceType(n) === "sf");
  const found = await Promise.all(
    names.map(async (name) => {
      try {
        return await readSubfunction(reader, name, problems);
      } catch (err) {
        problems.push(`${AUX_DIR}/${name}: ${errorMessage(err)}`);
        return undefined;
      }
    }),
  );
  return { devices: found.filter((d): d is SysfsDevice => d !== undefined), problems };
}
