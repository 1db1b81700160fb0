// The devices side of deployments/base: the devices ConfigMap is the file the DaemonSet's
// --devices-config points at and parses as a DeviceConfig (src/api/device-config.ts); the example
// DeviceClass selects exactly as the controller's managed classes do (src/controller/classes), compiles
// in netclaim's DRA CEL environment and matches the devices the kubelet plugin publishes for that config
// on a sysfs tree with the seed NIC (a ConnectX PF with one subfunction), and nothing else; the
// controller leaves it alone; examples/dra-seed carries the same class.
import { posix } from "node:path";
import { describe, expect, it } from "vitest";
import type { IDaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { parseDeviceConfigYaml } from "../../src/api/device-config.ts";
import {
  desiredDeviceClass,
  isManagedClass,
  selectorExpression,
} from "../../src/controller/classes/device-class.ts";
import type { DeviceClass } from "../../src/controller/classes/device-class.ts";
import type { KubeletPluginConfig } from "../../src/kubelet-plugin/main.ts";
import { resolveContainer } from "./support/containers.ts";
import { classSelectors, discoverOn, draDeviceOf, matchesClass } from "./support/devices.ts";
import { findObject, readManifests } from "./support/manifests.ts";
import { containerOf } from "./support/node-daemon-checks.ts";

const BASE = ["devices-configmap.yaml", "deviceclass-example.yaml", "kubelet-plugin-daemonset.yaml"].flatMap(
  (f) => readManifests(`deployments/base/${f}`),
);
const DS = findObject<IDaemonSet>(BASE, "DaemonSet", "netclaim-kubelet-plugin");
const POD = DS.spec!.template.spec!;
const resolved = resolveContainer(containerOf(POD, "kubelet-plugin")!);
if (!resolved.ok) throw new Error(resolved.problems.join("; "));
const PLUGIN = resolved.config as unknown as KubeletPluginConfig;
const CLASS = findObject<DeviceClass>(BASE, "DeviceClass", "sf-pool-1");

/** The ConfigMap text the plugin reads at --devices-config. */
function devicesConfigText(): string {
  const mount = containerOf(POD, "kubelet-plugin")!.volumeMounts!.find(
    (m) => m.mountPath === posix.dirname(PLUGIN.devicesConfig),
  )!;
  const name = POD.volumes!.find((v) => v.name === mount.name)!.configMap!.name!;
  const text = findObject<IConfigMap>(BASE, "ConfigMap", name).data?.[posix.basename(PLUGIN.devicesConfig)];
  if (text === undefined) throw new Error(`ConfigMap ${name} has no ${posix.basename(PLUGIN.devicesConfig)}`);
  return text;
}

describe("deployments/base: devices config and example DeviceClass", () => {
  const config = parseDeviceConfigYaml(devicesConfigText(), "devices-configmap.yaml");

  it("the ConfigMap at --devices-config is a DeviceConfig with the seed pool", () => {
    expect(config.resources.map((r) => [r.resourceName, r.kind])).toEqual([["sf-pool-1", "subfunction"]]);
  });

  it("the DeviceClass selects as the controller's classes do, for the plugin's driver", () => {
    expect(CLASS.spec?.selectors).toEqual([
      { cel: { expression: selectorExpression(PLUGIN.driverName, "sf-pool-1") } },
    ]);
    const managed = desiredDeviceClass({
      driverName: PLUGIN.driverName,
      resourceName: "sf-pool-1",
      networks: [],
    });
    expect(CLASS.spec).toEqual(managed.spec);
  });

  it("is not one of the controller's classes, so the controller never changes or deletes it", () => {
    expect(isManagedClass(CLASS, PLUGIN.driverName)).toBe(false);
  });

  it("matches the devices the plugin publishes for the config on the seed NIC, and only those", async () => {
    const selectors = classSelectors(CLASS);
    const { devices, problems } = await discoverOn("subfunction", config, PLUGIN.driverName);
    expect(problems).toEqual([]);
    expect(devices.map((d) => d.name)).toEqual(["sf-0000-06-00-0-88"]);
    for (const device of devices)
      expect(matchesClass(selectors, draDeviceOf(device, PLUGIN.driverName))).toBe(true);
    const [device] = devices;
    const otherPool = {
      ...device!,
      attributes: { ...device!.attributes, "k8s.cni.cncf.io/resourceName": { string: "sf-pool-2" } },
    };
    expect(matchesClass(selectors, draDeviceOf(otherPool, PLUGIN.driverName))).toBe(false);
    expect(matchesClass(selectors, draDeviceOf(device!, "other.example.com"))).toBe(false);
  });

  it("the seed example carries the same class", () => {
    const example = findObject<DeviceClass>(
      readManifests("examples/dra-seed/deviceclass.yaml"),
      "DeviceClass",
      "sf-pool-1",
    );
    expect(example.spec).toEqual(CLASS.spec);
  });
});
