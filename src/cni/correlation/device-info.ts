// The CNI device-info file of one attachment with a device (the NPWG device-info spec, src/api/device-info.ts).
// Pure.
//   - a device-plugin device whose device plugin left a file (dp/<resourceName>-<deviceID>-device.json):
//     that file's content, as the spec asks the meta-plugin to copy it;
//   - a device-plugin device without one: a "pci" file when its ID is a PCI address, otherwise none;
//   - a claim device: the device plugin file of its resourceName and deviceID when there is one (drivers
//     such as dra-driver-sriov write them), else a "pci" file when it has a PCI function of its own
//     (pci-address, pf-pci-address, rdma-device as known), else a file with `version` only; in every case
//     with netclaim's extension (NETCLAIM_DEVICE_KEY): driver, pool, device, claim, request, resourceName,
//     the device ID handed over, kind, host netdev, PCI address and CDI device IDs.
//
// Public API: `DeviceInfoInput`, `deviceInfoFor`.
import { DEVICE_INFO_SPEC_VERSION, NETCLAIM_DEVICE_KEY } from "../../api/device-info.ts";
import type { DeviceInfoFile, NetclaimDeviceRecord } from "../../api/device-info.ts";
import { isPciAddress } from "./handover.ts";
import type { CandidateDevice } from "./types.ts";

export interface DeviceInfoInput {
  device: CandidateDevice;
  /** What the delegate is given as deviceID. */
  deviceId: string | undefined;
  /** The device plugin's file for the device, when one exists. */
  devicePluginInfo?: DeviceInfoFile;
}

function pciInfo(device: CandidateDevice, deviceId: string | undefined): DeviceInfoFile | undefined {
  if (device.kind === "subfunction") return undefined;
  const address = isPciAddress(device.pciAddress) ? device.pciAddress : deviceId;
  if (!isPciAddress(address)) return undefined;
  const pci: Record<string, string> = { "pci-address": address };
  if (device.rdmaDevice !== undefined) pci["rdma-device"] = device.rdmaDevice;
  if (device.pfPciAddress !== undefined) pci["pf-pci-address"] = device.pfPciAddress;
  return { type: "pci", version: DEVICE_INFO_SPEC_VERSION, pci };
}

function record(device: CandidateDevice, deviceId: string | undefined): NetclaimDeviceRecord {
  const out: NetclaimDeviceRecord = {
    driver: device.driver,
    pool: device.pool,
    device: device.device,
    cdiDeviceIDs: [...device.cdiDeviceIds],
  };
  const optional: [keyof NetclaimDeviceRecord, string | undefined][] = [
    ["shareID", device.shareID],
    ["request", device.requestNames[0]],
    ["resourceName", device.resourceNameAttr],
    ["deviceID", deviceId],
    ["kind", device.kind === "unknown" ? undefined : device.kind],
    ["ifName", device.ifName],
    ["pciAddress", device.pciAddress],
  ];
  for (const [key, value] of optional) if (value !== undefined && value !== "") out[key] = value;
  if (device.claimName !== "") out.claim = { namespace: device.claimNamespace, name: device.claimName };
  return out;
}

/** The file to write for the attachment, or undefined for none (see the header). */
export function deviceInfoFor(input: DeviceInfoInput): DeviceInfoFile | undefined {
  const { device, deviceId } = input;
  const base = input.devicePluginInfo ?? pciInfo(device, deviceId);
  if (device.origin === "device-plugin") return base === undefined ? undefined : { ...base };
  return {
    ...(base ?? { version: DEVICE_INFO_SPEC_VERSION }),
    [NETCLAIM_DEVICE_KEY]: record(device, deviceId),
  };
}
