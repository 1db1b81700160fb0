// The replay test's RBAC authorizer (support/rbac-authorizer.ts) follows Kubernetes' rule matching: a
// subresource must be named as "resource/sub"; resourceNames never allow a create or a collection request;
// a RoleBinding grants only in its namespace (a ClusterRole through it too), a ClusterRoleBinding
// everywhere; service accounts are subjects by namespace and name; "*" and "*/sub" match as RBAC's do;
// discovery URLs by exact path or "prefix*". And the mutation loop (support/rbac-mutations.ts) takes away
// one thing at a time.
import { describe, expect, it } from "vitest";
import { BOOTSTRAP_DISCOVERY, withBootstrapDiscovery } from "./support/manifests.ts";
import { authorize, grantsOf, serviceAccountUser } from "./support/rbac-authorizer.ts";
import type { PolicyRule, RbacPolicy, RequestAttributes } from "./support/rbac-authorizer.ts";
import { singleRemovals } from "./support/rbac-mutations.ts";

const SA = serviceAccountUser("ns-a", "agent");

function policyOf(
  rules: PolicyRule[],
  binding: "ClusterRoleBinding" | "RoleBinding" = "ClusterRoleBinding",
): RbacPolicy {
  return {
    roles: [{ kind: "ClusterRole", name: "r", rules }],
    bindings: [
      {
        kind: binding,
        name: "b",
        ...(binding === "RoleBinding" ? { namespace: "ns-a" } : {}),
        roleRef: { kind: "ClusterRole", name: "r" },
        subjects: [{ kind: "ServiceAccount", namespace: "ns-a", name: "agent" }],
      },
    ],
  };
}

const res = (
  verb: string,
  resource: string,
  more: Partial<Extract<RequestAttributes, { kind: "resource" }>> = {},
): RequestAttributes => ({
  kind: "resource",
  verb,
  apiGroup: "resource.k8s.io",
  resource,
  ...more,
});
const claims: PolicyRule = {
  apiGroups: ["resource.k8s.io"],
  resources: ["resourceclaims"],
  verbs: ["get", "patch"],
};
const named: PolicyRule = {
  apiGroups: ["resource.k8s.io"],
  resources: ["resourceclaims/driver"],
  resourceNames: ["d1"],
  verbs: ["create", "associated-node:patch"],
};

const CASES = [
  {
    name: "a listed verb and resource",
    rules: [claims],
    attrs: res("get", "resourceclaims", { namespace: "x", name: "c" }),
    want: true,
  },
  {
    name: "a verb not listed",
    rules: [claims],
    attrs: res("delete", "resourceclaims", { namespace: "x", name: "c" }),
    want: false,
  },
  {
    name: "another group",
    rules: [claims],
    attrs: { ...res("get", "resourceclaims"), apiGroup: "" },
    want: false,
  },
  {
    name: "a subresource of a listed resource",
    rules: [claims],
    attrs: res("patch", "resourceclaims", { subresource: "status", name: "c" }),
    want: false,
  },
  {
    name: "resourceNames: the named object",
    rules: [named],
    attrs: res("associated-node:patch", "resourceclaims", {
      subresource: "driver",
      namespace: "x",
      name: "d1",
    }),
    want: true,
  },
  {
    name: "resourceNames: another object",
    rules: [named],
    attrs: res("associated-node:patch", "resourceclaims", {
      subresource: "driver",
      namespace: "x",
      name: "d2",
    }),
    want: false,
  },
  {
    name: "resourceNames: a create (no name)",
    rules: [named],
    attrs: res("create", "resourceclaims", { subresource: "driver" }),
    want: false,
  },
  {
    name: "wildcard verb",
    rules: [{ ...claims, verbs: ["*"] }],
    attrs: res("delete", "resourceclaims", { name: "c" }),
    want: true,
  },
  {
    name: "*/status",
    rules: [{ ...claims, resources: ["*/status"] }],
    attrs: res("patch", "resourceslices", { subresource: "status", name: "s" }),
    want: true,
  },
  {
    name: "a non-resource URL without a URL rule",
    rules: [claims],
    attrs: { kind: "non-resource", verb: "get", path: "/apis" },
    want: false,
  },
] as const;

