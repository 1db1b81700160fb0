// The plugin's own kubeconfig reading and HTTP shell, against the stand-in API server (http, tokens) and a
// local TLS server made for the test (CA verification, client certificates).
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:https";
import type { Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { PodObject } from "../../../../src/cni/standalone/api-cluster-view.ts";
import { openKubeTransport } from "../../../../src/cni/standalone/kube-transport.ts";
import { errorMessage } from "../../../../src/common/errors.ts";
import { GenericResourceClient } from "../../../../src/k8s/resource-client.ts";
import { RESOURCE_TYPES } from "../../../../src/k8s/resource-path.ts";
import { FakeApiServer } from "../../../harness/api-server/index.ts";

const UA = "netclaim/test (cni)";
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "nc-kube-transport-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function kubeconfig(server: string, cluster: Record<string, unknown>, user: Record<string, unknown>) {
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c", cluster: { server, ...cluster } }],
    users: [{ name: "u", user }],
    contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
    "current-context": "x",
  };
}

async function getPod(path: string) {
  const transport = await openKubeTransport({ kind: "file", path }, { userAgent: UA });
  try {
    const pods = new GenericResourceClient<PodObject>({ transport, type: RESOURCE_TYPES.pods });
    return await pods.get("p1", { namespace: "default" });
  } finally {
    transport.close();
  }
}

describe("openKubeTransport against the stand-in API server", () => {
  let server: FakeApiServer;
  beforeAll(async () => {
    server = new FakeApiServer({ requiredToken: "s3cret" });
    await server.start();
    server.seed({ apiVersion: "v1", kind: "Pod", metadata: { namespace: "default", name: "p1" } });
  });
  afterAll(() => server.stop());

  it("reads a YAML kubeconfig with a token (the stand-in's own)", async () => {
    const path = join(dir, "kubeconfig");
    await server.writeKubeconfig(path);
    server.resetRequests();
    await expect(getPod(path)).resolves.toMatchObject({ metadata: { name: "p1" } });
    expect(server.requests()).toEqual([
      expect.objectContaining({
        verb: "get",
        resource: "pods",
        name: "p1",
        status: 200,
        bearerToken: true,
        userAgent: UA,
      }),
    ]);
  });

  it("reads a JSON kubeconfig with a relative token file", async () => {
    await writeFile(join(dir, "token"), "s3cret\n");
    const path = join(dir, "kubeconfig.json");
    await writeFile(path, JSON.stringify(kubeconfig(server.url, {}, { tokenFile: "token" })));
    await expect(getPod(path)).resolves.toMatchObject({ metadata: { name: "p1" } });
  });

  it("hands a kubeconfig with an exec credential plugin to client-node", async () => {
    const credential = JSON.stringify({
      apiVersion: "client.authentication.k8s.io/v1beta1",
      kind: "ExecCredential",
      status: { token: "s3cret" },
    });
    const exec = {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "/bin/sh",
      args: ["-c", `echo '${credential}'`],
    };
    const path = join(dir, "kubeconfig");
    await writeFile(path, stringify(kubeconfig(server.url, { "insecure-skip-tls-verify": true }, { exec })));
    await expect(getPod(path)).resolves.toMatchObject({ metadata: { name: "p1" } });
  });

  it("sends a wrong token as given (the server's 401 comes back as the error)", async () => {
    const path = join(dir, "kubeconfig");
    await writeFile(path, stringify(kubeconfig(server.url, {}, { token: "wrong" })));
    await expect(getPod(path)).rejects.toMatchObject({ status: 401 });
  });

  it.each([
    ["a missing file", (p: string) => Promise.resolve(p), "ENOENT"],
    [
      "a kubeconfig without a current context",
      (p: string) => writeFile(p, "apiVersion: v1\n").then(() => p),
      "no current-context",
    ],
    [
      "a missing token file",
      (p: string) =>
        writeFile(p, JSON.stringify(kubeconfig(server.url, {}, { tokenFile: "/nope/token" }))).then(() => p),
      "read token file /nope/token",
    ],
  ])("fails naming the kubeconfig for %s", async (_label, make, cause) => {
    const path = await make(join(dir, "kc"));
    const err = await openKubeTransport({ kind: "file", path }, { userAgent: UA }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`load kubeconfig ${path}`);
    expect(errorMessage(err)).toContain(cause);
  });
});

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: "ignore" });
}

