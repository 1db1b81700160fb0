// Devices as the kubelet plugin would publish them for a devices config, on a sysfs fixture tree laid out
// as the kernel lays it out (test/fixtures/sysfs), and DeviceClass selectors run on them with netclaim's
// DRA CEL environment (src/api/cel): what the scheduler would match, without a cluster.
//
// Public API: `discoverOn`, `classSelectors`, `matchesClass`, `draDeviceOf`.
import type { DeviceConfig } from "../../../src/api/device-config.ts";
import { compileSelector, matchDevice } from "../../../src/api/cel/dra-selector.ts";
import type { CompiledSelector } from "../../../src/api/cel/dra-selector.ts";
import type { DraDeviceInput } from "../../../src/api/cel/dra-device.ts";
import { discoverDevices } from "../../../src/kubelet-plugin/discovery/index.ts";
import type { DiscoveredDevice } from "../../../src/kubelet-plugin/discovery/index.ts";
import { removeSysfsRoot } from "../../fixtures/sysfs/build.ts";
import { buildScenario } from "../../fixtures/sysfs/scenarios.ts";
import type { ScenarioName } from "../../fixtures/sysfs/scenarios.ts";

/** The devices `config` publishes on the sysfs scenario, and the discovery's problems. */
export async function discoverOn(
  scenario: ScenarioName,
  config: DeviceConfig,
  driverName: string,
): Promise<{ devices: DiscoveredDevice[]; problems: string[] }> {
  const root = await buildScenario(scenario);
  try {
    return await discoverDevices({ sysfsRoot: root, config, driverName });
  } finally {
    await removeSysfsRoot(root);
  }
}

/** A DeviceClass's selectors, compiled; a selector that does not compile throws with the CEL message. */
export function classSelectors(deviceClass: { spec?: { selectors?: { cel?: { expression: string } }[] } }) {
  return (deviceClass.spec?.selectors ?? []).map((selector): CompiledSelector => {
    const compiled = compileSelector(selector.cel?.expression ?? "");
    if (!compiled.ok) throw new Error(compiled.message);
    return compiled;
  });
}

/** The ResourceSlice view of a discovered device (the `device` variable's input). */
export function draDeviceOf(device: DiscoveredDevice, driverName: string): DraDeviceInput {
  return { driver: driverName, attributes: device.attributes };
}

export function matchesClass(selectors: readonly CompiledSelector[], device: DraDeviceInput): boolean {
  return matchDevice(selectors, device).matches;
}
