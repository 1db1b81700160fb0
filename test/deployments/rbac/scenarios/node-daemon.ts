// The node daemon in the e2e node world (test/e2e/support/node-world.ts: `netclaim kubelet-plugin` with its
// CNI server in a fake host, the stand-in kubelet, install-cni's shim): the seed scenario's pod from claim to
// teardown — the plugin publishes its NICs, prepares the claim (reads it), the CNI server lists and watches
// its node's pods and the NADs, ADD writes the pod's network-status (pods/status) and the claim's
// status.devices (resourceclaims/status), DEL, unprepare, stop. Needs root (network namespaces).
//
// Public API: `recordNodeDaemon`.
import { demoPlan, startDemoPod } from "../../../e2e/support/demo-pod.ts";
import { addPod, delPod, unpreparePod } from "../../../e2e/support/node-pods.ts";
import { createNodeWorld } from "../../../e2e/support/node-world.ts";
import { DRIVER, NAMESPACE, NETWORK_STATUS_ANNOTATION, NODE_NAME } from "../../../e2e/support/scenario.ts";
import type { KubeObject } from "../../../harness/api-server/index.ts";
import type { ScenarioRecording } from "./recording.ts";
import { waitFor } from "./recording.ts";

const POD = "rbac-pod";

export async function recordNodeDaemon(): Promise<ScenarioRecording> {
  const w = await createNodeWorld();
  const podObject = (): KubeObject | undefined =>
    w.api.getObject({ resource: "pods", namespace: NAMESPACE, name: POD });
  let before: KubeObject | undefined;
  let after: KubeObject | undefined;
  let slices: KubeObject[] = [];
  try {
    const pod = await startDemoPod(w, demoPlan(POD));
    before = structuredClone(podObject());
    await addPod(w, pod);
    await waitFor("the pod's network-status", () => {
      after = podObject();
      return after?.metadata?.annotations?.[NETWORK_STATUS_ANNOTATION] !== undefined;
    });
    await waitFor("the claim's status.devices", () => {
      const claim = w.api.getObject({
        group: "resource.k8s.io",
        resource: "resourceclaims",
        namespace: NAMESPACE,
        name: `${POD}-nic`,
      }) as { status?: { devices?: unknown[] } } | undefined;
      return (claim?.status?.devices?.length ?? 0) > 0;
    });
    slices = w.api
      .listObjects({ group: "resource.k8s.io", resource: "resourceslices" })
      .filter((s) => (s.spec as { driver?: string } | undefined)?.driver === DRIVER);
    await delPod(w, pod);
    await unpreparePod(w, pod);
  } finally {
    await w.dispose();
  }
  return {
    name: "node daemon: seed pod through prepare, ADD, DEL, unprepare",
    requests: w.api.requests(),
    slices: { nodeName: NODE_NAME, objects: slices },
    ...(before === undefined || after === undefined
      ? {}
      : { podStatusWrites: [{ nodeName: NODE_NAME, before, after: structuredClone(after) }] }),
  };
}
