// The shim's one request: POST /cni to the CNI server's unix socket with node:http, taken through
// `process.getBuiltinModule` (an ESM `import "node:http"` builds the module's ESM facade, whose getters
// load undici: ~8 ms of start-up for nothing, docs/performance.md). No agent, no keep-alive: one request
// per process. What happened is an outcome, never an exception, so the caller can decide per command:
//   answered    the server sent a /cni answer (200, or 503 with a "try again later" CNI error)
//   down        nobody listens: the socket file is missing (ENOENT) or refuses (ECONNREFUSED)
//   lost        connected, but the connection ended before a whole answer (the server died mid-call)
//   failed      anything else: no connection within the connect timeout (a full backlog), permission
//               denied, an answer that is not a /cni answer, an abort
//
// Public API: `ForwardCall`, `ForwardOutcome`, `forwardCniCall`, `DEFAULT_CONNECT_TIMEOUT_MS`.
import type * as Http from "node:http";
import type { ClientRequest, IncomingMessage } from "node:http";
import { CNI_PATH_NAME, parseCniCallReply } from "../server/wire.ts";
import type { CniCallBody, CniCallReply } from "../server/wire.ts";

/** A unix socket connects at once or not at all; this bounds a server whose accept backlog is full. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;

export interface ForwardCall {
  socketPath: string;
  body: CniCallBody;
  connectTimeoutMs?: number;
  signal?: AbortSignal;
}

export type ForwardOutcome =
  | { kind: "answered"; status: number; reply: CniCallReply }
  | { kind: "down"; reason: string }
  | { kind: "lost"; reason: string }
  | { kind: "failed"; reason: string };

const DOWN_CODES = new Set(["ENOENT", "ECONNREFUSED"]);
const MAX_SNIPPET = 200;

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

function readAnswer(res: IncomingMessage): Promise<ForwardOutcome> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    res.on("data", (chunk: Buffer) => chunks.push(chunk));
    res.on("error", (err) => resolve({ kind: "lost", reason: `reading the answer: ${err.message}` }));
    res.on("aborted", () => resolve({ kind: "lost", reason: "the answer was cut off" }));
    res.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const status = res.statusCode ?? 0;
      const reply = parseCniCallReply(text);
      if (reply !== undefined) return resolve({ kind: "answered", status, reply });
      const snippet = text.length > MAX_SNIPPET ? `${text.slice(0, MAX_SNIPPET)}...` : text;
      resolve({ kind: "failed", reason: `HTTP ${status} ${JSON.stringify(snippet.trim())}` });
    });
  });
}

function start(call: ForwardCall, payload: string, http: typeof Http): ClientRequest {
  return http.request({
    socketPath: call.socketPath,
    path: CNI_PATH_NAME,
    method: "POST",
    agent: false,
    headers: {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(payload),
      Connection: "close",
    },
    ...(call.signal === undefined ? {} : { signal: call.signal }),
  });
}

/** Sends one CNI call to the server; resolves with what happened, never rejects. */
export function forwardCniCall(call: ForwardCall): Promise<ForwardOutcome> {
  const http = process.getBuiltinModule("node:http");
  const payload = JSON.stringify(call.body);
  return new Promise((resolve) => {
    let settled = false;
    let connected = false;
    const finish = (outcome: ForwardOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    let req: ClientRequest;
    try {
      req = start(call, payload, http);
    } catch (err) {
      finish({ kind: "failed", reason: (err as Error).message });
      return;
    }
    const timeoutMs = call.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const timer = setTimeout(() => {
      finish({ kind: "failed", reason: `no connection within ${timeoutMs}ms (the server is overloaded?)` });
      req.destroy();
    }, timeoutMs);
    req.on("socket", (socket) => {
      socket.once("connect", () => {
        connected = true;
        clearTimeout(timer);
      });
    });
    req.on("response", (res) => void readAnswer(res).then(finish));
    req.on("error", (err) => {
      const code = codeOf(err);
      if (!connected && code !== undefined && DOWN_CODES.has(code))
        return finish({ kind: "down", reason: code });
      if (connected) return finish({ kind: "lost", reason: err.message });
      finish({ kind: "failed", reason: code === undefined ? err.message : `${code}: ${err.message}` });
    });
    req.end(payload);
  });
}
