// Selectors of the devices config against the fixture scenarios: every given selector must match, each
// list is OR, VF index ranges, regular expressions, first resource wins with the overlap reported.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDeviceConfig } from "../../../../src/api/device-config.ts";
import { discoverDevices } from "../../../../src/kubelet-plugin/discovery/discover.ts";
import { selectDevices } from "../../../../src/kubelet-plugin/discovery/select-devices.ts";
import { removeSysfsRoot } from "../../../fixtures/sysfs/build.ts";
import { buildScenario, SCENARIO_NAMES } from "../../../fixtures/sysfs/scenarios.ts";
import type { ScenarioName } from "../../../fixtures/sysfs/scenarios.ts";

const roots = new Map<ScenarioName, string>();
beforeAll(async () => {
  for (const name of SCENARIO_NAMES) roots.set(name, await buildScenario(name));
});
afterAll(async () => {
  for (const root of roots.values()) await removeSysfsRoot(root);
});

const config = (resources: unknown[]) =>
  parseDeviceConfig({ apiVersion: "netclaim.dev/v1alpha1", kind: "DeviceConfig", resources });

const intel = (...indexes: number[]) => indexes.map((i) => `pci-0000-03-02-${i}`);

interface Case {
  name: string;
  scenario: ScenarioName;
  resources: unknown[];
  /** resourceName → device names. */
  want: Record<string, string[]>;
  problems?: string[];
}

const cases: Case[] = [
  {
    name: "pfNames with a VF range: VFs 0-3 only",
    scenario: "pf-8-vfs-mixed",
    resources: [{ resourceName: "low", kind: "sriov-vf", selectors: { pfNames: ["ens1f0#0-3"] } }],
    want: { low: intel(0, 1, 2, 3) },
  },
  {
    name: "VF list and ranges mixed: #0,2,5-6",
    scenario: "pf-8-vfs-mixed",
    resources: [{ resourceName: "some", kind: "sriov-vf", selectors: { pfNames: ["ens1f0#0,2,5-6"] } }],
    want: { some: intel(0, 2, 5, 6) },
  },
  {
    name: "two resources split one PF by range",
    scenario: "pf-8-vfs-mixed",
    resources: [
      { resourceName: "kernel", kind: "sriov-vf", selectors: { pfNames: ["ens1f0#0-5"] } },
      { resourceName: "dpdk", kind: "sriov-vf", selectors: { pfNames: ["ens1f0#6-7"] } },
    ],
    want: { kernel: intel(0, 1, 2, 3, 4, 5), dpdk: intel(6, 7) },
  },
  {
    name: "drivers: vfio-pci only",
    scenario: "pf-8-vfs-mixed",
    resources: [{ resourceName: "vfio", kind: "sriov-vf", selectors: { drivers: ["vfio-pci"] } }],
    want: { vfio: intel(6, 7) },
  },
  {
    name: "all given selectors must match (vendor AND driver), each list is OR",
    scenario: "pf-8-vfs-mixed",
    resources: [
      {
        resourceName: "r",
        kind: "sriov-vf",
        selectors: { vendors: ["0x8086", "15b3"], drivers: ["iavf", "ice"] },
      },
    ],
    want: { r: intel(0, 1, 2, 3, 4, 5) },
  },
  {
    name: "a selector that matches nothing empties the resource",
    scenario: "pf-8-vfs-mixed",
    resources: [{ resourceName: "r", kind: "sriov-vf", selectors: { vendors: ["8086"], devices: ["1889"] } }],
    want: { r: [] },
  },
  {
    name: "empty lists and isRdma: false constrain nothing (device plugin rules)",
    scenario: "pf-8-vfs-mixed",
    resources: [
      { resourceName: "r", kind: "sriov-vf", selectors: { vendors: [], drivers: [], isRdma: false } },
    ],
    want: { r: intel(0, 1, 2, 3, 4, 5, 6, 7) },
  },
  {
    name: "pfNames as a regular expression matching the whole name",
    scenario: "two-pfs-two-numa",
    resources: [
      { resourceName: "np", kind: "sriov-vf", selectors: { pfNames: ["ens[12]f0np0#1"] } },
      { resourceName: "partial", kind: "sriov-vf", selectors: { pfNames: ["ens1"] } },
    ],
    want: { np: ["pci-0000-03-00-3", "pci-0000-81-00-3"], partial: [] },
  },
  {
    name: "pfNames exact match is case-insensitive",
    scenario: "two-pfs-two-numa",
    resources: [{ resourceName: "r", kind: "sriov-vf", selectors: { pfNames: ["ENS2F0NP0"] } }],
    want: { r: ["pci-0000-81-00-2", "pci-0000-81-00-3"] },
  },
  {
    name: "numaNodes and rootDevices",
    scenario: "two-pfs-two-numa",
    resources: [
      { resourceName: "numa1", kind: "sriov-vf", selectors: { numaNodes: [1] } },
      { resourceName: "root0", kind: "sriov-vf", selectors: { rootDevices: ["0000:03:00.0#0"] } },
    ],
    want: { numa1: ["pci-0000-81-00-2", "pci-0000-81-00-3"], root0: ["pci-0000-03-00-2"] },
  },
  {
    name: "pciAddresses and linkTypes (ethernet is netlink's ether)",
    scenario: "two-pfs-two-numa",
    resources: [
      { resourceName: "ib", kind: "sriov-vf", selectors: { linkTypes: ["infiniband"] } },
      {
        resourceName: "eth",
        kind: "sriov-vf",
        selectors: { linkTypes: ["ethernet"], pciAddresses: ["0000:81:00.2"] },
      },
    ],
    want: { ib: [], eth: ["pci-0000-81-00-2"] },
  },
  {
    name: "a device two resources match goes to the first, reported",
    scenario: "two-pfs-two-numa",
    resources: [
      { resourceName: "numa0", kind: "sriov-vf", selectors: { numaNodes: [0] } },
      { resourceName: "all", kind: "sriov-vf" },
    ],
    want: { numa0: ["pci-0000-03-00-2", "pci-0000-03-00-3"], all: ["pci-0000-81-00-2", "pci-0000-81-00-3"] },
    problems: [
      "2 devices (pci-0000-03-00-2, pci-0000-03-00-3) match resources numa0, all; each goes to numa0, the first",
    ],
  },
  {
    name: "isRdma keeps the subfunction with an RDMA device",
    scenario: "subfunction",
    resources: [
      { resourceName: "sf", kind: "subfunction", selectors: { isRdma: true, pfNames: ["ens3f0np0"] } },
    ],
    want: { sf: ["sf-0000-06-00-0-88"] },
  },
  {
    name: "netdev ifNames regexes are whole-name",
    scenario: "veth-host",
    resources: [
      { resourceName: "veths", kind: "netdev", selectors: { ifNames: ["veth\\d"] } },
      { resourceName: "odd", kind: "netdev", selectors: { ifNames: ["[Vv]eth_.*", "eth"] } },
    ],
    want: { veths: ["veth0", "veth1"], odd: ["net-kzsxi2c7la"] },
  },
  {
    name: "kinds never mix: a sriov-vf resource takes no netdev",
    scenario: "veth-host",
    resources: [{ resourceName: "vfs", kind: "sriov-vf" }],
    want: { vfs: [] },
  },
];

