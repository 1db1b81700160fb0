// Every manifest in the repository validates against its schema — the Kubernetes OpenAPI schemas
// (kubernetes-models) for built-in kinds, the CRD's own openAPIV3Schema for custom resources — and has no
// field its kind does not know (the API server's strict field validation, which `kubectl apply` asks
// for). Read from the files themselves: deployments/base (rbac/ and admission/ included), the CRDs,
// the NAD CRD component, the rendered install.yaml and every example. What kustomize renders from the
// overlays is checked in render.test.ts. The checkers catch what they should: the last block feeds them
// broken objects.
import { describe, expect, it } from "vitest";
import {
  exampleDirs,
  kustomizationDirsUnder,
  parseManifests,
  readManifests,
  yamlFilesIn,
} from "./support/manifests.ts";
import type { Manifest } from "./support/manifests.ts";
import { crdSchemasOf, schemaProblems } from "./support/schemas.ts";
import { strictFieldProblems } from "./support/strict-fields.ts";

const CRD_FILES = [
  ...yamlFilesIn("deployments/crds", { kustomized: true }),
  "deployments/components/nad-crd/network-attachment-definitions.k8s.cni.cncf.io.yaml",
];
const CRDS = crdSchemasOf(CRD_FILES.flatMap(readManifests));

const BASE_FILES = ["deployments/base", "deployments/base/rbac", "deployments/base/admission"].flatMap(
  (dir) => yamlFilesIn(dir, { kustomized: true }),
);

const FILE_SETS = [
  { name: "deployments/base", files: BASE_FILES },
  { name: "deployments/crds and components/nad-crd", files: CRD_FILES },
  { name: "deployments/install.yaml", files: ["deployments/install.yaml"] },
  ...exampleDirs().map((dir) => ({ name: dir, files: yamlFilesIn(dir) })),
];

async function problemsOf(manifests: readonly Manifest[]): Promise<string[]> {
  const out: string[] = [];
  for (const manifest of manifests) {
    for (const problem of await schemaProblems(manifest, CRDS)) out.push(`${manifest.source}: ${problem}`);
  }
  const builtIn = manifests.filter((m) => !CRDS.has(`${m.object.apiVersion}/${m.object.kind}`));
  return [...out, ...strictFieldProblems(builtIn)];
}

describe("manifest files validate against their schemas", () => {
  it.each(FILE_SETS)("$name", async ({ files }) => {
    const manifests = files.flatMap(readManifests);
    expect(manifests.length).toBeGreaterThan(0);
    expect(await problemsOf(manifests)).toEqual([]);
  });

  it("the example sets are every example directory, each with manifests of its own or a kustomization", () => {
    for (const dir of exampleDirs()) {
      const own = yamlFilesIn(dir).length;
      const kustomized = kustomizationDirsUnder(dir).length;
      expect(own + kustomized, dir).toBeGreaterThan(0);
    }
  });
});

const BROKEN = `
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: broken, namespace: x }
spec:
  selector: { matchLabels: { a: b } }
  template:
    metadata: { labels: { a: b } }
    spec:
      containers:
        - name: c
          image: i
          ports: [{ containerPort: "metrics" }]
---
apiVersion: v1
kind: Pod
metadata: { name: typo }
spec:
  containers:
    - name: c
      image: i
      volumeMounts: [{ name: v, mountPath: /x, mountPropogation: HostToContainer }]
---
apiVersion: netclaim.dev/v1alpha1
kind: IPPool
metadata: { name: p }
spec: { cidrs: ["10.0.0.0/24"], gatway: 10.0.0.1 }
---
apiVersion: netclaim.dev/v1alpha1
kind: IPPool
metadata: { name: q }
spec: { ranges: [] }
---
apiVersion: example.com/v1
kind: Widget
metadata: { name: w }
`;

describe("the checkers catch broken objects", () => {
  const [daemonSet, typo, extraField, missingField, unknownKind] = parseManifests(BROKEN, "broken");
  const cases = [
    { name: "a wrong type", manifest: daemonSet!, want: /containerPort must be integer/ },
    {
      name: "a CRD object's unknown field",
      manifest: extraField!,
      want: /must NOT have additional properties/,
    },
    {
      name: "a CRD object's missing field",
      manifest: missingField!,
      want: /data\/spec must have required property cidrs/,
    },
    {
      name: "a kind without a schema",
      manifest: unknownKind!,
      want: /no schema for example\.com\/v1 Widget/,
    },
  ];
  it.each(cases)("$name", async ({ manifest, want }) => {
    const problems = await schemaProblems(manifest, CRDS);
    expect(problems.join("\n")).toMatch(want);
  });

  it("a misspelt field of a built-in kind, which the JSON schema lets pass", async () => {
    expect(await schemaProblems(typo!, CRDS)).toEqual([]);
    const problems = strictFieldProblems([typo!]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^Pod typo \(broken\) at spec\.containers\[0\]\.volumeMounts\[0\]: .*mountPropogation/,
    );
  });
});
