// What the correlation tests (correlation-host-device, correlation-ips) set up around the standalone
// world: the pod referencing its claim on node-1, the node's ResourceSlice publishing the veth "NIC" nic0,
// and a CNI server in the fake host configured with the kubelet plugin's state, as src/node-daemon
// configures it.
import { join } from "node:path";
import type { PodSandbox } from "../../../harness/runtime/index.ts";
import { startServerProcess } from "./server-process.ts";
import type { World } from "./standalone-world.ts";

export const DRIVER = "netclaim.dev";

/** The pod references `claimName` directly; node-1's slice publishes nic0 with `attributes` (strings). */
export function seedPodClaimAndSlice(
  w: World,
  sandbox: PodSandbox,
  claimName: string,
  attributes: Record<string, string>,
): void {
  const pod = w.api.getObject({ resource: "pods", namespace: "ns1", name: sandbox.config.name });
  w.api.seed({
    ...pod,
    spec: { nodeName: "node-1", resourceClaims: [{ name: "net", resourceClaimName: claimName }] },
  });
  w.api.seed({
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceSlice",
    metadata: { name: "node-1-netclaim" },
    spec: {
      driver: DRIVER,
      nodeName: "node-1",
      pool: { name: "node-1", generation: 1, resourceSliceCount: 1 },
      devices: [
        {
          name: "nic0",
          attributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { string: v }])),
        },
      ],
    },
  });
}

/** A CNI server in the fake host with the kubelet plugin's state in `stateDir`; resolves with its socket. */
export async function startCorrelationServer(
  w: World,
  stateDir: string,
  deviceInfoDir: string,
): Promise<string> {
  const socket = join(w.h.tmpDir, "cni-server", "cni.sock");
  const server = await startServerProcess(
    {
      socketPath: socket,
      nodeName: "node-1",
      kubeconfig: w.kubeconfig,
      logFile: join(w.h.tmpDir, "cni-server.log"),
      correlation: {
        driverName: DRIVER,
        podResourcesSocket: join(stateDir, "no-kubelet.sock"),
        checkpointPath: join(stateDir, "checkpoint.json"),
        deviceInfoDir,
      },
    },
    { netns: w.h.host.netns, tools: w.h.netns.tools },
  );
  w.h.cleanup.add("CNI server", async () => void (await server.stop()));
  return socket;
}
