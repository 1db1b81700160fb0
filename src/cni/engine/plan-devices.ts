// The pure half of handing devices to delegates: a planned attachment whose network got a device
// (add-devices.ts) runs with the config and capability args that carry it (correlation/handover.ts), and
// with its CNI device-info file: the path (Multus's `<network>-<containerID>_<ifname>` under the store's
// cni/ dir) and the content (correlation/device-info.ts), recorded in the cache entry so DEL removes it.
// Attachments without a device are returned unchanged.
// The netclaim controller's addresses (the device's `allocatedIps`) go as capability `ips`, over whatever the
// pod's selection asked for — they are the claim's, reserved in its IPPool — so a selection asking for other
// `ips` on that network is refused (INVALID_NETWORK_CONFIG) rather than one of the two silently dropped. A
// device that needs them and has none yet fails the ADD with TRY_AGAIN_LATER (the controller writes them
// moments after the scheduler allocates; the runtime retries the sandbox), naming the claim and the pool.
import { sameAddresses } from "../../api/claim-addresses.ts";
import type { DeviceInfoFile } from "../../api/device-info.ts";
import { cniDeviceInfoFileName } from "../../api/device-info.ts";
import { deviceInfoFor } from "../correlation/device-info.ts";
import { addressesPending, delegateDeviceId, handOverDevice } from "../correlation/handover.ts";
import type { DeviceIdFormat } from "../correlation/handover.ts";
import type { CandidateDevice, CorrelationRule, DeviceNeed } from "../correlation/types.ts";
import { toDelegateNetwork } from "../delegate/plugin-config.ts";
import { networkLabel } from "./delete-networks.ts";
import { CniError } from "../protocol/errors.ts";
import { failure, problem } from "./engine-errors.ts";
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

function claimLabel(device: CandidateDevice): string {
  return `claim ${device.claimNamespace}/${device.claimName} device ${device.pool}/${device.device}`;
}

/** Throws when the device waits for the controller's addresses, or the selection asks for others. */
function checkAddresses(attachment: PlannedAttachment, found: CorrelatedDevice): void {
  const { device } = found;
  const pool = addressesPending(found.need, device);
  if (pool !== undefined) {
    throw problem(
      "TRY_AGAIN_LATER",
      `${claimLabel(device)}: waiting for addresses from the netclaim controller (IPPool ${pool})`,
    );
  }
  const asked = attachment.runtimeConfig.ips;
  const given = device.allocatedIps ?? [];
  if (!Array.isArray(asked) || asked.length === 0 || given.length === 0) return;
  const askedText = asked.map(String);
  if (sameAddresses(askedText, given)) return;
  throw problem(
    "INVALID_NETWORK_CONFIG",
    `the pod's network selection asks for ips ${askedText.join(", ")}, but ${claimLabel(device)} has ${given.join(", ")} from the netclaim controller`,
  );
}

function withDevice(
  attachment: PlannedAttachment,
  found: CorrelatedDevice,
  input: DevicePlanInput,
): PlannedAttachment {
  checkAddresses(attachment, found);
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

/**
 * The attachments with their devices handed over; throws a CniError naming the network that cannot
 * (INVALID_NETWORK_CONFIG, or TRY_AGAIN_LATER while addresses are awaited).
 */
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
      const code = err instanceof CniError ? undefined : "INVALID_NETWORK_CONFIG";
      throw failure(networkLabel(attachment.name, attachment.ifName), err, code);
    }
  });
}
