// A kubeconfig pointing at the stand-in server, loadable by client-node's KubeConfig.loadFromString.
import { stringify } from "yaml";

export interface KubeconfigOptions {
  token?: string;
  namespace?: string;
}

export const DEFAULT_TOKEN = "stand-in-token";

export function renderKubeconfig(server: string, options: KubeconfigOptions = {}): string {
  const context: Record<string, string> = { cluster: "stand-in", user: "stand-in-user" };
  if (options.namespace !== undefined) context["namespace"] = options.namespace;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    // client-node refuses http:// servers unless TLS verification is (vacuously) skipped.
    clusters: [{ name: "stand-in", cluster: { server, "insecure-skip-tls-verify": true } }],
    users: [{ name: "stand-in-user", user: { token: options.token ?? DEFAULT_TOKEN } }],
    contexts: [{ name: "stand-in", context }],
    "current-context": "stand-in",
    preferences: {},
  });
}
