// The settings half of Prepare, pure: from a device record (its kind, netdev, PF and VF index, and the
// claim's resolved NetworkDeviceConfig) and the host's current values, decide what to record as the
// original settings, which `ip` commands apply the config, and which put the originals back.
//
// Where each field goes, as SR-IOV CNI sets them (on the PF, for the VF, so they hold whatever driver the
// VF is on) and as iproute2 spells them:
//   sriov-vf     mac       ip link set dev <pf> vf <n> mac <mac>          (the VF's administrative MAC)
//                vlan      ip link set dev <pf> vf <n> vlan <id>          (restore: vlan <id> [qos <q>])
//                spoofChk  ip link set dev <pf> vf <n> spoofchk on|off
//                trust     ip link set dev <pf> vf <n> trust on|off
//                mtu       ip link set dev <vf-netdev> mtu <n>            (needs the VF on a kernel driver)
//   netdev,      mac       ip link set dev <netdev> address <mac>
//   subfunction  mtu       ip link set dev <netdev> mtu <n>
// Apply order: the PF-side VF settings first (a VF MAC change makes some drivers reset the VF), then the
// netdev's address, then its MTU; restore runs the other way round. Only the fields the config sets are
// recorded and restored; a field already at the wanted value is recorded but not set. A VF whose PF does
// not report spoofchk / trust (the driver reports -1) is taken to have had the kernel's defaults, spoof
// checking on and trust off, which is what restore then sets.
//
// Public API: `IpCommand`, `NetdevState`, `VfState`, `HostSettingsState`, `SettingsTargets`,
// `settingsTargets`, `originalSettingsFor`, `applyCommands`, `restoreCommands`, `planDeviceSettings`,
// `DeviceSettingsPlan`, `DEFAULT_VF_SPOOFCHK`, `DEFAULT_VF_TRUST`.
import type { OriginalSettings, PreparedDeviceRecord } from "../../api/checkpoint.ts";

/** One `ip` invocation (the arguments after the program), what it does, and the link it addresses. */
export interface IpCommand {
  args: string[];
  what: string;
  /** The netdev named in `dev <name>` (the PF for VF settings). */
  device: string;
}

/** A netdev as `ip -j link show dev <name>` reports it. */
export interface NetdevState {
  ifName: string;
  mtu: number;
  /** Lower-case. */
  mac: string;
}

/** One VF of a PF as `ip -j link show dev <pf>` reports it in `vfinfo_list`. */
export interface VfState {
  vf: number;
  /** Lower-case; "00:00:00:00:00:00" when none was set. */
  mac: string;
  vlan: number;
  qos: number;
  /** Absent when the driver does not report it. */
  spoofChk?: boolean;
  trust?: boolean;
}

/** The host's values read for one device: its netdev and/or its VF on the PF, as `settingsTargets` asked. */
export interface HostSettingsState {
  netdev?: NetdevState;
  vf?: VfState;
}

/** What must be read before the config can be applied: a netdev, a VF on its PF, or both. */
export interface SettingsTargets {
  netdev?: string;
  vf?: { pfName: string; vfIndex: number };
}

export type SettingsTargetsResult =
  { ok: true; targets: SettingsTargets | undefined } | { ok: false; problem: string };

export const DEFAULT_VF_SPOOFCHK = true;
export const DEFAULT_VF_TRUST = false;

type Config = PreparedDeviceRecord["config"];

function vfFields(record: PreparedDeviceRecord): string[] {
  if (record.kind !== "sriov-vf") return [];
  const c = record.config;
  return (["mac", "vlan", "spoofChk", "trust"] as const).filter((f) => c[f] !== undefined);
}

function netdevFields(record: PreparedDeviceRecord): string[] {
  const fields: string[] = [];
  if (record.kind !== "sriov-vf" && record.config.mac !== undefined) fields.push("mac");
  if (record.config.mtu !== undefined) fields.push("mtu");
  return fields;
}

/** What to read for the record (undefined: its config changes nothing on the host), or why it cannot apply. */
export function settingsTargets(record: PreparedDeviceRecord): SettingsTargetsResult {
  const targets: SettingsTargets = {};
  const onNetdev = netdevFields(record);
  if (onNetdev.length > 0) {
    if (record.ifName === undefined) {
      const what =
        record.kind === "sriov-vf" ? "the VF's netdev (a kernel driver)" : `the ${record.kind}'s netdev`;
      return {
        ok: false,
        problem: `${onNetdev.join(", ")} need ${what}, which is not in the host network namespace`,
      };
    }
    targets.netdev = record.ifName;
  }
  const onVf = vfFields(record);
  if (onVf.length > 0) {
    if (record.pfName === undefined || record.vfIndex === undefined) {
      return { ok: false, problem: `${onVf.join(", ")} need the VF's PF and index, which are unknown` };
    }
    targets.vf = { pfName: record.pfName, vfIndex: record.vfIndex };
  }
  return { ok: true, targets: Object.keys(targets).length === 0 ? undefined : targets };
}

function vfOriginal(config: Config, target: SettingsTargets["vf"], vf: VfState | undefined) {
  if (target === undefined) return undefined;
  if (vf === undefined) throw new Error(`no state read for VF ${target.vfIndex} of ${target.pfName}`);
  return {
    ...target,
    ...(config.mac === undefined ? {} : { mac: vf.mac }),
    ...(config.vlan === undefined ? {} : { vlan: vf.vlan, qos: vf.qos }),
    ...(config.spoofChk === undefined ? {} : { spoofChk: vf.spoofChk ?? DEFAULT_VF_SPOOFCHK }),
    ...(config.trust === undefined ? {} : { trust: vf.trust ?? DEFAULT_VF_TRUST }),
  };
}

