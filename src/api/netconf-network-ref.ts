// What `clusterNetwork` and each `defaultNetworks` entry refer to. Multus's rule: a value without '/' is
// a name — the NAD of that name in `multusNamespace`, else the CNI config file in confDir whose "name"
// matches; a value with '/' is a path — a directory (its alphabetically first .conf/.conflist) or a file.
// netclaim adds one form Multus cannot use: `namespace/name` (a DNS-1123 label, '/', a DNS-1123
// subdomain not ending in .conf, .conflist or .json) names a NAD in that namespace. Multus would stat
// such a value relative to the runtime's working directory and fail. Absolute paths and anything else
// containing '/' stay paths.
//
// Public API: `NetworkReference`, `parseNetworkReference`, `NadTarget`, `nadTargetOf`.

export type NetworkReference =
  | { kind: "name"; name: string }
  | { kind: "nad"; namespace: string; name: string }
  | { kind: "path"; path: string };

const LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CONFIG_FILE_RE = /\.(conf|conflist|json)$/;
const MAX_LABEL = 63;
const MAX_SUBDOMAIN = 253;

function isNadReference(namespace: string, name: string): boolean {
  return (
    namespace.length <= MAX_LABEL &&
    LABEL_RE.test(namespace) &&
    name.length <= MAX_SUBDOMAIN &&
    SUBDOMAIN_RE.test(name) &&
    !CONFIG_FILE_RE.test(name)
  );
}

/** Classifies a network reference; returns the problem as a string when there is one. */
export function parseNetworkReference(value: string): NetworkReference | { problem: string } {
  if (value.trim() === "") return { problem: "must not be empty" };
  if (value.includes("\0")) return { problem: "must not contain a NUL byte" };
  if (!value.includes("/")) return { kind: "name", name: value };
  const parts = value.split("/");
  const [namespace = "", name = ""] = parts;
  if (!value.startsWith("/") && parts.length === 2 && isNadReference(namespace, name)) {
    return { kind: "nad", namespace, name };
  }
  return { kind: "path", path: value };
}

/** The NAD a reference looks up: `required` for `ns/name`; a plain name falls back to a confDir file. */
export interface NadTarget {
  namespace: string;
  name: string;
  required: boolean;
}

/** The NAD a name or `ns/name` reference looks up (a name: in `multusNamespace`). */
export function nadTargetOf(
  ref: Exclude<NetworkReference, { kind: "path" }>,
  multusNamespace: string,
): NadTarget {
  if (ref.kind === "nad") return { namespace: ref.namespace, name: ref.name, required: true };
  return { namespace: multusNamespace, name: ref.name, required: false };
}
