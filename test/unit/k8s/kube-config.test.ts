import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { errorMessage } from "../../../src/common/errors.ts";
import { KubeClient, userAgent } from "../../../src/k8s/client.ts";
import { pickVersion, RESOURCE_API_VERSIONS } from "../../../src/k8s/discovery.ts";
import { contextNamespace, kubeConfigSourceFromFlag, loadKubeConfig } from "../../../src/k8s/kube-config.ts";
import { FakeTransport } from "../../fakes/kube-transport.ts";

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: { server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true }
- name: c2
  cluster: { server: "https://10.0.0.2:6443", insecure-skip-tls-verify: true }
users:
- name: u1
  user: { token: abc }
contexts:
- name: one
  context: { cluster: c1, user: u1, namespace: netclaim }
- name: two
  context: { cluster: c2, user: u1 }
current-context: one
`;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "netclaim-kubeconfig-"));
  dirs.push(dir);
  return dir;
}

describe("loadKubeConfig", () => {
  it("reads a file, with an optional context override", () => {
    const path = join(tempDir(), "config");
    writeFileSync(path, KUBECONFIG);
    const kc = loadKubeConfig({ kind: "file", path });
    expect(kc.getCurrentCluster()?.server).toBe("https://127.0.0.1:6443");
    expect(contextNamespace(kc)).toBe("netclaim");
    const other = loadKubeConfig({ kind: "file", path, context: "two" });
    expect(other.getCurrentCluster()?.server).toBe("https://10.0.0.2:6443");
    expect(contextNamespace(other)).toBeUndefined();
  });

  it("reads a string", () => {
    expect(loadKubeConfig({ kind: "yaml", yaml: KUBECONFIG }).getCurrentUser()?.token).toBe("abc");
  });

  it.each([
    { host: "10.96.0.1", want: "https://10.96.0.1:443" },
    { host: "fd00::1", want: "https://[fd00::1]:443" },
  ])("builds the in-cluster config for $host from the service account dir", ({ host, want }) => {
    const dir = tempDir();
    writeFileSync(join(dir, "ca.crt"), "CA");
    writeFileSync(join(dir, "token"), "tok");
    writeFileSync(join(dir, "namespace"), "netclaim-system\n");
    const kc = loadKubeConfig({ kind: "in-cluster", host, port: "443", serviceAccountDir: dir });
    expect(kc.getCurrentCluster()).toMatchObject({ server: want, caFile: join(dir, "ca.crt") });
    expect(kc.getCurrentUser()?.authProvider).toEqual({
      name: "tokenFile",
      config: { tokenFile: join(dir, "token") },
    });
    expect(contextNamespace(kc)).toBe("netclaim-system");
  });

  it.each([
    {
      name: "in-cluster outside a cluster",
      source: { kind: "in-cluster" as const, host: undefined, port: undefined },
      want: /KUBERNETES_SERVICE_HOST/,
    },
    {
      name: "a missing file",
      source: { kind: "file" as const, path: "/nonexistent/kubeconfig" },
      want: /load kubeconfig \(file \/nonexistent\/kubeconfig\)/,
    },
    {
      name: "no current context",
      source: { kind: "yaml" as const, yaml: "apiVersion: v1\nkind: Config\n" },
      want: /no current context/,
    },
  ])("fails with context for $name", ({ source, want }) => {
    let thrown: unknown;
    try {
      loadKubeConfig(source);
    } catch (err) {
      thrown = err;
    }
    expect(errorMessage(thrown)).toMatch(want);
  });

  it.each([
    { flag: "/etc/kube/config", env: {}, want: { kind: "file", path: "/etc/kube/config" } },
    {
      flag: undefined,
      env: { KUBERNETES_SERVICE_HOST: "h", KUBERNETES_SERVICE_PORT: "443" },
      want: { kind: "in-cluster", host: "h", port: "443" },
    },
    { flag: "", env: {}, want: { kind: "in-cluster", host: undefined, port: undefined } },
  ])("--kubeconfig=$flag selects $want.kind", ({ flag, env, want }) => {
    expect(kubeConfigSourceFromFlag(flag, env)).toEqual(want);
  });
});

describe("userAgent", () => {
  it("names netclaim, its version and the component", () => {
    expect(userAgent("controller", "1.2.3")).toBe("netclaim/1.2.3 (controller)");
    expect(userAgent("cni")).toMatch(/^netclaim\/\d+\.\d+\.\d+.* \(cni\)$/);
  });
});

describe("discovery", () => {
  const client = (transport: FakeTransport) =>
    new KubeClient({
      kubeConfig: loadKubeConfig({ kind: "yaml", yaml: KUBECONFIG }),
      component: "test",
      transport,
    });
  const group = (...versions: string[]) => ({
    kind: "APIGroup",
    name: "resource.k8s.io",
    versions: versions.map((v) => ({ groupVersion: `resource.k8s.io/${v}`, version: v })),
  });

  it.each([
    { served: ["v1", "v1beta2", "v1beta1"], want: "v1" },
    { served: ["v1beta2", "v1beta1"], want: "v1beta2" },
    { served: ["v1beta1"], want: "v1beta1" },
    { served: ["v1alpha3"], want: undefined },
  ])("picks $want for resource.k8s.io when the server serves $served", async ({ served, want }) => {
    const transport = new FakeTransport().reply(200, group(...served));
    await expect(client(transport).pickServedVersion("resource.k8s.io", RESOURCE_API_VERSIONS)).resolves.toBe(
      want,
    );
    expect(transport.last().path).toBe("/apis/resource.k8s.io");
  });

  it("treats a group the server does not know as serving nothing", async () => {
    const transport = new FakeTransport().reply(404, { kind: "Status", code: 404, reason: "NotFound" });
    await expect(client(transport).servedVersions("resource.k8s.io")).resolves.toEqual([]);
  });

  it("checks a group/version and, when asked, one resource in it", async () => {
    const list = {
      kind: "APIResourceList",
      groupVersion: "resource.k8s.io/v1",
      resources: [{ name: "resourceclaims" }],
    };
    const transport = new FakeTransport().reply(200, list).reply(200, list).reply(404, "404 page not found");
    const c = client(transport);
    await expect(
      c.servesGroupVersion({ group: "resource.k8s.io", version: "v1", resource: "resourceclaims" }),
    ).resolves.toBe(true);
    await expect(
      c.servesGroupVersion({ group: "resource.k8s.io", version: "v1", resource: "deviceclasses" }),
    ).resolves.toBe(false);
    await expect(c.servesGroupVersion({ group: "resource.k8s.io", version: "v1beta2" })).resolves.toBe(false);
    expect(transport.requests.map((r) => r.path)).toEqual([
      "/apis/resource.k8s.io/v1",
      "/apis/resource.k8s.io/v1",
      "/apis/resource.k8s.io/v1beta2",
    ]);
  });

  it("fails with context on other errors", async () => {
    const transport = new FakeTransport().reply(500, {
      kind: "Status",
      code: 500,
      reason: "InternalError",
      message: "boom",
    });
    await expect(client(transport).servedVersions("resource.k8s.io")).rejects.toThrow(
      /discover versions of API group resource.k8s.io/,
    );
  });

  it("pickVersion keeps the candidates' preference order", () => {
    expect(pickVersion(["v1beta1", "v1"], ["v1", "v1beta1"])).toBe("v1");
  });
});
