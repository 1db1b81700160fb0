// The kubelet plugin's ResourceSlice life in the plugin harness world (test/integration/kubelet-plugin/
// support.ts: `netclaim kubelet-plugin` over a sysfs fixture of 8 VFs, the stand-in kubelet): it publishes
// (create) and stops; it starts again with a changed devices config and an obsolete slice of its pool in the
// API, so it updates its slice and deletes the obsolete one; it prepares a claim (reads it); with
// --delete-resource-slices-on-exit it deletes its slices when stopped. No root needed.
//
// Public API: `recordPluginSlices`.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DRIVER, NODE, PluginWorld } from "../../../integration/kubelet-plugin/support.ts";
import type { KubeObject } from "../../../harness/api-server/index.ts";
import type { ScenarioRecording } from "./recording.ts";
import { waitFor } from "./recording.ts";

const devicesConfig = (extra: string): string => `apiVersion: netclaim.dev/v1alpha1
kind: DeviceConfig
resources:
  - resourceName: sf-pool-1
    kind: sriov-vf
    selectors:
      pfNames: [ens1f0]
${extra}`;

const OBSOLETE_SLICE = `${NODE}-${DRIVER}-obsolete`;

/**
 * SIGTERM once the plugin runs in full (its CNI server listening): a SIGTERM while its companions are still
 * starting is not acted on (src/kubelet-plugin/main.ts waits for an abort event that has already fired).
 */
async function stop(world: PluginWorld): Promise<void> {
  const plugin = world.plugin;
  if (plugin === undefined) return;
  await world.logLine((l) => l.msg === "CNI server listening", "the CNI server listening");
  plugin.child.kill("SIGTERM");
  const exit = await plugin.exited;
  if (exit.code !== 0) throw new Error(`kubelet plugin exited with ${JSON.stringify(exit)}`);
}

export async function recordPluginSlices(): Promise<ScenarioRecording> {
  const world = new PluginWorld();
  await world.setUp();
  const slices = (): KubeObject[] =>
    world.api.listObjects({ group: "resource.k8s.io", resource: "resourceslices" });
  const count = (verb: string): number => world.api.requestCount({ verb, resource: "resourceslices" });
  let published: KubeObject[] = [];
  try {
    await world.startPlugin();
    await waitFor("the first slice", () => count("create") > 0);
    await stop(world);
    await writeFile(join(world.root, "devices.yaml"), devicesConfig("    attributes:\n      tier: gold\n"));
    world.api.seed({
      apiVersion: "resource.k8s.io/v1",
      kind: "ResourceSlice",
      metadata: { name: OBSOLETE_SLICE },
      spec: {
        driver: DRIVER,
        nodeName: NODE,
        pool: { name: NODE, generation: 1, resourceSliceCount: 1 },
        devices: [],
      },
    });
    await world.startPlugin(["--delete-resource-slices-on-exit"]);
    await waitFor(
      "the slice updated, the obsolete one deleted",
      () => count("update") > 0 && count("delete") > 0,
    );
    const claim = world.seedClaim({ name: "rbac-claim", vfs: { net: 1 }, podUid: "rbac-pod" });
    const prepared = await world.kubelet.runPod(world.pod("rbac-pod", [claim]));
    if (!prepared.ok) throw new Error(`NodePrepareResources failed: ${JSON.stringify(prepared)}`);
    published = structuredClone(slices());
    await stop(world);
    if (slices().length !== 0) throw new Error("slices left after --delete-resource-slices-on-exit");
  } finally {
    await world.tearDown();
  }
  return {
    name: "kubelet plugin: publish, republish after a config change, prepare, delete on exit",
    requests: world.api.requests(),
    slices: { nodeName: NODE, objects: published },
  };
}
