// Odd and unreadable sysfs entries are reported problems, never crashes: the device is published with the
// field empty when it still can be, and skipped (reported) when it cannot.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseDeviceConfig } from "../../../../src/api/device-config.ts";
import { discoverDevices } from "../../../../src/kubelet-plugin/discovery/discover.ts";
import type { DiscoveredDevice } from "../../../../src/kubelet-plugin/discovery/device.ts";
import { createSysfsReader } from "../../../../src/kubelet-plugin/discovery/sysfs-reader.ts";
import type { SysfsReader } from "../../../../src/kubelet-plugin/discovery/sysfs-reader.ts";
import { link, removePath, removeSysfsRoot } from "../../../fixtures/sysfs/build.ts";
import { faultyReader } from "../../../fixtures/sysfs/faulty-reader.ts";
import { buildScenario } from "../../../fixtures/sysfs/scenarios.ts";
import type { ScenarioName } from "../../../fixtures/sysfs/scenarios.ts";

const PF = "devices/pci0000:00/0000:00:02.0/0000:03:00.0";
const VF = (i: number) => `devices/pci0000:00/0000:00:02.0/0000:03:02.${i}`;
const SF = "devices/pci0000:00/0000:00:03.0/0000:06:00.0/mlx5_core.sf.4";

const everything = parseDeviceConfig({
  apiVersion: "netclaim.dev/v1alpha1",
  kind: "DeviceConfig",
  resources: [
    { resourceName: "vfs", kind: "sriov-vf" },
    { resourceName: "sfs", kind: "subfunction" },
    { resourceName: "nets", kind: "netdev", selectors: { ifNames: [".*"] } },
  ],
});

interface Case {
  name: string;
  scenario: ScenarioName;
  /** Breaks the tree after it is built. */
  breakTree?: (root: string) => Promise<void>;
  /** Faults injected into reads (path → errno). */
  faults?: Record<string, string>;
  wantNames: string[];
  /** Checks on single devices, by name. */
  want?: Record<string, Partial<DiscoveredDevice>>;
  problems: string[];
}

const intelVfNames = (...indexes: number[]) => indexes.map((i) => `pci-0000-03-02-${i}`);

