// handOverDevice(): the device in each delegate's own terms — deviceID/pciBusID for SR-IOV and the
// rest, one host-device selector, the capability args (the controller's addresses as `ips` among them) —
// and the Multus CDI-name form.
import { describe, expect, it } from "vitest";
import {
  delegateDeviceId,
  handOverDevice,
  parseDeviceIdFormat,
} from "../../../../src/cni/correlation/handover.ts";
import type { DeviceIdFormat } from "../../../../src/cni/correlation/handover.ts";
import type { CandidateDevice } from "../../../../src/cni/correlation/types.ts";
import type { JsonObject } from "../../../../src/cni/delegate/json.ts";
import { claimDevice, pluginDevice } from "../../../fakes/cni-devices.ts";

const VF = claimDevice({
  device: "vf-0000-3b-02-1",
  kind: "sriov-vf",
  pciAddress: "0000:3b:02.1",
  deviceIDAttr: "0000:3b:02.1",
  ifName: "ens1f0v1",
  cdiDeviceIds: ["netclaim.dev/net=4f1c-vf-0000-3b-02-1"],
});
const VETH = claimDevice({ device: "nic0", kind: "netdev", ifName: "nic0" });
const SF = claimDevice({
  device: "sf-2",
  kind: "subfunction",
  pciAddress: "0000:3b:00.0",
  deviceIDAttr: "mlx5_core.sf.2",
  ifName: "enp59s0f0s2",
});
const MULTI_NETDEV = claimDevice({
  device: "ens1f0",
  kind: "netdev",
  pciAddress: "0000:3c:00.0",
  deviceIDAttr: "ens1f0",
  ifName: "ens1f0",
});

const sriov = { cniVersion: "1.0.0", name: "vf-net", type: "sriov", vlan: 100 };
const hostDevice = {
  cniVersion: "1.0.0",
  name: "hd-net",
  type: "host-device",
  device: "eth7",
  hwaddr: "02:00:00:00:00:01",
};

interface Case {
  name: string;
  config: JsonObject;
  device: CandidateDevice;
  format?: DeviceIdFormat;
  file?: string;
  wantConfig: JsonObject;
  wantRuntimeConfig: JsonObject;
}

const CASES: Case[] = [
  {
    name: "sriov: deviceID and pciBusID, runtimeConfig deviceID and CDI IDs",
    config: sriov,
    device: VF,
    wantConfig: { ...sriov, deviceID: "0000:3b:02.1", pciBusID: "0000:3b:02.1" },
    wantRuntimeConfig: { deviceID: "0000:3b:02.1", cdiDeviceIDs: ["netclaim.dev/net=4f1c-vf-0000-3b-02-1"] },
  },
  {
    name: "host-device with a VF: pciBusID only, the NAD's own selectors removed",
    config: hostDevice,
    device: VF,
    wantConfig: { cniVersion: "1.0.0", name: "hd-net", type: "host-device", pciBusID: "0000:3b:02.1" },
    wantRuntimeConfig: { deviceID: "0000:3b:02.1", cdiDeviceIDs: ["netclaim.dev/net=4f1c-vf-0000-3b-02-1"] },
  },
  {
    name: "host-device with a plain netdev: device, and no runtimeConfig deviceID",
    config: hostDevice,
    device: VETH,
    wantConfig: { cniVersion: "1.0.0", name: "hd-net", type: "host-device", device: "nic0" },
    wantRuntimeConfig: {},
  },
  {
    name: "host-device with a subfunction: its netdev, never its PF's PCI address",
    config: { ...hostDevice, pciBusID: "0000:3b:00.0" },
    device: SF,
    wantConfig: { cniVersion: "1.0.0", name: "hd-net", type: "host-device", device: "enp59s0f0s2" },
    wantRuntimeConfig: {},
  },
  {
    name: "host-device with one of several netdevs of a PCI function: the netdev",
    config: hostDevice,
    device: MULTI_NETDEV,
    wantConfig: { cniVersion: "1.0.0", name: "hd-net", type: "host-device", device: "ens1f0" },
    wantRuntimeConfig: {},
  },
  {
    name: "a conflist: host-device its selector, every other plugin deviceID and pciBusID",
    config: {
      cniVersion: "1.0.0",
      name: "l",
      plugins: [{ type: "host-device" }, { type: "tuning", mtu: 9000 }],
    },
    device: VETH,
    wantConfig: {
      cniVersion: "1.0.0",
      name: "l",
      plugins: [
        { type: "host-device", device: "nic0" },
        { type: "tuning", mtu: 9000, deviceID: "nic0", pciBusID: "nic0" },
      ],
    },
    wantRuntimeConfig: {},
  },
  {
    name: "the device-info file as CNIDeviceInfoFile",
    config: sriov,
    device: { ...VF, cdiDeviceIds: [] },
    file: "/var/run/k8s.cni.cncf.io/devinfo/cni/ns1-vf-net-abc_net1",
    wantConfig: { ...sriov, deviceID: "0000:3b:02.1", pciBusID: "0000:3b:02.1" },
    wantRuntimeConfig: {
      deviceID: "0000:3b:02.1",
      CNIDeviceInfoFile: "/var/run/k8s.cni.cncf.io/devinfo/cni/ns1-vf-net-abc_net1",
    },
  },
  {
    name: "cdi-name: the CDI device name after '=', as released Multus passed it",
    config: sriov,
    device: VF,
    format: "cdi-name",
    wantConfig: { ...sriov, deviceID: "4f1c-vf-0000-3b-02-1", pciBusID: "4f1c-vf-0000-3b-02-1" },
    wantRuntimeConfig: {
      deviceID: "4f1c-vf-0000-3b-02-1",
      cdiDeviceIDs: ["netclaim.dev/net=4f1c-vf-0000-3b-02-1"],
    },
  },
  {
    name: "cdi-name with host-device: Multus's deviceID and pciBusID, selectors kept",
    config: hostDevice,
    device: VF,
    format: "cdi-name",
    wantConfig: { ...hostDevice, deviceID: "4f1c-vf-0000-3b-02-1", pciBusID: "4f1c-vf-0000-3b-02-1" },
    wantRuntimeConfig: {
      deviceID: "4f1c-vf-0000-3b-02-1",
      cdiDeviceIDs: ["netclaim.dev/net=4f1c-vf-0000-3b-02-1"],
    },
  },
  {
    name: "the netclaim controller's addresses as capability ips (static IPAM)",
    config: { ...hostDevice, capabilities: { ips: true }, ipam: { type: "static" } },
    device: { ...VETH, allocatedIps: ["10.10.0.10/24", "fd00:10::a/64"] },
    wantConfig: {
      cniVersion: "1.0.0",
      name: "hd-net",
      type: "host-device",
      device: "nic0",
      capabilities: { ips: true },
      ipam: { type: "static" },
    },
    wantRuntimeConfig: { ips: ["10.10.0.10/24", "fd00:10::a/64"] },
  },
  {
    name: "no addresses: no ips capability arg",
    config: sriov,
    device: { ...VF, cdiDeviceIds: [], allocatedIps: [] },
    wantConfig: { ...sriov, deviceID: "0000:3b:02.1", pciBusID: "0000:3b:02.1" },
    wantRuntimeConfig: { deviceID: "0000:3b:02.1" },
  },
  {
    name: "a device-plugin VF: its device ID",
    config: sriov,
    device: pluginDevice("intel.com/sriov", "0000:af:0a.3", { pciAddress: "0000:af:0a.3" }),
    wantConfig: { ...sriov, deviceID: "0000:af:0a.3", pciBusID: "0000:af:0a.3" },
    wantRuntimeConfig: { deviceID: "0000:af:0a.3" },
  },
];

