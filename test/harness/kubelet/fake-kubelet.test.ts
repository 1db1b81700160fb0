// End to end through the stand-in kubelet: a fake DRA plugin registers, the kubelet prepares a pod's
// claims through it, and the PodResources socket then lists the prepared devices.
import * as grpc from "@grpc/grpc-js";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { kubeletServices, unixTarget } from "../../../src/k8s/kubelet-grpc.ts";
import type { GetPodResourcesResponse__Output } from "../../../src/generated/podresources-v1/v1/GetPodResourcesResponse.ts";
import { FakeDraPlugin } from "../../fakes/dra-plugin.ts";
import { FakeKubelet, kubeletDirs } from "./fake-kubelet.ts";
import { unary } from "./grpc-unix.ts";
import type { StandInPod } from "./types.ts";

let root: string;
let kubelet: FakeKubelet;
let plugin: FakeDraPlugin;
let controller: AbortController;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "netclaim-kubelet-"));
  const dirs = kubeletDirs(root);
  controller = new AbortController();
  kubelet = new FakeKubelet({
    registrationDir: dirs.registrationDir,
    podResourcesSocket: dirs.podResourcesSocket,
  });
  await kubelet.start(controller.signal);
  plugin = new FakeDraPlugin({
    driverName: "netclaim.dev",
    registrationDir: dirs.registrationDir,
    pluginsDir: dirs.pluginsDir,
  });
  await plugin.start();
});

afterEach(async () => {
  await kubelet.stop();
  await plugin.stop();
  await rm(root, { recursive: true, force: true });
});

const pod: StandInPod = {
  uid: "pod-uid-1",
  namespace: "default",
  name: "sriov-pod",
  claims: [
    { podClaimName: "net", name: "sriov-pod-net-x7k2", uid: "claim-uid-net", drivers: ["netclaim.dev"] },
    { podClaimName: "net2", name: "pod-level-net", uid: "claim-uid-net2", drivers: ["netclaim.dev"] },
  ],
  containers: [{ name: "app", claims: ["net"] }],
};

describe("FakeKubelet", () => {
  it("registers a plugin, prepares a pod through it and lists the result over PodResources", async () => {
    const registered = await kubelet.waitForPlugin("netclaim.dev");
    expect(registered.dra.service).toBe("v1.DRAPlugin");

    const result = await kubelet.runPod(pod);
    expect(result.ok).toBe(true);
    expect(plugin.calls.entries.map((c) => [c.method, c.claims.map((x) => x.name)])).toEqual([
      ["NodePrepareResources", ["sriov-pod-net-x7k2", "pod-level-net"]],
    ]);

    const client = new (kubeletServices().podResources)(
      unixTarget(kubeletDirs(root).podResourcesSocket),
      grpc.credentials.createInsecure(),
    );
    try {
      const reply = await unary<GetPodResourcesResponse__Output>((cb) =>
        client.Get({ pod_name: "sriov-pod", pod_namespace: "default" }, cb),
      );
      // Only the claim the container references is listed; the pod-level claim is prepared but invisible.
      expect(reply.pod_resources?.containers[0]?.dynamic_resources).toEqual([
        {
          claim_name: "sriov-pod-net-x7k2",
          claim_namespace: "default",
          claim_resources: [
            {
              cdi_devices: [{ name: "netclaim.dev/net=claim-uid-net" }],
              driver_name: "netclaim.dev",
              pool_name: "pool-a",
              device_name: "dev-sriov-pod-net-x7k2",
            },
          ],
        },
      ]);
    } finally {
      client.close();
    }
  });

  it("removePod unprepares the pod's claims and drops it from PodResources", async () => {
    await kubelet.waitForPlugin("netclaim.dev");
    await kubelet.runPod(pod);
    const result = await kubelet.removePod(pod.uid);
    expect(result.ok).toBe(true);
    expect(plugin.calls.entries.map((c) => c.method)).toEqual([
      "NodePrepareResources",
      "NodeUnprepareResources",
    ]);
    const client = new (kubeletServices().podResources)(
      unixTarget(kubeletDirs(root).podResourcesSocket),
      grpc.credentials.createInsecure(),
    );
    try {
      expect(await unary((cb) => client.List({}, cb))).toEqual({ pod_resources: [] });
    } finally {
      client.close();
    }
  });

  it("stops on abort: the PodResources socket goes away and plugins are no longer tracked", async () => {
    await kubelet.waitForPlugin("netclaim.dev");
    controller.abort();
    await kubelet.stop();
    await expect(stat(kubeletDirs(root).podResourcesSocket)).rejects.toMatchObject({ code: "ENOENT" });
    expect(kubelet.watcher.plugins()).toEqual([]);
  });
});
