// The plugin's kubeconfig: the server from the service environment (IPv6 bracketed, protocol default
// https), the CA and token inline; the plugin's own kubeconfig reader takes it as a direct token plan.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { planKubeAccess } from "../../../../src/cni/standalone/kube-access.ts";
import { apiServerUrl, renderKubeconfig } from "../../../../src/cni/install/render-kubeconfig.ts";

const CA = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");

describe("apiServerUrl", () => {
  const cases: { name: string; env: Record<string, string>; want: string }[] = [
    {
      name: "IPv4",
      env: { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" },
      want: "https://10.96.0.1:443",
    },
    {
      name: "IPv6 is bracketed",
      env: { KUBERNETES_SERVICE_HOST: "fd00:10:96::1", KUBERNETES_SERVICE_PORT: "6443" },
      want: "https://[fd00:10:96::1]:6443",
    },
    {
      name: "a host name",
      env: { KUBERNETES_SERVICE_HOST: "api.example", KUBERNETES_SERVICE_PORT: "443" },
      want: "https://api.example:443",
    },
    {
      name: "KUBERNETES_SERVICE_PROTOCOL",
      env: {
        KUBERNETES_SERVICE_HOST: "10.0.0.1",
        KUBERNETES_SERVICE_PORT: "80",
        KUBERNETES_SERVICE_PROTOCOL: "http",
      },
      want: "http://10.0.0.1:80",
    },
  ];
  it.each(cases)("$name", ({ env, want }) => {
    expect(apiServerUrl(env)).toBe(want);
  });

  it.each([[{}], [{ KUBERNETES_SERVICE_HOST: "10.0.0.1" }], [{ KUBERNETES_SERVICE_PORT: "443" }]])(
    "refuses an incomplete environment %j",
    (env) => {
      expect(() => apiServerUrl(env)).toThrow(/KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT/);
    },
  );
});

describe("renderKubeconfig", () => {
  it("is a kubeconfig with the CA and the token inline, read as a direct token plan", () => {
    const text = renderKubeconfig({ server: "https://[fd00::1]:443", ca: CA, token: "abc.def-ghi\n" });
    const doc = parse(text) as Record<string, unknown>;
    expect(doc).toMatchObject({ apiVersion: "v1", kind: "Config", "current-context": "netclaim" });
    const access = planKubeAccess(doc, "/etc/cni/net.d/netclaim.d");
    expect(access).toEqual({
      kind: "direct",
      plan: {
        server: "https://[fd00::1]:443",
        ca: { data: CA },
        insecureSkipTlsVerify: false,
        auth: { kind: "token", token: "abc.def-ghi" },
      },
    });
  });

  it("quotes whatever the token holds so that YAML keeps it intact", () => {
    const token = `a"b\\c: #d`;
    const doc = parse(renderKubeconfig({ server: "https://h:1", token })) as {
      users: { user: { token: string } }[];
    };
    expect(doc.users[0]?.user.token).toBe(token);
  });

  it("leaves the CA out when there is none", () => {
    const doc = parse(renderKubeconfig({ server: "https://h:1", token: "t" })) as {
      clusters: { cluster: Record<string, unknown> }[];
    };
    expect(doc.clusters[0]?.cluster).toEqual({ server: "https://h:1" });
  });

  it.each(["", " \n"])("refuses an empty token %j", (token) => {
    expect(() => renderKubeconfig({ server: "https://h:1", token })).toThrow(/token is empty/);
  });
});
