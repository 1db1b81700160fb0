// The operations endpoint on --metrics-address: GET /healthz (200 when every check passes, else 503,
// with a JSON body listing the checks) and GET /metrics (Prometheus text). Nothing else is served.
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { errorMessage } from "../../common/errors.ts";
import { silentLogger } from "../../common/logger.ts";
import type { Logger } from "../../common/logger.ts";

export interface HealthCheck {
  ok: boolean;
  detail?: string;
}

export interface HealthReport {
  healthy: boolean;
  checks: Record<string, HealthCheck>;
}

export interface MetricsSource {
  render(): Promise<{ contentType: string; body: string }>;
}

export interface OpsServerOptions {
  /** "host:port", ":port" (every interface) or "[v6]:port"; port 0 picks a free one. */
  address: string;
  metrics: MetricsSource;
  health: () => HealthReport | Promise<HealthReport>;
  logger?: Logger;
}

/** host and port of a listen address; "" host = every interface. */
export function parseListenAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(":");
  const portText = address.slice(colon + 1);
  const port = Number(portText);
  if (colon < 0 || portText === "" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`listen address ${JSON.stringify(address)} needs a port 0-65535`);
  }
  let host = address.slice(0, colon);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return { host, port };
}

export class OpsServer {
  readonly #opts: OpsServerOptions;
  readonly #logger: Logger;
  #server: Server | undefined;

  constructor(opts: OpsServerOptions) {
    this.#opts = opts;
    this.#logger = (opts.logger ?? silentLogger()).child({ component: "ops" });
  }

  /** The port listened on (after start). */
  get port(): number {
    const address = this.#server?.address();
    if (address === null || address === undefined || typeof address === "string") {
      throw new Error("ops server not listening");
    }
    return address.port;
  }

  async start(): Promise<void> {
    const { host, port } = parseListenAddress(this.#opts.address);
    const server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      const onListening = (): void => {
        server.off("error", reject);
        resolve();
      };
      if (host === "") server.listen(port, onListening);
      else server.listen(port, host, onListening);
    }).catch((cause: unknown) => {
      throw new Error(`listen on ${this.#opts.address} for /healthz and /metrics`, { cause });
    });
    this.#server = server;
    this.#logger.info({ address: this.#opts.address, port: this.port }, "serving /healthz and /metrics");
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    try {
      if (req.method !== "GET" && req.method !== "HEAD") {
        send(res, 405, "text/plain; charset=utf-8", "method not allowed\n");
      } else if (path === "/healthz") {
        const report = await this.#opts.health();
        send(res, report.healthy ? 200 : 503, "application/json", `${JSON.stringify(report)}\n`);
      } else if (path === "/metrics") {
        const { contentType, body } = await this.#opts.metrics.render();
        send(res, 200, contentType, body);
      } else {
        send(res, 404, "text/plain; charset=utf-8", "not found\n");
      }
    } catch (err) {
      this.#logger.error({ err: errorMessage(err), path }, "ops request failed");
      send(res, 500, "text/plain; charset=utf-8", `${errorMessage(err)}\n`);
    }
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(res.req.method === "HEAD" ? undefined : body);
}
