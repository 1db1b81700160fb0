// A burst of pods on the node world, as after a node reboot: `count` pods on node-1 in the API, each with a
// device-plugin device (resource example.com/fast, ID fast-<i>) that the stand-in kubelet serves in
// PodResources, and the networks annotation asking for NAD fast-dp (resourceName example.com/fast), so
// every ADD goes through correlation (checkpoint, PodResources Get). The cluster network and fast-dp are the
// `fastnet` shell plugin (test-plugins.ts), so the burst measures the CNI server, not the reference plugins
// — a real NIC per pod cannot be 200 here. Calls go in as shims send them (src/cni/shim/forward.ts, one
// connection each), with the installed netclaim config, its clusterNetwork pointed at the fast conflist.
//
// Public API: `BURST_RESOURCE`, `BurstPods`, `prepareBurst`.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { forwardCniCall } from "../../../src/cni/shim/forward.ts";
import type { ForwardOutcome } from "../../../src/cni/shim/forward.ts";
import type { JsonObject } from "../../harness/runtime/index.ts";
import type { NodeWorld } from "./node-world.ts";
import { deviceNad, NAMESPACE, podObject } from "./scenario.ts";
import type { PodPlan } from "./scenario.ts";
import { FASTNET } from "./test-plugins.ts";

export const BURST_RESOURCE = "example.com/fast";
const BURST_NAD = "fast-dp";

export interface BurstPods {
  count: number;
  /** One CNI call for pod i. */
  call(command: "ADD" | "DEL", i: number): Promise<ForwardOutcome>;
  /** Every pod's call at once; the outcomes in pod order. */
  burst(command: "ADD" | "DEL"): Promise<ForwardOutcome[]>;
  /** Pods whose network-status annotation is written. */
  withNetworkStatus(): number;
  /** Forgets the pods (API, stand-in kubelet). */
  remove(): Promise<void>;
}

const podName = (i: number): string => `burst-${i}`;
const plan = (i: number): PodPlan => ({
  name: podName(i),
  uid: `b0000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
  networks: BURST_NAD,
  devicePluginDevices: [{ resourceName: BURST_RESOURCE, ids: [`fast-${i}`] }],
});

/** The installed config as the runtime hands it to the plugin, with the fast cluster network. */
function burstConfig(w: NodeWorld, clusterFile: string): string {
  const list = w.netconf;
  const plugin = (list.plugins as JsonObject[] | undefined)?.[0] ?? list;
  return JSON.stringify({
    ...plugin,
    cniVersion: list.cniVersion,
    name: list.name,
    clusterNetwork: clusterFile,
  });
}

/** Seeds the pods and the NAD, admits the pods on the stand-in kubelet. */
export async function prepareBurst(w: NodeWorld, count: number): Promise<BurstPods> {
  const dir = join(w.paths.root, "etc/cni/fast");
  await mkdir(dir, { recursive: true });
  const clusterFile = join(dir, "10-fast.conflist");
  await writeFile(
    clusterFile,
    JSON.stringify({ cniVersion: "1.0.0", name: "fast", plugins: [{ type: FASTNET }] }),
  );
  w.api.seed(deviceNad(BURST_NAD, BURST_RESOURCE, "192.0.2.1/32", FASTNET));
  const plans = Array.from({ length: count }, (_, i) => plan(i));
  for (const p of plans) {
    w.api.seed(podObject(p));
    const result = await w.kubelet.runPod({
      uid: p.uid,
      namespace: NAMESPACE,
      name: p.name,
      claims: [],
      containers: [
        {
          name: "app",
          devices: (p.devicePluginDevices ?? []).map((d) => ({
            resource_name: d.resourceName,
            device_ids: [...d.ids],
          })),
        },
      ],
    });
    if (!result.ok) throw new Error(`admit ${p.name}: ${JSON.stringify(result)}`);
  }
  const config = burstConfig(w, clusterFile);
  const cniPath = [w.paths.host.binDir, w.paths.testPluginDir, w.pluginDir].join(":");
  const call = (command: "ADD" | "DEL", i: number): Promise<ForwardOutcome> => {
    const p = plans[i] as PodPlan;
    return forwardCniCall({
      socketPath: w.paths.cniSocket,
      body: {
        env: {
          CNI_COMMAND: command,
          CNI_CONTAINERID: `burst-container-${i}`,
          CNI_NETNS: `/var/run/netns/fake-burst-${i}`,
          CNI_IFNAME: "eth0",
          CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${NAMESPACE};K8S_POD_NAME=${p.name};K8S_POD_UID=${p.uid}`,
          CNI_PATH: cniPath,
        },
        config,
      },
    });
  };
  return {
    count,
    call,
    burst: (command) => Promise.all(plans.map((_, i) => call(command, i))),
    withNetworkStatus: () =>
      w.api
        .listObjects({ resource: "pods" }, NAMESPACE)
        .filter(
          (pod) =>
            pod.metadata?.name?.startsWith("burst-") === true &&
            pod.metadata.annotations?.["k8s.v1.cni.cncf.io/network-status"] !== undefined,
        ).length,
    remove: async () => {
      for (const p of plans) {
        await w.kubelet.removePod(p.uid);
        w.api.removeObject({ resource: "pods", namespace: NAMESPACE, name: p.name });
      }
    },
  };
}
