// What `kubectl kustomize` renders: every overlay, the component combinations their comments suggest and
// the kustomizations under examples/ render; each rendering validates against the schemas (built-in
// kinds, the CRDs', no unknown fields); every object is cluster-scoped or in namespace netclaim, once; the
// ServiceAccounts and ConfigMaps the workloads name exist; the node daemon and the controller pass their
// checks in every rendering, with each overlay's own host paths; and each overlay differs from the
// default by exactly what its comment says. deployments/install.yaml is the default overlay rendered now.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { IDaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import { firstDifference, INSTALL_FILE, renderInstallYaml } from "../../scripts/render-deployments.ts";
import { checkController } from "./support/controller-checks.ts";
import {
  COMPOSITIONS,
  describeWithKubectl,
  KUBECTL,
  OVERLAYS,
  renderComposition,
  renderKustomization,
} from "./support/kubectl.ts";
import {
  findObject,
  kustomizationDirsUnder,
  objectName,
  objectsOfKind,
  packageVersion,
  readManifests,
  REPO_ROOT,
  repoPath,
  yamlFilesIn,
} from "./support/manifests.ts";
import type { Manifest } from "./support/manifests.ts";
import { checkNodeDaemon, DEFAULT_HOST_PATHS, TALOS_HOST_PATHS } from "./support/node-daemon-checks.ts";
import type { NodeDaemonExpectation } from "./support/node-daemon-checks.ts";
import { objectDifferences } from "./support/object-diff.ts";
import { crdSchemasOf, schemaProblems } from "./support/schemas.ts";
import { strictFieldProblems } from "./support/strict-fields.ts";

const IMAGE = `ghcr.io/netclaim/netclaim:v${packageVersion()}`;
const DS_NAME = "netclaim-kubelet-plugin";
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
  "DeviceClass",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
]);
const CRDS = crdSchemasOf([
  ...yamlFilesIn("deployments/crds", { kustomized: true }).flatMap(readManifests),
  ...readManifests("deployments/components/nad-crd/network-attachment-definitions.k8s.cni.cncf.io.yaml"),
]);

const renderings = new Map<string, Manifest[]>();
/** Rendered once per run, on first use (never while the tests are collected). */
function rendered(name: string): Manifest[] {
  let found = renderings.get(name);
  if (found === undefined) {
    const composition = COMPOSITIONS.find((c) => c.name === name);
    found = composition === undefined ? renderKustomization(name) : renderComposition(composition);
    renderings.set(name, found);
  }
  return found;
}

const WORKLOAD_RENDERINGS: { name: string; node: Omit<NodeDaemonExpectation, "image"> }[] = [
  { name: "deployments/overlays/default", node: { hostPaths: DEFAULT_HOST_PATHS, installCni: true } },
  { name: "deployments/overlays/talos", node: { hostPaths: TALOS_HOST_PATHS, installCni: true } },
  {
    name: "deployments/overlays/multus-coexistence",
    node: { hostPaths: DEFAULT_HOST_PATHS, installCni: false },
  },
  { name: "default + nad-crd", node: { hostPaths: DEFAULT_HOST_PATHS, installCni: true } },
  { name: "talos + multus-coexistence", node: { hostPaths: TALOS_HOST_PATHS, installCni: false } },
  { name: "examples/namespace-isolation/install", node: { hostPaths: DEFAULT_HOST_PATHS, installCni: true } },
];
const ALL_RENDERINGS = [
  ...OVERLAYS,
  ...COMPOSITIONS.map((c) => c.name),
  ...kustomizationDirsUnder("examples"),
];

function placementProblems(manifests: readonly Manifest[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const m of manifests) {
    const key = `${m.object.apiVersion} ${objectName(m)}`;
    if (seen.has(key)) problems.push(`${key} twice`);
    seen.add(key);
    const namespace = m.object.metadata.namespace;
    if (CLUSTER_SCOPED.has(m.object.kind) ? namespace !== undefined : namespace !== "netclaim") {
      problems.push(`${objectName(m)}: namespace ${namespace ?? "(none)"}`);
    }
  }
  return problems;
}

function referenceProblems(manifests: readonly Manifest[]): string[] {
  const names = (kind: string) => new Set(objectsOfKind(manifests, kind).map((m) => m.object.metadata.name));
  const accounts = names("ServiceAccount");
  const configMaps = names("ConfigMap");
  const problems: string[] = [];
  for (const m of [...objectsOfKind(manifests, "DaemonSet"), ...objectsOfKind(manifests, "Deployment")]) {
    const pod = (m.object as unknown as IDaemonSet).spec?.template.spec;
    const account = pod?.serviceAccountName ?? "default";
    if (!accounts.has(account)) problems.push(`${objectName(m)}: no ServiceAccount ${account}`);
    for (const volume of pod?.volumes ?? []) {
      const name = volume.configMap?.name;
      if (name !== undefined && !configMaps.has(name))
        problems.push(`${objectName(m)}: no ConfigMap ${name}`);
    }
  }
  return problems;
}

