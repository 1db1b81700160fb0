// The CNI server's HTTP shell: node:http on a unix socket (mode 0600 in a 0700 directory, a stale socket
// replaced, a live one refused: src/common/socket-files.ts), the routes of wire.ts, one request per
// connection. Stop: the socket closes and goes away first — new shims find nobody (their DEL then runs
// from the attachment cache) — and the calls already admitted finish, for up to `graceMs`; then the
// connections still open are cut.
//
// Public API: `CniHttpServer`, `CniHttpServerOptions`, `Readiness`, `CNI_SOCKET_DIR_MODE`.
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { errorMessage } from "../../common/errors.ts";
import type { Logger } from "../../common/logger.ts";
import { listenUnixSocket, removeOwnSocket, SOCKET_FILE_MODE } from "../../common/socket-files.ts";
import type { CallAnswer } from "./call-handler.ts";
import { CNI_PATH_NAME, HEALTHZ_PATH, MAX_BODY_BYTES, parseCniCallBody, READYZ_PATH } from "./wire.ts";
import type { CniCallBody } from "./wire.ts";

/** Multus recreates its socket directory 0700: only root reaches the socket at all. */
export const CNI_SOCKET_DIR_MODE = 0o700;

export type Readiness = { ready: true } | { ready: false; reason: string };

export interface CniHttpServerOptions {
  socketPath: string;
  handleCall: (body: CniCallBody, clientGone: () => boolean) => Promise<CallAnswer>;
  readiness: () => Readiness;
  logger: Logger;
  socketMode?: number;
  dirMode?: number;
  maxBodyBytes?: number;
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", Connection: "close" });
  res.end(`${text}\n`);
}

/** The body as text, or undefined when it is larger than `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export class CniHttpServer {
  private readonly options: CniHttpServerOptions;
  private server: Server | undefined;
  private identity: string | undefined;
  private inFlight = 0;
  private readonly drained: (() => void)[] = [];

  constructor(options: CniHttpServerOptions) {
    this.options = options;
  }

  /** Calls being read, queued or run. */
  get activeCalls(): number {
    return this.inFlight;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.route(req, res));
    server.keepAliveTimeout = 1_000;
    this.identity = await listenUnixSocket(server, this.options.socketPath, {
      mode: this.options.socketMode ?? SOCKET_FILE_MODE,
      dirMode: this.options.dirMode ?? CNI_SOCKET_DIR_MODE,
    });
    this.server = server;
  }

  /** Stops accepting, removes the socket, lets admitted calls finish for up to graceMs. */
  async stop(graceMs: number): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await removeOwnSocket(this.options.socketPath, this.identity).catch((err: unknown) =>
      this.options.logger.warn({ err: errorMessage(err) }, "removing the CNI socket failed"),
    );
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([this.allDone(), gaveUp]);
    clearTimeout(timer);
    if (this.inFlight > 0) this.options.logger.warn({ calls: this.inFlight }, "CNI calls cut at stop");
    server.closeAllConnections();
    await closed;
  }

  private allDone(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "").split("?")[0];
    try {
      if (path === HEALTHZ_PATH) return sendText(res, 200, "ok");
      if (path === READYZ_PATH) {
        const state = this.options.readiness();
        return state.ready ? sendText(res, 200, "ok") : sendText(res, 503, state.reason);
      }
      if (path !== CNI_PATH_NAME) return sendText(res, 404, `no such path: ${path ?? ""}`);
      if (req.method !== "POST") return sendText(res, 405, `${CNI_PATH_NAME} takes POST`);
      await this.cniCall(req, res);
    } catch (err) {
      this.options.logger.error({ err: errorMessage(err), path }, "CNI server request failed");
      if (!res.headersSent) sendText(res, 500, errorMessage(err));
      else res.destroy();
    }
  }

  private async cniCall(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    try {
      const limit = this.options.maxBodyBytes ?? MAX_BODY_BYTES;
      const text = await readBody(req, limit);
      if (text === undefined) return sendText(res, 413, `the request is larger than ${limit} bytes`);
      const body = parseCniCallBody(text);
      if ("error" in body) return sendText(res, 400, body.error);
      let gone = false;
      res.once("close", () => (gone = !res.writableFinished));
      const answer = await this.options.handleCall(body, () => gone || res.destroyed);
      if (res.destroyed) return;
      const json = JSON.stringify(answer.reply);
      res.writeHead(answer.status, {
        "Content-Type": "application/json",
        "Content-Length": Buffer.byteLength(json),
        Connection: "close",
      });
      res.end(json);
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) for (const resolve of this.drained.splice(0)) resolve();
    }
  }
}
