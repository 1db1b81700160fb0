// The pure half of handing devices to delegates: a planned attachment whose network got a device
// (add-devices.ts) runs with the config and capability args that carry it (correlation/handover.ts), and
// with its CNI device-info file: the path (Multus's `<network>-<containerID>_<ifname>` under the store's
// cni/ dir) and the content (correlation/device-info.ts), recorded in the cache entry so DEL removes it.
// Attachments without a device are returned unchanged.
import type { DeviceInfoFile } from "../../api/device-info.ts";
import { cniDeviceInfoFileName } from "../../api/device-info.ts";
import { deviceInfoFor } from "../correlation/device-info.ts";
import { delegateDeviceId, handOverDevice } from "../correlation/handover.ts";
import type { DeviceIdFormat } from "../correlation/handover.ts";
import type { CandidateDevice, CorrelationRule, DeviceNeed } from "../correlation/types.ts";
import { toDelegateNetwork } from "../delegate/plugin-config.ts";
import { networkLabel } from "./delete-networks.ts";
import { failure } from "./engine-errors.ts";
import type { PlannedAttachment } from "./plan-attachments.ts";

/** A network's device as correlation found it (add-devices.ts). */
export interface CorrelatedDevice {
  need: DeviceNeed;
  device: CandidateDevice;
  rule: CorrelationRule;
  format: DeviceIdFormat;
  /** The device plugin's device-info file for it, when one exists. */
  devicePluginInfo?: DeviceInfoFile;
}

/** What an attachment carries about its device. */
export interface AttachmentDevice {
  candidate: CandidateDevice;
  rule: CorrelationRule;
  /** What the delegate was given as deviceID. */
  deviceId: string | undefined;
  /** The CNI device-info file, written before the delegate runs. */
  deviceInfoFile?: string;
  deviceInfo?: DeviceInfoFile;
}

export interface DevicePlanInput {
  /** CNI_CONTAINERID, for the device-info file's name. */
  containerId: string;
  /** The device-info store's path for a unique name; absent: no device-info files. */
  cniPath?: (fileName: string) => string;
}

function withDevice(
  attachment: PlannedAttachment,
  found: CorrelatedDevice,
  input: DevicePlanInput,
): PlannedAttachment {
  const id = delegateDeviceId(found.device, found.format);
  if (!id.ok) throw new Error(id.problem);
  const info = deviceInfoFor({
    device: found.device,
    deviceId: id.id,
    ...(found.devicePluginInfo === undefined ? {} : { devicePluginInfo: found.devicePluginInfo }),
  });
  const file =
    info === undefined || input.cniPath === undefined
      ? undefined
      : input.cniPath(cniDeviceInfoFileName(attachment.name, input.containerId, attachment.ifName));
  const handover = handOverDevice({
    config: attachment.config,
    device: found.device,
    format: found.format,
    ...(file === undefined ? {} : { deviceInfoFile: file }),
  });
  const device: AttachmentDevice = { candidate: found.device, rule: found.rule, deviceId: handover.deviceId };
  if (file !== undefined && info !== undefined) {
    device.deviceInfoFile = file;
    device.deviceInfo = info;
  }
  return {
    ...attachment,
    config: handover.config,
    network: toDelegateNetwork(handover.config),
    runtimeConfig: { ...attachment.runtimeConfig, ...handover.runtimeConfig },
    device,
  };
}

/** The attachments with their devices handed over; throws a CniError naming the network that cannot. */
export function withDevices(
  attachments: readonly PlannedAttachment[],
  devices: ReadonlyMap<number, CorrelatedDevice>,
  input: DevicePlanInput,
): PlannedAttachment[] {
  return attachments.map((attachment) => {
    const found = devices.get(attachment.index);
    if (found === undefined) return attachment;
    try {
      return withDevice(attachment, found, input);
    } catch (err) {
      throw failure(networkLabel(attachment.name, attachment.ifName), err, "INVALID_NETWORK_CONFIG");
    }
  });
}
