// The RBAC and admission manifests as the tests read them: every document of deployments/base/rbac/*.yaml
// and deployments/base/admission/*.yaml (the directory a parameter), the RBAC ones as an RbacPolicy, plus
// the service accounts of the components and the one piece of Kubernetes' bootstrap policy the components
// rely on: ClusterRole system:discovery (get on /api, /apis and the health and version paths), bound to
// the group system:authenticated.
//
// Public API: `DEPLOYMENTS_BASE`, `NAMESPACE`, `DRIVER`, `PLUGIN_SA`, `CONTROLLER_SA`, `ManifestDoc`,
// `readManifestDocs`, `rbacPolicyOf`, `withBootstrapDiscovery`, `BOOTSTRAP_DISCOVERY`.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import type { PolicyRule, RbacBinding, RbacPolicy, RbacRole, RbacSubject } from "./rbac-authorizer.ts";

export const DEPLOYMENTS_BASE = fileURLToPath(new URL("../../../../deployments/base", import.meta.url));
export const NAMESPACE = "netclaim";
export const DRIVER = "netclaim.dev";
export const PLUGIN_SA = { namespace: NAMESPACE, name: "netclaim-kubelet-plugin" } as const;
export const CONTROLLER_SA = { namespace: NAMESPACE, name: "netclaim-controller" } as const;

export interface ManifestDoc {
  file: string;
  doc: Record<string, unknown>;
}

/** Every YAML document of `<base>/<dir>/*.yaml` in file order, read at once (tables are built from them). */
export function readManifestDocs(dir: "rbac" | "admission", base = DEPLOYMENTS_BASE): ManifestDoc[] {
  const root = join(base, dir);
  const files = readdirSync(root)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  const out: ManifestDoc[] = [];
  for (const file of files) {
    for (const parsed of parseAllDocuments(readFileSync(join(root, file), "utf8"))) {
      if (parsed.errors.length > 0) throw new Error(`${dir}/${file}: ${parsed.errors[0]?.message ?? ""}`);
      const doc = parsed.toJS() as Record<string, unknown> | null;
      if (doc !== null) out.push({ file: `${dir}/${file}`, doc });
    }
  }
  return out;
}

type Meta = { name?: string; namespace?: string };

function toRole(doc: Record<string, unknown>): RbacRole {
  const meta = (doc["metadata"] ?? {}) as Meta;
  return {
    kind: doc["kind"] as RbacRole["kind"],
    name: meta.name ?? "",
    ...(meta.namespace === undefined ? {} : { namespace: meta.namespace }),
    rules: (doc["rules"] ?? []) as PolicyRule[],
  };
}

function toBinding(doc: Record<string, unknown>): RbacBinding {
  const meta = (doc["metadata"] ?? {}) as Meta;
  return {
    kind: doc["kind"] as RbacBinding["kind"],
    name: meta.name ?? "",
    ...(meta.namespace === undefined ? {} : { namespace: meta.namespace }),
    roleRef: doc["roleRef"] as RbacBinding["roleRef"],
    subjects: (doc["subjects"] ?? []) as RbacSubject[],
  };
}

/** The Roles, ClusterRoles and their bindings among the documents; anything else is an error. */
export function rbacPolicyOf(docs: readonly ManifestDoc[]): RbacPolicy {
  const roles: RbacRole[] = [];
  const bindings: RbacBinding[] = [];
  for (const { file, doc } of docs) {
    const kind = doc["kind"];
    if (kind === "ClusterRole" || kind === "Role") roles.push(toRole(doc));
    else if (kind === "ClusterRoleBinding" || kind === "RoleBinding") bindings.push(toBinding(doc));
    else throw new Error(`${file}: ${String(kind)} is not an RBAC object`);
  }
  return { roles, bindings };
}

/** Kubernetes' bootstrap ClusterRole system:discovery and its binding to every authenticated user. */
export const BOOTSTRAP_DISCOVERY: RbacPolicy = {
  roles: [
    {
      kind: "ClusterRole",
      name: "system:discovery",
      rules: [
        {
          verbs: ["get"],
          nonResourceURLs: [
            "/livez",
            "/readyz",
            "/healthz",
            "/version",
            "/version/",
            "/openapi",
            "/openapi/*",
            "/api",
            "/api/*",
            "/apis",
            "/apis/*",
          ],
        },
      ],
    },
  ],
  bindings: [
    {
      kind: "ClusterRoleBinding",
      name: "system:discovery",
      roleRef: { kind: "ClusterRole", name: "system:discovery" },
      subjects: [{ kind: "Group", name: "system:authenticated" }],
    },
  ],
};

export function withBootstrapDiscovery(policy: RbacPolicy): RbacPolicy {
  return {
    roles: [...policy.roles, ...BOOTSTRAP_DISCOVERY.roles],
    bindings: [...policy.bindings, ...BOOTSTRAP_DISCOVERY.bindings],
  };
}
