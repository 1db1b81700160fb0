// `netclaim cni` in standalone mode (test/integration/cni/support/standalone-world.ts: the runtime stand-in
// executing it in a fake host with the reference plugins), with nothing node-local to answer for the pod's
// claim (no checkpoint, no PodResources): ADD reads the pod, its NAD, its claim and its node's slices from
// the API, moves the claim's veth "NIC" into the pod with host-device, and writes the pod's network-status
// and the claim's status.devices; CHECK; DEL. Its kubeconfig stands for the one install-cni writes from the
// node daemon's service account. Needs root.
//
// Public API: `recordStandaloneCni`.
import { join } from "node:path";
import { DRIVER, seedPodClaimAndSlice } from "../../../integration/cni/support/correlation-node.ts";
import { createWorld, NETWORKS_ANNOTATION } from "../../../integration/cni/support/standalone-world.ts";
import type { ScenarioRecording } from "./recording.ts";

const NS = "ns1";
const RESOURCE = "sf-pool-1";

export async function recordStandaloneCni(): Promise<ScenarioRecording> {
  const w = await createWorld({ spareLinks: ["nic0"] });
  try {
    w.seedNad(NS, "sf-net", {
      cniVersion: "1.0.0",
      name: "sf-net",
      type: "host-device",
      ipam: { type: "static", addresses: [{ address: "192.168.77.5/24" }] },
    });
    const nad = w.api.getObject({
      group: "k8s.cni.cncf.io",
      resource: "network-attachment-definitions",
      namespace: NS,
      name: "sf-net",
    });
    if (nad === undefined) throw new Error("the NAD was not seeded");
    const annotations = { "k8s.v1.cni.cncf.io/resourceName": RESOURCE };
    w.api.seed({ ...nad, metadata: { ...nad.metadata, annotations } });
    const sandbox = await w.newPod(NS, { [NETWORKS_ANNOTATION]: "sf-net" });
    const claimName = `${sandbox.config.name}-net`;
    w.api.seed({
      apiVersion: "resource.k8s.io/v1",
      kind: "ResourceClaim",
      metadata: { namespace: NS, name: claimName },
      spec: { devices: { requests: [{ name: "nic", exactly: { deviceClassName: RESOURCE } }] } },
      status: {
        allocation: {
          devices: { results: [{ request: "nic", driver: DRIVER, pool: "node-1", device: "nic0" }] },
        },
      },
    });
    seedPodClaimAndSlice(w, sandbox, claimName, {
      "k8s.cni.cncf.io/resourceName": RESOURCE,
      ifName: "nic0",
      type: "netdev",
    });
    const stateDir = await w.h.makeDir("netclaim-state");
    const deviceInfoDir = await w.h.makeDir("devinfo");
    const config = w.netconf({
      stateDir,
      deviceInfoDir,
      podResourcesSocket: join(stateDir, "no-kubelet.sock"),
    });
    await w.invoke("ADD", sandbox, config);
    await w.invoke("CHECK", sandbox, config);
    await w.invoke("DEL", sandbox, config);
  } finally {
    await w.dispose();
  }
  return { name: "standalone CNI plugin: ADD from the API, CHECK, DEL", requests: w.api.requests() };
}
