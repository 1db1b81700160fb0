// Device discovery for the kubelet plugin: sysfs → devices → resources → ResourceSlice attributes.
// Entry: `discoverDevices({ sysfsRoot, config })`. The devices config itself is src/api/device-config.ts.
export { discoverDevices, assembleDevices } from "./discover.ts";
export type { DiscoverOptions, DiscoveryResult } from "./discover.ts";
export type { DiscoveredDevice, SysfsDevice } from "./device.ts";
export { buildAttributes } from "./attributes.ts";
export { selectDevices, matchesResource } from "./select-devices.ts";
export { createSysfsReader, DEFAULT_SYSFS_ROOT } from "./sysfs-reader.ts";
export type { SysfsReader } from "./sysfs-reader.ts";
export { discoverSriovVfs } from "./sriov-vf-provider.ts";
export { discoverSubfunctions } from "./subfunction-provider.ts";
export { discoverNetdevs } from "./netdev-provider.ts";
export { pciDeviceName, subfunctionDeviceName, netdevDeviceName } from "./names.ts";
