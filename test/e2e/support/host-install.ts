// The node's CNI set-up the way the DaemonSet makes it: the default network's config (bridge + host-local,
// the "master") in the CNI conf dir, then `netclaim install-cni` run once from the CLI — it builds nothing
// itself, so the shim bundle is built first (scripts/build-shim.ts, from this checkout) — which puts the
// shim (launcher + the pinned Node + the bundle) in the CNI bin dir and writes the netclaim config wrapping
// the master as clusterNetwork, with daemonSocket the kubelet plugin's --cni-socket. The host root is "/"
// and every host path an absolute path under the world's temp dir, so the runtime stand-in and the shim see
// the same paths the installer wrote (see addDeviceInfoDir for the one field added afterwards).
//
// Public API: `HostCniLayout`, `hostCniLayout`, `clusterMaster`, `installCni`, `InstalledCni`.
import { spawn } from "node:child_process";
import { mkdir, readdir, readFile, realpath, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildShim } from "../../../scripts/build-shim.ts";
import type { JsonObject } from "../../harness/runtime/index.ts";
import { CLI_MAIN, PINNED_NODE } from "../../integration/cni/support/netclaim-bin.ts";

const INSTALL_TIMEOUT_MS = 60_000;

/** The cluster network's name and subnet (bridge ncbr0 in the fake host). */
export const CLUSTER_NETWORK = { name: "cluster-net", bridge: "ncbr0", subnet: "10.244.0.0/24" } as const;

export interface HostCniLayout {
  binDir: string;
  confDir: string;
  /** netclaim's attachment cache (the config's cniDir). */
  cacheDir: string;
  /** host-local's data dir of the cluster network and the NADs. */
  ipamDir: string;
  /** The shim's own log (offline DEL). */
  shimLog: string;
  bundleDir: string;
}

export function hostCniLayout(root: string): HostCniLayout {
  return {
    binDir: join(root, "opt/cni/bin"),
    confDir: join(root, "etc/cni/net.d"),
    cacheDir: join(root, "var/lib/cni/netclaim"),
    ipamDir: join(root, "var/lib/cni/networks"),
    shimLog: join(root, "var/log/netclaim-cni.log"),
    bundleDir: join(root, "shim-bundle"),
  };
}

/** The master: the bridge default network, as a CNI 1.0 conflist. */
export function clusterMaster(ipamDir: string): JsonObject {
  return {
    cniVersion: "1.0.0",
    name: CLUSTER_NETWORK.name,
    plugins: [
      {
        type: "bridge",
        bridge: CLUSTER_NETWORK.bridge,
        isGateway: true,
        ipMasq: false,
        ipam: {
          type: "host-local",
          ranges: [[{ subnet: CLUSTER_NETWORK.subnet }]],
          routes: [{ dst: "0.0.0.0/0" }],
          dataDir: ipamDir,
        },
      },
    ],
  };
}

export interface InstalledCni {
  /** The config file the runtime uses (the conf dir's first), and its content. */
  configFile: string;
  netconf: JsonObject;
  /** What install-cni logged (JSON lines). */
  log: string;
}

/** Runs `netclaim install-cni` with `flags`; resolves with its log (stderr), rejects naming it on a failure. */
function runInstaller(flags: readonly string[], ownGroup: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    // detached: a process group of its own, which a Ctrl-C at the terminal does not reach
    const child = spawn(PINNED_NODE, [CLI_MAIN, "install-cni", ...flags], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      stdio: ["ignore", "ignore", "pipe"],
      detached: ownGroup,
      timeout: INSTALL_TIMEOUT_MS,
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", (err) => reject(new Error("netclaim install-cni did not run", { cause: err })));
    child.once("exit", (code, signal) => {
      if (code === 0) resolve(stderr);
      else reject(new Error(`netclaim install-cni failed (${code ?? signal}): ${stderr.trim()}`));
    });
  });
}

/** Writes the master, builds the bundle, runs `netclaim install-cni` once; returns the runtime's config. */
export async function installCni(
  layout: HostCniLayout,
  options: { daemonSocket: string; deviceInfoDir: string; ownSession?: boolean },
): Promise<InstalledCni> {
  const { daemonSocket, deviceInfoDir } = options;
  await mkdir(layout.confDir, { recursive: true });
  await mkdir(layout.ipamDir, { recursive: true });
  await writeFile(join(layout.confDir, "10-bridge.conflist"), JSON.stringify(clusterMaster(layout.ipamDir)));
  await buildShim(layout.bundleDir);
  const flags = [
    "--host-root=/",
    `--cni-bin-dir=${layout.binDir}`,
    `--cni-conf-dir=${layout.confDir}`,
    `--daemon-socket=${daemonSocket}`,
    `--device-info-dir=${deviceInfoDir}`,
    "--write-kubeconfig=false",
    `--kubeconfig-path=${join(layout.confDir, "netclaim.d", "netclaim.kubeconfig")}`,
    `--shim-bundle-dir=${layout.bundleDir}`,
    `--node-binary=${await realpath(PINNED_NODE)}`,
    "--verify-shim=direct",
    `--cni-cache-dir=${layout.cacheDir}`,
    "--cni-log-level=debug",
    `--cni-log-file=${layout.shimLog}`,
    "--cni-log-to-stderr=false",
  ];
  const log = await runInstaller(flags, options.ownSession === true);
  const first = (await readdir(layout.confDir)).filter((f) => /\.(conf|conflist|json)$/.test(f)).sort()[0];
  if (first === undefined) throw new Error(`install-cni left no config in ${layout.confDir}`);
  const configFile = join(layout.confDir, first);
  const netconf = JSON.parse(await readFile(configFile, "utf8")) as JsonObject;
  return { configFile, netconf, log };
}
