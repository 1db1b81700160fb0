// The host side of a claim's devices, shared by Prepare, Unprepare and start-up recovery: bind the
// drivers a plan asks for, learn the netdev names a rebind to the kernel driver brought, render and
// write the claim's CDI spec, and undo all of it (drivers back to what they had, spec removed).
import type { PreparedClaimEntry, PreparedDeviceRecord } from "../../api/checkpoint.ts";
import { renderCdiSpec } from "../cdi/render.ts";
import type { DriverBinder } from "./driver-binder.ts";
import { deviceKey } from "./plan-types.ts";
import type { CdiStore, NodeDeviceSource } from "./ports.ts";

export interface HostDeps {
  driverName: string;
  binder: DriverBinder;
  cdi: CdiStore;
  devices: NodeDeviceSource;
}

export interface ClaimName {
  uid: string;
  namespace: string;
  name: string;
}

/**
 * Binds each device the plan rebinds, in order; then, when a device went back to a kernel driver,
 * discovers again and records its netdev name. Returns the final records.
 */
export async function applyBindings(
  deps: HostDeps,
  records: readonly PreparedDeviceRecord[],
  signal?: AbortSignal,
): Promise<PreparedDeviceRecord[]> {
  for (const record of records) {
    if (record.rebind === undefined || record.pciAddress === undefined) continue;
    await deps.binder.bind(record.pciAddress, record.rebind.to, signal);
  }
  if (!records.some((r) => r.rebind?.to === "kernel")) return [...records];
  const now = await deps.devices.rescan(signal);
  return records.map((record) => {
    if (record.rebind?.to !== "kernel") return record;
    const ifName = now.get(deviceKey(record.poolName, record.deviceName))?.ifName;
    return ifName === undefined ? record : { ...record, ifName };
  });
}

/** Renders the claim's CDI spec from its records and writes it atomically. */
export async function writeClaimSpec(
  deps: HostDeps,
  claim: ClaimName,
  records: readonly PreparedDeviceRecord[],
): Promise<void> {
  const spec = renderCdiSpec({ driver: deps.driverName, claim, devices: records });
  await deps.cdi.write(claim.uid, spec);
}

/**
 * Undoes a claim on the host: every recorded rebind restored (last device first) and the CDI spec
 * removed. Keeps going after a failed restore and throws one error naming all failures at the end.
 */
export async function undoClaim(
  deps: HostDeps,
  uid: string,
  entry: Pick<PreparedClaimEntry, "devices" | "namespace" | "name">,
  signal?: AbortSignal,
): Promise<void> {
  const failures: unknown[] = [];
  for (const record of [...entry.devices].reverse()) {
    if (record.rebind === undefined || record.pciAddress === undefined) continue;
    try {
      await deps.binder.bind(record.pciAddress, record.rebind.from, signal);
    } catch (err) {
      failures.push(err);
    }
  }
  try {
    await deps.cdi.remove(uid);
  } catch (err) {
    failures.push(err);
  }
  if (failures.length > 0) {
    throw new AggregateError(failures, `undo claim ${entry.namespace}/${entry.name} on the host`);
  }
}
