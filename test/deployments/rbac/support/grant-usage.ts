// Which accesses the RBAC policy grants that no call of the bound service accounts uses (the replay test's
// "nothing broader than the calls"). Pure. An access — one API group, resource (or "resource/subresource"),
// verb and, for a rule that names objects, one resource name — is used by a call of a service account bound
// to the role, in the role's namespace for a Role, to exactly that group, resource, verb (and object name).
//
// Public API: `unusedGrants`.
import type { ComponentCall } from "./recorded-calls.ts";
import { boundRole, grantsOf, serviceAccountUser, subjectMatches } from "./rbac-authorizer.ts";
import type { GrantedAccess, RbacBinding, RbacPolicy, RbacRole } from "./rbac-authorizer.ts";

function uses(call: ComponentCall, access: GrantedAccess, role: RbacRole): boolean {
  const a = call.attrs;
  if (a.kind !== "resource") return false;
  const resource = a.subresource === undefined ? a.resource : `${a.resource}/${a.subresource}`;
  return (
    a.apiGroup === access.apiGroup &&
    resource === access.resource &&
    a.verb === access.verb &&
    (access.resourceName === undefined || a.name === access.resourceName) &&
    (role.kind === "ClusterRole" || a.namespace === role.namespace)
  );
}

function boundCalls(binding: RbacBinding, calls: readonly ComponentCall[]): ComponentCall[] {
  return calls.filter((c) => {
    const user = serviceAccountUser(c.serviceAccount.namespace, c.serviceAccount.name);
    return binding.subjects.some((s) => subjectMatches(s, user));
  });
}

/** "ClusterRole netclaim-controller: get resource.k8s.io/deviceclasses" for every access nothing uses. */
export function unusedGrants(policy: RbacPolicy, calls: readonly ComponentCall[]): string[] {
  const out: string[] = [];
  for (const binding of policy.bindings) {
    const role = boundRole(policy, binding);
    if (role === undefined) {
      out.push(
        `${binding.kind} ${binding.name}: its role ${binding.roleRef.kind} ${binding.roleRef.name} is missing`,
      );
      continue;
    }
    const mine = boundCalls(binding, calls);
    for (const access of grantsOf(role)) {
      if (mine.some((c) => uses(c, access, role))) continue;
      const name = access.resourceName === undefined ? "" : ` name=${access.resourceName}`;
      const group = access.apiGroup === "" ? "core" : access.apiGroup;
      out.push(
        `${role.kind} ${role.name} rule ${access.ruleIndex}: ${access.verb} ${group}/${access.resource}${name}`,
      );
    }
  }
  return out;
}
