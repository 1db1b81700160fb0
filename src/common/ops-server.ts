// The operations endpoint on --metrics-address, shared by the kubelet plugin and the controller:
// GET /healthz (liveness: 200 when every check passes, else 503; a JSON body lists the checks), GET /readyz
// (readiness: the same shape, from `readiness`, or the health checks when none is given) and GET /metrics
// (Prometheus text). Nothing else is served.
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { errorMessage } from "./errors.ts";
import { silentLogger } from "./logger.ts";
import type { Logger } from "./logger.ts";

export interface HealthCheckResult {
  ok: boolean;
  detail?: string;
}

export interface HealthReport {
  healthy: boolean;
  checks: Record<string, HealthCheckResult>;
}

export interface MetricsSource {
  render(): Promise<{ contentType: string; body: string }>;
}

export interface OpsServerOptions {
  /** "host:port", ":port" (every interface) or "[v6]:port"; port 0 picks a free one. */
  address: string;
  metrics: MetricsSource;
  health: () => HealthReport | Promise<HealthReport>;
  /** /readyz; absent: /healthz's checks. */
  readiness?: () => HealthReport | Promise<HealthReport>;
  logger?: Logger;
}

/** host and port of a listen address; "" host = every interface. */
export function parseListenAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(":");
  if (colon < 0) throw new Error(`listen address ${JSON.stringify(address)} has no port`);
  let host = address.slice(0, colon);
  const port = Number(address.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535 || address.slice(colon + 1) === "") {
    throw new Error(`listen address ${JSON.stringify(address)} has an invalid port`);
  }
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return { host, port };
}

export class OpsServer {
  private readonly options: OpsServerOptions;
  private readonly logger: Logger;
  private server: Server | undefined;

  constructor(options: OpsServerOptions) {
    this.options = options;
    this.logger = (options.logger ?? silentLogger()).child({ component: "ops" });
  }

  /** The port listened on (after start). */
  get port(): number {
    const address = this.server?.address();
    if (address === null || address === undefined || typeof address === "string") {
      throw new Error("ops server not listening");
    }
    return address.port;
  }

  async start(signal?: AbortSignal): Promise<void> {
    const { host, port } = parseListenAddress(this.options.address);
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      const onListening = (): void => {
        server.off("error", reject);
        resolve();
      };
      if (host === "") server.listen(port, onListening);
      else server.listen(port, host, onListening);
    }).catch((cause: unknown) => {
      throw new Error(`listen on ${this.options.address} for /healthz and /metrics`, { cause });
    });
    this.server = server;
    this.logger.info({ address: this.options.address, port: this.port }, "serving /healthz and /metrics");
    signal?.addEventListener("abort", () => void this.stop(), { once: true });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    try {
      if (req.method !== "GET" && req.method !== "HEAD") {
        send(res, 405, "text/plain; charset=utf-8", "method not allowed\n");
      } else if (path === "/healthz" || path === "/readyz") {
        const check =
          path === "/readyz" ? (this.options.readiness ?? this.options.health) : this.options.health;
        const report = await check();
        send(res, report.healthy ? 200 : 503, "application/json", `${JSON.stringify(report)}\n`);
      } else if (path === "/metrics") {
        const { contentType, body } = await this.options.metrics.render();
        send(res, 200, contentType, body);
      } else {
        send(res, 404, "text/plain; charset=utf-8", "not found\n");
      }
    } catch (err) {
      this.logger.error({ err: errorMessage(err), path }, "ops request failed");
      send(res, 500, "text/plain; charset=utf-8", `${errorMessage(err)}\n`);
    }
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(res.req.method === "HEAD" ? undefined : body);
}