describe("openKubeTransport over TLS", () => {
  let pki: string;
  let server: Server;
  let url: string;
  const seen: { authorization?: string; clientCert?: string }[] = [];

  beforeAll(async () => {
    pki = await mkdtemp(join(tmpdir(), "nc-pki-"));
    const p = (f: string) => join(pki, f);
    openssl([
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=test-ca",
      "-keyout",
      p("ca.key"),
      "-out",
      p("ca.crt"),
    ]);
    await writeFile(p("ext"), "subjectAltName=DNS:kubernetes\n");
    for (const name of ["server", "client"]) {
      openssl([
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        `/CN=${name}`,
        "-keyout",
        p(`${name}.key`),
        "-out",
        p(`${name}.csr`),
      ]);
      openssl([
        "x509",
        "-req",
        "-in",
        p(`${name}.csr`),
        "-CA",
        p("ca.crt"),
        "-CAkey",
        p("ca.key"),
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        p("ext"),
        "-out",
        p(`${name}.crt`),
      ]);
    }
    server = createServer(
      {
        key: await readFile(p("server.key")),
        cert: await readFile(p("server.crt")),
        ca: await readFile(p("ca.crt")),
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        const cn = peer.subject?.CN;
        seen.push({
          authorization: req.headers.authorization,
          clientCert: Array.isArray(cn) ? cn.join() : cn,
        });
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "p1", namespace: "default" } }),
        );
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(pki, { recursive: true, force: true });
  });

  it("verifies the server with the CA file and presents the client certificate from data", async () => {
    const b64 = async (f: string) => (await readFile(join(pki, f))).toString("base64");
    const path = join(dir, "kubeconfig");
    const user = {
      "client-certificate-data": await b64("client.crt"),
      "client-key-data": await b64("client.key"),
    };
    const cluster = { "certificate-authority": join(pki, "ca.crt"), "tls-server-name": "kubernetes" };
    await writeFile(path, stringify(kubeconfig(url, cluster, user)));
    seen.length = 0;
    await expect(getPod(path)).resolves.toMatchObject({ metadata: { name: "p1" } });
    expect(seen).toEqual([{ authorization: undefined, clientCert: "client" }]);
  });

  it("refuses a server its CA did not sign", async () => {
    const path = join(dir, "kubeconfig");
    await writeFile(path, stringify(kubeconfig(url, {}, { token: "t" })));
    const err = await getPod(path).catch((e: unknown) => e);
    expect(errorMessage(err)).toMatch(/unable to verify|self.signed|local issuer/i);
  });

  it("checks the server's name: without tls-server-name 127.0.0.1 is not in the certificate", async () => {
    const path = join(dir, "kubeconfig");
    await writeFile(
      path,
      stringify(kubeconfig(url, { "certificate-authority": join(pki, "ca.crt") }, { token: "t" })),
    );
    const err = await getPod(path).catch((e: unknown) => e);
    expect(errorMessage(err)).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list/);
  });

  it("sends a bearer token over TLS", async () => {
    const path = join(dir, "kubeconfig");
    const cluster = { "certificate-authority": join(pki, "ca.crt"), "tls-server-name": "kubernetes" };
    await writeFile(path, stringify(kubeconfig(url, cluster, { token: "t" })));
    seen.length = 0;
    await expect(getPod(path)).resolves.toMatchObject({ metadata: { name: "p1" } });
    expect(seen).toEqual([{ authorization: "Bearer t", clientCert: undefined }]);
  });
});
