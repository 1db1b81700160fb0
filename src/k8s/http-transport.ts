// The HTTP shell under the generic client: one request to the API server of a KubeConfig.
//
// Built on node:http/https with KubeConfig.applyToHTTPSOptions rather than on fetch:
// - applyToHTTPSOptions refreshes credentials per request (token files, exec plugins, OIDC) and hands
//   back an agent client-node caches per cluster/user (proxies included). Its plain http/https agents
//   are made without keep-alive, so each request would open a connection (and a TLS handshake): for those,
//   the transport uses a keep-alive agent of its own with the same options (keepAliveAgentFor), as
//   client-go keeps its connections; proxy agents are used as given;
// - a failed response's body (the metav1.Status with its reason) is always readable, where
//   client-node's Watch reports only the status text;
// - a watch body is a plain Readable: line framing, backpressure and AbortSignal teardown
//   (request destroyed, socket closed) are explicit here, with no fixed inactivity cut-off.
import http from "node:http";
import https from "node:https";
import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import type { KubeConfig } from "@kubernetes/client-node";
import { ApiError } from "./api-error.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface HttpRequest {
  method: HttpMethod;
  /** Path and query: "/api/v1/namespaces/a/pods?limit=10". */
  path: string;
  body?: string;
  contentType?: string;
  signal?: AbortSignal | undefined;
  /** Socket inactivity limit; 0 turns it off. Defaults to the transport's. */
  idleTimeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

/** What the resource client needs from HTTP; tests may hand it a fake. */
export interface Transport {
  send(req: HttpRequest): Promise<HttpResponse>;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** TCP keep-alive probes on pooled connections (client-go dials with 30 s). */
const KEEP_ALIVE_MS = 30_000;

const keepAliveAgents = new WeakMap<http.Agent, http.Agent>();

/**
 * The keep-alive twin of a plain http.Agent/https.Agent (same TLS options), made once per agent; any other
 * agent (a proxy's) or none is returned unchanged. Idle pooled sockets are unref'd by node, so they do not
 * keep a process alive; no socket timeout is set on the agent (it would cut quiet watches).
 */
export function keepAliveAgentFor(agent: unknown): unknown {
  const plain = agent?.constructor === https.Agent || agent?.constructor === http.Agent;
  if (!plain) return agent;
  const given = agent as http.Agent & { keepAlive?: boolean; options?: https.AgentOptions };
  if (given.keepAlive === true) return agent;
  let twin = keepAliveAgents.get(given);
  if (twin === undefined) {
    const options = { ...given.options, keepAlive: true, keepAliveMsecs: KEEP_ALIVE_MS };
    delete options.timeout;
    twin = given instanceof https.Agent ? new https.Agent(options) : new http.Agent(options);
    keepAliveAgents.set(given, twin);
  }
  return twin;
}

export interface KubeTransportOptions {
  kubeConfig: KubeConfig;
  userAgent: string;
  idleTimeoutMs?: number;
}

export class KubeTransport implements Transport {
  readonly #kubeConfig: KubeConfig;
  readonly #userAgent: string;
  readonly #idleTimeoutMs: number;

  constructor(opts: KubeTransportOptions) {
    this.#kubeConfig = opts.kubeConfig;
    this.#userAgent = opts.userAgent;
    this.#idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    const what = `${req.method} ${req.path}`;
    req.signal?.throwIfAborted();
    const cluster = this.#kubeConfig.getCurrentCluster();
    if (cluster === null) throw new Error(`${what}: the kubeconfig has no current cluster`);
    const url = new URL(cluster.server.replace(/\/+$/, "") + req.path);
    const options: https.RequestOptions = {};
    try {
      await this.#kubeConfig.applyToHTTPSOptions(options);
    } catch (cause) {
      throw new Error(`${what}: apply kubeconfig credentials`, { cause });
    }
    options.agent = keepAliveAgentFor(options.agent) as https.Agent | undefined;
    options.method = req.method;
    options.headers = {
      ...options.headers,
      Accept: "application/json",
      "User-Agent": this.#userAgent,
      ...(req.contentType === undefined ? {} : { "Content-Type": req.contentType }),
      // Explicit: node:http sends a DELETE body with neither a length nor chunking otherwise.
      ...(req.body === undefined ? {} : { "Content-Length": String(Buffer.byteLength(req.body)) }),
    };
    if (req.signal !== undefined) options.signal = req.signal;
    const idleTimeoutMs = req.idleTimeoutMs ?? this.#idleTimeoutMs;
    const send = url.protocol === "http:" ? http.request : https.request;
    return new Promise<HttpResponse>((resolve, reject) => {
      const request = send(url, options, (res) => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
      });
      request.on("error", (cause) => reject(new Error(`${what}: ${cause.message}`, { cause })));
      if (idleTimeoutMs > 0) {
        request.setTimeout(idleTimeoutMs, () => {
          request.destroy(new Error(`no traffic for ${idleTimeoutMs}ms`, { cause: { code: "ETIMEDOUT" } }));
        });
      }
      request.end(req.body);
    });
  }
}

export async function readBodyText(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/** Sends, then parses a JSON reply; a status >= 400 becomes an ApiError with the server's reason. */
export async function sendForJson<T>(transport: Transport, req: HttpRequest): Promise<T> {
  const what = `${req.method} ${req.path}`;
  const res = await transport.send(req);
  let text: string;
  try {
    text = await readBodyText(res.body);
  } catch (cause) {
    throw new Error(`${what}: read response body`, { cause });
  }
  if (res.status >= 400 || res.status < 200) throw ApiError.fromResponse(res.status, text, what);
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new Error(`${what}: response is not JSON`, { cause });
  }
}

/** Newline-delimited JSON values from a stream (the watch framing of the JSON serializer). */
export async function* readJsonLines(body: Readable): AsyncGenerator<unknown, void, undefined> {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  for await (const chunk of body) {
    pending += typeof chunk === "string" ? chunk : decoder.write(chunk as Buffer);
    for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line !== "") yield parseLine(line);
    }
  }
  pending += decoder.end();
  if (pending.trim() !== "") yield parseLine(pending.trim());
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (cause) {
    throw new Error(`watch stream: malformed line ${JSON.stringify(line.slice(0, 80))}`, { cause });
  }
}