describe("handOverDevice", () => {
  it.each(CASES)("$name", ({ config, device, format, file, wantConfig, wantRuntimeConfig }) => {
    const handover = handOverDevice({
      config,
      device,
      format: format ?? "device-id",
      ...(file === undefined ? {} : { deviceInfoFile: file }),
    });
    expect(handover.config).toEqual(wantConfig);
    expect(handover.runtimeConfig).toEqual(wantRuntimeConfig);
  });

  it("leaves the given config alone", () => {
    const config = structuredClone(hostDevice);
    handOverDevice({ config, device: VF, format: "device-id" });
    expect(config).toEqual(hostDevice);
  });

  it.each([
    {
      name: "cdi-name for a device without CDI IDs",
      device: { ...VF, cdiDeviceIds: [] },
      format: "cdi-name" as const,
      error:
        "device netclaim.dev/node-1/vf-0000-3b-02-1 has no CDI device ID, and netclaim.dev/device-id-format asks for its CDI device name",
    },
    {
      name: "host-device and a device with neither PCI address nor netdev",
      device: claimDevice({ device: "odd", kind: "unknown" }),
      format: "device-id" as const,
      error:
        "host-device cannot be given device netclaim.dev/node-1/odd: it has neither a PCI address nor a host netdev name",
    },
  ])("refuses $name", ({ device, format, error }) => {
    expect(() => handOverDevice({ config: hostDevice, device, format })).toThrow(error);
  });
});

describe("delegateDeviceId", () => {
  it.each([
    { name: "the deviceID attribute first", device: SF, want: "mlx5_core.sf.2" },
    { name: "else a VF's PCI address", device: { ...VF, deviceIDAttr: undefined }, want: "0000:3b:02.1" },
    { name: "else the netdev", device: VETH, want: "nic0" },
    {
      name: "a subfunction without attribute: its netdev",
      device: { ...SF, deviceIDAttr: undefined },
      want: "enp59s0f0s2",
    },
    { name: "nothing known", device: claimDevice({ device: "x", kind: "unknown" }), want: undefined },
  ])("$name", ({ device, want }) => {
    expect(delegateDeviceId(device, "device-id")).toEqual({ ok: true, id: want });
  });
});

describe("parseDeviceIdFormat", () => {
  it.each([
    { name: "absent", annotations: undefined, want: { ok: true, format: "device-id" } },
    {
      name: "empty",
      annotations: { "netclaim.dev/device-id-format": "" },
      want: { ok: true, format: "device-id" },
    },
    {
      name: "cdi-name",
      annotations: { "netclaim.dev/device-id-format": " cdi-name " },
      want: { ok: true, format: "cdi-name" },
    },
    {
      name: "unknown",
      annotations: { "netclaim.dev/device-id-format": "pci" },
      want: {
        ok: false,
        problem: 'annotation netclaim.dev/device-id-format: "pci" is not one of device-id, cdi-name',
      },
    },
  ])("$name", ({ annotations, want }) => {
    expect(parseDeviceIdFormat(annotations)).toEqual(want);
  });
});
