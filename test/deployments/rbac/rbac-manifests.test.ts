// The shape of deployments/base/rbac/ and deployments/base/admission/, without running anything:
//   - no wildcard anywhere: no "*" in any string of an RBAC object (verbs, groups, resources, names, URLs)
//     nor in an admission policy's match rules;
//   - one ClusterRole and ClusterRoleBinding per component, named after its service account; the only
//     namespaced grant is the controller's Role for its Lease, bound in namespace netclaim;
//   - every binding's subject is exactly its component's service account in namespace netclaim, and every
//     role is bound;
//   - every resource rule names its groups, resources and verbs; none grants non-resource URLs;
//   - each admission policy fails closed, matches the kubelet plugin's service account by name, and has one
//     binding that denies (validationActions [Deny]).
import { describe, expect, it } from "vitest";
import { PLUGIN_USER } from "./support/admission-samples.ts";
import { CONTROLLER_SA, NAMESPACE, PLUGIN_SA, rbacPolicyOf, readManifestDocs } from "./support/manifests.ts";

const RBAC_DOCS = readManifestDocs("rbac");
const ADMISSION_DOCS = readManifestDocs("admission");
const POLICY = rbacPolicyOf(RBAC_DOCS);

/** Every string in a JSON value, with its path. */
function strings(value: unknown, path = ""): { path: string; value: string }[] {
  if (typeof value === "string") return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => strings(v, path === "" ? k : `${path}.${k}`));
  }
  return [];
}

describe("deployments/base/rbac", () => {
  it("has no wildcard anywhere", () => {
    const found = RBAC_DOCS.flatMap((d) => strings(d.doc).map((s) => ({ file: d.file, ...s })));
    expect(found.length).toBeGreaterThan(20);
    expect(found.filter((s) => s.value.includes("*"))).toEqual([]);
  });

  it("has one ClusterRole per component, and a Role in netclaim for the controller's Lease", () => {
    expect(POLICY.roles.map((r) => `${r.kind} ${r.namespace ?? "-"}/${r.name}`).sort()).toEqual([
      "ClusterRole -/netclaim-controller",
      "ClusterRole -/netclaim-kubelet-plugin",
      `Role ${NAMESPACE}/netclaim-controller-leader-election`,
    ]);
  });

  it("binds each role to exactly its component's service account", () => {
    const bound = POLICY.bindings.map((b) => ({
      binding: `${b.kind} ${b.namespace ?? "-"}/${b.name}`,
      role: `${b.roleRef.kind} ${b.roleRef.name}`,
      subjects: b.subjects,
    }));
    const sa = (ref: { namespace: string; name: string }) => [{ kind: "ServiceAccount", ...ref }];
    expect(bound.sort((a, b) => a.binding.localeCompare(b.binding))).toEqual([
      {
        binding: "ClusterRoleBinding -/netclaim-controller",
        role: "ClusterRole netclaim-controller",
        subjects: sa(CONTROLLER_SA),
      },
      {
        binding: "ClusterRoleBinding -/netclaim-kubelet-plugin",
        role: "ClusterRole netclaim-kubelet-plugin",
        subjects: sa(PLUGIN_SA),
      },
      {
        binding: `RoleBinding ${NAMESPACE}/netclaim-controller-leader-election`,
        role: "Role netclaim-controller-leader-election",
        subjects: sa(CONTROLLER_SA),
      },
    ]);
  });

  it("names groups, resources and verbs in every rule, and no non-resource URL", () => {
    const rules = POLICY.roles.flatMap((r) => r.rules.map((rule, i) => ({ at: `${r.name}[${i}]`, rule })));
    const incomplete = rules.filter(
      ({ rule }) =>
        !(rule.apiGroups?.length && rule.resources?.length && rule.verbs.length) ||
        rule.nonResourceURLs !== undefined,
    );
    expect(incomplete.map((r) => r.at)).toEqual([]);
  });
});

describe("deployments/base/admission", () => {
  it("binds every policy with Deny, fails closed, and matches the plugin's service account by name", () => {
    const kind = (k: string) => ADMISSION_DOCS.filter((d) => d.doc["kind"] === k);
    const nameOf = (d: { doc: Record<string, unknown> }) => (d.doc["metadata"] as { name: string }).name;
    const policies = kind("ValidatingAdmissionPolicy");
    const bindings = kind("ValidatingAdmissionPolicyBinding");
    expect(policies.map(nameOf).sort()).toEqual([
      "netclaim-kubelet-plugin-pod-status",
      "netclaim-kubelet-plugin-resourceslices",
    ]);
    for (const p of policies) {
      const name = nameOf(p);
      const spec = p.doc["spec"] as { failurePolicy?: string; matchConditions?: { expression: string }[] };
      expect(spec.failurePolicy, name).toBe("Fail");
      expect(
        spec.matchConditions?.map((c) => c.expression),
        name,
      ).toEqual([`request.userInfo.username == "${PLUGIN_USER}"`]);
      const bound = bindings.filter((b) => (b.doc["spec"] as { policyName?: string }).policyName === name);
      expect(
        bound.map((b) => b.doc["spec"]),
        name,
      ).toEqual([{ policyName: name, validationActions: ["Deny"] }]);
    }
    expect(ADMISSION_DOCS).toHaveLength(policies.length + bindings.length);
  });

  it("matches no wildcard group, version, operation or resource", () => {
    const rules = ADMISSION_DOCS.flatMap((d) => {
      const spec = d.doc["spec"] as { matchConstraints?: { resourceRules?: unknown[] } } | undefined;
      return spec?.matchConstraints?.resourceRules ?? [];
    });
    expect(rules).toHaveLength(2);
    expect(strings(rules).filter((s) => s.value.includes("*"))).toEqual([]);
  });
});
