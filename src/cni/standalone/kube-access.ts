// How the plugin reaches the API server, decided from the netclaim config's `kubeconfig` (Multus's rule,
// GetK8sClient): a path → that kubeconfig file; empty with KUBERNETES_SERVICE_HOST/PORT set → the pod's
// service account (in-cluster); empty otherwise → no Kubernetes at all (static `delegates` only).
//
// A kubeconfig that uses only what kubeconfigs for node agents use — server, CA (file or data),
// insecure-skip-tls-verify, tls-server-name, a client certificate and key (file or data), a bearer token
// (inline or tokenFile), basic auth — is read here ("direct"), so the plugin does not load
// @kubernetes/client-node (about 300 ms of start-up per CNI call). Anything else (exec and auth-provider
// credentials, proxy-url, impersonation) is left to client-node ("client-node"). Relative file paths are
// resolved against the kubeconfig's directory, as client-go does.
//
// Public API: `KubeSource`, `kubeSourceFor`, `DirectAccessPlan`, `AccessPlan`, `planKubeAccess`,
// `inClusterPlan`, `SERVICE_ACCOUNT_DIR`.
import { isIPv6 } from "node:net";
import { isAbsolute, join, resolve } from "node:path";

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export type KubeSource =
  | { kind: "file"; path: string }
  | { kind: "in-cluster"; host: string; port: string; serviceAccountDir: string };

/** Where the API server is for this config and environment, or undefined for "no Kubernetes". */
export function kubeSourceFor(
  kubeconfig: string,
  env: Readonly<Record<string, string | undefined>>,
  serviceAccountDir: string = SERVICE_ACCOUNT_DIR,
): KubeSource | undefined {
  if (kubeconfig !== "") return { kind: "file", path: kubeconfig };
  const host = env.KUBERNETES_SERVICE_HOST ?? "";
  const port = env.KUBERNETES_SERVICE_PORT ?? "";
  if (host === "" || port === "") return undefined;
  return { kind: "in-cluster", host, port, serviceAccountDir };
}

/** Files or inline (base64-decoded) bytes. */
export type Material = { file: string } | { data: Buffer };

export interface DirectAccessPlan {
  /** Base URL without a trailing slash. */
  server: string;
  ca?: Material;
  cert?: Material;
  key?: Material;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  auth:
    | { kind: "none" }
    | { kind: "token"; token: string }
    | { kind: "token-file"; file: string }
    | { kind: "basic"; username: string; password: string };
}

export type AccessPlan = { kind: "direct"; plan: DirectAccessPlan } | { kind: "client-node"; reason: string };

type Doc = Record<string, unknown>;

function isDoc(value: unknown): value is Doc {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(doc: Doc, key: string): string | undefined {
  const value = doc[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The `<kind>` entry named `name` of a kubeconfig list (clusters, users, contexts). */
function named(doc: Doc, list: string, name: string, inner: string): Doc {
  const entries = Array.isArray(doc[list]) ? (doc[list] as unknown[]) : [];
  const entry = entries.find((e) => isDoc(e) && e.name === name);
  if (!isDoc(entry)) throw new Error(`${list} has no entry named ${JSON.stringify(name)}`);
  const body = entry[inner];
  return isDoc(body) ? body : {};
}

function material(doc: Doc, fileKey: string, dataKey: string, baseDir: string): Material | undefined {
  const data = str(doc, dataKey);
  if (data !== undefined) return { data: Buffer.from(data, "base64") };
  const file = str(doc, fileKey);
  if (file === undefined) return undefined;
  return { file: isAbsolute(file) ? file : resolve(baseDir, file) };
}

const CLIENT_NODE_USER_KEYS = ["exec", "auth-provider", "as", "as-groups", "as-uid", "as-user-extra"];

function authOf(user: Doc, baseDir: string): DirectAccessPlan["auth"] {
  const token = str(user, "token");
  if (token !== undefined) return { kind: "token", token };
  const tokenFile = str(user, "tokenFile");
  if (tokenFile !== undefined) {
    return { kind: "token-file", file: isAbsolute(tokenFile) ? tokenFile : resolve(baseDir, tokenFile) };
  }
  const username = str(user, "username");
  if (username !== undefined) return { kind: "basic", username, password: str(user, "password") ?? "" };
  return { kind: "none" };
}

/**
 * The access a parsed kubeconfig describes (its current context), or why client-node must handle it.
 * Throws, naming what is missing, for a kubeconfig without a usable current context or server.
 */
export function planKubeAccess(doc: unknown, baseDir: string): AccessPlan {
  if (!isDoc(doc)) throw new Error("not a kubeconfig (expected a mapping)");
  const contextName = str(doc, "current-context");
  if (contextName === undefined) throw new Error("no current-context");
  const context = named(doc, "contexts", contextName, "context");
  const clusterName = str(context, "cluster");
  if (clusterName === undefined) throw new Error(`context ${JSON.stringify(contextName)} names no cluster`);
  const cluster = named(doc, "clusters", clusterName, "cluster");
  const server = str(cluster, "server");
  if (server === undefined) throw new Error(`cluster ${JSON.stringify(clusterName)} has no server`);
  if (str(cluster, "proxy-url") !== undefined) return { kind: "client-node", reason: "proxy-url" };
  const userName = str(context, "user");
  const user = userName === undefined ? {} : named(doc, "users", userName, "user");
  const special = CLIENT_NODE_USER_KEYS.find((k) => user[k] !== undefined && user[k] !== null);
  if (special !== undefined) return { kind: "client-node", reason: `user ${special}` };
  const plan: DirectAccessPlan = {
    server: server.replace(/\/+$/, ""),
    insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
    auth: authOf(user, baseDir),
  };
  const ca = material(cluster, "certificate-authority", "certificate-authority-data", baseDir);
  const cert = material(user, "client-certificate", "client-certificate-data", baseDir);
  const key = material(user, "client-key", "client-key-data", baseDir);
  const tlsServerName = str(cluster, "tls-server-name");
  if (ca !== undefined) plan.ca = ca;
  if (cert !== undefined) plan.cert = cert;
  if (key !== undefined) plan.key = key;
  if (tlsServerName !== undefined) plan.tlsServerName = tlsServerName;
  return { kind: "direct", plan };
}

/** client-go's rest.InClusterConfig: https to the service address, the service account's CA and token. */
export function inClusterPlan(source: Extract<KubeSource, { kind: "in-cluster" }>): DirectAccessPlan {
  const host = isIPv6(source.host) ? `[${source.host}]` : source.host;
  return {
    server: `https://${host}:${source.port}`,
    ca: { file: join(source.serviceAccountDir, "ca.crt") },
    insecureSkipTlsVerify: false,
    auth: { kind: "token-file", file: join(source.serviceAccountDir, "token") },
  };
}
