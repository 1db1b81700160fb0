import { describe, expect, it } from "vitest";
import { inClusterPlan, kubeSourceFor, planKubeAccess } from "../../../../src/cni/standalone/kube-access.ts";
import type { AccessPlan } from "../../../../src/cni/standalone/kube-access.ts";

describe("kubeSourceFor (Multus's GetK8sClient rule)", () => {
  const sa = "/sa";
  it.each([
    {
      name: "a kubeconfig path wins",
      kubeconfig: "/etc/cni/net.d/multus.d/multus.kubeconfig",
      env: { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" },
      want: { kind: "file", path: "/etc/cni/net.d/multus.d/multus.kubeconfig" },
    },
    {
      name: "no path, service env → in-cluster",
      kubeconfig: "",
      env: { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" },
      want: { kind: "in-cluster", host: "10.0.0.1", port: "443", serviceAccountDir: sa },
    },
    { name: "no path, no env → no Kubernetes", kubeconfig: "", env: {}, want: undefined },
    {
      name: "no path, host without port → no Kubernetes",
      kubeconfig: "",
      env: { KUBERNETES_SERVICE_HOST: "10.0.0.1" },
      want: undefined,
    },
  ])("$name", ({ kubeconfig, env, want }) => {
    expect(kubeSourceFor(kubeconfig, env, sa)).toEqual(want);
  });
});

const base = (cluster: Record<string, unknown>, user: Record<string, unknown> | undefined) => ({
  apiVersion: "v1",
  kind: "Config",
  "current-context": "ctx",
  contexts: [
    { name: "other", context: { cluster: "nope" } },
    { name: "ctx", context: { cluster: "c1", ...(user === undefined ? {} : { user: "u1" }) } },
  ],
  clusters: [{ name: "c1", cluster }],
  users: user === undefined ? [] : [{ name: "u1", user }],
});

describe("planKubeAccess", () => {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const cases: { name: string; doc: unknown; want: AccessPlan }[] = [
    {
      name: "token and CA data (what Multus's thin entrypoint writes)",
      doc: base(
        { server: "https://10.0.0.1:443/", "certificate-authority-data": b64("CA") },
        { token: "t0k" },
      ),
      want: {
        kind: "direct",
        plan: {
          server: "https://10.0.0.1:443",
          ca: { data: Buffer.from("CA") },
          insecureSkipTlsVerify: false,
          auth: { kind: "token", token: "t0k" },
        },
      },
    },
    {
      name: "relative CA, certificate and key files, resolved against the kubeconfig's directory",
      doc: base(
        { server: "https://api:6443", "certificate-authority": "ca.crt", "tls-server-name": "kubernetes" },
        { "client-certificate": "pki/node.crt", "client-key": "/abs/node.key" },
      ),
      want: {
        kind: "direct",
        plan: {
          server: "https://api:6443",
          ca: { file: "/etc/kube/ca.crt" },
          cert: { file: "/etc/kube/pki/node.crt" },
          key: { file: "/abs/node.key" },
          tlsServerName: "kubernetes",
          insecureSkipTlsVerify: false,
          auth: { kind: "none" },
        },
      },
    },
    {
      name: "a token file and insecure-skip-tls-verify",
      doc: base(
        { server: "http://127.0.0.1:8080", "insecure-skip-tls-verify": true },
        { tokenFile: "token" },
      ),
      want: {
        kind: "direct",
        plan: {
          server: "http://127.0.0.1:8080",
          insecureSkipTlsVerify: true,
          auth: { kind: "token-file", file: "/etc/kube/token" },
        },
      },
    },
    {
      name: "basic auth",
      doc: base({ server: "https://a" }, { username: "admin", password: "pw" }),
      want: {
        kind: "direct",
        plan: {
          server: "https://a",
          insecureSkipTlsVerify: false,
          auth: { kind: "basic", username: "admin", password: "pw" },
        },
      },
    },
    {
      name: "a context without a user",
      doc: base({ server: "https://a" }, undefined),
      want: {
        kind: "direct",
        plan: { server: "https://a", insecureSkipTlsVerify: false, auth: { kind: "none" } },
      },
    },
    {
      name: "an exec credential plugin goes to client-node",
      doc: base({ server: "https://a" }, { exec: { command: "aws" } }),
      want: { kind: "client-node", reason: "user exec" },
    },
    {
      name: "an auth-provider goes to client-node",
      doc: base({ server: "https://a" }, { "auth-provider": { name: "oidc" } }),
      want: { kind: "client-node", reason: "user auth-provider" },
    },
    {
      name: "impersonation goes to client-node",
      doc: base({ server: "https://a" }, { token: "t", as: "system:admin" }),
      want: { kind: "client-node", reason: "user as" },
    },
    {
      name: "a proxy goes to client-node",
      doc: base({ server: "https://a", "proxy-url": "http://proxy:3128" }, { token: "t" }),
      want: { kind: "client-node", reason: "proxy-url" },
    },
  ];
  it.each(cases)("$name", ({ doc, want }) => {
    expect(planKubeAccess(doc, "/etc/kube")).toEqual(want);
  });

  it.each([
    ["not a mapping", "text", "not a kubeconfig (expected a mapping)"],
    ["no current-context", { contexts: [] }, "no current-context"],
    [
      "an unknown current-context",
      { "current-context": "x", contexts: [] },
      'contexts has no entry named "x"',
    ],
    [
      "a context without a cluster",
      { "current-context": "x", contexts: [{ name: "x", context: {} }] },
      'context "x" names no cluster',
    ],
    [
      "an unknown cluster",
      { ...base({ server: "https://a" }, undefined), clusters: [] },
      'clusters has no entry named "c1"',
    ],
    ["a cluster without a server", base({}, undefined), 'cluster "c1" has no server'],
    [
      "an unknown user",
      { ...base({ server: "https://a" }, { token: "t" }), users: [] },
      'users has no entry named "u1"',
    ],
  ])("fails for %s", (_label, doc, message) => {
    expect(() => planKubeAccess(doc, "/")).toThrow(message);
  });
});

describe("inClusterPlan", () => {
  it.each([
    ["10.96.0.1", "https://10.96.0.1:443"],
    ["fd00::1", "https://[fd00::1]:443"],
  ])("uses the service address %s, the service account's CA and token", (host, server) => {
    expect(inClusterPlan({ kind: "in-cluster", host, port: "443", serviceAccountDir: "/sa" })).toEqual({
      server,
      ca: { file: "/sa/ca.crt" },
      insecureSkipTlsVerify: false,
      auth: { kind: "token-file", file: "/sa/token" },
    });
  });
});
