// The kubeconfig the CNI plugin on the host uses, made from the installer pod's service account. Pure.
//
// As Multus's thin entrypoint writes multus.kubeconfig: one cluster whose server is
// `KUBERNETES_SERVICE_PROTOCOL` (default https) :// `KUBERNETES_SERVICE_HOST` : `KUBERNETES_SERVICE_PORT`,
// the service account's CA inline (`certificate-authority-data`), the token inline. Inline because the
// plugin runs on the host, where the pod's projected token has no stable path; so the file is 0600 and
// rewritten whenever the projected token rotates (kubeconfig-file.ts). Multus brackets every host;
// here only IPv6 hosts are bracketed (a URL parser rejects "[10.0.0.1]").
// YAML is written by hand with JSON-quoted scalars (JSON strings are valid YAML double-quoted strings),
// so that no secret ever passes through a formatter that might log it.
//
// Public API: `ServiceAccountMaterial`, `apiServerUrl`, `renderKubeconfig`, `KUBECONFIG_USER`.
import { isIPv6 } from "node:net";
import { CodedError } from "../../common/errors.ts";

export const KUBECONFIG_USER = "netclaim";
const CLUSTER = "local";
const CONTEXT = "netclaim";

export interface ServiceAccountMaterial {
  /** The API server URL (apiServerUrl). */
  server: string;
  /** ca.crt's bytes (PEM); absent: no CA in the kubeconfig (the system's roots then). */
  ca?: Uint8Array | undefined;
  /** The bearer token (surrounding whitespace is dropped). */
  token: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The API server's URL from the in-cluster service environment. Throws INVALID_CONFIG when unset. */
export function apiServerUrl(env: Env): string {
  const host = env.KUBERNETES_SERVICE_HOST ?? "";
  const port = env.KUBERNETES_SERVICE_PORT ?? "";
  if (host === "" || port === "") {
    throw new CodedError(
      "INVALID_CONFIG",
      "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set (the installer runs in a pod) " +
        "to write the CNI plugin's kubeconfig",
    );
  }
  const protocol =
    env.KUBERNETES_SERVICE_PROTOCOL === undefined || env.KUBERNETES_SERVICE_PROTOCOL === ""
      ? "https"
      : env.KUBERNETES_SERVICE_PROTOCOL;
  const shownHost = isIPv6(host) ? `[${host}]` : host;
  return `${protocol}://${shownHost}:${port}`;
}

const q = (value: string): string => JSON.stringify(value);

/** The kubeconfig file's text. Throws INVALID_CONFIG for an empty token. */
export function renderKubeconfig(material: ServiceAccountMaterial): string {
  const token = material.token.trim();
  if (token === "") throw new CodedError("INVALID_CONFIG", "the service account token is empty");
  const cluster = [`      server: ${q(material.server)}`];
  if (material.ca !== undefined && material.ca.length > 0) {
    cluster.push(`      certificate-authority-data: ${q(Buffer.from(material.ca).toString("base64"))}`);
  }
  return [
    "# Kubeconfig of the netclaim CNI plugin, written by `netclaim install-cni` from its service account.",
    "# Rewritten when the token rotates; do not edit.",
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `  - name: ${q(CLUSTER)}`,
    "    cluster:",
    ...cluster,
    "users:",
    `  - name: ${q(KUBECONFIG_USER)}`,
    "    user:",
    `      token: ${q(token)}`,
    "contexts:",
    `  - name: ${q(CONTEXT)}`,
    "    context:",
    `      cluster: ${q(CLUSTER)}`,
    `      user: ${q(KUBECONFIG_USER)}`,
    `current-context: ${q(CONTEXT)}`,
    "",
  ].join("\n");
}
