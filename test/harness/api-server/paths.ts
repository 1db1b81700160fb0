// Request paths and verbs, resolved the way k8s.io/apiserver's RequestInfoFactory resolves them.

export type DiscoveryDoc =
  "core-versions" | "core-resources" | "group-list" | "group" | "group-resources" | "version";

export type ParsedPath =
  | { type: "discovery"; doc: DiscoveryDoc; group: string; version: string }
  | { type: "health" }
  | {
      type: "resource";
      group: string;
      version: string;
      resource: string;
      namespace?: string;
      name?: string;
      subresource?: string;
    }
  | { type: "unknown" };

/** Subresources of a namespace, which make `namespaces/<name>/<x>` a namespace request. */
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

function resourceParts(group: string, version: string, parts: readonly string[]): ParsedPath {
  let rest = parts;
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length > 1) {
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2] ?? "")) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  if (rest.length === 0 || rest.length > 3) return { type: "unknown" };
  const parsed: ParsedPath = { type: "resource", group, version, resource: rest[0] ?? "" };
  if (namespace !== undefined) parsed.namespace = namespace;
  if (rest[1] !== undefined) parsed.name = rest[1];
  if (rest[2] !== undefined) parsed.subresource = rest[2];
  return parsed;
}

export function parsePath(pathname: string): ParsedPath {
  let parts: string[];
  try {
    parts = pathname
      .split("/")
      .filter((p) => p !== "")
      .map((p) => decodeURIComponent(p));
  } catch {
    return { type: "unknown" };
  }
  const [root, second, third] = parts;
  if (root === "version" && parts.length === 1)
    return { type: "discovery", doc: "version", group: "", version: "" };
  if ((root === "healthz" || root === "readyz" || root === "livez") && parts.length === 1)
    return { type: "health" };
  if (root === "api") {
    if (second === undefined) return { type: "discovery", doc: "core-versions", group: "", version: "" };
    if (parts.length === 2) return { type: "discovery", doc: "core-resources", group: "", version: second };
    return resourceParts("", second, parts.slice(2));
  }
  if (root === "apis") {
    if (second === undefined) return { type: "discovery", doc: "group-list", group: "", version: "" };
    if (third === undefined) return { type: "discovery", doc: "group", group: second, version: "" };
    if (parts.length === 3)
      return { type: "discovery", doc: "group-resources", group: second, version: third };
    return resourceParts(second, third, parts.slice(3));
  }
  return { type: "unknown" };
}

export function isWatchParam(value: string | null): boolean {
  return value === "true" || value === "1";
}

/** The audit verb kube-apiserver logs for a request. */
export function auditVerb(method: string, hasName: boolean, watch: boolean): string {
  switch (method) {
    case "GET":
    case "HEAD":
      if (watch) return "watch";
      return hasName ? "get" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return hasName ? "delete" : "deletecollection";
    default:
      return method.toLowerCase();
  }
}
