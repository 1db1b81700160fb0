// Where the API server's address and credentials come from: a kubeconfig file, a kubeconfig
// string, or the pod's service account (in-cluster). Entry points choose; nothing here reads env.
import { existsSync, readFileSync } from "node:fs";
import { isIPv6 } from "node:net";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export type KubeConfigSource =
  | { kind: "file"; path: string; context?: string }
  | { kind: "yaml"; yaml: string; context?: string }
  | {
      kind: "in-cluster";
      /** KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT, as the entry point read them. */
      host: string | undefined;
      port: string | undefined;
      serviceAccountDir?: string;
    };

/**
 * The source a `--kubeconfig` flag names: a path, or in-cluster when empty (the DESIGN default).
 * `env` is the entry point's process.env.
 */
export function kubeConfigSourceFromFlag(
  kubeconfigPath: string | undefined,
  env: Record<string, string | undefined>,
): KubeConfigSource {
  if (kubeconfigPath !== undefined && kubeconfigPath !== "") return { kind: "file", path: kubeconfigPath };
  return { kind: "in-cluster", host: env.KUBERNETES_SERVICE_HOST, port: env.KUBERNETES_SERVICE_PORT };
}

export function loadKubeConfig(source: KubeConfigSource): KubeConfig {
  const kc = new KubeConfig();
  try {
    switch (source.kind) {
      case "file":
        kc.loadFromFile(source.path);
        break;
      case "yaml":
        kc.loadFromString(source.yaml);
        break;
      case "in-cluster":
        loadInCluster(kc, source);
        break;
    }
    if ("context" in source && source.context !== undefined) kc.setCurrentContext(source.context);
  } catch (cause) {
    throw new Error(`load kubeconfig (${describeSource(source)})`, { cause });
  }
  if (kc.getCurrentCluster() === null) {
    throw new Error(`kubeconfig (${describeSource(source)}) has no current context with a cluster`);
  }
  return kc;
}

function describeSource(source: KubeConfigSource): string {
  switch (source.kind) {
    case "file":
      return `file ${source.path}`;
    case "yaml":
      return "inline YAML";
    case "in-cluster":
      return `in-cluster, service account ${source.serviceAccountDir ?? SERVICE_ACCOUNT_DIR}`;
  }
}

/** Like client-go's rest.InClusterConfig: https to the service address, CA and a re-read token file. */
function loadInCluster(kc: KubeConfig, source: Extract<KubeConfigSource, { kind: "in-cluster" }>): void {
  if (!source.host || !source.port) {
    throw new Error(
      "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset",
    );
  }
  const dir = source.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const host = isIPv6(source.host) ? `[${source.host}]` : source.host;
  const namespace = readInClusterNamespace(dir);
  kc.loadFromOptions({
    clusters: [{ name: "in-cluster", server: `https://${host}:${source.port}`, caFile: join(dir, "ca.crt") }],
    // The tokenFile provider re-reads the projected token (it rotates) about once a minute.
    users: [
      { name: "in-cluster", authProvider: { name: "tokenFile", config: { tokenFile: join(dir, "token") } } },
    ],
    contexts: [{ name: "in-cluster", cluster: "in-cluster", user: "in-cluster", namespace }],
    currentContext: "in-cluster",
  });
}

/** The pod's namespace from the service account mount, or undefined outside a pod. */
export function readInClusterNamespace(serviceAccountDir: string = SERVICE_ACCOUNT_DIR): string | undefined {
  const file = join(serviceAccountDir, "namespace");
  if (!existsSync(file)) return undefined;
  const namespace = readFileSync(file, "utf8").trim();
  return namespace === "" ? undefined : namespace;
}

/** The current context's namespace, if the kubeconfig names one. */
export function contextNamespace(kc: KubeConfig): string | undefined {
  const namespace = kc.getContextObject(kc.getCurrentContext())?.namespace;
  return namespace === undefined || namespace === "" ? undefined : namespace;
}