const cases: Case[] = [
  {
    name: "a missing numa_node: published without a NUMA node",
    scenario: "pf-8-vfs-mixed",
    breakTree: (root) => removePath(root, `${VF(0)}/numa_node`),
    wantNames: intelVfNames(0, 1, 2, 3, 4, 5, 6, 7),
    want: { "pci-0000-03-02-0": { numaNode: null, driver: "iavf" } },
    problems: [`${VF(0)}/numa_node: missing; published without a NUMA node`],
  },
  {
    name: "a numa_node that is no number",
    scenario: "pf-8-vfs-mixed",
    breakTree: (root) => writeFile(join(root, VF(1), "numa_node"), "zero\n"),
    wantNames: intelVfNames(0, 1, 2, 3, 4, 5, 6, 7),
    want: { "pci-0000-03-02-1": { numaNode: null } },
    problems: [`${VF(1)}/numa_node: unreadable value "zero"; published without a NUMA node`],
  },
  {
    name: "a dangling driver link (the driver directory is gone): published without a driver",
    scenario: "pf-8-vfs-mixed",
    breakTree: (root) => removePath(root, "bus/pci/drivers/vfio-pci"),
    wantNames: intelVfNames(0, 1, 2, 3, 4, 5, 6, 7),
    want: { "pci-0000-03-02-6": { driver: null }, "pci-0000-03-02-7": { driver: null } },
    problems: [6, 7].map(
      (i) =>
        `${VF(i)}/driver: link to bus/pci/drivers/vfio-pci, which does not exist; published without a driver`,
    ),
  },
  {
    name: "a missing vendor file",
    scenario: "pf-8-vfs-mixed",
    breakTree: (root) => removePath(root, `${VF(2)}/vendor`),
    wantNames: intelVfNames(0, 1, 2, 3, 4, 5, 6, 7),
    want: { "pci-0000-03-02-2": { vendor: null, deviceId: "154c" } },
    problems: [`${VF(2)}/vendor: missing`],
  },
  {
    name: "a virtfn link that names no PCI address: that VF is skipped",
    scenario: "pf-8-vfs-mixed",
    breakTree: (root) => link(root, `${PF}/virtfn3`, "devices/pci0000:00/0000:00:02.0/garbage"),
    wantNames: intelVfNames(0, 1, 2, 4, 5, 6, 7),
    problems: [
      `${PF}/virtfn3: link to devices/pci0000:00/0000:00:02.0/garbage names no PCI address; VF 3 skipped`,
    ],
  },
  {
    name: "a VF sysfs does not know under bus/pci/devices: skipped",
    scenario: "pf-8-vfs-mixed",
    breakTree: (root) => removePath(root, "bus/pci/devices/0000:03:02.4"),
    wantNames: intelVfNames(0, 1, 2, 3, 5, 6, 7),
    problems: ["bus/pci/devices/0000:03:02.4: no such PCI device"],
  },
  {
    name: "an I/O error reading one VF's vendor: that VF is skipped, the others stay",
    scenario: "pf-8-vfs-mixed",
    faults: { [`${VF(5)}/vendor`]: "EIO" },
    wantNames: intelVfNames(0, 1, 2, 3, 4, 6, 7),
    problems: [`PCI device 0000:03:02.5: EIO: injected fault, ${VF(5)}/vendor`],
  },
  {
    name: "bus/pci/devices cannot be listed: SR-IOV discovery reports, the other kinds go on",
    scenario: "veth-host",
    faults: { "bus/pci/devices": "EACCES" },
    wantNames: ["cni0", "eth0", "net-kzsxi2c7la", "veth0", "veth1"],
    problems: ["sriov-vf discovery failed: EACCES: injected fault, bus/pci/devices"],
  },
  {
    name: "a subfunction without sfnum: skipped",
    scenario: "subfunction",
    breakTree: (root) => removePath(root, `${SF}/sfnum`),
    wantNames: [],
    problems: [`${SF}/sfnum: missing; skipped`],
  },
  {
    name: "a class/net link to a netdev that is gone",
    scenario: "veth-host",
    breakTree: (root) => removePath(root, "devices/virtual/net/veth0"),
    wantNames: ["cni0", "eth0", "net-kzsxi2c7la", "veth1"],
    problems: ["class/net/veth0: link to devices/virtual/net/veth0, which does not exist; skipped"],
  },
  {
    name: "a netdev without a type file: published without a link type",
    scenario: "veth-host",
    breakTree: (root) => removePath(root, "devices/virtual/net/veth1/type"),
    wantNames: ["cni0", "eth0", "net-kzsxi2c7la", "veth0", "veth1"],
    want: { veth1: { linkType: null } },
    problems: ["devices/virtual/net/veth1/type: missing or unreadable; published without a link type"],
  },
  {
    name: "no auxiliary bus and no PFs at all: nothing, and nothing to report",
    scenario: "veth-host",
    breakTree: (root) => removePath(root, "bus/auxiliary"),
    wantNames: ["cni0", "eth0", "net-kzsxi2c7la", "veth0", "veth1"],
    problems: [],
  },
];

describe("odd sysfs entries", () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root !== undefined) await removeSysfsRoot(root);
    root = undefined;
  });

  for (const c of cases) {
    it(c.name, async () => {
      root = await buildScenario(c.scenario);
      await c.breakTree?.(root);
      let reader: SysfsReader = createSysfsReader(root);
      if (c.faults !== undefined) reader = faultyReader(reader, c.faults);
      const result = await discoverDevices({ reader, config: everything });
      expect(result.devices.map((d) => d.name)).toEqual(c.wantNames);
      for (const [name, fields] of Object.entries(c.want ?? {})) {
        expect(result.devices.find((d) => d.name === name)).toMatchObject(fields);
      }
      expect(result.problems).toEqual(c.problems);
    });
  }

  it("a device without NUMA affinity or driver carries neither attribute", async () => {
    root = await buildScenario("pf-8-vfs-mixed");
    await removePath(root, `${VF(0)}/numa_node`);
    await removePath(root, `${VF(0)}/driver`);
    const result = await discoverDevices({ sysfsRoot: root, config: everything });
    const attributes = result.devices.find((d) => d.name === "pci-0000-03-02-0")?.attributes ?? {};
    expect(Object.keys(attributes)).not.toContain("numaNode");
    expect(Object.keys(attributes)).not.toContain("resource.kubernetes.io/numaNode");
    expect(Object.keys(attributes)).not.toContain("driver");
    expect(attributes.pciAddress).toEqual({ string: "0000:03:02.0" });
  });
});
