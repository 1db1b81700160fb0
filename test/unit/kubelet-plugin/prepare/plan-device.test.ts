// The per-device decision: which driver a device must be bound to (and from what), what is recorded,
// and which config fields a device kind takes.
import { describe, expect, it } from "vitest";
import { planDevice } from "../../../../src/kubelet-plugin/prepare/plan-device.ts";
import type { DeviceAllocation } from "../../../../src/kubelet-plugin/prepare/plan-device.ts";
import type { NetworkDeviceConfig } from "../../../../src/api/network-device-config.ts";
import type { NodeDevice } from "../../../../src/kubelet-plugin/prepare/plan-types.ts";
import { DRIVER, sf1, veth0, vf1 } from "./plan-cases.ts";

function allocation(device: NodeDevice, adminAccess = false): DeviceAllocation {
  return { requestNames: ["r"], poolName: "node-a", deviceName: device.name, adminAccess };
}

function plan(device: NodeDevice, config: NetworkDeviceConfig, adminAccess = false) {
  return planDevice({
    driverName: DRIVER,
    claimUID: "uid-1",
    allocation: allocation(device, adminAccess),
    device,
    config,
  });
}

describe("planDevice: driver binding", () => {
  const cases: {
    name: string;
    device: NodeDevice;
    config: NetworkDeviceConfig;
    rebind: { from: string; to: string } | undefined;
    ifName: string | undefined;
    vfioGroup: string | undefined;
  }[] = [
    {
      name: "vfio-pci wanted, on its net driver",
      device: vf1,
      config: { driver: "vfio-pci" },
      rebind: { from: "iavf", to: "vfio-pci" },
      ifName: undefined,
      vfioGroup: "41",
    },
    {
      name: "vfio-pci wanted, already on vfio-pci",
      device: { ...vf1, driver: "vfio-pci", ifName: undefined },
      config: { driver: "vfio-pci" },
      rebind: undefined,
      ifName: undefined,
      vfioGroup: "41",
    },
    {
      name: "vfio-pci wanted, unbound",
      device: { ...vf1, driver: undefined },
      config: { driver: "vfio-pci" },
      rebind: { from: "", to: "vfio-pci" },
      ifName: undefined,
      vfioGroup: "41",
    },
    {
      name: "kernel wanted, on vfio-pci",
      device: { ...vf1, driver: "vfio-pci", ifName: undefined },
      config: { driver: "kernel" },
      rebind: { from: "vfio-pci", to: "kernel" },
      ifName: undefined,
      vfioGroup: undefined,
    },
    {
      name: "kernel wanted, on igb_uio",
      device: { ...vf1, driver: "igb_uio", ifName: undefined },
      config: { driver: "kernel" },
      rebind: { from: "igb_uio", to: "kernel" },
      ifName: undefined,
      vfioGroup: undefined,
    },
    {
      name: "kernel wanted, unbound",
      device: { ...vf1, driver: "", ifName: undefined },
      config: { driver: "kernel" },
      rebind: { from: "", to: "kernel" },
      ifName: undefined,
      vfioGroup: undefined,
    },
    {
      name: "kernel wanted, on its net driver",
      device: vf1,
      config: { driver: "kernel" },
      rebind: undefined,
      ifName: "ens1f0v1",
      vfioGroup: undefined,
    },
    {
      name: "no driver asked for, on vfio-pci: used through vfio as it is",
      device: { ...vf1, driver: "vfio-pci", ifName: undefined },
      config: {},
      rebind: undefined,
      ifName: undefined,
      vfioGroup: "41",
    },
    {
      name: "no driver asked for, on its net driver",
      device: vf1,
      config: {},
      rebind: undefined,
      ifName: "ens1f0v1",
      vfioGroup: undefined,
    },
    {
      name: "kernel for a subfunction: nothing to do",
      device: sf1,
      config: { driver: "kernel" },
      rebind: undefined,
      ifName: "enp59s0f0s1",
      vfioGroup: undefined,
    },
    {
      name: "kernel for a host netdev: nothing to do",
      device: veth0,
      config: { driver: "kernel" },
      rebind: undefined,
      ifName: "veth-host0",
      vfioGroup: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = plan(c.device, c.config);
      expect(got.ok).toBe(true);
      if (!got.ok) return;
      expect(got.record.rebind).toEqual(c.rebind);
      expect(got.record.ifName).toBe(c.ifName);
      expect(got.record.vfioGroup).toBe(c.vfioGroup);
      expect(got.record.config).toEqual(c.config);
      expect(got.record.cdiDeviceIDs).toEqual([`netclaim.dev/net=uid-1-${c.device.name}`]);
    });
  }
});

describe("planDevice: what a device kind takes", () => {
  const cases: {
    name: string;
    device: NodeDevice;
    config: NetworkDeviceConfig;
    adminAccess?: boolean;
    problem?: string;
  }[] = [
    {
      name: "a VF takes every field",
      device: vf1,
      config: {
        mtu: 9000,
        mac: "02:00:00:00:00:01",
        vlan: 7,
        trust: true,
        spoofChk: false,
        ifName: "net1",
        ipPool: "p",
      },
    },
    {
      name: "a VF on vfio-pci takes mac, vlan and ipPool",
      device: vf1,
      config: { driver: "vfio-pci", mac: "02:00:00:00:00:01", vlan: 7, ipPool: "p" },
    },
    {
      name: "a netdev takes mac, mtu, ifName",
      device: veth0,
      config: { mac: "02:00:00:00:00:02", mtu: 1400, ifName: "net2" },
    },
    { name: "a subfunction takes mac and mtu", device: sf1, config: { mac: "02:00:00:00:00:03", mtu: 1400 } },
    {
      name: "a subfunction refuses spoofChk",
      device: sf1,
      config: { spoofChk: true },
      problem: "spoofChk apply to SR-IOV VFs only, not to a subfunction",
    },
    {
      name: "a netdev refuses vfio-pci",
      device: veth0,
      config: { driver: "vfio-pci" },
      problem: "driver vfio-pci applies to SR-IOV VFs only, not to a netdev",
    },
    {
      name: "a subfunction refuses vfio-pci",
      device: sf1,
      config: { driver: "vfio-pci" },
      problem: "driver vfio-pci applies to SR-IOV VFs only, not to a subfunction",
    },
    {
      name: "vfio-pci refuses ifName",
      device: vf1,
      config: { driver: "vfio-pci", ifName: "net1" },
      problem: "ifName cannot apply with driver vfio-pci (no netdev)",
    },
    {
      name: "vfio-pci needs a PCI address",
      device: { ...vf1, pciAddress: undefined },
      config: { driver: "vfio-pci" },
      problem: "driver vfio-pci needs a PCI address, which is unknown",
    },
    {
      name: "VF settings need the PF",
      device: { ...vf1, pfName: undefined },
      config: { vlan: 3, mac: "02:00:00:00:00:01" },
      problem: "vlan, mac need the VF's PF and index, which are unknown",
    },
    {
      name: "admin access is never rebound",
      device: vf1,
      config: { driver: "vfio-pci" },
      adminAccess: true,
      problem: "allocated with admin access, so it is not rebound to vfio-pci",
    },
    { name: "admin access without a rebind is fine", device: vf1, config: { mtu: 1500 }, adminAccess: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = plan(c.device, c.config, c.adminAccess);
      expect(got).toEqual(
        c.problem === undefined ? expect.objectContaining({ ok: true }) : { ok: false, problem: c.problem },
      );
    });
  }
});
