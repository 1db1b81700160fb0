// Each sysfs fixture scenario (laid out like the kernel's /sys) → exactly the devices each provider finds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emptyDevice } from "../../../../src/kubelet-plugin/discovery/device.ts";
import type { SysfsDevice } from "../../../../src/kubelet-plugin/discovery/device.ts";
import { discoverNetdevs } from "../../../../src/kubelet-plugin/discovery/netdev-provider.ts";
import { discoverSriovVfs } from "../../../../src/kubelet-plugin/discovery/sriov-vf-provider.ts";
import { discoverSubfunctions } from "../../../../src/kubelet-plugin/discovery/subfunction-provider.ts";
import { createSysfsReader } from "../../../../src/kubelet-plugin/discovery/sysfs-reader.ts";
import { removeSysfsRoot } from "../../../fixtures/sysfs/build.ts";
import { buildScenario, SCENARIO_NAMES, vfMac } from "../../../fixtures/sysfs/scenarios.ts";
import type { ScenarioName } from "../../../fixtures/sysfs/scenarios.ts";

const roots = new Map<ScenarioName, string>();
beforeAll(async () => {
  for (const name of SCENARIO_NAMES) roots.set(name, await buildScenario(name));
});
afterAll(async () => {
  for (const root of roots.values()) await removeSysfsRoot(root);
});

type Partial_ = Partial<SysfsDevice> & Pick<SysfsDevice, "kind" | "name" | "cniDeviceId">;
const device = (d: Partial_): SysfsDevice => ({ ...emptyDevice(d.kind, d.name, d.cniDeviceId), ...d });

interface VfCase {
  pf: string;
  pfName: string;
  address: string;
  index: number;
  ifName: string | null;
  mac: string | null;
  ids: [string, string];
  driver: string;
  numaNode: number;
  pcieRoot: string;
  iommuGroup: number;
}

function vf(c: VfCase): SysfsDevice {
  return device({
    kind: "sriov-vf",
    name: `pci-${c.address.replace(/[:.]/g, "-")}`,
    cniDeviceId: c.address,
    ifName: c.ifName,
    pciAddress: c.address,
    pfName: c.pfName,
    pfPciAddress: c.pf,
    vfIndex: c.index,
    vendor: c.ids[0],
    deviceId: c.ids[1],
    driver: c.driver,
    numaNode: c.numaNode,
    pcieRoot: c.pcieRoot,
    iommuGroup: c.iommuGroup,
    linkType: "ether",
    mac: c.mac,
    mtu: c.ifName === null ? null : 1500,
  });
}

const intelVf = (index: number, kernel: boolean, ifName: string | null = kernel ? `ens1f0v${index}` : null) =>
  vf({
    pf: "0000:03:00.0",
    pfName: "ens1f0",
    address: `0000:03:02.${index}`,
    index,
    ifName,
    mac: ifName === null ? null : vfMac(3, index),
    ids: ["8086", "154c"],
    driver: kernel ? "iavf" : "vfio-pci",
    numaNode: 0,
    pcieRoot: "pci0000:00",
    iommuGroup: 41 + index,
  });

const mlxVf = (numa: number, index: number) => {
  const bus = numa === 0 ? "03" : "81";
  return vf({
    pf: `0000:${bus}:00.0`,
    pfName: numa === 0 ? "ens1f0np0" : "ens2f0np0",
    address: `0000:${bus}:00.${2 + index}`,
    index,
    ifName: `${numa === 0 ? "ens1f0" : "ens2f0"}v${index}`,
    mac: vfMac(parseInt(bus, 16), index),
    ids: ["15b3", "101e"],
    driver: "mlx5_core",
    numaNode: numa,
    pcieRoot: numa === 0 ? "pci0000:00" : "pci0000:80",
    iommuGroup: 21 + numa * 10 + index,
  });
};

const subfunctionDevice = device({
  kind: "subfunction",
  name: "sf-0000-06-00-0-88",
  cniDeviceId: "mlx5_core.sf.4",
  ifName: "enp6s0f0s88",
  pfName: "ens3f0np0",
  pfPciAddress: "0000:06:00.0",
  sfNum: 88,
  auxDevice: "mlx5_core.sf.4",
  vendor: "15b3",
  deviceId: "101d",
  driver: "mlx5_core",
  numaNode: 0,
  pcieRoot: "pci0000:00",
  linkType: "ether",
  mac: "00:00:00:00:88:88",
  mtu: 1500,
  rdmaDevices: ["mlx5_2"],
});

const virtualNetdev = (name: string, ifName: string, mac: string, mtu = 1500) =>
  device({ kind: "netdev", name, cniDeviceId: ifName, ifName, linkType: "ether", mac, mtu, virtual: true });

const cases: {
  scenario: ScenarioName;
  sriov: SysfsDevice[];
  subfunctions: SysfsDevice[];
  netdevs: SysfsDevice[];
}[] = [
  {
    scenario: "pf-8-vfs-mixed",
    sriov: [0, 1, 2, 3, 4, 5, 6, 7].map((i) => intelVf(i, i < 6)),
    subfunctions: [],
    // the PF has VFs enabled and every VF belongs to kind sriov-vf
    netdevs: [],
  },
  {
    scenario: "two-pfs-two-numa",
    sriov: [mlxVf(0, 0), mlxVf(0, 1), mlxVf(1, 0), mlxVf(1, 1)],
    subfunctions: [],
    netdevs: [],
  },
  {
    scenario: "subfunction",
    sriov: [],
    subfunctions: [subfunctionDevice],
    // the PF carries a subfunction; pf0sf88 is its representor; enp6s0f0s88 is the subfunction's
    netdevs: [],
  },
  {
    scenario: "vf-moved-into-pod",
    sriov: [intelVf(0, true), intelVf(1, true, null)],
    subfunctions: [],
    netdevs: [],
  },
  {
    scenario: "veth-host",
    sriov: [],
    subfunctions: [],
    netdevs: [
      virtualNetdev("net-kzsxi2c7la", "Veth_X", "5e:68:54:60:5c:c1"),
      virtualNetdev("cni0", "cni0", "5e:68:54:60:5c:c0"),
      device({
        kind: "netdev",
        name: "eth0",
        cniDeviceId: "eth0",
        ifName: "eth0",
        pciAddress: "0000:00:03.0",
        vendor: "1af4",
        deviceId: "1000",
        driver: "virtio_net",
        pcieRoot: "pci0000:00",
        linkType: "ether",
        mac: "02:fc:00:00:00:01",
        mtu: 1400,
      }),
      virtualNetdev("veth0", "veth0", "5e:68:54:60:5c:b6"),
      virtualNetdev("veth1", "veth1", "5e:68:54:60:5c:b7", 9000),
    ],
  },
];

describe("providers on the fixture scenarios", () => {
  for (const c of cases) {
    it(`${c.scenario}: SR-IOV VFs, subfunctions and host netdevs exactly`, async () => {
      const reader = createSysfsReader(roots.get(c.scenario));
      const [sriov, subfunctions, netdevs] = await Promise.all([
        discoverSriovVfs(reader),
        discoverSubfunctions(reader),
        discoverNetdevs(reader),
      ]);
      expect(sriov).toEqual({ devices: c.sriov, problems: [] });
      expect(subfunctions).toEqual({ devices: c.subfunctions, problems: [] });
      expect(netdevs).toEqual({ devices: c.netdevs, problems: [] });
    });
  }
});
