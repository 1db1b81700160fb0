// The device inventory over a scripted discovery: conversion to the prepare view, change detection
// (publish only when the devices changed), overlapping rescans coalesced, periodic rescans.
import { describe, expect, it } from "vitest";
import type { DiscoveredDevice, DiscoveryResult } from "../../../../src/kubelet-plugin/discovery/index.ts";
import { DeviceInventory, toNodeDevice } from "../../../../src/kubelet-plugin/prepare/device-inventory.ts";
import { FakeClock } from "../../../fakes/clock.ts";

function device(name: string, ifName: string | null, driver = "iavf"): DiscoveredDevice {
  return {
    kind: "sriov-vf",
    name,
    ifName,
    pciAddress: "0000:03:02.0",
    pfName: "ens1f0",
    pfPciAddress: "0000:03:00.0",
    vfIndex: 0,
    sfNum: null,
    auxDevice: null,
    vendor: "8086",
    deviceId: "154c",
    driver,
    numaNode: 0,
    pcieRoot: "pci0000:00",
    iommuGroup: 41,
    linkType: "ether",
    mac: null,
    mtu: null,
    rdmaDevices: [],
    virtual: false,
    cniDeviceId: "0000:03:02.0",
    resourceName: "sf-pool-1",
    attributes: { type: { string: "sriov-vf" } },
  };
}

class ScriptedDiscovery {
  results: DiscoveryResult[] = [];
  calls = 0;
  pending: (() => void)[] = [];
  hold = false;
  discover = async (): Promise<DiscoveryResult> => {
    this.calls++;
    if (this.hold) await new Promise<void>((resolve) => this.pending.push(resolve));
    return this.results.shift() ?? { devices: [], problems: [] };
  };
}

describe("DeviceInventory", () => {
  it("converts to the prepare view, null fields left out", () => {
    expect(toNodeDevice(device("pci-0000-03-02-0", null, "vfio-pci"))).toEqual({
      name: "pci-0000-03-02-0",
      kind: "sriov-vf",
      resourceName: "sf-pool-1",
      pciAddress: "0000:03:02.0",
      pfName: "ens1f0",
      vfIndex: 0,
      driver: "vfio-pci",
      iommuGroup: 41,
      attributes: { type: { string: "sriov-vf" } },
    });
  });

  it("tells the publisher and health listeners only about changes", async () => {
    const discovery = new ScriptedDiscovery();
    const a = device("pci-0000-03-02-0", "ens1f0v0");
    discovery.results = [
      { devices: [a], problems: [] },
      { devices: [a], problems: [] },
      { devices: [{ ...a, ifName: null, driver: "vfio-pci" }], problems: [] },
    ];
    const published: string[][] = [];
    const inventory = new DeviceInventory({
      poolName: "node-a",
      discover: discovery.discover,
      onChange: (devices) => published.push(devices.map((d) => `${d.name}:${d.driver}`)),
    });
    let notified = 0;
    inventory.health.subscribe(() => notified++);
    await inventory.rescan();
    await inventory.rescan();
    const now = await inventory.rescan();
    expect(published).toEqual([["pci-0000-03-02-0:iavf"], ["pci-0000-03-02-0:vfio-pci"]]);
    expect(notified).toBe(2);
    expect(now.get("node-a/pci-0000-03-02-0")?.driver).toBe("vfio-pci");
    expect(inventory.health.devices()).toEqual([
      { poolName: "node-a", deviceName: "pci-0000-03-02-0", health: "HEALTHY" },
    ]);
  });

  it("runs one discovery at a time; calls during one share the next", async () => {
    const discovery = new ScriptedDiscovery();
    discovery.hold = true;
    const inventory = new DeviceInventory({ poolName: "node-a", discover: discovery.discover });
    const first = inventory.rescan();
    const second = inventory.rescan();
    const third = inventory.rescan();
    expect(discovery.calls).toBe(1);
    discovery.hold = false;
    discovery.pending.shift()?.();
    await Promise.all([first, second, third]);
    expect(discovery.calls).toBe(2);
  });

  it("rescans periodically until stopped", async () => {
    const clock = new FakeClock();
    const discovery = new ScriptedDiscovery();
    const inventory = new DeviceInventory({
      poolName: "node-a",
      discover: discovery.discover,
      clock,
      rescanIntervalMs: 1_000,
    });
    inventory.start();
    await clock.advanceAsync(3_000);
    expect(discovery.calls).toBe(3);
    await inventory.stop();
    await clock.advanceAsync(3_000);
    expect(discovery.calls).toBe(3);
  });
});
