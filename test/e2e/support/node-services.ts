// The node world's services around the kubelet plugin (node-world.ts): the stand-in API server with the
// cluster's objects, its relay into the fake host, the stand-in kubelet; and, for `ownSessions`, the means
// to keep children out of this process's group (`setsid`): an Exec decorator and an `ip` wrapper for the
// relay's child.
//
// Public API: `ownSessionExec`, `seedCluster`, `startServices`, `ServicesInput`, `Services`.
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Exec } from "../../../src/common/exec.ts";
import { PrefixedExec } from "../../../src/cni/delegate/prefixed-exec.ts";
import { FakeApiServer } from "../../harness/api-server/index.ts";
import { FakeKubelet } from "../../harness/kubelet/fake-kubelet.ts";
import type { RuntimeHarness } from "../../harness/runtime/index.ts";
import { startApiBridge } from "../../integration/cni/support/api-bridge.ts";
import type { ApiBridge } from "../../integration/cni/support/api-bridge.ts";
import type { LeftoverLog } from "./leftovers.ts";
import type { NodePaths } from "./node-paths.ts";
import { deviceClass, deviceNad, macvlanNad, NODE_NAME } from "./scenario.ts";
import type { DeviceResource } from "./scenario.ts";

/** Every command under `setsid -w` (util-linux): a session of its own, same exit status. */
export function ownSessionExec(inner: Exec): Exec {
  return new PrefixedExec(inner, ["setsid", "-w"]);
}

function defaultAddress(index: number): string {
  return `192.168.${100 + index}.10/24`;
}

/** Node node-1, a DeviceClass and a NAD per resource (NAD named after it), the macvlan NAD. */
export function seedCluster(
  api: FakeApiServer,
  resources: readonly DeviceResource[],
  addresses: Readonly<Record<string, string>>,
  ipamDir: string,
): void {
  api.seed({ apiVersion: "v1", kind: "Node", metadata: { name: NODE_NAME } });
  resources.forEach((r, i) => {
    api.seed(deviceClass(r.resourceName));
    const address = addresses[r.resourceName] ?? defaultAddress(i);
    api.seed(deviceNad(r.resourceName, r.resourceName, address));
  });
  api.seed(macvlanNad(ipamDir));
}

const BRIDGE_CLOSE_MS = 5_000;

/**
 * bridge.close() waits for its child's "exit" unless `exitCode` is set, so it never resolves when the child
 * was already killed by a signal (a Ctrl-C at the terminal reaches the whole process group): bounded here.
 */
async function closeBridge(bridge: ApiBridge): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`API bridge not closed within ${BRIDGE_CLOSE_MS} ms`)),
      BRIDGE_CLOSE_MS,
    );
  });
  try {
    await Promise.race([bridge.close(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** `ip` in a session of its own, for the API relay's long-lived child (spawned by api-bridge.ts). */
async function ownSessionIp(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, "ip-own-session");
  await writeFile(path, '#!/bin/sh\nexec setsid ip "$@"\n');
  await chmod(path, 0o755);
  return path;
}

export interface ServicesInput {
  h: RuntimeHarness;
  paths: NodePaths;
  leftovers: LeftoverLog;
  ownSessions: boolean;
}

export interface Services {
  api: FakeApiServer;
  bridge: ApiBridge;
  kubelet: FakeKubelet;
}

/** Starts the API server, its relay into the fake host and the stand-in kubelet; registers their stops. */
export async function startServices({ h, paths, leftovers, ownSessions }: ServicesInput): Promise<Services> {
  const api = new FakeApiServer({ podGracefulDeletion: false });
  await api.start();
  h.cleanup.add("stand-in API server", () => api.stop());
  await mkdir(dirname(paths.kubeconfig), { recursive: true });
  await api.writeKubeconfig(paths.kubeconfig);
  const ip = ownSessions ? await ownSessionIp(join(paths.root, "bin")) : h.netns.tools.ip;
  const bridge = await startApiBridge({
    netns: h.host.netns,
    tools: { ...h.netns.tools, ip },
    apiUrl: api.url,
    dir: h.tmpDir,
  });
  h.cleanup.add("API bridge into the fake host", () => closeBridge(bridge));
  await mkdir(paths.registrationDir, { recursive: true });
  const kubelet = new FakeKubelet({
    registrationDir: paths.registrationDir,
    podResourcesSocket: paths.podResourcesSocket,
    pingIntervalMs: 0,
    retry: { maxAttempts: 3 },
  });
  await kubelet.start();
  h.cleanup.add("stand-in kubelet", () => kubelet.stop());
  await leftovers.addDir(h.tmpDir);
  return { api, bridge, kubelet };
}
