// The DRA gRPC server on <kubelet plugins dir>/<driver>/dra.sock: DRAPlugin v1 and v1beta1 over one
// DraService, optionally v1alpha1.DRAResourceHealth, and grpc.health.v1.Health. It must be serving
// before the registration socket appears: the kubelet may call as soon as GetInfo answered.
import * as grpc from "@grpc/grpc-js";
import { errorMessage } from "../../common/errors.ts";
import { silentLogger } from "../../common/logger.ts";
import type { Logger } from "../../common/logger.ts";
import type { Clock } from "../../common/clock.ts";
import {
  DRA_HEALTH_SERVICE_V1ALPHA1,
  DRA_SERVICE_V1,
  DRA_SERVICE_V1BETA1,
  kubeletServices,
} from "../../k8s/kubelet-grpc.ts";
import type { KubeletServices } from "../../k8s/kubelet-grpc.ts";
import { bindUnixSocket, shutdownUnixSocket } from "../registration/socket-files.ts";
import type { DraService } from "./dra-service.ts";
import { draV1beta1Handlers, draV1Handlers } from "./grpc-handlers.ts";
import { GRPC_HEALTH_SERVICE, grpcHealthHandlers, grpcHealthService } from "./grpc-health.ts";
import type { ServingStatus } from "./grpc-health.ts";
import { NOOP_OBSERVER } from "./ports.ts";
import type { DeviceHealthSource, DraObserver } from "./ports.ts";
import { resourceHealthHandlers } from "./resource-health.ts";

/** How long stop() lets calls in flight finish (they are told to stop at once) before cutting them. */
export const DRA_SHUTDOWN_GRACE_MS = 2_000;

/** Full gRPC service names as the health service reports them. */
const SERVED_NAMES = {
  [DRA_SERVICE_V1]: "k8s.io.kubelet.pkg.apis.dra.v1.DRAPlugin",
  [DRA_SERVICE_V1BETA1]: "k8s.io.kubelet.pkg.apis.dra.v1beta1.DRAPlugin",
  [DRA_HEALTH_SERVICE_V1ALPHA1]: "v1alpha1.DRAResourceHealth",
} as const;

export interface DraServerOptions {
  socketPath: string;
  service: DraService;
  observer?: DraObserver;
  logger?: Logger;
  /** Serve v1alpha1.DRAResourceHealth with these devices. */
  healthSource?: DeviceHealthSource;
  /** grpc.health.v1 status of the server as a whole (""); default SERVING while bound. */
  overallStatus?: () => Promise<ServingStatus>;
  services?: KubeletServices;
  clock?: Clock;
  shutdownGraceMs?: number;
}

export class DraServer {
  readonly socketPath: string;
  private readonly options: DraServerOptions;
  private readonly logger: Logger;
  private server: grpc.Server | undefined;
  private identity: string | undefined;
  private stopController = new AbortController();

  constructor(options: DraServerOptions) {
    this.options = options;
    this.socketPath = options.socketPath;
    this.logger = (options.logger ?? silentLogger()).child({ component: "dra-server" });
  }

  get serving(): boolean {
    return this.server !== undefined;
  }

  /** Whether the DRAResourceHealth service is served (and so advertised at registration). */
  get servesResourceHealth(): boolean {
    return this.options.healthSource !== undefined;
  }

  async start(signal?: AbortSignal): Promise<void> {
    if (this.server !== undefined) throw new Error(`DRA server on ${this.socketPath} already started`);
    this.stopController = new AbortController();
    const server = this.buildServer();
    this.identity = await bindUnixSocket(server, this.socketPath);
    this.server = server;
    this.logger.info({ socket: this.socketPath, services: this.servedNames() }, "DRA service serving");
    signal?.addEventListener("abort", () => void this.stop(), { once: true });
  }

  /** Tells calls in flight to stop, gives them a moment, closes the server, removes the socket. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    this.stopController.abort(new Error("DRA server stopping"));
    try {
      const grace = this.options.shutdownGraceMs ?? DRA_SHUTDOWN_GRACE_MS;
      await shutdownUnixSocket(server, this.socketPath, this.identity, grace);
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, "removing the DRA socket failed");
    }
  }

  private servedNames(): string[] {
    const names: string[] = [SERVED_NAMES[DRA_SERVICE_V1], SERVED_NAMES[DRA_SERVICE_V1BETA1]];
    if (this.servesResourceHealth) names.push(SERVED_NAMES[DRA_HEALTH_SERVICE_V1ALPHA1]);
    return [...names, GRPC_HEALTH_SERVICE];
  }

  private buildServer(): grpc.Server {
    const services = this.options.services ?? kubeletServices();
    const stopSignal = this.stopController.signal;
    const ctx = {
      service: this.options.service,
      observer: this.options.observer ?? NOOP_OBSERVER,
      logger: this.logger,
      stopSignal,
      now: () => performance.now(),
    };
    const server = new grpc.Server();
    server.addService(services.draV1.service, draV1Handlers(ctx));
    server.addService(services.draV1beta1.service, draV1beta1Handlers(ctx));
    const source = this.options.healthSource;
    if (source !== undefined) {
      const clock = this.options.clock;
      server.addService(
        services.draHealthV1alpha1.service,
        resourceHealthHandlers({ source, stopSignal, ...(clock === undefined ? {} : { clock }) }),
      );
    }
    server.addService(
      grpcHealthService().service,
      grpcHealthHandlers((name) => this.statusOf(name)),
    );
    return server;
  }

  private async statusOf(name: string): Promise<ServingStatus | undefined> {
    if (name !== "" && !this.servedNames().includes(name)) return undefined;
    if (!this.serving) return "NOT_SERVING";
    if (name === "" && this.options.overallStatus !== undefined) return this.options.overallStatus();
    return "SERVING";
  }
}
