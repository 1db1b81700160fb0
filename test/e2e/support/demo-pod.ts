// The seed scenario's pod (issue 5), shared by `npm run demo`, the e2e tests and bench/demo-pod.ts: a
// ResourceClaim for DeviceClass sf-pool-1 (one request, "nic"), and a pod on node-1 whose container
// references it and whose networks annotation asks for the NAD sf-pool-1 (the claim's NIC, host-device,
// static address: net1) and macvlan-net (net2); eth0 is the cluster network, the bridge master.
//
// Public API: `DEMO_RESOURCE`, `DEMO_NETWORKS`, `demoPlan`, `startDemoPod`.
import { randomUUID } from "node:crypto";
import { createClaim, startPod } from "./node-pods.ts";
import type { NodePod } from "./node-pods.ts";
import type { NodeWorld } from "./node-world.ts";
import { MACVLAN_NAD } from "./scenario.ts";
import type { PodPlan } from "./scenario.ts";

export const DEMO_RESOURCE = "sf-pool-1";
export const DEMO_NETWORKS = `${DEMO_RESOURCE}, ${MACVLAN_NAD}`;

/** The demo pod's plan; `name` defaults to demo-pod, its claim is `<name>-nic`. */
export function demoPlan(name = "demo-pod", uid: string = randomUUID()): PodPlan {
  return {
    name,
    uid,
    networks: DEMO_NETWORKS,
    claims: [{ podClaimName: "nic", claimName: `${name}-nic`, containerRef: true }],
  };
}

/** Creates the claim and the pod, allocates and prepares the claim: ready for ADD. */
export async function startDemoPod(w: NodeWorld, plan: PodPlan = demoPlan()): Promise<NodePod> {
  for (const claim of plan.claims ?? []) createClaim(w, claim.claimName, { nic: DEMO_RESOURCE });
  return startPod(w, plan);
}
