// The shim's one request: POST /cni to the CNI server's unix socket, HTTP/1.1 over node:net (taken through
// `process.getBuiltinModule`, so no ESM facade is built), the answer read whole once the server closes
// the connection (`Connection: close`) and parsed by http-answer.ts — node:http would cost ~9 ms of the
// shim's start for this one exchange (docs/performance.md). What happened is an outcome, never an
// exception, so the caller can decide per command:
//   answered    the server sent a /cni answer (200, or 503 with a "try again later" CNI error)
//   down        nobody listens: the socket file is missing (ENOENT) or refuses (ECONNREFUSED)
//   lost        connected, but the connection ended before a whole answer (the server died mid-call)
//   failed      anything else: no connection within the connect timeout (a full backlog), permission
//               denied, an answer that is not a /cni answer, an abort
//
// Public API: `ForwardCall`, `ForwardOutcome`, `forwardCniCall`, `DEFAULT_CONNECT_TIMEOUT_MS`.
import type { Socket } from "node:net";
import { CNI_PATH_NAME, parseCniCallReply } from "../server/wire.ts";
import type { CniCallBody, CniCallReply } from "../server/wire.ts";
import { httpRequestText, parseHttpAnswer } from "./http-answer.ts";

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

/** The outcome of everything the connection delivered. */
function outcomeOf(raw: Buffer): ForwardOutcome {
  const parsed = parseHttpAnswer(raw);
  if (parsed.kind === "incomplete") return { kind: "lost", reason: parsed.reason };
  if (parsed.kind === "invalid") return { kind: "failed", reason: parsed.reason };
  const { status, body } = parsed.answer;
  const reply = parseCniCallReply(body);
  if (reply !== undefined) return { kind: "answered", status, reply };
  const snippet = body.length > MAX_SNIPPET ? `${body.slice(0, MAX_SNIPPET)}...` : body;
  return { kind: "failed", reason: `HTTP ${status} ${JSON.stringify(snippet.trim())}` };
}

/** Sends one CNI call to the server; resolves with what happened, never rejects. */
export function forwardCniCall(call: ForwardCall): Promise<ForwardOutcome> {
  const net = process.getBuiltinModule("node:net");
  const request = httpRequestText(CNI_PATH_NAME, JSON.stringify(call.body));
  return new Promise((resolve) => {
    let settled = false;
    let connected = false;
    let socket: Socket | undefined;
    const chunks: Buffer[] = [];
    const finish = (outcome: ForwardOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      call.signal?.removeEventListener("abort", onAbort);
      socket?.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => finish({ kind: "failed", reason: "aborted" });
    const timeoutMs = call.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const timer = setTimeout(() => {
      finish({ kind: "failed", reason: `no connection within ${timeoutMs}ms (the server is overloaded?)` });
    }, timeoutMs);
    if (call.signal?.aborted === true) return onAbort();
    call.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      socket = net.connect({ path: call.socketPath });
    } catch (err) {
      finish({ kind: "failed", reason: (err as Error).message });
      return;
    }
    socket.on("connect", () => {
      connected = true;
      clearTimeout(timer);
      socket?.write(request); // not end(): a half-closed request reads as an idle connection to a stopping server
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => finish(outcomeOf(Buffer.concat(chunks))));
    socket.on("error", (err) => {
      const code = codeOf(err);
      if (!connected && code !== undefined && DOWN_CODES.has(code))
        return finish({ kind: "down", reason: code });
      if (connected) {
        // a reset after the whole answer arrived is still the answer
        const outcome = outcomeOf(Buffer.concat(chunks));
        return finish(outcome.kind === "lost" ? { kind: "lost", reason: err.message } : outcome);
      }
      finish({ kind: "failed", reason: code === undefined ? err.message : `${code}: ${err.message}` });
    });
  });
}
