// A netdev's sysfs attributes (Documentation/ABI/testing/sysfs-class-net): address, mtu, type,
// phys_port_name. `phys_port_name` fails to read (EOPNOTSUPP) on drivers without it: that is "none",
// not a problem.
//
// Public API: `NetdevInfo`, `readNetdev`, `readNetdevs`, `choosePfNetdev`.
import { errorMessage } from "../../common/errors.ts";
import { isRepresentorPortName, isUplinkPortName, linkTypeName, parseDecimal } from "./sysfs-values.ts";
import { readOptionalText } from "./sysfs-reader.ts";
import type { SysfsReader } from "./sysfs-reader.ts";

export interface NetdevInfo {
  ifName: string;
  /** Real, root-relative path of the netdev's directory (<device>/net/<if> or devices/virtual/net/<if>). */
  path: string;
  mac: string | null;
  mtu: number | null;
  arphrd: number | null;
  linkType: string | null;
  physPortName: string | null;
}

async function readQuietly(reader: SysfsReader, path: string): Promise<string | null> {
  try {
    const text = await readOptionalText(reader, path);
    return text === undefined || text === "" ? null : text;
  } catch {
    return null;
  }
}

/** Reads the netdev whose real directory is `path`. */
export async function readNetdev(reader: SysfsReader, path: string, problems: string[]): Promise<NetdevInfo> {
  const ifName = path.slice(path.lastIndexOf("/") + 1);
  const info: NetdevInfo = {
    ifName,
    path,
    mac: null,
    mtu: null,
    arphrd: null,
    linkType: null,
    physPortName: null,
  };
  try {
    const [address, mtu, type] = await Promise.all(
      ["address", "mtu", "type"].map((f) => readOptionalText(reader, `${path}/${f}`)),
    );
    info.mac = address === undefined || address === "" ? null : address;
    info.mtu = mtu === undefined ? null : (parseDecimal(mtu) ?? null);
    info.arphrd = type === undefined ? null : (parseDecimal(type) ?? null);
    info.linkType = info.arphrd === null ? null : linkTypeName(info.arphrd);
    if (info.arphrd === null)
      problems.push(`${path}/type: missing or unreadable; published without a link type`);
  } catch (err) {
    problems.push(`netdev ${ifName} (${path}): ${errorMessage(err)}`);
  }
  info.physPortName = await readQuietly(reader, `${path}/phys_port_name`);
  return info;
}

/** The netdevs `names` under `<devicePath>/net/`. */
export function readNetdevs(
  reader: SysfsReader,
  devicePath: string,
  names: readonly string[],
  problems: string[],
): Promise<NetdevInfo[]> {
  return Promise.all(names.map((n) => readNetdev(reader, `${devicePath}/net/${n}`, problems)));
}

/**
 * The netdev that names a PF: the only one; with several (a switchdev PF also carries representors),
 * the uplink (`phys_port_name` p0), else the first that is no representor.
 */
export function choosePfNetdev(netdevs: readonly NetdevInfo[]): NetdevInfo | null {
  if (netdevs.length <= 1) return netdevs[0] ?? null;
  return (
    netdevs.find((n) => isUplinkPortName(n.physPortName)) ??
    netdevs.find((n) => !isRepresentorPortName(n.physPortName)) ??
    null
  );
}
