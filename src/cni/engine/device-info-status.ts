// A CNI device-info file as network-status' `device-info` (device-info spec §6): only a file whose `type`
// the spec knows, and only the spec's keys (netclaim's extension stays in the file). Pure.
import { hasSpecType } from "../../api/device-info.ts";
import type { DeviceInfoFile } from "../../api/device-info.ts";
import {
  DEVICE_INFO_KEYS,
  DEVICE_INFO_SECTION_KEYS,
  normalizeDeviceInfo,
} from "../selection/network-status.ts";
import type { DeviceInfo } from "../selection/network-status.ts";

function section(value: unknown, keys: readonly string[]): Record<string, string> | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const out: Record<string, string> = {};
  for (const key of keys) {
    const inner = (value as Record<string, unknown>)[key];
    if (typeof inner === "string") out[key] = inner;
  }
  return out;
}

export function specDeviceInfo(file: DeviceInfoFile | undefined): DeviceInfo | undefined {
  if (file === undefined || !hasSpecType(file)) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of DEVICE_INFO_KEYS) {
    if (key === "type" || key === "version") {
      if (typeof file[key] === "string") out[key] = file[key];
      continue;
    }
    const picked = section(file[key], DEVICE_INFO_SECTION_KEYS[key]);
    if (picked !== undefined) out[key] = picked;
  }
  return normalizeDeviceInfo(out);
}
