// How a network's device reaches its delegate, the way each delegate understands it. Pure.
//
// The device ID handed over (`delegateDeviceId`):
//   - default ("device-id"): the device's k8s.cni.cncf.io/deviceID attribute (what Multus's DRA client
//     passes) when a source saw it; else its PCI address (a VF, a netdev of a PCI function, a device-plugin
//     device whose ID is a PCI address); else its host netdev name;
//   - "cdi-name", asked for by the NAD annotation `netclaim.dev/device-id-format: cdi-name`: the part
//     after "=" of its first CDI device ID, as released Multus versions (4.1–4.3) passed DRA devices.
// Into each plugin of the delegate config (every plugin of a conflist, as Multus injects them):
//   - host-device: exactly one of its device selectors, the others removed so that it cannot pick another
//     device: `pciBusID` = the PCI address when the device ID is one (and the device is not a
//     subfunction, whose PCI address would be its PF's), else `device` = the host netdev name (a plain
//     netdev or a subfunction's netdev; host-device's `pciBusID` would fail on them, it looks the address
//     up in /sys/bus/pci). In "cdi-name" form: `deviceID` and `pciBusID`, exactly as Multus.
//   - any other plugin (sriov, ib-sriov, ovs, ...): `deviceID` and `pciBusID` = the device ID (Multus).
// Into the network's capability args (each plugin receives those it declares in `capabilities`):
//   - `deviceID`: the device ID — left out when host-device gets `device`, since host-device would read a
//     declared runtimeConfig.deviceID as a PCI address;
//   - `cdiDeviceIDs` (netclaim's name): the device's CDI device IDs, when it has any;
//   - `CNIDeviceInfoFile` (device-info spec §5.1): the CNI device-info file, when one is written;
//   - `ips` (the static IPAM plugin's capability, CIDR form): the addresses the netclaim controller
//     allocated for the device (`allocatedIps`), when it has any. A NAD that takes them declares
//     `"capabilities": {"ips": true}` and uses `"ipam": {"type": "static"}`.
// A network whose device needs the controller's addresses — the NAD carries netclaim.dev/ip-pool, or the
// device's config names an ipPool — and that has none yet is not handed over (`addressesPending`): the
// controller has not written them, and attaching without them would give the pod no (or another) address.
//
// Public API: `DEVICE_ID_FORMAT_ANNOTATION`, `DEVICE_ID_FORMATS`, `DeviceIdFormat`,
// `CDI_DEVICE_IDS_CAPABILITY`, `DEVICE_INFO_FILE_CAPABILITY`, `parseDeviceIdFormat`, `isPciAddress`, `describeDevice`,
// `delegateDeviceId`, `HandoverInput`, `Handover`, `handOverDevice`, `IPS_CAPABILITY`, `addressesPending`.
import { isJsonObject } from "../delegate/json.ts";
import type { JsonObject } from "../delegate/json.ts";
import type { CandidateDevice, DeviceNeed } from "./types.ts";

export const DEVICE_ID_FORMAT_ANNOTATION = "netclaim.dev/device-id-format";
export const DEVICE_ID_FORMATS = ["device-id", "cdi-name"] as const;
export type DeviceIdFormat = (typeof DEVICE_ID_FORMATS)[number];
export const CDI_DEVICE_IDS_CAPABILITY = "cdiDeviceIDs";
export const DEVICE_INFO_FILE_CAPABILITY = "CNIDeviceInfoFile";
export const IPS_CAPABILITY = "ips";

const HOST_DEVICE_SELECTORS = ["device", "hwaddr", "kernelpath", "pciBusID"] as const;
const PCI_ADDRESS_RE = /^[0-9a-fA-F]{4,8}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$/;

export type FormatParse = { ok: true; format: DeviceIdFormat } | { ok: false; problem: string };

/** The format a NAD's annotations ask for (absent or empty: "device-id"). */
export function parseDeviceIdFormat(annotations: Readonly<Record<string, string>> | undefined): FormatParse {
  const value = (annotations?.[DEVICE_ID_FORMAT_ANNOTATION] ?? "").trim();
  if (value === "") return { ok: true, format: "device-id" };
  if ((DEVICE_ID_FORMATS as readonly string[]).includes(value)) {
    return { ok: true, format: value as DeviceIdFormat };
  }
  return {
    ok: false,
    problem: `annotation ${DEVICE_ID_FORMAT_ANNOTATION}: ${JSON.stringify(value)} is not one of ${DEVICE_ID_FORMATS.join(", ")}`,
  };
}

/** `dddd:bb:dd.f` (a longer domain, as VMD uses, accepted). */
export function isPciAddress(value: string | undefined): value is string {
  return value !== undefined && PCI_ADDRESS_RE.test(value);
}

export type DeviceIdResult = { ok: true; id: string | undefined } | { ok: false; problem: string };

