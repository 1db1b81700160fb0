// What discovery finds: one record per allocatable device, plain data read from sysfs. Fields sysfs
// has no value for are null (no netdev for a VF bound to vfio-pci, no NUMA node when numa_node is -1).
//
// Public API: `SysfsDevice`, `DiscoveredDevice`, `ProviderResult`, `emptyDevice`.
import type { DeviceAttributes, DeviceKind } from "../../api/device-config-attributes.ts";

export interface SysfsDevice {
  kind: DeviceKind;
  /** The device name in the ResourceSlice: a DNS label, unique on the node (names.ts). */
  name: string;
  /** The netdev in this network namespace, when there is one. */
  ifName: string | null;
  /** The device's own PCI function (a VF's; a PCI NIC's); null for subfunctions and virtual netdevs. */
  pciAddress: string | null;
  pfName: string | null;
  pfPciAddress: string | null;
  vfIndex: number | null;
  sfNum: number | null;
  /** The auxiliary device of a subfunction, e.g. "mlx5_core.sf.4". */
  auxDevice: string | null;
  /** PCI vendor and device IDs, 4 lowercase hex digits (a subfunction carries its PF's). */
  vendor: string | null;
  deviceId: string | null;
  /** The bound driver (a subfunction carries its PF's PCI driver, as the SR-IOV device plugin does). */
  driver: string | null;
  numaNode: number | null;
  /** `pci<domain>:<bus>`, the first directory under devices/ (deviceattribute's rule). */
  pcieRoot: string | null;
  iommuGroup: number | null;
  /** netlink's name for the netdev's ARPHRD type ("ether", "infiniband"); a VF without netdev has its PF's. */
  linkType: string | null;
  mac: string | null;
  mtu: number | null;
  /** RDMA devices (class/infiniband names) of this device. */
  rdmaDevices: string[];
  /** A netdev with no device behind it (devices/virtual/net). */
  virtual: boolean;
  /** What a CNI delegate gets as deviceID: PCI address, auxiliary device name, or interface name. */
  cniDeviceId: string;
}

/** A device selected by a resource of the devices config, with what its ResourceSlice entry carries. */
export interface DiscoveredDevice extends SysfsDevice {
  resourceName: string;
  /** resource.k8s.io/v1 attributes; the driver's own are unqualified (device-config-attributes.ts). */
  attributes: DeviceAttributes;
}

export interface ProviderResult {
  devices: SysfsDevice[];
  problems: string[];
}

/** A record with every optional field empty, for providers to fill. */
export function emptyDevice(kind: DeviceKind, name: string, cniDeviceId: string): SysfsDevice {
  return {
    kind,
    name,
    ifName: null,
    pciAddress: null,
    pfName: null,
    pfPciAddress: null,
    vfIndex: null,
    sfNum: null,
    auxDevice: null,
    vendor: null,
    deviceId: null,
    driver: null,
    numaNode: null,
    pcieRoot: null,
    iommuGroup: null,
    linkType: null,
    mac: null,
    mtu: null,
    rdmaDevices: [],
    virtual: false,
    cniDeviceId,
  };
}
