// A pod's way through the node world, step by step as the cluster would take it: created in the API (and
// its sandbox by the runtime: a netns), its claims allocated (the stand-in scheduler, scheduler.ts), its
// claims prepared by the stand-in kubelet (NodePrepareResources; PodResources then lists the claims the
// container references and its device-plugin devices), its network set up (CNI ADD of the installed
// config: the shim) and torn down (DEL), its claims unprepared, the pod deleted. `teardown` does what is
// left of that, in the kubelet's order, then releases its claims (scheduler.ts), and is registered with the
// world's cleanup. `recreateSandbox` is the kubelet replacing a dead sandbox of a running pod: the old one
// removed (DEL from the runtime's cache, netns gone), a new one for the same pod, claims left prepared.
//
// Public API: `NodePod`, `createClaim`, `createPod`, `schedulePod`, `preparePod`, `addPod`, `delPod`,
// `unpreparePod`, `startPod`, `recreateSandbox`.
import type { KubeObject } from "../../harness/api-server/index.ts";
import type { DraResult } from "../../harness/kubelet/dra-client.ts";
import type { StandInPod } from "../../harness/kubelet/types.ts";
import type { JsonObject, PodSandbox } from "../../harness/runtime/index.ts";
import type { NodeWorld } from "./node-world.ts";
import { claimStatusOf, releaseClaim, scheduleClaim } from "./scheduler.ts";
import { CONTAINER_NAME, DRIVER, NAMESPACE, NODE_NAME, podObject, resourceClaim } from "./scenario.ts";
import type { PodPlan } from "./scenario.ts";

export interface NodePod {
  readonly plan: PodPlan;
  /** The current sandbox (recreateSandbox replaces it). */
  sandbox: PodSandbox;
  /** Set once prepared: what the stand-in kubelet was given. */
  standIn?: StandInPod;
  /** DEL (from the runtime's cache), sandbox removal, unprepare, pod deletion — whatever is left. */
  teardown(): Promise<void>;
}

const GROUP = "resource.k8s.io";

export function createClaim(
  w: NodeWorld,
  name: string,
  requests: Readonly<Record<string, string>>,
): KubeObject {
  return w.api.seed(resourceClaim(name, requests));
}

/** The pod in the API and its sandbox; its teardown registered with the world. */
export async function createPod(w: NodeWorld, plan: PodPlan): Promise<NodePod> {
  w.api.seed(podObject(plan));
  const sandbox = await w.h.runtime.runPodSandbox({ namespace: NAMESPACE, name: plan.name, uid: plan.uid });
  let done = false;
  const pod: NodePod = {
    plan,
    sandbox,
    teardown: async () => {
      if (done) return;
      done = true;
      await w.h.runtime.removePodSandbox(pod.sandbox);
      if (pod.standIn !== undefined) await unpreparePod(w, pod);
      w.api.removeObject({ resource: "pods", namespace: NAMESPACE, name: plan.name });
      for (const claim of plan.claims ?? []) {
        await releaseClaim(w.api, { namespace: NAMESPACE, name: claim.claimName }, plan.uid);
      }
    },
  };
  w.h.cleanup.add(`pod ${NAMESPACE}/${plan.name}`, () => pod.teardown());
  return pod;
}

/** Allocates each of the pod's claims that is not allocated yet (the stand-in scheduler). */
export async function schedulePod(w: NodeWorld, pod: NodePod): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const claim of pod.plan.claims ?? []) {
    const ref = { namespace: NAMESPACE, name: claim.claimName };
    const current = w.api.getObject({ group: GROUP, resource: "resourceclaims", ...ref });
    if (current !== undefined && claimStatusOf(current)?.allocation !== undefined) {
      out.push(current);
      continue;
    }
    out.push(await scheduleClaim(w.api, ref, { name: pod.plan.name, uid: pod.plan.uid }, NODE_NAME));
  }
  return out;
}

function standInPod(w: NodeWorld, plan: PodPlan): StandInPod {
  const claims = (plan.claims ?? []).map((c) => {
    const obj = w.api.getObject({
      group: GROUP,
      resource: "resourceclaims",
      namespace: NAMESPACE,
      name: c.claimName,
    });
    if (obj?.metadata?.uid === undefined) throw new Error(`pod ${plan.name}: no claim ${c.claimName}`);
    return { podClaimName: c.podClaimName, name: c.claimName, uid: obj.metadata.uid, drivers: [DRIVER] };
  });
  return {
    uid: plan.uid,
    namespace: NAMESPACE,
    name: plan.name,
    claims,
    containers: [
      {
        name: CONTAINER_NAME,
        claims: (plan.claims ?? []).filter((c) => c.containerRef).map((c) => c.podClaimName),
        devices: (plan.devicePluginDevices ?? []).map((d) => ({
          resource_name: d.resourceName,
          device_ids: [...d.ids],
        })),
      },
    ],
  };
}

/** NodePrepareResources through the stand-in kubelet; throws naming the failed claims. */
export async function preparePod(w: NodeWorld, pod: NodePod): Promise<DraResult> {
  const standIn = standInPod(w, pod.plan);
  pod.standIn = standIn;
  const result = await w.kubelet.runPod(standIn);
  if (!result.ok) throw new Error(`prepare pod ${pod.plan.name}: ${JSON.stringify(result)}`);
  return result;
}

/** CNI ADD of the installed config (the shim) for the sandbox; resolves with the result. */
export function addPod(w: NodeWorld, pod: NodePod, netconf: JsonObject = w.netconf): Promise<JsonObject> {
  return w.h.runtime.setUpPodNetwork(pod.sandbox, netconf);
}

/** CNI DEL of the installed config for the sandbox. */
export function delPod(w: NodeWorld, pod: NodePod, netconf: JsonObject = w.netconf): Promise<void> {
  return w.h.runtime.tearDownPodNetwork(pod.sandbox, netconf);
}

/** NodeUnprepareResources of what only this pod used; throws on a failure. */
export async function unpreparePod(w: NodeWorld, pod: NodePod): Promise<DraResult> {
  const result = await w.kubelet.removePod(pod.plan.uid);
  pod.standIn = undefined;
  if (!result.ok) throw new Error(`unprepare pod ${pod.plan.name}: ${JSON.stringify(result)}`);
  return result;
}

/** create → schedule → prepare. */
export async function startPod(w: NodeWorld, plan: PodPlan): Promise<NodePod> {
  const pod = await createPod(w, plan);
  await schedulePod(w, pod);
  await preparePod(w, pod);
  return pod;
}

/** The pod's sandbox replaced by a new one (no network yet; ADD it with addPod). */
export async function recreateSandbox(w: NodeWorld, pod: NodePod): Promise<PodSandbox> {
  const config = pod.sandbox.config;
  await w.h.runtime.removePodSandbox(pod.sandbox);
  pod.sandbox = await w.h.runtime.runPodSandbox(config);
  return pod.sandbox;
}
