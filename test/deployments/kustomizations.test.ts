// The kustomize layout, checked without kubectl: deployments/base lists every manifest file of its tree
// (the RBAC and admission files included), so none is left out of the installation; every path a
// kustomization names exists; components are Components and the rest Kustomizations. And the image the
// manifests run: its Dockerfile provides the entry point the manifests rely on (they set args, never
// command) and the paths install-cni is told to copy to hosts.
import { existsSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { IDaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import type { InstallCniConfig } from "../../src/cni/install/flags.ts";
import { resolveContainer } from "./support/containers.ts";
import {
  findObject,
  kustomizationDirsUnder,
  readManifests,
  repoPath,
  yamlFilesIn,
} from "./support/manifests.ts";
import { containerOf } from "./support/node-daemon-checks.ts";

interface Kustomization {
  kind?: string;
  resources?: string[];
  components?: string[];
  patches?: { path?: string }[];
}

function kustomizationOf(dir: string): Kustomization {
  return parse(readFileSync(repoPath(join(dir, "kustomization.yaml")), "utf8")) as Kustomization;
}

const DIRS = [...kustomizationDirsUnder("deployments"), ...kustomizationDirsUnder("examples")];

describe("the kustomize layout", () => {
  it("finds the kustomizations", () => {
    expect(DIRS).toEqual(
      expect.arrayContaining([
        "deployments/base",
        "deployments/crds",
        "deployments/components/nad-crd",
        "deployments/components/talos",
        "deployments/components/multus-coexistence",
        "deployments/overlays/default",
        "deployments/overlays/talos",
        "deployments/overlays/multus-coexistence",
      ]),
    );
  });

  it("deployments/base lists every manifest file of its tree", () => {
    const listed = kustomizationOf("deployments/base").resources ?? [];
    const files = ["deployments/base", "deployments/base/rbac", "deployments/base/admission"]
      .flatMap((dir) => yamlFilesIn(dir, { kustomized: true }))
      .map((file) => posix.relative("deployments/base", file));
    expect(files.filter((f) => !listed.includes(f))).toEqual([]);
  });

  it.each(DIRS)("%s: every path it names exists, and its kind fits where it is", (dir) => {
    const k = kustomizationOf(dir);
    const paths = [
      ...(k.resources ?? []),
      ...(k.components ?? []),
      ...(k.patches ?? []).flatMap((p) => p.path ?? []),
    ];
    expect(paths.filter((p) => !existsSync(repoPath(join(dir, p))))).toEqual([]);
    expect(k.kind).toBe(dir.startsWith("deployments/components/") ? "Component" : "Kustomization");
  });
});

describe.skipIf(!existsSync(repoPath("Dockerfile")))("the image the manifests run", () => {
  const dockerfile = existsSync(repoPath("Dockerfile")) ? readFileSync(repoPath("Dockerfile"), "utf8") : "";
  const ds = findObject<IDaemonSet>(
    readManifests("deployments/base/kubelet-plugin-daemonset.yaml"),
    "DaemonSet",
    "netclaim-kubelet-plugin",
  );

  it("has an entry point, which the manifests' args follow", () => {
    expect(dockerfile).toMatch(/^ENTRYPOINT \[.+\]$/m);
  });

  it("carries the shim bundle and the Node runtime where install-cni copies them from", () => {
    const resolved = resolveContainer(containerOf(ds.spec!.template.spec!, "install-cni")!);
    if (!resolved.ok) throw new Error(resolved.problems.join("; "));
    const config = resolved.config as unknown as InstallCniConfig;
    for (const path of [config.shimBundleDir, config.nodeBinary]) {
      expect(path).toBeDefined();
      expect(dockerfile, `Dockerfile mentions ${path ?? ""}`).toContain(path);
    }
  });
});
