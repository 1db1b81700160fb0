// The Network Plumbing WG device-info file (k8snetworkplumbingwg/device-info-spec, SPEC.md version 1.1.0):
// the JSON a device plugin leaves for the meta-plugin, and the meta-plugin for the CNI plugin, about the
// device behind one attachment.
//
// Files (spec §4; the NAD client's pkg/utils helpers build the same paths):
//   device plugin  <dir>/dp/<resourceName>-<deviceID>-device.json   ("/" in either replaced by "-")
//   CNI            <dir>/cni/<unique name>                          ("/" replaced by "-")
// with <dir> = /var/run/k8s.cni.cncf.io/devinfo. Multus names the CNI file `<delegate name>-<container
// ID>_<ifname>`, the delegate name being the NAD's `namespace/name`; netclaim names it the same way.
//
// Content (spec §3): `type` (pci | vdpa | vhost-user | memif), `version` ("1.1.0") and the section of
// that type: pci {pci-address, vhost-net, rdma-device, pf-pci-address, representor-device}, vdpa
// {parent-device, driver, path, pci-address, pf-pci-address, representor-device}, vhost-user {mode,
// path}, memif {role, path, mode}. The NAD client writes it with mode 0444.
//
// netclaim's extension: the key NETCLAIM_DEVICE_KEY ("netclaim.dev/device") carries what the spec has no
// field for — the DRA device (driver, pool, device), its claim and request, the CDI device IDs, the host
// netdev. Readers of the spec ignore unknown keys (Go's json.Unmarshal into the NAD client's DeviceInfo
// does), so the file stays a valid device-info file for them. A device without a PCI function of its own
// (a subfunction, a virtual netdev) has no `type` the spec knows: its file carries `version` and the
// extension only.
//
// Reading is lenient (files of device plugins and CNI plugins): every field optional, unknown keys kept.
//
// Public API: `DEVICE_INFO_SPEC_VERSION`, `DEFAULT_DEVICE_INFO_DIR`, `DEVICE_INFO_TYPES`,
// `NETCLAIM_DEVICE_KEY`, `DEVICE_INFO_FILE_MODE`, `DeviceInfoFile`, `NetclaimDeviceRecord`,
// `deviceInfoFileSchema`, `dpDeviceInfoPath`, `cniDeviceInfoPath`, `cniDeviceInfoFileName`,
// `parseDeviceInfoText`, `serializeDeviceInfo`, `hasSpecType`.
import { join } from "node:path";
import { z } from "zod";
import { errorMessage } from "../common/errors.ts";

export const DEVICE_INFO_SPEC_VERSION = "1.1.0";
export const DEFAULT_DEVICE_INFO_DIR = "/var/run/k8s.cni.cncf.io/devinfo";
export const DEVICE_INFO_TYPES = ["pci", "vdpa", "vhost-user", "memif"] as const;
export type DeviceInfoType = (typeof DEVICE_INFO_TYPES)[number];
export const NETCLAIM_DEVICE_KEY = "netclaim.dev/device";
/** As the NAD client writes them: readable by everyone, written once per attachment. */
export const DEVICE_INFO_FILE_MODE = 0o444;

const str = z.string().optional();

const pciSchema = z.looseObject({
  "pci-address": str,
  "vhost-net": str,
  "rdma-device": str,
  "pf-pci-address": str,
  "representor-device": str,
});

const vdpaSchema = z.looseObject({
  "parent-device": str,
  driver: str,
  path: str,
  "pci-address": str,
  "pf-pci-address": str,
  "representor-device": str,
});

const netclaimDeviceSchema = z.looseObject({
  driver: z.string(),
  pool: z.string(),
  device: z.string(),
  shareID: str,
  claim: z.object({ namespace: z.string(), name: z.string() }).optional(),
  request: str,
  resourceName: str,
  /** What the delegate was given as deviceID. */
  deviceID: str,
  kind: str,
  ifName: str,
  pciAddress: str,
  cdiDeviceIDs: z.array(z.string()),
});

export const deviceInfoFileSchema = z.looseObject({
  type: str,
  version: str,
  pci: pciSchema.optional(),
  vdpa: vdpaSchema.optional(),
  "vhost-user": z.looseObject({ mode: str, path: str }).optional(),
  memif: z.looseObject({ role: str, path: str, mode: str }).optional(),
  [NETCLAIM_DEVICE_KEY]: netclaimDeviceSchema.optional(),
});

export type DeviceInfoFile = z.infer<typeof deviceInfoFileSchema>;
export type NetclaimDeviceRecord = z.infer<typeof netclaimDeviceSchema>;

const slashless = (value: string): string => value.replaceAll("/", "-");

/** The device plugin's file for one device of `resourceName` (spec §4.1). */
export function dpDeviceInfoPath(
  resourceName: string,
  deviceId: string,
  dir: string = DEFAULT_DEVICE_INFO_DIR,
): string {
  return join(dir, "dp", `${slashless(resourceName)}-${slashless(deviceId)}-device.json`);
}

/** The CNI file of one attachment (spec §4.2), from its unique name. */
export function cniDeviceInfoPath(fileName: string, dir: string = DEFAULT_DEVICE_INFO_DIR): string {
  return join(dir, "cni", slashless(fileName));
}

/** Multus's unique name: `<network name>-<container ID>_<ifname>`. */
export function cniDeviceInfoFileName(networkName: string, containerId: string, ifName: string): string {
  return `${networkName}-${containerId}_${ifName}`;
}

export type DeviceInfoParse = { ok: true; info: DeviceInfoFile } | { ok: false; problem: string };

/** A device-info file's text, leniently (see the header). */
export function parseDeviceInfoText(text: string): DeviceInfoParse {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: `not JSON: ${errorMessage(err)}` };
  }
  const parsed = deviceInfoFileSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problem: errorMessage(parsed.error) };
  return { ok: true, info: parsed.data };
}

/** The file's text: compact JSON, as the NAD client marshals it, with a final newline. */
export function serializeDeviceInfo(info: DeviceInfoFile): string {
  return `${JSON.stringify(info)}\n`;
}

/** Whether the file says what kind of device it describes in the spec's terms. */
export function hasSpecType(info: DeviceInfoFile): boolean {
  return (DEVICE_INFO_TYPES as readonly string[]).includes(info.type ?? "");
}
