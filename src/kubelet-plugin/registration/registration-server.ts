// The kubelet plugin registration service (pluginregistration.Registration) on
// <registration dir>/<driver>-reg.sock. The kubelet finds the socket (fsnotify, and a walk of the
// directory when it starts), asks GetInfo, and reports the outcome with NotifyRegistrationStatus.
//
// The socket must stay for the plugin's whole life: newer kubelets ping GetInfo every 10 s and drop a
// plugin that stops answering. When the file disappears (someone cleaned the directory) or the
// directory itself is replaced, the server is bound again, noticed by fs.watch and by a periodic
// check. A failed registration is logged as an error and the server keeps answering, so that the
// kubelet can try again.
import * as grpc from "@grpc/grpc-js";
import { watch } from "node:fs";
import type { FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";
import { realClock } from "../../common/clock.ts";
import type { Clock, TimerHandle } from "../../common/clock.ts";
import { errorMessage } from "../../common/errors.ts";
import { silentLogger } from "../../common/logger.ts";
import type { Logger } from "../../common/logger.ts";
import { kubeletServices } from "../../k8s/kubelet-grpc.ts";
import type { KubeletServices } from "../../k8s/kubelet-grpc.ts";
import type { PluginInfo } from "../../generated/pluginregistration-v1/pluginregistration/PluginInfo.ts";
import type { RegistrationHandlers } from "../../generated/pluginregistration-v1/pluginregistration/Registration.ts";
import { registrationStateFrom } from "./plugin-info.ts";
import type { RegistrationState } from "./plugin-info.ts";
import { bindUnixSocket, identityOf, shutdownUnixSocket } from "./socket-files.ts";

/** How often the socket file is checked besides fs.watch events. */
export const REGISTRATION_CHECK_INTERVAL_MS = 5_000;

export interface RegistrationServerOptions {
  socketPath: string;
  info: Required<PluginInfo>;
  logger?: Logger;
  clock?: Clock;
  checkIntervalMs?: number;
  services?: KubeletServices;
  /** Called after each NotifyRegistrationStatus. */
  onStatus?: (state: RegistrationState) => void;
}

export class RegistrationServer {
  readonly socketPath: string;
  private readonly options: RegistrationServerOptions;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private server: grpc.Server | undefined;
  private identity: string | undefined;
  private watcher: FSWatcher | undefined;
  private watchedDir: string | undefined;
  private timer: TimerHandle | undefined;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private currentState: RegistrationState = { status: "unknown" };
  /** Times the socket was bound again after it went away. */
  rebinds = 0;

  constructor(options: RegistrationServerOptions) {
    this.options = options;
    this.socketPath = options.socketPath;
    this.logger = (options.logger ?? silentLogger()).child({ component: "registration" });
    this.clock = options.clock ?? realClock;
  }

  /** What the kubelet last said about the registration. */
  get state(): RegistrationState {
    return this.currentState;
  }

  /** Whether the socket is bound (the kubelet can reach GetInfo). */
  get serving(): boolean {
    return this.server !== undefined;
  }

  /** Binds the socket, then watches for it to disappear. Stops when `signal` aborts. */
  async start(signal?: AbortSignal): Promise<void> {
    this.stopped = false;
    await this.bind();
    await this.watchDir();
    this.timer = this.clock.setInterval(
      () => void this.check(),
      this.options.checkIntervalMs ?? REGISTRATION_CHECK_INTERVAL_MS,
    );
    this.logger.info(
      { socket: this.socketPath, endpoint: this.options.info.endpoint },
      "registration service serving",
    );
    signal?.addEventListener("abort", () => void this.stop(), { once: true });
  }

  /** Stops serving and removes the socket file. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
    await this.enqueue(() => this.unbind());
  }

  /** Checks the socket file now and binds it again if it is gone or was replaced. */
  check(): Promise<void> {
    return this.enqueue(async () => {
      if (this.stopped) return;
      if (!(await this.socketIsOurs())) {
        this.logger.warn({ socket: this.socketPath }, "registration socket disappeared; binding it again");
        await this.unbind();
        try {
          await this.bind();
          this.rebinds++;
        } catch (err) {
          this.logger.error({ err: errorMessage(err) }, "binding the registration socket again failed");
        }
      }
      if (this.watcher === undefined || (await identityOf(dirname(this.socketPath))) !== this.watchedDir) {
        await this.watchDir();
      }
    });
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const next = this.chain.then(op);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async bind(): Promise<void> {
    const server = new grpc.Server();
    const services = this.options.services ?? kubeletServices();
    server.addService(services.registration.service, this.handlers());
    this.identity = await bindUnixSocket(server, this.socketPath);
    this.server = server;
  }

  private async unbind(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    await shutdownUnixSocket(server, this.socketPath, this.identity);
  }

  private async socketIsOurs(): Promise<boolean> {
    return (await identityOf(this.socketPath)) === this.identity;
  }

  /**
   * fs.watch on the directory. A directory removed and created again keeps the old watch on a dead
   * inode, so the periodic check compares identities and renews the watch.
   */
  private async watchDir(): Promise<void> {
    this.watcher?.close();
    this.watcher = undefined;
    const name = basename(this.socketPath);
    try {
      this.watchedDir = await identityOf(dirname(this.socketPath));
      if (this.stopped) return;
      const watcher = watch(dirname(this.socketPath), (_event, filename) => {
        if (filename === null || filename.toString() === name) void this.check();
      });
      const drop = (): void => {
        if (this.watcher === watcher) this.watcher = undefined;
        watcher.close();
      };
      watcher.on("error", drop);
      watcher.on("close", drop);
      this.watcher = watcher;
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, "cannot watch the registration directory");
    }
  }

  private handlers(): RegistrationHandlers {
    return {
      GetInfo: (_call, callback) => {
        callback(null, this.options.info);
      },
      NotifyRegistrationStatus: (call, callback) => {
        const state = registrationStateFrom(call.request, this.clock.now());
        this.currentState = state;
        if (state.status === "registered") {
          this.logger.info({ driver: this.options.info.name }, "registered with the kubelet");
        } else {
          this.logger.error(
            { driver: this.options.info.name, error: state.error },
            "the kubelet rejected the registration; still serving so that it can retry",
          );
        }
        this.options.onStatus?.(state);
        callback(null, {});
      },
    };
  }
}
