// What the kubelet plugin's DaemonSet must get right that no schema can express, as pure checks that
// return one line per problem ([] when all is well), so that a test can also prove each check fails:
//   - host paths: each path the node daemon needs is a hostPath volume of the right type, mounted in the
//     kubelet-plugin container at its own host path (the CNI server opens the paths a CNI call names as
//     host paths), with mount propagation exactly where the kubelet needs it (the netns dir) and
//     nowhere Bidirectional;
//   - settings: every container's settings resolve with the CLI's own flag tables (containers.ts), every
//     path setting lies on a mount, install-cni tells the CNI config what the plugin uses (socket, state
//     and device-info dirs), and the dirs install-cni writes are the ones the plugin reads;
//   - the pod: host network, privileged as root, system-node-critical, tolerating every taint, a grace
//     period longer than the stop path (node-daemon-stop.ts), probes on the metrics port.
//
// Public API: `HostPathExpectation`, `DEFAULT_HOST_PATHS`, `TALOS_HOST_PATHS`, `NodeDaemonExpectation`,
// `checkNodeDaemon`, `containerOf`.
import { posix } from "node:path";
import type { IDaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { IVolume } from "kubernetes-models/v1/Volume";
import { NETCONF_DEFAULTS } from "../../../src/api/netconf-schema.ts";
import type { InstallCniConfig } from "../../../src/cni/install/flags.ts";
import type { KubeletPluginConfig } from "../../../src/kubelet-plugin/main.ts";
import { resolveContainer } from "./containers.ts";
import { probeProblems } from "./probes.ts";
import { stopPathMs } from "./node-daemon-stop.ts";

export interface HostPathExpectation {
  path: string;
  type: "Directory" | "DirectoryOrCreate";
  propagation?: "HostToContainer";
  readOnly?: boolean;
}

/** The CNI state root: the cache and host-local's leases live under it. */
const CNI_STATE_DIR = "/var/lib/cni";
/** Where host-local keeps its leases unless its config says otherwise (containernetworking/plugins). */
const HOST_LOCAL_DATA_DIR = "/var/lib/cni/networks";

const KUBELET: HostPathExpectation[] = [
  { path: "/var/lib/kubelet/plugins_registry", type: "Directory" },
  { path: "/var/lib/kubelet/plugins", type: "Directory" },
  { path: "/var/lib/kubelet/pod-resources", type: "Directory" },
];
const NODE: HostPathExpectation[] = [
  { path: "/var/run/cdi", type: "DirectoryOrCreate" },
  { path: "/opt/cni/bin", type: "DirectoryOrCreate", readOnly: true },
  { path: "/etc/cni/net.d", type: "DirectoryOrCreate", readOnly: true },
  { path: "/var/lib/netclaim", type: "DirectoryOrCreate" },
  { path: "/run/netclaim", type: "DirectoryOrCreate" },
  // The meta-plugin's cache (NETCONF_DEFAULTS.cniDir) and the delegates' state (host-local's leases).
  { path: CNI_STATE_DIR, type: "DirectoryOrCreate" },
  { path: NETCONF_DEFAULTS.deviceInfoDir, type: "DirectoryOrCreate" },
];
const netns = (path: string): HostPathExpectation => ({
  path,
  type: "DirectoryOrCreate",
  propagation: "HostToContainer",
});

/** The host paths of the conventions: default overlay, and Talos (its netns dir). */
export const DEFAULT_HOST_PATHS: readonly HostPathExpectation[] = [...KUBELET, netns("/run/netns"), ...NODE];
export const TALOS_HOST_PATHS: readonly HostPathExpectation[] = [
  ...KUBELET,
  netns("/var/run/netns"),
  ...NODE,
];

export interface NodeDaemonExpectation {
  hostPaths: readonly HostPathExpectation[];
  /** False where Multus stays the meta-plugin (no install-cni). */
  installCni: boolean;
  image: string;
}

type Pod = IPodSpec;

export function containerOf(pod: Pod, name: string): IContainer | undefined {
  return [...(pod.initContainers ?? []), ...(pod.containers ?? [])].find((c) => c.name === name);
}

function volumeOf(pod: Pod, name: string): IVolume | undefined {
  return pod.volumes?.find((v) => v.name === name);
}

/** The host path a container path lands on through the container's hostPath mounts (longest match). */
function hostPathOf(
  pod: Pod,
  container: IContainer,
  path: string,
): { host?: string; readOnly: boolean } | undefined {
  const mounts = (container.volumeMounts ?? [])
    .filter((m) => path === m.mountPath || path.startsWith(`${m.mountPath.replace(/\/$/, "")}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length);
  const mount = mounts[0];
  if (mount === undefined) return undefined;
  const source = volumeOf(pod, mount.name)?.hostPath?.path;
  const rest = path.slice(mount.mountPath.length);
  return {
    host: source === undefined ? undefined : posix.join(source, rest),
    readOnly: mount.readOnly === true,
  };
}

function hostPathProblems(pod: Pod, plugin: IContainer, expected: readonly HostPathExpectation[]): string[] {
  const problems: string[] = [];
  for (const want of expected) {
    const volume = pod.volumes?.find((v) => v.hostPath?.path === want.path);
    if (volume === undefined) {
      problems.push(`no hostPath volume for ${want.path}`);
      continue;
    }
    if (volume.hostPath?.type !== want.type)
      problems.push(`${want.path}: type ${volume.hostPath?.type ?? "(none)"}, want ${want.type}`);
    const mount = plugin.volumeMounts?.find((m) => m.name === volume.name);
    if (mount === undefined) problems.push(`${want.path}: not mounted in ${plugin.name}`);
    else {
      if (mount.mountPath !== want.path)
        problems.push(`${want.path}: mounted at ${mount.mountPath} in ${plugin.name}, not at its host path`);
      if ((mount.mountPropagation ?? "None") !== (want.propagation ?? "None"))
        problems.push(
          `${want.path}: mountPropagation ${mount.mountPropagation ?? "None"}, want ${want.propagation ?? "None"}`,
        );
      if ((mount.readOnly === true) !== (want.readOnly === true))
        problems.push(`${want.path}: readOnly ${mount.readOnly === true}, want ${want.readOnly === true}`);
    }
  }
  for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
    for (const mount of container.volumeMounts ?? []) {
      if (mount.mountPropagation === "Bidirectional")
        problems.push(`${container.name}: ${mount.mountPath} is Bidirectional`);
    }
  }
  return problems;
}

/** Each path setting of the plugin lies on a mount, at the same host path (the devices config: its ConfigMap). */
function pluginPathProblems(pod: Pod, plugin: IContainer, config: KubeletPluginConfig): string[] {
  const problems: string[] = [];
  const paths = {
    "kubelet-registration-dir": config.kubeletRegistrationDir,
    "kubelet-plugins-dir": config.kubeletPluginsDir,
    "pod-resources-socket": config.podResourcesSocket,
    "cdi-dir": config.cdiDir,
    "state-dir": config.stateDir,
    "device-info-dir": config.deviceInfoDir,
    "cni-socket": config.cniSocket,
    "cni cache (cniDir)": NETCONF_DEFAULTS.cniDir,
    "host-local leases": HOST_LOCAL_DATA_DIR,
    "delegates (binDir)": NETCONF_DEFAULTS.binDir,
  };
  for (const [what, path] of Object.entries(paths)) {
    const found = hostPathOf(pod, plugin, path);
    if (found?.host !== path)
      problems.push(
        `${what} ${path}: ${found === undefined ? "on no mount" : `reaches host path ${found.host ?? "(no host path)"}`}`,
      );
  }
  const configMount = plugin.volumeMounts?.find((m) => m.mountPath === posix.dirname(config.devicesConfig));
  if (configMount === undefined || volumeOf(pod, configMount.name)?.configMap === undefined)
    problems.push(`devices-config ${config.devicesConfig}: not in a mounted ConfigMap`);
  return problems;
}

function installCniProblems(
  pod: Pod,
  installer: IContainer,
  ic: InstallCniConfig,
  kp: KubeletPluginConfig,
): string[] {
  const problems: string[] = [];
  if (installer.restartPolicy !== "Always")
    problems.push("install-cni is not a sidecar (restartPolicy Always)");
  if (!ic.watch) problems.push("install-cni does not watch (token rotation, master changes)");
  if (ic.cleanupConfigOnExit) problems.push("install-cni removes its config on exit");
  const same = [
    ["daemon-socket", ic.daemonSocket, "cni-socket", kp.cniSocket],
    ["state-dir", ic.stateDir, "state-dir", kp.stateDir],
    ["device-info-dir", ic.deviceInfoDir, "device-info-dir", kp.deviceInfoDir],
  ] as const;
  for (const [own, value, theirs, want] of same) {
    if (value !== want)
      problems.push(`install-cni --${own} ${value ?? "(unset)"} is not the plugin's --${theirs} ${want}`);
  }
  const root = hostPathOf(pod, installer, ic.hostRoot);
  if (root?.host !== "/") problems.push(`install-cni --host-root ${ic.hostRoot} is not the host's /`);
  for (const [flag, dir] of [
    ["cni-bin-dir", ic.cniBinDir],
    ["cni-conf-dir", ic.cniConfDir],
  ] as const) {
    const found = hostPathOf(pod, installer, posix.join(ic.hostRoot, dir));
    if (found?.host !== dir || found.readOnly)
      problems.push(`install-cni --${flag} ${dir}: not writable at its host path`);
    if (hostPathOf(pod, containerOf(pod, "kubelet-plugin")!, dir)?.host !== dir)
      problems.push(`install-cni --${flag} ${dir}: the plugin does not see it`);
  }
  const netnsMount = containerOf(pod, "kubelet-plugin")?.volumeMounts?.find(
    (m) => m.mountPropagation === "HostToContainer",
  );
  const netnsDirs = ic.hostNetnsDir === "auto" ? ["/run/netns", "/var/run/netns"] : [ic.hostNetnsDir];
  if (netnsMount === undefined || !netnsDirs.includes(netnsMount.mountPath))
    problems.push(
      `install-cni --host-netns-dir ${ic.hostNetnsDir}: the plugin mounts ${netnsMount?.mountPath ?? "no netns dir"}`,
    );
  return problems;
}

function podProblems(pod: Pod, graceSeconds: number | undefined): string[] {
  const problems: string[] = [];
  if (pod.hostNetwork !== true) problems.push("not on the host network");
  if (pod.dnsPolicy !== "ClusterFirstWithHostNet") problems.push(`dnsPolicy ${pod.dnsPolicy ?? "(default)"}`);
  if (pod.hostPID === true) problems.push("hostPID");
  if (pod.priorityClassName !== "system-node-critical")
    problems.push(`priorityClassName ${pod.priorityClassName ?? "(none)"}`);
  if (
    !(pod.tolerations ?? []).some(
      (t) => t.operator === "Exists" && t.key === undefined && t.effect === undefined,
    )
  )
    problems.push("does not tolerate every taint");
  if ((graceSeconds ?? 30) * 1000 <= stopPathMs())
    problems.push(
      `terminationGracePeriodSeconds ${graceSeconds ?? 30} is not longer than the stop path (${stopPathMs()} ms)`,
    );
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    if (c.securityContext?.privileged !== true || c.securityContext.runAsUser !== 0)
      problems.push(`${c.name}: not privileged as root`);
    if (c.resources?.requests?.["cpu"] === undefined || c.resources.requests["memory"] === undefined)
      problems.push(`${c.name}: no cpu and memory requests`);
  }
  return problems;
}

/** Every problem of the node daemon's DaemonSet; [] when it is as it must be. */
export function checkNodeDaemon(ds: IDaemonSet, want: NodeDaemonExpectation): string[] {
  const pod = ds.spec?.template.spec;
  if (pod === undefined) return ["no pod template"];
  const plugin = containerOf(pod, "kubelet-plugin");
  if (plugin === undefined) return ["no kubelet-plugin container"];
  const problems = [
    ...podProblems(pod, pod.terminationGracePeriodSeconds),
    ...hostPathProblems(pod, plugin, want.hostPaths),
  ];
  for (const c of [...(pod.initContainers ?? []), ...pod.containers])
    if (c.image !== want.image) problems.push(`${c.name}: image ${c.image ?? "(none)"}, want ${want.image}`);
  const kp = resolveContainer(plugin);
  if (!kp.ok) return [...problems, ...kp.problems.map((p) => `kubelet-plugin: ${p}`)];
  const kpConfig = kp.config as unknown as KubeletPluginConfig;
  problems.push(
    ...pluginPathProblems(pod, plugin, kpConfig),
    ...probeProblems(plugin, kpConfig.metricsAddress),
  );
  const installer = containerOf(pod, "install-cni");
  if (!want.installCni) return installer === undefined ? problems : [...problems, "install-cni is there"];
  if (installer === undefined) return [...problems, "no install-cni container"];
  const ic = resolveContainer(installer);
  if (!ic.ok) return [...problems, ...ic.problems.map((p) => `install-cni: ${p}`)];
  return [
    ...problems,
    ...installCniProblems(pod, installer, ic.config as unknown as InstallCniConfig, kpConfig),
  ];
}
