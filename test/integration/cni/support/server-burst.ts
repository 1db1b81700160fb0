// The world of the burst measurements (test/integration/cni/server-burst.test.ts, bench/cni-daemon.ts): the
// stand-in API server with `pods` pods on node-1 (each asking for NAD ns1/side), a CNI server in its own
// process, and a tiny shell plugin as every delegate, so what is measured is the server (its queue, its
// caches, its memory), not the reference plugins. Calls go in the way shims send them: each its own
// connection to the socket, with the shim's request code (src/cni/shim/forward.ts).
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeApiServer } from "../../../harness/api-server/index.ts";
import { forwardCniCall } from "../../../../src/cni/shim/forward.ts";
import type { ForwardOutcome } from "../../../../src/cni/shim/forward.ts";
import { startServerProcess } from "./server-process.ts";
import type { ServerPlace, ServerProcess } from "./server-process.ts";
import type { ServerChildConfig } from "./server-child.ts";

const FAST_PLUGIN = `#!/bin/sh
cat >/dev/null
case "$CNI_COMMAND" in
ADD) printf '{"cniVersion":"1.0.0","interfaces":[{"name":"%s","sandbox":"%s"}],"ips":[]}' "$CNI_IFNAME" "$CNI_NETNS" ;;
VERSION) printf '{"cniVersion":"1.0.0","supportedVersions":["0.3.1","0.4.0","1.0.0"]}' ;;
esac
`;

export interface BurstWorld {
  dir: string;
  api: FakeApiServer;
  server: ServerProcess;
  cacheDir: string;
  /** One CNI call for pod i (container `container-<i>`, a made-up netns path). */
  call(command: "ADD" | "DEL", i: number): Promise<ForwardOutcome>;
  /** `count` calls at once; resolves with the outcomes in order. */
  burst(command: "ADD" | "DEL", count: number): Promise<ForwardOutcome[]>;
  cacheEntries(): Promise<string[]>;
  dispose(): Promise<void>;
}

async function writeFiles(dir: string): Promise<{ binDir: string; cluster: string }> {
  const binDir = join(dir, "bin");
  await mkdir(binDir);
  await writeFile(join(binDir, "fastnet"), FAST_PLUGIN);
  await chmod(join(binDir, "fastnet"), 0o755);
  const cluster = join(dir, "10-fast.conflist");
  await writeFile(
    cluster,
    JSON.stringify({ cniVersion: "1.0.0", name: "fast", plugins: [{ type: "fastnet" }] }),
  );
  return { binDir, cluster };
}

function seed(api: FakeApiServer, pods: number): void {
  api.seed({
    apiVersion: "k8s.cni.cncf.io/v1",
    kind: "NetworkAttachmentDefinition",
    metadata: { namespace: "ns1", name: "side" },
    spec: { config: JSON.stringify({ cniVersion: "1.0.0", type: "fastnet" }) },
  });
  const annotations = { "k8s.v1.cni.cncf.io/networks": "side" };
  for (let i = 0; i < pods; i++) {
    const metadata = { namespace: "ns1", name: `p${i}`, uid: `uid-${i}`, annotations };
    api.seed({ apiVersion: "v1", kind: "Pod", metadata, spec: { nodeName: "node-1" } });
  }
  const metadata = { namespace: "ns1", name: "elsewhere", uid: "uid-x" };
  api.seed({ apiVersion: "v1", kind: "Pod", metadata, spec: { nodeName: "node-2" } });
}

export async function createBurstWorld(
  pods: number,
  server: Partial<ServerChildConfig> = {},
  place: ServerPlace = {},
): Promise<BurstWorld> {
  const dir = await mkdtemp(join(tmpdir(), "nc-burst-"));
  const api = new FakeApiServer({ podGracefulDeletion: false });
  const { binDir, cluster } = await writeFiles(dir);
  await api.start();
  seed(api, pods);
  const kubeconfig = join(dir, "kubeconfig");
  await api.writeKubeconfig(kubeconfig);
  const socket = join(dir, "run", "cni.sock");
  const cacheDir = join(dir, "cache");
  const config = JSON.stringify({
    cniVersion: "1.0.0",
    name: "netclaim-net",
    type: "netclaim",
    daemonSocket: socket,
    clusterNetwork: cluster,
    cniDir: cacheDir,
    binDir,
  });
  const proc = await startServerProcess(
    {
      socketPath: socket,
      nodeName: "node-1",
      kubeconfig,
      logFile: join(dir, "server.log"),
      logLevel: "warn",
      ...server,
    },
    place,
  );
  const call = (command: "ADD" | "DEL", i: number): Promise<ForwardOutcome> =>
    forwardCniCall({
      socketPath: socket,
      body: {
        env: {
          CNI_COMMAND: command,
          CNI_CONTAINERID: `container-${i}`,
          CNI_NETNS: `/var/run/netns/fake-${i}`,
          CNI_IFNAME: "eth0",
          CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=p${i};K8S_POD_UID=uid-${i}`,
          CNI_PATH: binDir,
        },
        config,
      },
    });
  return {
    dir,
    api,
    server: proc,
    cacheDir,
    call,
    burst: (command, count) => Promise.all(Array.from({ length: count }, (_, i) => call(command, i))),
    cacheEntries: async () =>
      (await readdir(cacheDir).catch(() => [] as string[])).filter((f) => !f.startsWith(".")),
    dispose: async () => {
      await proc.stop();
      await api.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
