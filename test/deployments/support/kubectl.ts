// `kubectl kustomize` for the tests, through the same function scripts/render-deployments.ts renders
// install.yaml with. Without kubectl the blocks that need it skip with a printed reason, except under
// CI=true, where kubectl must be there (scripts/bootstrap.sh installs Debian's kubernetes-client).
//
// Public API: `KUBECTL`, `kubectlSkipReason`, `describeWithKubectl`, `renderKustomization`,
// `renderComposition`, `OVERLAYS`, `COMPOSITIONS`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe } from "vitest";
import { kustomizeBuild } from "../../../scripts/render-deployments.ts";
import { parseManifests, repoPath } from "./manifests.ts";
import type { Manifest } from "./manifests.ts";

export const KUBECTL = process.env["KUBECTL"] ?? "kubectl";

/** Why kubectl cannot be run here, or undefined when it can. */
export function kubectlSkipReason(): string | undefined {
  const run = spawnSync(KUBECTL, ["version", "--client"], { encoding: "utf8", timeout: 20_000 });
  if (run.error !== undefined) return `${KUBECTL} not found (apt-get install kubernetes-client)`;
  if (run.status !== 0) return `${KUBECTL} version --client failed: ${run.stderr.trim()}`;
  return undefined;
}

/** `describe` for tests that render with kubectl (see the header for the skip rule). */
export function describeWithKubectl(name: string, body: () => void): void {
  const reason = kubectlSkipReason();
  if (reason !== undefined && process.env["CI"] !== "true") {
    process.stderr.write(`skipping "${name}": ${reason}\n`);
    describe.skip(name, body);
    return;
  }
  if (reason !== undefined) {
    describe(name, () => {
      throw new Error(`"${name}" cannot run under CI=true: ${reason}`);
    });
    return;
  }
  describe(name, body);
}

/** The objects `kubectl kustomize` renders from a directory given relative to the repository root. */
export function renderKustomization(relativeDir: string): Manifest[] {
  return parseManifests(kustomizeBuild(repoPath(relativeDir), KUBECTL), `kustomize ${relativeDir}`);
}

/**
 * A combination of kustomize resources and components, rendered through a temporary kustomization (which
 * names them by relative paths: kustomize refuses absolute ones).
 */
export interface Composition {
  name: string;
  resources: readonly string[];
  components: readonly string[];
}

export function renderComposition(composition: Composition): Manifest[] {
  const dir = mkdtempSync(join(tmpdir(), "netclaim-kustomize-"));
  try {
    const lines = [
      "apiVersion: kustomize.config.k8s.io/v1beta1",
      "kind: Kustomization",
      "resources:",
      ...composition.resources.map((r) => `  - ${relative(dir, repoPath(r))}`),
      "components:",
      ...composition.components.map((c) => `  - ${relative(dir, repoPath(c))}`),
      "",
    ];
    writeFileSync(join(dir, "kustomization.yaml"), lines.join("\n"));
    return parseManifests(kustomizeBuild(dir, KUBECTL), `kustomize ${composition.name}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const OVERLAYS = [
  "deployments/overlays/default",
  "deployments/overlays/talos",
  "deployments/overlays/multus-coexistence",
] as const;

/** The components in the combinations the overlays' comments suggest. */
export const COMPOSITIONS: readonly Composition[] = [
  {
    name: "default + nad-crd",
    resources: ["deployments/overlays/default"],
    components: ["deployments/components/nad-crd"],
  },
  {
    name: "talos + multus-coexistence",
    resources: ["deployments/base"],
    components: ["deployments/components/talos", "deployments/components/multus-coexistence"],
  },
];
