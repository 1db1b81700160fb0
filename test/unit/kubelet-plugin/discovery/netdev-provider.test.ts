// Host netdevs beyond the named scenarios: which netdevs are on offer and how each is named and
// identified (PCI address for the only netdev of a PCI function, interface name otherwise).
import { afterEach, describe, expect, it } from "vitest";
import { discoverNetdevs } from "../../../../src/kubelet-plugin/discovery/netdev-provider.ts";
import { createSysfsReader } from "../../../../src/kubelet-plugin/discovery/sysfs-reader.ts";
import {
  ARPHRD_INFINIBAND,
  addNetdev,
  addPciBridge,
  addPciDevice,
  addPf,
  addRdmaDevice,
  addVf,
  addVirtualNetdev,
  bindDriver,
  createSysfsRoot,
  removeSysfsRoot,
} from "../../../fixtures/sysfs/build.ts";

interface Case {
  name: string;
  build: (root: string) => Promise<void>;
  /** name → [ifName, cniDeviceId, pciAddress] of the devices on offer. */
  want: Record<string, [string, string, string | null]>;
}

async function plainNic(root: string, address: string, ifNames: string[], type?: number): Promise<string> {
  const bridge = await addPciBridge(root, "pci0000:00", "0000:00:1c.0");
  const path = await addPciDevice(root, {
    address,
    parentPath: bridge,
    vendor: "8086",
    device: "15f3",
    numaNode: 0,
  });
  await bindDriver(root, path, "igc");
  for (const ifName of ifNames) await addNetdev(root, path, { ifName, type });
  return path;
}

const cases: Case[] = [
  {
    name: "the only netdev of a PCI NIC: named and identified by its PCI address",
    build: async (root) => {
      const path = await plainNic(root, "0000:05:00.0", ["enp5s0"], ARPHRD_INFINIBAND);
      await addRdmaDevice(root, path, "irdma0");
    },
    want: { "pci-0000-05-00-0": ["enp5s0", "0000:05:00.0", "0000:05:00.0"] },
  },
  {
    name: "two netdevs of one PCI function (one per port): named by interface",
    build: async (root) => void (await plainNic(root, "0000:05:00.0", ["ib0", "ib1"])),
    want: { ib0: ["ib0", "ib0", "0000:05:00.0"], ib1: ["ib1", "ib1", "0000:05:00.0"] },
  },
  {
    name: "a PF with VFs enabled and its VFs: none on offer; a sibling PF without VFs is",
    build: async (root) => {
      const bridge = await addPciBridge(root, "pci0000:00", "0000:00:02.0");
      const spec = { bridgePath: bridge, vendor: "8086", device: "1572", vfDevice: "154c", driver: "i40e" };
      const pf0 = await addPf(root, { ...spec, address: "0000:03:00.0", ifName: "ens1f0", vfOffset: 16 });
      await addVf(root, pf0, { index: 0, driver: "iavf", ifName: "ens1f0v0" });
      await addPf(root, { ...spec, address: "0000:03:00.1", ifName: "ens1f1", vfOffset: 16 });
    },
    want: { "pci-0000-03-00-1": ["ens1f1", "0000:03:00.1", "0000:03:00.1"] },
  },
  {
    name: "eswitch representors and the loopback device are never on offer",
    build: async (root) => {
      const path = await plainNic(root, "0000:05:00.0", ["enp5s0np0"]);
      await addNetdev(root, path, { ifName: "pf0vf0", physPortName: "pf0vf0" });
      await addNetdev(root, path, { ifName: "pf0sf7", physPortName: "c1pf0sf7" });
      await addVirtualNetdev(root, { ifName: "lo", type: 772 });
    },
    // three netdevs under the function, so the uplink is named by interface
    want: { enp5s0np0: ["enp5s0np0", "enp5s0np0", "0000:05:00.0"] },
  },
  {
    name: "interface names that would pass for device names get the base32 form",
    build: async (root) => {
      for (const ifName of ["pci-x", "sf-1", "net-a", "eth.100"]) await addVirtualNetdev(root, { ifName });
    },
    want: {
      "net-obrwslly": ["pci-x", "pci-x", null],
      "net-ontc2mi": ["sf-1", "sf-1", null],
      "net-nzsxillb": ["net-a", "net-a", null],
      "net-mv2gqlrrgaya": ["eth.100", "eth.100", null],
    },
  },
];

describe("discoverNetdevs", () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root !== undefined) await removeSysfsRoot(root);
    root = undefined;
  });

  for (const c of cases) {
    it(c.name, async () => {
      root = await createSysfsRoot();
      await c.build(root);
      const result = await discoverNetdevs(createSysfsReader(root));
      expect(result.problems).toEqual([]);
      const got = Object.fromEntries(
        result.devices.map((d) => [d.name, [d.ifName, d.cniDeviceId, d.pciAddress]] as const),
      );
      expect(got).toEqual(c.want);
    });
  }

  it("the only netdev of a PCI NIC carries the function's IDs, driver, NUMA node, PCIe root and RDMA", async () => {
    root = await createSysfsRoot();
    const path = await plainNic(root, "0000:05:00.0", ["enp5s0"]);
    await addRdmaDevice(root, path, "irdma0");
    const [device] = (await discoverNetdevs(createSysfsReader(root))).devices;
    expect(device).toMatchObject({
      vendor: "8086",
      deviceId: "15f3",
      driver: "igc",
      numaNode: 0,
      pcieRoot: "pci0000:00",
      rdmaDevices: ["irdma0"],
      linkType: "ether",
      virtual: false,
    });
  });
});
