// A small RBAC authorizer, the rule matching of Kubernetes' RBAC authorizer (rbac.authorization.k8s.io/v1)
// for what the replay test needs. Pure:
//   - a rule allows a resource request when its verbs, apiGroups and resources hold the request's verb,
//     group and resource ("resource/subresource" for a subresource; "*" and "*/sub" are understood so that a
//     wildcard, which the manifests must not have, is judged as Kubernetes would), and resourceNames, when
//     given, hold the request's object name (a create or a collection request has none, so such a rule never
//     allows it); a non-resource request (discovery) by nonResourceURLs (exact, or a prefix ending in "*");
//   - a ClusterRoleBinding grants its role's rules everywhere; a RoleBinding (to a Role of its namespace or
//     to a ClusterRole) only for requests in its namespace;
//   - subjects: a ServiceAccount is user "system:serviceaccount:<ns>:<name>" in the groups
//     system:serviceaccounts, system:serviceaccounts:<ns> and system:authenticated.
// Not done: aggregated ClusterRoles, the escalation checks on writing RBAC objects, other authorizers.
//
// Public API: `PolicyRule`, `RbacRole`, `RbacBinding`, `RbacPolicy`, `RequestAttributes`, `UserInfo`,
// `Grant`, `GrantedAccess`, `serviceAccountUser`, `boundRole`, `subjectMatches`, `authorize`, `grantsOf`,
// `ruleAllows`.

export interface PolicyRule {
  verbs: readonly string[];
  apiGroups?: readonly string[];
  resources?: readonly string[];
  resourceNames?: readonly string[];
  nonResourceURLs?: readonly string[];
}

export interface RbacRole {
  kind: "ClusterRole" | "Role";
  name: string;
  namespace?: string;
  rules: readonly PolicyRule[];
}

export interface RbacSubject {
  kind: "ServiceAccount" | "User" | "Group";
  name: string;
  namespace?: string;
}

export interface RbacBinding {
  kind: "ClusterRoleBinding" | "RoleBinding";
  name: string;
  namespace?: string;
  roleRef: { kind: "ClusterRole" | "Role"; name: string };
  subjects: readonly RbacSubject[];
}

export interface RbacPolicy {
  roles: readonly RbacRole[];
  bindings: readonly RbacBinding[];
}

export type RequestAttributes =
  | {
      kind: "resource";
      verb: string;
      apiGroup: string;
      resource: string;
      subresource?: string;
      namespace?: string;
      name?: string;
    }
  | { kind: "non-resource"; verb: string; path: string };

export interface UserInfo {
  username: string;
  groups: readonly string[];
}

/** Which binding, role and rule allowed a request. */
export interface Grant {
  binding: string;
  role: string;
  ruleIndex: number;
}

export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return {
    username: `system:serviceaccount:${namespace}:${name}`,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
  };
}

const has = (list: readonly string[] | undefined, value: string): boolean =>
  list !== undefined && (list.includes("*") || list.includes(value));

function urlMatches(patterns: readonly string[] | undefined, path: string): boolean {
  return (patterns ?? []).some(
    (p) => p === "*" || p === path || (p.endsWith("*") && path.startsWith(p.slice(0, -1))),
  );
}

function resourceMatches(rule: PolicyRule, resource: string, subresource: string | undefined): boolean {
  const combined = subresource === undefined ? resource : `${resource}/${subresource}`;
  return (rule.resources ?? []).some(
    (r) => r === "*" || r === combined || (subresource !== undefined && r === `*/${subresource}`),
  );
}

/** Whether one rule allows the request (Kubernetes' RuleAllows). */
export function ruleAllows(rule: PolicyRule, attrs: RequestAttributes): boolean {
  if (attrs.kind === "non-resource")
    return has(rule.verbs, attrs.verb) && urlMatches(rule.nonResourceURLs, attrs.path);
  if (!has(rule.verbs, attrs.verb) || !has(rule.apiGroups, attrs.apiGroup)) return false;
  if (!resourceMatches(rule, attrs.resource, attrs.subresource)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (attrs.name !== undefined && names.includes(attrs.name));
}

export function subjectMatches(subject: RbacSubject, user: UserInfo): boolean {
  switch (subject.kind) {
    case "User":
      return subject.name === user.username;
    case "Group":
      return user.groups.includes(subject.name);
    case "ServiceAccount":
      return `system:serviceaccount:${subject.namespace ?? ""}:${subject.name}` === user.username;
  }
}

/** The role a binding refers to (a Role of the binding's namespace, or a ClusterRole), if it exists. */
export function boundRole(policy: RbacPolicy, binding: RbacBinding): RbacRole | undefined {
  const { kind, name } = binding.roleRef;
  return policy.roles.find(
    (r) =>
      r.kind === kind && r.name === name && (kind === "ClusterRole" || r.namespace === binding.namespace),
  );
}

function bindingApplies(binding: RbacBinding, attrs: RequestAttributes): boolean {
  if (binding.kind === "ClusterRoleBinding") return true;
  return attrs.kind === "resource" && attrs.namespace !== undefined && attrs.namespace === binding.namespace;
}

/** The first grant that allows the request for the user, or undefined (denied: RBAC has no deny rules). */
export function authorize(policy: RbacPolicy, user: UserInfo, attrs: RequestAttributes): Grant | undefined {
  for (const binding of policy.bindings) {
    if (!binding.subjects.some((s) => subjectMatches(s, user)) || !bindingApplies(binding, attrs)) continue;
    const role = boundRole(policy, binding);
    const ruleIndex = role?.rules.findIndex((rule) => ruleAllows(rule, attrs)) ?? -1;
    if (role !== undefined && ruleIndex >= 0) return { binding: binding.name, role: role.name, ruleIndex };
  }
  return undefined;
}

/** One (apiGroup, resource, verb[, resourceName]) a rule grants, for the "nothing unused" check. */
export interface GrantedAccess {
  role: string;
  ruleIndex: number;
  apiGroup: string;
  resource: string;
  verb: string;
  resourceName?: string;
}

/** Every single access the role's resource rules grant. */
export function grantsOf(role: RbacRole): GrantedAccess[] {
  return role.rules.flatMap((rule, ruleIndex) =>
    (rule.apiGroups ?? []).flatMap((apiGroup) =>
      (rule.resources ?? []).flatMap((resource) =>
        rule.verbs.flatMap((verb) => {
          const base = { role: role.name, ruleIndex, apiGroup, resource, verb };
          const names = rule.resourceNames ?? [];
          return names.length === 0 ? [base] : names.map((resourceName) => ({ ...base, resourceName }));
        }),
      ),
    ),
  );
}