/** The device ID `device` is handed over as (see the header); `id` undefined when it has none. */
export function delegateDeviceId(device: CandidateDevice, format: DeviceIdFormat): DeviceIdResult {
  if (format === "cdi-name") {
    const withName = device.cdiDeviceIds.find((id) => id.includes("=") && !id.endsWith("="));
    if (withName === undefined) {
      return {
        ok: false,
        problem: `device ${describeDevice(device)} has no CDI device ID, and ${DEVICE_ID_FORMAT_ANNOTATION} asks for its CDI device name`,
      };
    }
    return { ok: true, id: withName.slice(withName.indexOf("=") + 1) };
  }
  if (device.deviceIDAttr !== undefined && device.deviceIDAttr !== "")
    return { ok: true, id: device.deviceIDAttr };
  if (device.kind !== "subfunction" && isPciAddress(device.pciAddress))
    return { ok: true, id: device.pciAddress };
  if (device.ifName !== undefined && device.ifName !== "") return { ok: true, id: device.ifName };
  return { ok: true, id: undefined };
}

/** `driver/pool/device` (claim devices) or `resource device-id` (device-plugin devices), for messages. */
export function describeDevice(device: CandidateDevice): string {
  if (device.origin === "device-plugin") return `${device.resourceNameAttr ?? "?"} ${device.device}`;
  return `${device.driver}/${device.pool}/${device.device}`;
}

export interface HandoverInput {
  /** The delegate config as it will run: one plugin, or a conflist. */
  config: JsonObject;
  device: CandidateDevice;
  format: DeviceIdFormat;
  /** The CNI device-info file written for the attachment, if any. */
  deviceInfoFile?: string;
}

export interface Handover {
  config: JsonObject;
  /** Capability args to lay over the network's own. */
  runtimeConfig: JsonObject;
  /** The device ID handed over, if any. */
  deviceId: string | undefined;
}

type HostDeviceSelector = { key: "pciBusID" | "device"; value: string };

function hostDeviceSelector(device: CandidateDevice, id: string | undefined): HostDeviceSelector {
  if (device.kind !== "subfunction" && isPciAddress(id)) return { key: "pciBusID", value: id };
  if (device.ifName !== undefined && device.ifName !== "") return { key: "device", value: device.ifName };
  if (device.kind !== "subfunction" && isPciAddress(device.pciAddress)) {
    return { key: "pciBusID", value: device.pciAddress };
  }
  throw new Error(
    `host-device cannot be given device ${describeDevice(device)}: it has neither a PCI address nor a host netdev name`,
  );
}

function withHostDevice(plugin: JsonObject, selector: HostDeviceSelector): JsonObject {
  const out: JsonObject = { ...plugin };
  for (const key of HOST_DEVICE_SELECTORS) delete out[key];
  out[selector.key] = selector.value;
  return out;
}

function withDeviceId(plugin: JsonObject, id: string | undefined): JsonObject {
  if (id === undefined) return plugin;
  return { ...plugin, deviceID: id, pciBusID: id };
}

/** The config and capability args that hand `device` to the delegate (see the header). Throws for a
 *  device host-device cannot be given, or a CDI name the device does not have. */
export function handOverDevice(input: HandoverInput): Handover {
  const { device, format } = input;
  const found = delegateDeviceId(device, format);
  if (!found.ok) throw new Error(found.problem);
  const id = found.id;
  let byNetdev = false;
  const apply = (plugin: JsonObject): JsonObject => {
    if (plugin.type !== "host-device" || format === "cdi-name") return withDeviceId(plugin, id);
    const selector = hostDeviceSelector(device, id);
    if (selector.key === "device") byNetdev = true;
    return withHostDevice(plugin, selector);
  };
  const plugins = input.config.plugins;
  const config = Array.isArray(plugins)
    ? { ...input.config, plugins: plugins.map((p: unknown) => (isJsonObject(p) ? apply(p) : p)) }
    : apply(input.config);
  const runtimeConfig: JsonObject = {};
  if (id !== undefined && !byNetdev) runtimeConfig.deviceID = id;
  if (device.cdiDeviceIds.length > 0) runtimeConfig[CDI_DEVICE_IDS_CAPABILITY] = [...device.cdiDeviceIds];
  if (input.deviceInfoFile !== undefined) runtimeConfig[DEVICE_INFO_FILE_CAPABILITY] = input.deviceInfoFile;
  if (device.allocatedIps !== undefined && device.allocatedIps.length > 0) {
    runtimeConfig[IPS_CAPABILITY] = [...device.allocatedIps];
  }
  return { config, runtimeConfig, deviceId: id };
}

/**
 * The IPPool whose addresses `device` still waits for on `need`'s network (the NAD's annotation first,
 * else the device's config), or undefined when it needs none or has them. Only claim devices get the
 * controller's addresses: a device-plugin device never waits, nor, for the NAD's pool, a claim device of
 * another driver than the controller's (`need.ipPoolDriver`). Pure.
 */
export function addressesPending(
  need: Pick<DeviceNeed, "ipPool" | "ipPoolDriver">,
  device: Pick<CandidateDevice, "origin" | "allocatedIps" | "ipPool" | "driver">,
): string | undefined {
  if (device.origin !== "claim" || (device.allocatedIps?.length ?? 0) > 0) return undefined;
  const otherDriver = need.ipPoolDriver !== undefined && device.driver !== need.ipPoolDriver;
  const pool = (otherDriver ? undefined : need.ipPool) ?? device.ipPool;
  return pool === undefined || pool === "" ? undefined : pool;
}
