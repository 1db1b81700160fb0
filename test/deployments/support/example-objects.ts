// An example's objects as `netclaim explain pod` and the paper cluster read them: its own manifests, with
// what it relies on from deployments/base (the seed DeviceClass, the devices ConfigMap) where it has none of
// its own, and the settings the CNI side would run with (Multus's defaults, or what an example's install/
// kustomization patches into install-cni).
//
// Public API: `ExampleSet`, `loadExample`, `devicesConfigOf`, `podsOf`.
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { parseDeviceConfigYaml } from "../../../src/api/device-config.ts";
import type { DeviceConfig } from "../../../src/api/device-config.ts";
import type { ExplainPod } from "../../../src/explain/snapshot.ts";
import { objectsOfKind, readManifests, yamlFilesIn } from "./manifests.ts";
import type { Manifest } from "./manifests.ts";
import type { ExampleObjects } from "./paper-cluster.ts";

const BASE = ["deployments/base/deviceclass-example.yaml", "deployments/base/devices-configmap.yaml"].flatMap(
  readManifests,
);

export interface ExampleSet {
  dir: string;
  manifests: Manifest[];
  objects: ExampleObjects;
}

function byName(manifests: readonly Manifest[], kind: string): Map<string, Manifest["object"]> {
  return new Map(objectsOfKind(manifests, kind).map((m) => [m.object.metadata.name, m.object]));
}

export function loadExample(dir: string): ExampleSet {
  const manifests = yamlFilesIn(dir).flatMap(readManifests);
  const classes = new Map([...byName(BASE, "DeviceClass"), ...byName(manifests, "DeviceClass")]);
  const kinds = (kind: string) => objectsOfKind(manifests, kind).map((m) => m.object as never);
  return {
    dir,
    manifests,
    objects: {
      nads: kinds("NetworkAttachmentDefinition"),
      templates: kinds("ResourceClaimTemplate"),
      claims: kinds("ResourceClaim"),
      classes: [...classes.values()] as never[],
    },
  };
}

/** The DeviceConfig the kubelet plugin would read with the example applied (its ConfigMap, else base's). */
export function devicesConfigOf(example: ExampleSet): DeviceConfig {
  const own = byName(example.manifests, "ConfigMap").get("netclaim-devices");
  const configMap = (own ?? byName(BASE, "ConfigMap").get("netclaim-devices")) as IConfigMap | undefined;
  const text = configMap?.data?.["devices.yaml"];
  if (text === undefined) throw new Error(`${example.dir}: no devices.yaml in ConfigMap netclaim-devices`);
  return parseDeviceConfigYaml(text, `${example.dir} devices config`);
}

export function podsOf(example: ExampleSet): ExplainPod[] {
  return objectsOfKind(example.manifests, "Pod").map((m) => m.object as ExplainPod);
}
