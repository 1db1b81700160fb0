// A claim's device settings, device by device, for the prepare shell and start-up recovery:
//   readClaimOriginals    before anything is set: each device's current values of what its config changes,
//                         into the records (the shell writes them to the checkpoint before applying)
//   applyClaimSettings    the configs, in device order; the first failure stops and names its device
//   restoreClaimSettings  every recorded original back, last device first, going on after a failure
// Errors name the device ("device <pool>/<name>: ..."); the caller adds the claim.
//
// Public API: `readClaimOriginals`, `applyClaimSettings`, `restoreClaimSettings`.
import type { PreparedDeviceRecord } from "../../api/checkpoint.ts";
import type { DeviceSettings } from "./ports.ts";

function deviceLabel(record: PreparedDeviceRecord): string {
  return `device ${record.poolName}/${record.deviceName}`;
}

/** The records with `originalSettings` read from the host; `changed` when any device got some. */
export async function readClaimOriginals(
  settings: DeviceSettings,
  records: readonly PreparedDeviceRecord[],
  signal?: AbortSignal,
): Promise<{ records: PreparedDeviceRecord[]; changed: boolean }> {
  const out: PreparedDeviceRecord[] = [];
  let changed = false;
  for (const record of records) {
    let original;
    try {
      original = await settings.readOriginal(record, signal);
    } catch (cause) {
      throw new Error(deviceLabel(record), { cause });
    }
    if (original === undefined) {
      out.push(record);
      continue;
    }
    out.push({ ...record, originalSettings: original });
    changed = true;
  }
  return { records: out, changed };
}

/** Applies each device's config (those with recorded originals), in order. */
export async function applyClaimSettings(
  settings: DeviceSettings,
  records: readonly PreparedDeviceRecord[],
  signal?: AbortSignal,
): Promise<void> {
  for (const record of records) {
    if (record.originalSettings === undefined) continue;
    try {
      await settings.apply(record, signal);
    } catch (cause) {
      throw new Error(deviceLabel(record), { cause });
    }
  }
}

/**
 * Restores every recorded original, last device first; resolves with the restores skipped because a
 * link is gone, rejects (after trying all) naming each device that failed.
 */
export async function restoreClaimSettings(
  settings: DeviceSettings,
  records: readonly PreparedDeviceRecord[],
  signal?: AbortSignal,
): Promise<string[]> {
  const skipped: string[] = [];
  const failures: Error[] = [];
  for (const record of [...records].reverse()) {
    if (record.originalSettings === undefined) continue;
    try {
      const notes = await settings.restore(record, signal);
      skipped.push(...notes.map((note) => `${deviceLabel(record)}: ${note}`));
    } catch (cause) {
      failures.push(new Error(`${deviceLabel(record)}: restore its settings`, { cause }));
    }
  }
  if (failures.length > 1) throw new AggregateError(failures, "restore device settings");
  const [failure] = failures;
  if (failure !== undefined) throw failure;
  return skipped;
}
