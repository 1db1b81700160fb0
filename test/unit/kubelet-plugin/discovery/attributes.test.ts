// The published attributes per device kind: the driver's own unqualified, the standard
// resource.kubernetes.io ones, Multus's k8s.cni.cncf.io ones, and the config's extras within the API's
// limits.
import { describe, expect, it } from "vitest";
import type { DeviceResource } from "../../../../src/api/device-config.ts";
import { buildAttributes } from "../../../../src/kubelet-plugin/discovery/attributes.ts";
import { emptyDevice } from "../../../../src/kubelet-plugin/discovery/device.ts";
import type { SysfsDevice } from "../../../../src/kubelet-plugin/discovery/device.ts";
import { assembleDevices } from "../../../../src/kubelet-plugin/discovery/discover.ts";

const resource = (
  kind: DeviceResource["kind"],
  attributes: DeviceResource["attributes"] = {},
): DeviceResource => ({
  resourceName: "pool-a",
  kind,
  selectors: {},
  attributes,
});

const vfioVf: SysfsDevice = {
  ...emptyDevice("sriov-vf", "pci-0000-03-02-6", "0000:03:02.6"),
  pciAddress: "0000:03:02.6",
  pfName: "ens1f0",
  pfPciAddress: "0000:03:00.0",
  vfIndex: 6,
  vendor: "8086",
  deviceId: "154c",
  driver: "vfio-pci",
  numaNode: 1,
  pcieRoot: "pci0000:00",
  iommuGroup: 47,
  linkType: "ether",
};

const rdmaSf: SysfsDevice = {
  ...emptyDevice("subfunction", "sf-0000-06-00-0-88", "mlx5_core.sf.4"),
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
};

const veth: SysfsDevice = {
  ...emptyDevice("netdev", "veth0", "veth0"),
  ifName: "veth0",
  linkType: "ether",
  mac: "5e:68:54:60:5c:b6",
  mtu: 9000,
  virtual: true,
};

const cases: { name: string; device: SysfsDevice; want: Record<string, unknown> }[] = [
  {
    name: "a VF bound to vfio-pci: no ifName/mac, PCI address as Multus deviceID, numaNode twice",
    device: vfioVf,
    want: {
      type: { string: "sriov-vf" },
      pciAddress: { string: "0000:03:02.6" },
      pfName: { string: "ens1f0" },
      pfPciAddress: { string: "0000:03:00.0" },
      vfIndex: { int: 6 },
      vendor: { string: "8086" },
      deviceId: { string: "154c" },
      driver: { string: "vfio-pci" },
      numaNode: { int: 1 },
      rdma: { bool: false },
      linkType: { string: "ether" },
      iommuGroup: { int: 47 },
      "resource.kubernetes.io/pciBusID": { string: "0000:03:02.6" },
      "resource.kubernetes.io/pcieRoot": { string: "pci0000:00" },
      "resource.kubernetes.io/numaNode": { int: 1 },
      "k8s.cni.cncf.io/resourceName": { string: "pool-a" },
      "k8s.cni.cncf.io/deviceID": { string: "0000:03:02.6" },
    },
  },
  {
    name: "a subfunction: sfNum, RDMA, auxiliary device as deviceID, no pciBusID of its own",
    device: rdmaSf,
    want: {
      type: { string: "subfunction" },
      ifName: { string: "enp6s0f0s88" },
      pfName: { string: "ens3f0np0" },
      pfPciAddress: { string: "0000:06:00.0" },
      sfNum: { int: 88 },
      vendor: { string: "15b3" },
      deviceId: { string: "101d" },
      driver: { string: "mlx5_core" },
      numaNode: { int: 0 },
      rdma: { bool: true },
      linkType: { string: "ether" },
      mac: { string: "00:00:00:00:88:88" },
      "resource.kubernetes.io/pcieRoot": { string: "pci0000:00" },
      "resource.kubernetes.io/numaNode": { int: 0 },
      "k8s.cni.cncf.io/resourceName": { string: "pool-a" },
      "k8s.cni.cncf.io/deviceID": { string: "mlx5_core.sf.4" },
    },
  },
  {
    name: "a virtual netdev: dranet-style ifName, mac, mtu, virtual; no PCI or NUMA attributes",
    device: veth,
    want: {
      type: { string: "netdev" },
      ifName: { string: "veth0" },
      rdma: { bool: false },
      linkType: { string: "ether" },
      mac: { string: "5e:68:54:60:5c:b6" },
      mtu: { int: 9000 },
      virtual: { bool: true },
      "k8s.cni.cncf.io/resourceName": { string: "pool-a" },
      "k8s.cni.cncf.io/deviceID": { string: "veth0" },
    },
  },
];

describe("buildAttributes per kind", () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(buildAttributes(c.device, resource(c.device.kind))).toEqual({
        attributes: c.want,
        problems: [],
        fits: true,
      });
    });
  }
});

describe("extra attributes", () => {
  it("are added; the driver's own domain is written unqualified", () => {
    const result = buildAttributes(
      veth,
      resource("netdev", {
        tier: { string: "gold" },
        "example.com/generation": { version: "2.1.0" },
        "example.com/ports": { int: 2 },
      }),
      "example.com",
    );
    expect(result.problems).toEqual([]);
    expect(result.attributes).toMatchObject({
      tier: { string: "gold" },
      generation: { version: "2.1.0" },
      ports: { int: 2 },
    });
    expect(result.attributes).not.toHaveProperty("example.com/generation");
  });

  it("may not replace what netclaim publishes", () => {
    const result = buildAttributes(
      veth,
      resource("netdev", {
        "netclaim.dev/ifName": { string: "x" },
        "k8s.cni.cncf.io/deviceID": { string: "y" },
      }),
    );
    expect(result.attributes.ifName).toEqual({ string: "veth0" });
    expect(result.attributes["k8s.cni.cncf.io/deviceID"]).toEqual({ string: "veth0" });
    expect(result.problems).toEqual([
      'resource pool-a: extra attribute "netclaim.dev/ifName" is an attribute netclaim publishes itself; ignored',
      'resource pool-a: extra attribute "k8s.cni.cncf.io/deviceID" is an attribute netclaim publishes itself; ignored',
    ]);
  });

  it("past the API's 32 per device: reported and the device is not published", () => {
    const extras: DeviceResource["attributes"] = {};
    for (let i = 0; i < 20; i++) extras[`extra${i}`] = { bool: true };
    const result = assembleDevices(
      {
        apiVersion: "netclaim.dev/v1alpha1",
        kind: "DeviceConfig",
        resources: [resource("sriov-vf", extras)],
      },
      [vfioVf],
    );
    expect(result.devices).toEqual([]);
    expect(result.problems).toEqual([
      "device pci-0000-03-02-6 is not published",
      "device pci-0000-03-02-6: 37 attributes, more than the 32 a device may have",
    ]);
  });

  it("a value over the API's 64 characters: reported and not published", () => {
    const result = buildAttributes(vfioVf, resource("sriov-vf", { note: { string: "x".repeat(65) } }));
    expect(result.fits).toBe(false);
    expect(result.problems).toEqual([
      "device pci-0000-03-02-6: attribute note: a string value must be at most 64 characters",
    ]);
  });
});
