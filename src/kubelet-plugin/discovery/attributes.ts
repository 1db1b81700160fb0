// The attributes a device carries in the ResourceSlice (resource.k8s.io/v1 form), pure:
// - the driver's own, published WITHOUT the domain prefix (the API's rule for a driver's attributes; CEL
//   reads them as device.attributes["netclaim.dev"].<name>): type, ifName, pciAddress, pfName,
//   pfPciAddress, vfIndex, sfNum, vendor, deviceId, driver, numaNode, rdma, linkType, mac, iommuGroup,
//   and for netdevs mtu and virtual — those of BUILTIN_ATTRIBUTES[kind] that sysfs has a value for;
// - standard: resource.kubernetes.io/pciBusID (a PCI function's address), resource.kubernetes.io/pcieRoot,
//   resource.kubernetes.io/numaNode (scalar; omitted without NUMA affinity, as deviceattribute does);
// - Multus's: k8s.cni.cncf.io/resourceName (the resource's name) and k8s.cni.cncf.io/deviceID (what a
//   delegate gets: a VF's PCI address, a subfunction's auxiliary device name, a netdev's PCI address when
//   it is the only netdev of its function, else its interface name);
// - the resource's extra attributes (`<driver>/x` is written as `x`); names netclaim sets are refused.
// A device whose attributes do not fit the API (more than 32, a value too long) is reported.
//
// Public API: `buildAttributes`, `AttributeResult`.
import {
  attributeValueProblem,
  BUILTIN_ATTRIBUTES,
  DEFAULT_DRIVER_NAME,
  driverDomainName,
  MULTUS_ATTRIBUTES,
  reservedAttributeProblem,
  RESOURCE_SLICE_MAX_ATTRIBUTES_AND_CAPACITIES_PER_DEVICE,
  STANDARD_ATTRIBUTES,
} from "../../api/device-config-attributes.ts";
import type { DeviceAttributes, DeviceAttributeValue } from "../../api/device-config-attributes.ts";
import type { DeviceResource } from "../../api/device-config.ts";
import type { SysfsDevice } from "./device.ts";

export interface AttributeResult {
  attributes: DeviceAttributes;
  problems: string[];
  /** False when the attributes break an API limit: the device must not be published. */
  fits: boolean;
}

const str = (v: string | null): DeviceAttributeValue | undefined => (v === null ? undefined : { string: v });
const int = (v: number | null): DeviceAttributeValue | undefined => (v === null ? undefined : { int: v });

function driverDomainAttributes(d: SysfsDevice): Record<string, DeviceAttributeValue | undefined> {
  return {
    type: { string: d.kind },
    ifName: str(d.ifName),
    pciAddress: str(d.pciAddress),
    pfName: str(d.pfName),
    pfPciAddress: str(d.pfPciAddress),
    vfIndex: int(d.vfIndex),
    sfNum: int(d.sfNum),
    vendor: str(d.vendor),
    deviceId: str(d.deviceId),
    driver: str(d.driver),
    numaNode: int(d.numaNode),
    rdma: { bool: d.rdmaDevices.length > 0 },
    linkType: str(d.linkType),
    mac: str(d.mac),
    iommuGroup: int(d.iommuGroup),
    mtu: int(d.mtu),
    virtual: { bool: d.virtual },
  };
}

function builtinAttributes(d: SysfsDevice, resourceName: string): DeviceAttributes {
  const own = driverDomainAttributes(d);
  const out: DeviceAttributes = {};
  for (const name of BUILTIN_ATTRIBUTES[d.kind]) {
    const value = own[name];
    if (value !== undefined) out[name] = value;
  }
  const standard: [string, DeviceAttributeValue | undefined][] = [
    [STANDARD_ATTRIBUTES.pciBusID, str(d.pciAddress)],
    [STANDARD_ATTRIBUTES.pcieRoot, str(d.pcieRoot)],
    [STANDARD_ATTRIBUTES.numaNode, int(d.numaNode)],
    [MULTUS_ATTRIBUTES.resourceName, { string: resourceName }],
    [MULTUS_ATTRIBUTES.deviceID, { string: d.cniDeviceId }],
  ];
  for (const [name, value] of standard) if (value !== undefined) out[name] = value;
  return out;
}

/** The attributes of `device` as a member of `resource`, for the driver `driverName`. */
export function buildAttributes(
  device: SysfsDevice,
  resource: DeviceResource,
  driverName: string = DEFAULT_DRIVER_NAME,
): AttributeResult {
  const attributes = builtinAttributes(device, resource.resourceName);
  const problems: string[] = [];
  for (const [name, value] of Object.entries(resource.attributes)) {
    const local = driverDomainName(name, driverName);
    const reserved = reservedAttributeProblem(name, driverName);
    if (reserved !== undefined || local in attributes) {
      problems.push(
        `resource ${resource.resourceName}: extra attribute ${reserved ?? `"${name}" is set twice`}; ignored`,
      );
      continue;
    }
    attributes[local] = value;
  }
  let fits = true;
  for (const [name, value] of Object.entries(attributes)) {
    const problem = attributeValueProblem(value);
    if (problem !== undefined) {
      problems.push(`device ${device.name}: attribute ${name}: ${problem}`);
      fits = false;
    }
  }
  const count = Object.keys(attributes).length;
  if (count > RESOURCE_SLICE_MAX_ATTRIBUTES_AND_CAPACITIES_PER_DEVICE) {
    problems.push(
      `device ${device.name}: ${count} attributes, more than the ${RESOURCE_SLICE_MAX_ATTRIBUTES_AND_CAPACITIES_PER_DEVICE} a device may have`,
    );
    fits = false;
  }
  return { attributes, problems, fits };
}
