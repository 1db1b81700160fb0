// The kubelet plugin's DaemonSet in deployments/base (read from its file; the overlays' renderings are
// checked with the same checks in overlays.test.ts): every host path the node daemon needs, mounted as
// the kubelet and the CNI server need it; every setting of its containers resolving with the CLI's own
// flag tables and agreeing between install-cni and the plugin; the pod's privileges, priority, grace
// period and probes (support/node-daemon-checks.ts says what each check is). Then each check is shown to
// fail on a copy broken in the way it guards against.
import { describe, expect, it } from "vitest";
import type { IDaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import type { IContainer } from "kubernetes-models/v1/Container";
import { findObject, packageVersion, readManifests } from "./support/manifests.ts";
import { resolveContainer } from "./support/containers.ts";
import { checkNodeDaemon, containerOf, DEFAULT_HOST_PATHS } from "./support/node-daemon-checks.ts";
import { STOP_PATH_BOUNDS_MS, stopPathMs } from "./support/node-daemon-stop.ts";

const BASE_DS = findObject<IDaemonSet>(
  readManifests("deployments/base/kubelet-plugin-daemonset.yaml"),
  "DaemonSet",
  "netclaim-kubelet-plugin",
);
const IMAGE = `ghcr.io/netclaim/netclaim:v${packageVersion()}`;
const EXPECT = { hostPaths: DEFAULT_HOST_PATHS, installCni: true, image: IMAGE };

/** A deep copy of the base DaemonSet with `edit` applied to its pod spec. */
function broken(
  edit: (pod: NonNullable<IDaemonSet["spec"]>["template"]["spec"] & object) => void,
): IDaemonSet {
  const copy = structuredClone(BASE_DS);
  edit(copy.spec!.template.spec!);
  return copy;
}

function container(pod: Parameters<typeof containerOf>[0], name: string): IContainer {
  const found = containerOf(pod, name);
  if (found === undefined) throw new Error(`no container ${name}`);
  return found;
}

function setEnv(c: IContainer, name: string, value: string): void {
  const entry = c.env?.find((e) => e.name === name);
  if (entry === undefined) c.env = [...(c.env ?? []), { name, value }];
  else entry.value = value;
}

describe("deployments/base: the kubelet plugin's DaemonSet", () => {
  it("passes every check", () => {
    expect(checkNodeDaemon(BASE_DS, EXPECT)).toEqual([]);
  });

  it("resolves both containers' settings with the CLI's flag tables", () => {
    const pod = BASE_DS.spec!.template.spec!;
    const plugin = resolveContainer(container(pod, "kubelet-plugin"));
    const installer = resolveContainer(container(pod, "install-cni"));
    expect(plugin.ok && plugin.command).toBe("kubelet-plugin");
    expect(installer.ok && installer.command).toBe("install-cni");
    if (!plugin.ok || !installer.ok) return;
    expect(plugin.config["nodeName"]).toBe("node-1"); // from the downward API
    expect(plugin.config["driverName"]).toBe("netclaim.dev");
    expect(installer.config["watch"]).toBe(true);
  });

  it("gives the stop path room: the grace period exceeds the sum of its bounds", () => {
    const graceMs = BASE_DS.spec!.template.spec!.terminationGracePeriodSeconds! * 1000;
    expect(Object.keys(STOP_PATH_BOUNDS_MS)).toHaveLength(5);
    expect(graceMs).toBeGreaterThan(stopPathMs());
  });
});

describe("the checks fail on what they guard against", () => {
  const cases: { name: string; ds: IDaemonSet; want: RegExp }[] = [
    {
      name: "a host path missing",
      ds: broken((pod) => (pod.volumes = pod.volumes!.filter((v) => v.name !== "pod-resources"))),
      want: /no hostPath volume for \/var\/lib\/kubelet\/pod-resources/,
    },
    {
      name: "a kubelet dir that would be created where the kubelet does not look",
      ds: broken(
        (pod) => (pod.volumes!.find((v) => v.name === "plugins")!.hostPath!.type = "DirectoryOrCreate"),
      ),
      want: /\/var\/lib\/kubelet\/plugins: type DirectoryOrCreate, want Directory/,
    },
    {
      name: "a host dir mounted elsewhere in the container",
      ds: broken(
        (pod) =>
          (container(pod, "kubelet-plugin").volumeMounts!.find((m) => m.name === "cni-conf")!.mountPath =
            "/host/etc/cni/net.d"),
      ),
      want: /\/etc\/cni\/net\.d: mounted at \/host\/etc\/cni\/net\.d in kubelet-plugin, not at its host path/,
    },
    {
      name: "the netns dir without propagation",
      ds: broken(
        (pod) =>
          delete container(pod, "kubelet-plugin").volumeMounts!.find((m) => m.name === "netns")!
            .mountPropagation,
      ),
      want: /\/run\/netns: mountPropagation None, want HostToContainer/,
    },
    {
      name: "a Bidirectional mount",
      ds: broken(
        (pod) =>
          (container(pod, "kubelet-plugin").volumeMounts!.find(
            (m) => m.name === "plugins",
          )!.mountPropagation = "Bidirectional"),
      ),
      want: /kubelet-plugin: \/var\/lib\/kubelet\/plugins is Bidirectional/,
    },
    {
      name: "a misspelt setting",
      ds: broken((pod) =>
        setEnv(container(pod, "kubelet-plugin"), "NETCLAIM_CNI_SOKET", "/run/netclaim/cni.sock"),
      ),
      want: /env NETCLAIM_CNI_SOKET is no setting of netclaim kubelet-plugin/,
    },
    {
      name: "a flag the CLI does not have",
      ds: broken((pod) => container(pod, "kubelet-plugin").args!.push("--cni-socket-dir=/run/netclaim")),
      want: /args: error: unknown option '--cni-socket-dir=\/run\/netclaim'/,
    },
    {
      name: "a value the flag's schema refuses",
      ds: broken((pod) => setEnv(container(pod, "kubelet-plugin"), "NETCLAIM_CDI_DIR", "var/run/cdi")),
      want: /--cdi-dir: invalid value "var\/run\/cdi" from env NETCLAIM_CDI_DIR: expected an absolute path/,
    },
    {
      name: "a path setting on no mount",
      ds: broken((pod) => setEnv(container(pod, "kubelet-plugin"), "NETCLAIM_STATE_DIR", "/var/lib/other")),
      want: /state-dir \/var\/lib\/other: on no mount/,
    },
    {
      name: "install-cni and the plugin disagreeing on the socket",
      ds: broken((pod) =>
        setEnv(container(pod, "install-cni"), "NETCLAIM_DAEMON_SOCKET", "/run/netclaim/other.sock"),
      ),
      want: /install-cni --daemon-socket \/run\/netclaim\/other\.sock is not the plugin's --cni-socket \/run\/netclaim\/cni\.sock/,
    },
    {
      name: "install-cni as a one-shot init container",
      ds: broken((pod) => delete container(pod, "install-cni").restartPolicy),
      want: /install-cni is not a sidecar/,
    },
    {
      name: "a probe off the metrics port",
      ds: broken((pod) => (container(pod, "kubelet-plugin").livenessProbe!.httpGet!.port = 8080)),
      want: /kubelet-plugin: livenessProbe on port 8080, not the metrics port 9181/,
    },
    {
      name: "the metrics port not where --metrics-address listens",
      ds: broken((pod) => setEnv(container(pod, "kubelet-plugin"), "NETCLAIM_METRICS_ADDRESS", ":9999")),
      want: /container port "metrics" is 9181, --metrics-address port 9999/,
    },
    {
      name: "a short grace period",
      ds: broken((pod) => (pod.terminationGracePeriodSeconds = 30)),
      want: /terminationGracePeriodSeconds 30 is not longer than the stop path/,
    },
    {
      name: "an image of another version",
      ds: broken((pod) => (container(pod, "install-cni").image = "ghcr.io/netclaim/netclaim:v0.0.9")),
      want: /install-cni: image ghcr\.io\/netclaim\/netclaim:v0\.0\.9, want ghcr\.io\/netclaim\/netclaim:v/,
    },
    {
      name: "an entry point set in the manifest",
      ds: broken((pod) => (container(pod, "kubelet-plugin").command = ["/usr/bin/netclaim"])),
      want: /command is set \(\/usr\/bin\/netclaim\): the entry point is the image's/,
    },
    {
      name: "taints not tolerated",
      ds: broken(
        (pod) => (pod.tolerations = [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists" }]),
      ),
      want: /does not tolerate every taint/,
    },
  ];
  it.each(cases)("$name", ({ ds, want }) => {
    const problems = checkNodeDaemon(ds, EXPECT);
    expect(problems.join("\n")).toMatch(want);
  });
});