describe("selectDevices through discoverDevices", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const result = await discoverDevices({ sysfsRoot: roots.get(c.scenario), config: config(c.resources) });
      const got: Record<string, string[]> = {};
      for (const name of Object.keys(c.want)) got[name] = [];
      for (const d of result.devices) (got[d.resourceName] ??= []).push(d.name);
      expect(got).toEqual(c.want);
      expect(result.problems).toEqual(c.problems ?? []);
    });
  }
});

describe("selectDevices itself", () => {
  it("reports overlaps once per set of resources, naming a few devices", async () => {
    const resources = config([
      { resourceName: "a", kind: "sriov-vf", selectors: { pfNames: ["ens1f0#0-6"] } },
      { resourceName: "b", kind: "sriov-vf", selectors: { drivers: ["iavf"] } },
      { resourceName: "c", kind: "sriov-vf" },
    ]);
    const result = await discoverDevices({ sysfsRoot: roots.get("pf-8-vfs-mixed"), config: resources });
    expect(result.problems).toEqual([
      "6 devices (pci-0000-03-02-0, pci-0000-03-02-1, pci-0000-03-02-2, pci-0000-03-02-3, pci-0000-03-02-4 and 1 more) match resources a, b, c; each goes to a, the first",
      "device pci-0000-03-02-6 matches resources a, c; it goes to a, the first",
    ]);
    expect(result.devices.filter((d) => d.resourceName === "c").map((d) => d.name)).toEqual([
      "pci-0000-03-02-7",
    ]);
  });

  it("lists every resource, even an empty one, in config order", () => {
    const selection = selectDevices(
      config([
        { resourceName: "b", kind: "netdev", selectors: { ifNames: ["x"] } },
        { resourceName: "a", kind: "sriov-vf" },
      ]),
      [],
    );
    expect([...selection.byResource.keys()]).toEqual(["b", "a"]);
    expect([...selection.byResource.values()]).toEqual([[], []]);
  });
});
