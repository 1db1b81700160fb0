// The demo pod with the controller's addresses (issue 6), for `npm run demo -- --with-controller`: the node
// world made with cluster IPAM (DEMO_POOLS, `netclaim controller` running), NAD ipam-net for the demo's
// resource sf-pool-1 (host-device, static IPAM taking the controller's addresses as capability `ips`), and a
// pod like the demo pod whose claim's opaque config names IPPool pool-a. `startDemoIpamPod` creates, allocates
// (stand-in scheduler), waits for the controller's addresses in the claim's status and prepares: ready for
// ADD, after which net1 carries them (test/e2e/controller-addresses.test.ts proves the variations).
//
// Public API: `DEMO_POOLS`, `DEMO_IPAM_NAD`, `DEMO_IPAM_POD`, `startDemoIpamPod`.
import { DEMO_RESOURCE } from "./demo-pod.ts";
import { ipamNad, ipamPodPlan, poolClaim, waitForControllerAddresses } from "./node-ipam.ts";
import { createPod, preparePod, schedulePod } from "./node-pods.ts";
import type { NodePod } from "./node-pods.ts";
import type { NodeWorld } from "./node-world.ts";

export const DEMO_POOLS = {
  "pool-a": { cidrs: ["10.10.0.0/24", "fd00:10::/64"], exclude: ["10.10.0.1/32"] },
};
export const DEMO_IPAM_NAD = "ipam-net";
export const DEMO_IPAM_POD = "demo-ipam-pod";

/** NAD, claim (ipPool pool-a) and pod; allocated, given its addresses by the controller, prepared. */
export async function startDemoIpamPod(w: NodeWorld): Promise<{ pod: NodePod; ips: string[] }> {
  const plan = ipamPodPlan(DEMO_IPAM_POD, DEMO_IPAM_NAD);
  const claimName = plan.claims?.[0]?.claimName ?? "";
  w.api.seed(ipamNad(DEMO_IPAM_NAD, DEMO_RESOURCE));
  w.api.seed(poolClaim(claimName, DEMO_RESOURCE, "pool-a"));
  const pod = await createPod(w, plan);
  await schedulePod(w, pod);
  const ips = await waitForControllerAddresses(w, claimName);
  await preparePod(w, pod);
  return { pod, ips };
}
