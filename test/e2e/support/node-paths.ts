// Where everything of one node world lives, under its temp root (the runtime harness' run dir, which its
// sweep removes after a killed run), and the kubelet plugin's flags that point there. Pure.
//
// Public API: `NodePaths`, `nodePaths`, `pluginFlags`, `PLUGIN_DEVICE_INFO_FLAG`.
import { join } from "node:path";
import { kubeletDirs } from "../../harness/kubelet/fake-kubelet.ts";
import { hostCniLayout } from "./host-install.ts";
import type { HostCniLayout } from "./host-install.ts";
import { DRIVER, NODE_NAME } from "./scenario.ts";

export interface NodePaths {
  root: string;
  kubeconfig: string;
  devicesConfig: string;
  registrationDir: string;
  pluginsDir: string;
  podResourcesSocket: string;
  cdiDir: string;
  stateDir: string;
  checkpoint: string;
  cniSocket: string;
  deviceInfoDir: string;
  pluginLog: string;
  /** The test plugins' bin dir (test-plugins.ts). */
  testPluginDir: string;
  host: HostCniLayout;
}

export function nodePaths(root: string): NodePaths {
  const kubelet = kubeletDirs(join(root, "var/lib/kubelet"));
  const stateDir = join(root, "var/lib/netclaim");
  return {
    root,
    kubeconfig: join(root, "etc/netclaim/kubeconfig"),
    devicesConfig: join(root, "etc/netclaim/devices.yaml"),
    ...kubelet,
    cdiDir: join(root, "var/run/cdi"),
    stateDir,
    checkpoint: join(stateDir, "checkpoint.json"),
    cniSocket: join(root, "run/netclaim/cni.sock"),
    deviceInfoDir: join(root, "var/run/k8s.cni.cncf.io/devinfo"),
    pluginLog: join(root, "var/log/netclaim-kubelet-plugin.log"),
    testPluginDir: join(root, "test-plugins"),
    host: hostCniLayout(root),
  };
}

/** The kubelet plugin's flag for the device-info dir (the CNI server's DeviceInfoStore). */
export const PLUGIN_DEVICE_INFO_FLAG = "--device-info-dir";

/** `netclaim kubelet-plugin` flags for this node. */
export function pluginFlags(paths: NodePaths, logLevel: string): string[] {
  return [
    `--node-name=${NODE_NAME}`,
    `--driver-name=${DRIVER}`,
    `--kubeconfig=${paths.kubeconfig}`,
    `--kubelet-registration-dir=${paths.registrationDir}`,
    `--kubelet-plugins-dir=${paths.pluginsDir}`,
    `--pod-resources-socket=${paths.podResourcesSocket}`,
    `--cdi-dir=${paths.cdiDir}`,
    `--state-dir=${paths.stateDir}`,
    `--devices-config=${paths.devicesConfig}`,
    `--cni-socket=${paths.cniSocket}`,
    `${PLUGIN_DEVICE_INFO_FLAG}=${paths.deviceInfoDir}`,
    `--log-level=${logLevel}`,
  ];
}