describe("authorize", () => {
  it.each(CASES)("$name: $want", ({ rules, attrs, want }) => {
    expect(authorize(policyOf([...rules]), SA, attrs) !== undefined).toBe(want);
  });

  it.each([
    { name: "in the binding's namespace", namespace: "ns-a", want: true },
    { name: "in another namespace", namespace: "ns-b", want: false },
    { name: "cluster-scoped", namespace: undefined, want: false },
  ])("a RoleBinding to a ClusterRole grants $name: $want", ({ namespace, want }) => {
    const attrs = res("get", "resourceclaims", {
      name: "c",
      ...(namespace === undefined ? {} : { namespace }),
    });
    expect(authorize(policyOf([claims], "RoleBinding"), SA, attrs) !== undefined).toBe(want);
  });

  it.each([
    { name: "the bound service account", user: SA, want: true },
    { name: "the same name in another namespace", user: serviceAccountUser("ns-b", "agent"), want: false },
    {
      name: "a user named like it without the prefix",
      user: { username: "agent", groups: ["system:authenticated"] },
      want: false,
    },
  ])("binds $name: $want", ({ user, want }) => {
    expect(
      authorize(policyOf([claims]), user, res("get", "resourceclaims", { name: "c" })) !== undefined,
    ).toBe(want);
  });

  it.each([
    { path: "/apis/resource.k8s.io", want: true },
    { path: "/api", want: true },
    { path: "/version", want: true },
    { path: "/metrics", want: false },
  ])("system:discovery lets any authenticated user get $path: $want", ({ path, want }) => {
    const policy = withBootstrapDiscovery({ roles: [], bindings: [] });
    expect(authorize(policy, SA, { kind: "non-resource", verb: "get", path }) !== undefined).toBe(want);
    expect(
      authorize(policy, { username: "anonymous", groups: [] }, { kind: "non-resource", verb: "get", path }),
    ).toBeUndefined();
  });
});

describe("grantsOf and singleRemovals", () => {
  it("expands a rule into one access per group, resource, verb and name", () => {
    const role = policyOf([named]).roles[0]!;
    expect(grantsOf(role).map((g) => `${g.verb} ${g.resource} ${g.resourceName ?? ""}`)).toEqual([
      "create resourceclaims/driver d1",
      "associated-node:patch resourceclaims/driver d1",
    ]);
  });

  it("takes away each rule, each verb of a rule with several, and each binding — never a rule's only name", () => {
    expect(singleRemovals(policyOf([claims, named])).map((m) => m.name)).toEqual([
      "ClusterRole r rule 0 (resource.k8s.io resourceclaims get,patch) removed",
      'ClusterRole r rule 0 (resource.k8s.io resourceclaims get,patch) without verb "get"',
      'ClusterRole r rule 0 (resource.k8s.io resourceclaims get,patch) without verb "patch"',
      "ClusterRole r rule 1 (resource.k8s.io resourceclaims/driver [d1] create,associated-node:patch) removed",
      'ClusterRole r rule 1 (resource.k8s.io resourceclaims/driver [d1] create,associated-node:patch) without verb "create"',
      'ClusterRole r rule 1 (resource.k8s.io resourceclaims/driver [d1] create,associated-node:patch) without verb "associated-node:patch"',
      "ClusterRoleBinding b removed",
    ]);
    const withoutGet = singleRemovals(policyOf([claims]))[1]!.policy;
    expect(authorize(withoutGet, SA, res("get", "resourceclaims", { name: "c" }))).toBeUndefined();
    expect(authorize(withoutGet, SA, res("patch", "resourceclaims", { name: "c" }))).toBeDefined();
  });

  it("the bootstrap discovery policy is only discovery", () => {
    expect(BOOTSTRAP_DISCOVERY.roles.flatMap((r) => r.rules.map((rule) => rule.resources))).toEqual([
      undefined,
    ]);
  });
});