/**
 * The originals to record for the record's config, from the host's values; undefined when the config
 * changes nothing. Throws when the state lacks what `settingsTargets` asked for, or the config cannot
 * apply (the shell checks `settingsTargets` first).
 */
export function originalSettingsFor(
  record: PreparedDeviceRecord,
  state: HostSettingsState,
): OriginalSettings | undefined {
  const result = settingsTargets(record);
  if (!result.ok) throw new Error(result.problem);
  const targets = result.targets;
  if (targets === undefined) return undefined;
  const original: OriginalSettings = {};
  if (targets.netdev !== undefined) {
    const netdev = state.netdev;
    if (netdev === undefined) throw new Error(`no state read for netdev ${targets.netdev}`);
    original.netdev = {
      ifName: targets.netdev,
      ...(record.config.mtu === undefined ? {} : { mtu: netdev.mtu }),
      ...(record.kind === "sriov-vf" || record.config.mac === undefined ? {} : { mac: netdev.mac }),
    };
  }
  const vf = vfOriginal(record.config, targets.vf, state.vf);
  if (vf !== undefined) original.vf = vf;
  return original;
}

const onOff = (value: boolean) => (value ? "on" : "off");

function vfCommand(vf: NonNullable<OriginalSettings["vf"]>, what: string, ...rest: string[]): IpCommand {
  const args = ["link", "set", "dev", vf.pfName, "vf", String(vf.vfIndex), ...rest];
  return { args, what: `VF ${vf.vfIndex} of ${vf.pfName}: ${what}`, device: vf.pfName };
}

function netdevCommand(ifName: string, what: string, ...rest: string[]): IpCommand {
  return { args: ["link", "set", "dev", ifName, ...rest], what: `${ifName}: ${what}`, device: ifName };
}

/** The commands that apply the record's config, given its recorded originals (fields already right are skipped). */
export function applyCommands(record: PreparedDeviceRecord): IpCommand[] {
  const c = record.config;
  const { netdev, vf } = record.originalSettings ?? {};
  const commands: IpCommand[] = [];
  if (vf !== undefined) {
    if (c.mac !== undefined && c.mac !== vf.mac) {
      commands.push(vfCommand(vf, `set the MAC to ${c.mac}`, "mac", c.mac));
    }
    if (c.vlan !== undefined && (c.vlan !== vf.vlan || (vf.qos ?? 0) !== 0)) {
      commands.push(vfCommand(vf, `set the VLAN to ${c.vlan}`, "vlan", String(c.vlan)));
    }
    if (c.spoofChk !== undefined && c.spoofChk !== vf.spoofChk) {
      commands.push(vfCommand(vf, `turn spoof checking ${onOff(c.spoofChk)}`, "spoofchk", onOff(c.spoofChk)));
    }
    if (c.trust !== undefined && c.trust !== vf.trust) {
      commands.push(vfCommand(vf, `turn trust ${onOff(c.trust)}`, "trust", onOff(c.trust)));
    }
  }
  if (netdev !== undefined) {
    if (record.kind !== "sriov-vf" && c.mac !== undefined && c.mac !== netdev.mac) {
      commands.push(netdevCommand(netdev.ifName, `set the MAC address to ${c.mac}`, "address", c.mac));
    }
    if (c.mtu !== undefined && c.mtu !== netdev.mtu) {
      commands.push(netdevCommand(netdev.ifName, `set the MTU to ${c.mtu}`, "mtu", String(c.mtu)));
    }
  }
  return commands;
}

/** The commands that put every recorded original back, in the reverse of the apply order. */
export function restoreCommands(original: OriginalSettings | undefined): IpCommand[] {
  const { netdev, vf } = original ?? {};
  const commands: IpCommand[] = [];
  if (netdev !== undefined) {
    if (netdev.mtu !== undefined) {
      commands.push(
        netdevCommand(netdev.ifName, `restore the MTU to ${netdev.mtu}`, "mtu", String(netdev.mtu)),
      );
    }
    if (netdev.mac !== undefined) {
      commands.push(
        netdevCommand(netdev.ifName, `restore the MAC address to ${netdev.mac}`, "address", netdev.mac),
      );
    }
  }
  if (vf !== undefined) {
    if (vf.trust !== undefined)
      commands.push(vfCommand(vf, `restore trust to ${onOff(vf.trust)}`, "trust", onOff(vf.trust)));
    if (vf.spoofChk !== undefined) {
      const state = onOff(vf.spoofChk);
      commands.push(vfCommand(vf, `restore spoof checking to ${state}`, "spoofchk", state));
    }
    if (vf.vlan !== undefined) {
      const qos = vf.qos ?? 0;
      const args = qos === 0 ? [String(vf.vlan)] : [String(vf.vlan), "qos", String(qos)];
      commands.push(vfCommand(vf, `restore the VLAN to ${vf.vlan}`, "vlan", ...args));
    }
    if (vf.mac !== undefined) commands.push(vfCommand(vf, `restore the MAC to ${vf.mac}`, "mac", vf.mac));
  }
  return commands;
}

export interface DeviceSettingsPlan {
  /** To record in the checkpoint before anything is applied. */
  original: OriginalSettings;
  apply: IpCommand[];
  restore: IpCommand[];
}

/** The whole plan for one device from its record and the host's values; undefined when nothing is to change. */
export function planDeviceSettings(
  record: PreparedDeviceRecord,
  state: HostSettingsState,
): DeviceSettingsPlan | undefined {
  const original = originalSettingsFor(record, state);
  if (original === undefined) return undefined;
  const withOriginal = { ...record, originalSettings: original };
  return { original, apply: applyCommands(withOriginal), restore: restoreCommands(original) };
}
