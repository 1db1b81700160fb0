// Reading `ip -j link show dev <name>` (iproute2's JSON), pure. The fields used:
//   [{ "ifname": "ens1f0", "mtu": 1500, "address": "3c:fd:fe:...", ...,
//      "vfinfo_list": [{ "vf": 0, "link_type": "ether", "address": "00:00:00:00:00:00",
//                        "broadcast": "ff:ff:ff:ff:ff:ff", "vlan_list": [{ "vlan": 100, "qos": 2 }],
//                        "rate": { "max_tx": 0, "min_tx": 0 }, "spoofchk": true, "link_state": "auto",
//                        "trust": false, "query_rss_en": false }, ...] }]
// as iproute2 6.1 prints them (ip/ipaddress.c print_vfinfo): a VF's "vlan" and "qos" sit in the first
// "vlan_list" entry when the kernel sends IFLA_VF_VLAN_LIST (every kernel since 4.9), at the top level of
// the entry before that, and are left out when zero; "spoofchk" and "trust" are left out when the driver
// reports -1. iproute2 before 5.3 named the VF's MAC "mac" rather than "address"; both are read.
//
// Public API: `IpLinkShow`, `parseIpLinkShow`, `vfOf`.
import type { NetdevState, VfState } from "./device-settings-plan.ts";

export interface IpLinkShow {
  netdev: NetdevState;
  /** `vfinfo_list` (empty for a netdev that is not a PF with VFs). */
  vfs: VfState[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function int(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isInteger(value) ? value : fallback;
}

function bool(value: unknown): boolean | undefined {
  return typeof value === "boolean" ? value : undefined;
}

function parseVf(entry: unknown, index: number, name: string): VfState {
  if (!isObject(entry) || typeof entry.vf !== "number") {
    throw new Error(`${name}: vfinfo_list entry ${index} has no VF number`);
  }
  const mac = entry.address ?? entry.mac;
  const list = Array.isArray(entry.vlan_list) ? entry.vlan_list : [];
  const vlanInfo: Json = isObject(list[0]) ? list[0] : entry;
  const vf: VfState = {
    vf: entry.vf,
    mac: typeof mac === "string" ? mac.toLowerCase() : "00:00:00:00:00:00",
    vlan: int(vlanInfo.vlan, 0),
    qos: int(vlanInfo.qos, 0),
  };
  const spoofChk = bool(entry.spoofchk);
  if (spoofChk !== undefined) vf.spoofChk = spoofChk;
  const trust = bool(entry.trust);
  if (trust !== undefined) vf.trust = trust;
  return vf;
}

/** The link `name` from `ip -j link show dev <name>` output; throws naming what is missing. */
export function parseIpLinkShow(stdout: string, name: string): IpLinkShow {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (cause) {
    throw new Error(`ip -j link show dev ${name}: not JSON`, { cause });
  }
  const links = Array.isArray(parsed) ? parsed : [];
  const link: unknown = links.find((l) => isObject(l) && l.ifname === name) ?? links[0];
  if (!isObject(link)) throw new Error(`ip -j link show dev ${name}: no link in the output`);
  if (typeof link.mtu !== "number" || typeof link.address !== "string") {
    throw new Error(`ip -j link show dev ${name}: the link has no mtu or address`);
  }
  const list = Array.isArray(link.vfinfo_list) ? link.vfinfo_list : [];
  return {
    netdev: { ifName: name, mtu: link.mtu, mac: link.address.toLowerCase() },
    vfs: list.map((entry, i) => parseVf(entry, i, name)),
  };
}

/** VF `index` of a parsed PF; throws when the PF does not list it. */
export function vfOf(show: IpLinkShow, index: number, truncatedHint = false): VfState {
  const vf = show.vfs.find((v) => v.vf === index);
  if (vf !== undefined) return vf;
  const listed = show.vfs.length === 0 ? "no VFs" : `VFs ${show.vfs.map((v) => v.vf).join(", ")}`;
  const hint = truncatedHint ? " (ip reported a truncated VF list)" : "";
  throw new Error(`PF ${show.netdev.ifName} lists ${listed}, not VF ${index}${hint}`);
}
