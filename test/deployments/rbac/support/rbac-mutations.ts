// The policy with one thing taken away, for the "fails when a rule is removed" loop of the replay test. Pure.
// One mutation each: a whole rule; one verb, API group, resource or resource name of a rule that lists more
// than one (a rule's only resource name is never dropped: an empty list would allow every name); a whole
// binding.
//
// Public API: `PolicyMutation`, `describeRule`, `singleRemovals`.
import type { PolicyRule, RbacPolicy, RbacRole } from "./rbac-authorizer.ts";

export interface PolicyMutation {
  /** "ClusterRole netclaim-controller rule 2 (resource.k8s.io deviceclasses get,list): verb get". */
  name: string;
  policy: RbacPolicy;
}

type ListField = "verbs" | "apiGroups" | "resources" | "resourceNames";
const LIST_FIELDS: readonly ListField[] = ["verbs", "apiGroups", "resources", "resourceNames"];
const SINGULAR: Record<ListField, string> = {
  verbs: "verb",
  apiGroups: "API group",
  resources: "resource",
  resourceNames: "resource name",
};

export function describeRule(role: RbacRole, index: number): string {
  const rule = role.rules[index];
  const groups = (rule?.apiGroups ?? []).map((g) => (g === "" ? "core" : g)).join(",");
  const names = rule?.resourceNames === undefined ? "" : ` [${rule.resourceNames.join(",")}]`;
  const what = `${groups} ${(rule?.resources ?? []).join(",")}${names} ${(rule?.verbs ?? []).join(",")}`;
  return `${role.kind} ${role.name} rule ${index} (${what})`;
}

function withRules(policy: RbacPolicy, role: RbacRole, rules: readonly PolicyRule[]): RbacPolicy {
  return { ...policy, roles: policy.roles.map((r) => (r === role ? { ...role, rules } : r)) };
}

function ruleMutations(policy: RbacPolicy, role: RbacRole, index: number): PolicyMutation[] {
  const rule = role.rules[index]!;
  const label = describeRule(role, index);
  const out: PolicyMutation[] = [
    {
      name: `${label} removed`,
      policy: withRules(
        policy,
        role,
        role.rules.filter((_, i) => i !== index),
      ),
    },
  ];
  for (const field of LIST_FIELDS) {
    const values = rule[field] ?? [];
    if (values.length < 2) continue;
    for (const value of values) {
      const narrowed = { ...rule, [field]: values.filter((v) => v !== value) };
      out.push({
        name: `${label} without ${SINGULAR[field]} ${JSON.stringify(value)}`,
        policy: withRules(
          policy,
          role,
          role.rules.map((r, i) => (i === index ? narrowed : r)),
        ),
      });
    }
  }
  return out;
}

/** Every single removal from `policy`. */
export function singleRemovals(policy: RbacPolicy): PolicyMutation[] {
  const out: PolicyMutation[] = [];
  for (const role of policy.roles) {
    for (let index = 0; index < role.rules.length; index++) out.push(...ruleMutations(policy, role, index));
  }
  for (const binding of policy.bindings) {
    out.push({
      name: `${binding.kind} ${binding.name} removed`,
      policy: { ...policy, bindings: policy.bindings.filter((b) => b !== binding) },
    });
  }
  return out;
}