describeWithKubectl("kubectl kustomize renders valid manifests", () => {
  it.each(ALL_RENDERINGS)("%s", async (name) => {
    const manifests = rendered(name);
    const problems: string[] = [];
    for (const m of manifests)
      for (const p of await schemaProblems(m, CRDS)) problems.push(`${objectName(m)}: ${p}`);
    const builtIn = manifests.filter((m) => !CRDS.has(`${m.object.apiVersion}/${m.object.kind}`));
    expect([...problems, ...strictFieldProblems(builtIn), ...placementProblems(manifests)]).toEqual([]);
    expect(referenceProblems(manifests)).toEqual([]);
  });
});

describeWithKubectl("the workloads in every rendering", () => {
  it.each(WORKLOAD_RENDERINGS)("$name", ({ name, node }) => {
    const manifests = rendered(name);
    expect(
      checkNodeDaemon(findObject<IDaemonSet>(manifests, "DaemonSet", DS_NAME), { ...node, image: IMAGE }),
    ).toEqual([]);
    expect(
      checkController(findObject<IDeployment>(manifests, "Deployment", "netclaim-controller"), IMAGE),
    ).toEqual([]);
  });
});

/** The differences of every object of `overlay` from the default overlay's, by object. */
function differencesFromDefault(overlay: string): string[] {
  const base = new Map(rendered("deployments/overlays/default").map((m) => [objectName(m), m.object]));
  const other = new Map(rendered(overlay).map((m) => [objectName(m), m.object]));
  const out: string[] = [];
  for (const name of new Set([...base.keys(), ...other.keys()])) {
    for (const line of objectDifferences(base.get(name) ?? {}, other.get(name) ?? {}))
      out.push(`${name}: ${line}`);
  }
  return out.sort();
}

describeWithKubectl("each overlay differs from the default by what it says", () => {
  const pod = `DaemonSet netclaim/${DS_NAME}: spec.template.spec`;
  it("talos: the netns dir /var/run/netns, mounted at its path, and install-cni told so", () => {
    expect(differencesFromDefault("deployments/overlays/talos")).toEqual([
      `${pod}.containers[kubelet-plugin].volumeMounts[netns].mountPath: "/run/netns" -> "/var/run/netns"`,
      `${pod}.initContainers[install-cni].env[NETCLAIM_HOST_NETNS_DIR].value: "auto" -> "/var/run/netns"`,
      `${pod}.volumes[netns].hostPath.path: "/run/netns" -> "/var/run/netns"`,
    ]);
  });

  it("multus-coexistence: no install-cni, no host root, no CNI server; nothing else", () => {
    const lines = differencesFromDefault("deployments/overlays/multus-coexistence");
    const cniServerOff = lines.filter((l) => l.includes("NETCLAIM_CNI_SERVER"));
    expect(cniServerOff.map((l) => l.slice(l.indexOf("env["))).sort()).toEqual([
      'env[NETCLAIM_CNI_SERVER].name: (absent) -> "NETCLAIM_CNI_SERVER"',
      'env[NETCLAIM_CNI_SERVER].value: (absent) -> "false"',
    ]);
    const rest = lines.filter((l) => !l.includes("NETCLAIM_CNI_SERVER"));
    const paths = new Set(
      rest.map((l) => l.replace(/^(.*?\.(initContainers|volumes)(\[[^\]]+\])?).*$/, "$1")),
    );
    expect([...paths].sort()).toEqual([
      `${pod}.initContainers`,
      `${pod}.initContainers[install-cni]`,
      `${pod}.volumes[host-root]`,
    ]);
    expect(rest.every((l) => l.endsWith("-> (absent)") || l.endsWith("(absent) -> []"))).toBe(true);
  });

  it("the nad-crd component adds the NetworkAttachmentDefinition CRD and nothing else", () => {
    expect(differencesFromDefault("default + nad-crd").map((l) => l.split(":")[0])).toSatisfy(
      (names: string[]) =>
        names.every((n) => n === "CustomResourceDefinition network-attachment-definitions.k8s.cni.cncf.io"),
    );
    expect(objectsOfKind(rendered("default + nad-crd"), "CustomResourceDefinition").length).toBe(
      objectsOfKind(rendered("deployments/overlays/default"), "CustomResourceDefinition").length + 1,
    );
  });
});

describeWithKubectl("deployments/install.yaml", () => {
  it("is the default overlay as it renders now (npm run render:deployments)", async () => {
    const want = await renderInstallYaml(REPO_ROOT, KUBECTL);
    const have = readFileSync(repoPath(INSTALL_FILE), "utf8");
    expect(firstDifference(want, have), `${INSTALL_FILE} is stale: npm run render:deployments`).toBe("");
  });

  it("holds the default overlay's objects", () => {
    const objects = (ms: readonly Manifest[]) => ms.map((m) => m.object);
    expect(objects(readManifests(INSTALL_FILE))).toEqual(objects(rendered("deployments/overlays/default")));
  });
});

describe("firstDifference, which the staleness message shows", () => {
  const cases = [
    { name: "equal", want: "a\nb\n", have: "a\nb\n", expected: "" },
    { name: "a changed line", want: "a\nb\n", have: "a\nc\n", expected: 'line 2: want "b", have "c"' },
    { name: "a missing line", want: "a\nb\n", have: "a\n", expected: 'line 2: want "b", have ""' },
  ];
  it.each(cases)("$name", ({ want, have, expected }) => {
    expect(firstDifference(want, have)).toBe(expected);
  });
});
