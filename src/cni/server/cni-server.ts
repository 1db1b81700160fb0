// The CNI server (thick mode): the meta-plugin's engine in a long-lived process — the kubelet plugin's —
// answering the shim over a unix socket, from informer caches. Start: the informers begin listing (calls
// arriving before they sync wait for them, bounded: informer-cluster-view.ts), then the socket is bound,
// so the shim finds a server as early as possible. Stop (stop() or the start signal): /readyz turns 503,
// the socket goes away, admitted calls finish (up to stopGraceMs, then aborted), queued network-status and
// claim status writes get their last attempt, the PodResources channel closes, the informers stop.
//
// Public API: `CniServer`, `CniServerOptions`, `CniServerStats`, `DEFAULT_STOP_GRACE_MS`.
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import { ProcessExec } from "../../common/exec.ts";
import type { Exec } from "../../common/exec.ts";
import type { Logger } from "../../common/logger.ts";
import type { CniEngineOptions } from "../engine/engine-options.ts";
import { CallHandler } from "./call-handler.ts";
import { CniHttpServer } from "./http-server.ts";
import type { Readiness } from "./http-server.ts";
import type { DirectReads } from "./informer-cluster-view.ts";
import { RequestQueue } from "./request-queue.ts";
import type { RequestQueueOptions, RequestQueueStats } from "./request-queue.ts";
import { createEngineFactory, createServerPorts } from "./server-engine.ts";
import type {
  CniServerKube,
  ServerCorrelationOptions,
  ServerEngineTuning,
  ServerPorts,
} from "./server-engine.ts";
import type { StatusQueueStats } from "./status-queue.ts";
import type { WriteQueueStats } from "./write-queue.ts";

/** Inside the kubelet's default 30 s termination grace, with room for the rest of the plugin's stop. */
export const DEFAULT_STOP_GRACE_MS = 20_000;

export interface CniServerOptions {
  socketPath: string;
  nodeName: string;
  kube: CniServerKube;
  logger: Logger;
  /** What delegates inherit; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  exec?: Exec;
  clock?: Clock;
  queue?: RequestQueueOptions;
  tuning?: ServerEngineTuning;
  stopGraceMs?: number;
  socketMode?: number;
  dirMode?: number;
  /** Claim-to-network correlation (the kubelet plugin's driver, checkpoint, PodResources socket). */
  correlation?: ServerCorrelationOptions;
  /** More engine ports (tests). */
  engineExtra?: Partial<CniEngineOptions>;
}

export interface CniServerStats {
  requests: RequestQueueStats;
  status: StatusQueueStats;
  /** Absent without correlation. */
  claimStatus?: WriteQueueStats;
  directReads: DirectReads;
  activeCalls: number;
}

interface Running {
  ports: ServerPorts;
  queue: RequestQueue;
  http: CniHttpServer;
  hardStop: AbortController;
}

export class CniServer {
  private readonly options: CniServerOptions;
  private running: Running | undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: CniServerOptions) {
    this.options = options;
  }

  get socketPath(): string {
    return this.options.socketPath;
  }

  readiness(): Readiness {
    const r = this.running;
    if (this.stopping !== undefined) return { ready: false, reason: "stopping" };
    if (r === undefined) return { ready: false, reason: "not started" };
    const unsynced = [r.ports.pods, r.ports.nads].filter((i) => !i.hasSynced()).length;
    if (unsynced > 0) return { ready: false, reason: "informer caches not synced yet (pods, NADs)" };
    return { ready: true };
  }

  stats(): CniServerStats | undefined {
    const r = this.running;
    if (r === undefined) return undefined;
    const claimStatus = r.ports.correlation?.claimStatusQueue.stats();
    return {
      requests: r.queue.stats(),
      status: r.ports.statusQueue.stats(),
      ...(claimStatus === undefined ? {} : { claimStatus }),
      directReads: { ...r.ports.view.directReads },
      activeCalls: r.http.activeCalls,
    };
  }

  /** Resolves once the informers have their first lists (or rejects when `signal` aborts first). */
  async waitForSync(signal?: AbortSignal): Promise<void> {
    const r = this.running;
    if (r === undefined) throw new Error("the CNI server is not running");
    await Promise.all([r.ports.pods.waitForSync(signal), r.ports.nads.waitForSync(signal)]);
  }

  async start(signal?: AbortSignal): Promise<void> {
    if (this.running !== undefined) throw new Error("the CNI server was already started");
    const o = this.options;
    const clock = o.clock ?? realClock;
    const logger = o.logger;
    const ports = createServerPorts(
      { kube: o.kube, nodeName: o.nodeName, logger, clock },
      o.tuning,
      o.correlation,
    );
    const hardStop = new AbortController();
    const queue = new RequestQueue(o.queue);
    const engineFor = createEngineFactory({
      ports,
      exec: o.exec ?? new ProcessExec(),
      env: o.env ?? process.env,
      clock,
      logger,
      ...(o.tuning === undefined ? {} : { tuning: o.tuning }),
      ...(o.engineExtra === undefined ? {} : { extra: o.engineExtra }),
    });
    const handler = new CallHandler({
      engineFor,
      queue,
      logger,
      signal: hardStop.signal,
      onDeleted: (containerId) => {
        ports.statusQueue.forgetContainer(containerId);
        ports.correlation?.claimStatusQueue.forgetContainer(containerId);
      },
    });
    const http = new CniHttpServer({
      socketPath: o.socketPath,
      handleCall: (body, gone) => handler.handle(body, gone),
      readiness: () => this.readiness(),
      logger,
      ...(o.socketMode === undefined ? {} : { socketMode: o.socketMode }),
      ...(o.dirMode === undefined ? {} : { dirMode: o.dirMode }),
    });
    ports.pods.start();
    ports.nads.start();
    ports.view.start();
    try {
      await http.start();
    } catch (err) {
      ports.view.stop();
      await Promise.all([ports.pods.stop(), ports.nads.stop()]);
      throw err;
    }
    this.running = { ports, queue, http, hardStop };
    logger.info({ socket: o.socketPath, node: o.nodeName }, "CNI server listening");
    signal?.addEventListener("abort", () => void this.stop(), { once: true });
  }

  /** Idempotent; see the header for the order. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const r = this.running;
    if (r === undefined) return;
    const graceMs = this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    await r.http.stop(graceMs);
    r.hardStop.abort(new Error("the CNI server stopped"));
    await Promise.all([r.ports.statusQueue.stop(), r.ports.correlation?.claimStatusQueue.stop()]);
    r.ports.correlation?.ports.deviceSource.close();
    r.ports.view.stop();
    await Promise.all([r.ports.pods.stop(), r.ports.nads.stop()]);
    this.options.logger.info({ socket: this.options.socketPath }, "CNI server stopped");
  }
}
