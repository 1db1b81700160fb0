// What to finish or undo at start-up, after the plugin was killed between two steps — pure: the
// checkpoint, our CDI spec files on disk and (optionally) the node's devices now, in; actions out.
//
//   claim "preparing"     → rollback-prepare: restore every recorded rebind, remove its CDI spec if
//                           written, drop the entry. (The kubelet never got a success for it, so it will
//                           call Prepare again; rolling back is safe where finishing would need the API.)
//   claim "unpreparing"   → finish-unprepare: the same undo, then drop the entry.
//   claim "prepared", no CDI spec on disk (e.g. /var/run was emptied by a reboot)
//                         → rewrite-cdi-spec from the checkpoint record.
//   claim "prepared", a device no longer on the driver we bound (a reboot resets bindings; needs the
//                           node's devices) → reapply-binding.
//   CDI spec of ours with no checkpoint entry → remove-orphan-cdi-spec.
// A restore binds the driver the device had before (`rebind.from`): a driver name, or "" to leave it
// unbound. When the node's devices are given, a device already on that driver is not touched.
//
// Public API: `OnDiskCdiSpec`, `RecoveryInput`, `DriverRestore`, `RecoveryAction`, `planRecovery`.
import type { Checkpoint, PreparedClaimEntry, PreparedDeviceRecord } from "../../api/checkpoint.ts";
import { USERSPACE_PCI_DRIVERS } from "./plan-device.ts";
import { deviceKey } from "./plan-types.ts";
import type { NodeDevice } from "./plan-types.ts";

export interface OnDiskCdiSpec {
  claimUID: string;
  path: string;
}

export interface RecoveryInput {
  checkpoint: Checkpoint;
  /** Our spec files (listCdiSpecs), corrupt ones included. */
  cdiSpecsOnDisk: readonly OnDiskCdiSpec[];
  /** This node's devices now, by deviceKey(pool, name); without them every recorded rebind is undone. */
  nodeDevices?: ReadonlyMap<string, NodeDevice>;
}

export interface DriverRestore {
  poolName: string;
  deviceName: string;
  pciAddress: string;
  /** The driver to bind: a driver name, "kernel" (the kernel's own choice), or "" (leave unbound). */
  bind: string;
}

interface ClaimRef {
  claimUID: string;
  namespace: string;
  name: string;
}

export type RecoveryAction =
  | ({
      type: "rollback-prepare" | "finish-unprepare";
      restore: DriverRestore[];
      removeCdiSpec: boolean;
    } & ClaimRef)
  | ({ type: "rewrite-cdi-spec" } & ClaimRef)
  | ({ type: "reapply-binding"; rebind: DriverRestore } & ClaimRef)
  | { type: "remove-orphan-cdi-spec"; claimUID: string; path: string };

function currentDriver(input: RecoveryInput, record: PreparedDeviceRecord): string | undefined {
  const device = input.nodeDevices?.get(deviceKey(record.poolName, record.deviceName));
  return device === undefined ? undefined : (device.driver ?? "");
}

function restoresFor(input: RecoveryInput, entry: PreparedClaimEntry): DriverRestore[] {
  return entry.devices.flatMap((record): DriverRestore[] => {
    if (record.rebind === undefined || record.pciAddress === undefined) return [];
    if (currentDriver(input, record) === record.rebind.from) return [];
    const { poolName, deviceName, pciAddress } = record;
    return [{ poolName, deviceName, pciAddress, bind: record.rebind.from }];
  });
}

function stillBound(to: string, current: string): boolean {
  return to === "kernel" ? current !== "" && !USERSPACE_PCI_DRIVERS.includes(current) : current === to;
}

function reapplyFor(input: RecoveryInput, entry: PreparedClaimEntry): DriverRestore[] {
  return entry.devices.flatMap((record): DriverRestore[] => {
    const current = currentDriver(input, record);
    if (record.rebind === undefined || record.pciAddress === undefined || current === undefined) return [];
    if (stillBound(record.rebind.to, current)) return [];
    const { poolName, deviceName, pciAddress } = record;
    return [{ poolName, deviceName, pciAddress, bind: record.rebind.to }];
  });
}

function claimActions(
  input: RecoveryInput,
  uid: string,
  entry: PreparedClaimEntry,
  onDisk: boolean,
): RecoveryAction[] {
  const ref: ClaimRef = { claimUID: uid, namespace: entry.namespace, name: entry.name };
  if (entry.state === "preparing" || entry.state === "unpreparing") {
    const type = entry.state === "preparing" ? "rollback-prepare" : "finish-unprepare";
    return [{ type, ...ref, restore: restoresFor(input, entry), removeCdiSpec: onDisk }];
  }
  const actions: RecoveryAction[] = [];
  if (!onDisk) actions.push({ type: "rewrite-cdi-spec", ...ref });
  for (const rebind of reapplyFor(input, entry)) actions.push({ type: "reapply-binding", ...ref, rebind });
  return actions;
}

/** The recovery actions, undo first, in claim UID order within each kind. */
export function planRecovery(input: RecoveryInput): RecoveryAction[] {
  const onDisk = new Map(input.cdiSpecsOnDisk.map((s) => [s.claimUID, s.path]));
  const uids = Object.keys(input.checkpoint.claims).sort();
  const actions = uids.flatMap((uid) => {
    const entry = input.checkpoint.claims[uid];
    return entry === undefined ? [] : claimActions(input, uid, entry, onDisk.has(uid));
  });
  const orphans = [...onDisk]
    .filter(([uid]) => !Object.hasOwn(input.checkpoint.claims, uid))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([claimUID, path]): RecoveryAction => ({ type: "remove-orphan-cdi-spec", claimUID, path }));
  const rank = (a: RecoveryAction) =>
    [
      "rollback-prepare",
      "finish-unprepare",
      "remove-orphan-cdi-spec",
      "rewrite-cdi-spec",
      "reapply-binding",
    ].indexOf(a.type);
  return [...actions, ...orphans].sort((a, b) => rank(a) - rank(b));
}
