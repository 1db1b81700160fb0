// The HTTP shell under the plugin's API reads and writes: a `Transport` (src/k8s/http-transport.ts) for a
// DirectAccessPlan over node:http/https with one keep-alive agent, so the few requests of one CNI call share
// a connection (and a TLS handshake). `openKubeTransport` reads the kubeconfig (JSON, else YAML), decides
// direct or client-node (kube-access.ts) and builds the transport; client-node is imported only then.
//
// Public API: `ClosableTransport`, `DirectTransport`, `openKubeTransport`, `OpenKubeTransportOptions`,
// `readKubeconfigDocument`.
import { readFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import { dirname } from "node:path";
import type { HttpRequest, HttpResponse, Transport } from "../../k8s/http-transport.ts";
import { inClusterPlan, planKubeAccess } from "./kube-access.ts";
import type { DirectAccessPlan, KubeSource, Material } from "./kube-access.ts";

export interface ClosableTransport extends Transport {
  /** Closes idle connections so the process can exit. */
  close(): void;
}

interface Credentials {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  authorization?: string;
}

export interface DirectTransportOptions {
  plan: DirectAccessPlan;
  credentials: Credentials;
  userAgent: string;
}

export class DirectTransport implements ClosableTransport {
  private readonly server: string;
  private readonly userAgent: string;
  private readonly authorization: string | undefined;
  private readonly agent: http.Agent;
  private readonly secure: boolean;

  constructor(options: DirectTransportOptions) {
    this.server = options.plan.server;
    this.userAgent = options.userAgent;
    this.authorization = options.credentials.authorization;
    this.secure = this.server.startsWith("https:");
    const { ca, cert, key } = options.credentials;
    this.agent = this.secure
      ? new https.Agent({
          keepAlive: true,
          rejectUnauthorized: !options.plan.insecureSkipTlsVerify,
          ...(ca === undefined ? {} : { ca }),
          ...(cert === undefined ? {} : { cert }),
          ...(key === undefined ? {} : { key }),
          ...(options.plan.tlsServerName === undefined ? {} : { servername: options.plan.tlsServerName }),
        })
      : new http.Agent({ keepAlive: true });
  }

  send(req: HttpRequest): Promise<HttpResponse> {
    const what = `${req.method} ${req.path}`;
    req.signal?.throwIfAborted();
    const headers: Record<string, string> = { Accept: "application/json", "User-Agent": this.userAgent };
    if (this.authorization !== undefined) headers.Authorization = this.authorization;
    if (req.contentType !== undefined) headers["Content-Type"] = req.contentType;
    if (req.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(req.body));
    const options: https.RequestOptions = { method: req.method, headers, agent: this.agent };
    if (req.signal !== undefined) options.signal = req.signal;
    const send = this.secure ? https.request : http.request;
    return new Promise<HttpResponse>((resolve, reject) => {
      const request = send(new URL(this.server + req.path), options, (res) => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
      });
      request.on("error", (cause) => reject(new Error(`${what}: ${cause.message}`, { cause })));
      request.end(req.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface OpenKubeTransportOptions {
  /** "netclaim/0.1.0 (cni)". */
  userAgent: string;
  readBytes?: (path: string) => Promise<Buffer>;
}

/** A kubeconfig's text as a document: JSON when it is JSON, else YAML (loaded only then). */
export async function readKubeconfigDocument(text: string): Promise<unknown> {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{")) {
    try {
      return JSON.parse(trimmed);
    } catch {
      // YAML flow mappings also start with "{"
    }
  }
  type Parse = (text: string) => unknown;
  // A bundler may hand the CommonJS build of `yaml` over as the default export only.
  const yaml: { parse?: Parse; default?: { parse?: Parse } } = await import("yaml");
  const parse = yaml.parse ?? yaml.default?.parse;
  if (parse === undefined) throw new Error("the yaml module has no parse function");
  return parse(text);
}

async function readMaterial(m: Material | undefined, read: (p: string) => Promise<Buffer>, what: string) {
  if (m === undefined) return undefined;
  if ("data" in m) return m.data;
  try {
    return await read(m.file);
  } catch (cause) {
    throw new Error(`read ${what} ${m.file}`, { cause });
  }
}

async function credentialsFor(
  plan: DirectAccessPlan,
  read: (p: string) => Promise<Buffer>,
): Promise<Credentials> {
  const credentials: Credentials = {};
  const ca = await readMaterial(plan.ca, read, "certificate authority");
  const cert = await readMaterial(plan.cert, read, "client certificate");
  const key = await readMaterial(plan.key, read, "client key");
  if (ca !== undefined) credentials.ca = ca;
  if (cert !== undefined) credentials.cert = cert;
  if (key !== undefined) credentials.key = key;
  const auth = plan.auth;
  if (auth.kind === "token") credentials.authorization = `Bearer ${auth.token}`;
  if (auth.kind === "token-file") {
    const token = (await readMaterial({ file: auth.file }, read, "token file"))?.toString("utf8").trim();
    if (token !== undefined && token !== "") credentials.authorization = `Bearer ${token}`;
  }
  if (auth.kind === "basic") {
    const basic = Buffer.from(`${auth.username}:${auth.password}`).toString("base64");
    credentials.authorization = `Basic ${basic}`;
  }
  return credentials;
}

async function clientNodeTransport(path: string, userAgent: string): Promise<ClosableTransport> {
  const [{ loadKubeConfig }, { KubeTransport }] = await Promise.all([
    import("../../k8s/kube-config.ts"),
    import("../../k8s/http-transport.ts"),
  ]);
  const transport = new KubeTransport({ kubeConfig: loadKubeConfig({ kind: "file", path }), userAgent });
  return { send: (req) => transport.send(req), close: () => undefined };
}

/** The transport for a source; throws naming the kubeconfig when it cannot be read or used. */
export async function openKubeTransport(
  source: KubeSource,
  options: OpenKubeTransportOptions,
): Promise<ClosableTransport> {
  const read = options.readBytes ?? ((p: string) => readFile(p));
  const where = source.kind === "file" ? `kubeconfig ${source.path}` : "in-cluster service account";
  try {
    let plan: DirectAccessPlan;
    if (source.kind === "in-cluster") {
      plan = inClusterPlan(source);
    } else {
      const doc = await readKubeconfigDocument((await read(source.path)).toString("utf8"));
      const decided = planKubeAccess(doc, dirname(source.path));
      if (decided.kind === "client-node") return await clientNodeTransport(source.path, options.userAgent);
      plan = decided.plan;
    }
    const credentials = await credentialsFor(plan, read);
    return new DirectTransport({ plan, credentials, userAgent: options.userAgent });
  } catch (cause) {
    throw new Error(`load ${where}`, { cause });
  }
}
