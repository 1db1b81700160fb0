// The stand-in kubelet's plugin watcher (pluginmanager/pluginwatcher + the DRA plugin manager):
// watches the registration dir, registers DRA plugins whose sockets appear, pings them with GetInfo
// and deregisters those that stop answering or whose socket goes away.
import * as grpc from "@grpc/grpc-js";
import { watch } from "node:fs";
import type { FSWatcher, Stats } from "node:fs";
import { lstat, mkdir, readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { realClock } from "../../../src/common/clock.ts";
import type { Clock, TimerHandle } from "../../../src/common/clock.ts";
import { errorMessage } from "../../../src/common/errors.ts";
import {
  DEFAULT_KUBELET_REGISTRATION_DIR,
  DRA_SERVICE_V1,
  kubeletServices,
  unixTarget,
} from "../../../src/k8s/kubelet-grpc.ts";
import type { KubeletServices } from "../../../src/k8s/kubelet-grpc.ts";
import type { PluginInfo__Output } from "../../../src/generated/pluginregistration-v1/pluginregistration/PluginInfo.ts";
import type { RegistrationClient } from "../../../src/generated/pluginregistration-v1/pluginregistration/Registration.ts";
import { EventLog } from "./event-log.ts";
import { deadlineIn, unary } from "./grpc-unix.ts";
import { decideRegistration } from "./registration-decision.ts";
import type { DraConnection, PluginLookup, RegisteredPlugin } from "./types.ts";

export const PING_INTERVAL_MS = 10_000;
export const GET_INFO_TIMEOUT_MS = 10_000;
export const MAX_PING_FAILURES = 2;

export interface PluginWatcherOptions {
  registrationDir?: string;
  clock?: Clock;
  /** Interval of the GetInfo liveness ping; 0 disables the timer (tests call pingAll). */
  pingIntervalMs?: number;
  getInfoTimeoutMs?: number;
  /** Consecutive failed pings after which a plugin is deregistered. */
  maxPingFailures?: number;
  services?: KubeletServices;
}

export type WatcherEvent =
  | { type: "registered"; socketPath: string; driverName: string; service: string; endpoint: string }
  | { type: "registration-failed"; socketPath: string; error: string }
  | { type: "ping-failed"; socketPath: string; failures: number }
  | {
      type: "deregistered";
      socketPath: string;
      driverName: string;
      reason: "socket removed" | "not answering";
    };

interface Tracked {
  socketPath: string;
  identity: string;
  registration: RegistrationClient;
  plugin?: RegisteredPlugin;
  failures: number;
  queue: Promise<void>;
}

export class PluginWatcher implements PluginLookup {
  readonly events = new EventLog<WatcherEvent>();
  private readonly dir: string;
  private readonly clock: Clock;
  private readonly pingIntervalMs: number;
  private readonly getInfoTimeoutMs: number;
  private readonly maxPingFailures: number;
  private readonly servicesOverride: KubeletServices | undefined;
  private readonly tracked = new Map<string, Tracked>();
  private readonly pending = new Set<Promise<void>>();
  private fsWatcher: FSWatcher | undefined;
  private pingTimer: TimerHandle | undefined;
  private pinging: Promise<void> | undefined;
  private sequence = 0;
  private stopped = false;
  private stopping: Promise<void> | undefined;

  constructor(options: PluginWatcherOptions = {}) {
    this.dir = options.registrationDir ?? DEFAULT_KUBELET_REGISTRATION_DIR;
    this.clock = options.clock ?? realClock;
    this.pingIntervalMs = options.pingIntervalMs ?? PING_INTERVAL_MS;
    this.getInfoTimeoutMs = options.getInfoTimeoutMs ?? GET_INFO_TIMEOUT_MS;
    this.maxPingFailures = options.maxPingFailures ?? MAX_PING_FAILURES;
    this.servicesOverride = options.services;
  }

  /** Creates the dir, starts watching, then registers the sockets already there. */
  async start(signal?: AbortSignal): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    this.fsWatcher = watch(this.dir, { recursive: true }, (_event, filename) => {
      if (filename !== null) this.onPathEvent(join(this.dir, filename.toString()));
    });
    this.fsWatcher.on("error", () => undefined);
    await this.track(this.scan(this.dir));
    if (this.pingIntervalMs > 0) {
      this.pingTimer = this.clock.setInterval(() => void this.pingAll(), this.pingIntervalMs);
    }
    signal?.addEventListener("abort", () => void this.stop(), { once: true });
  }

  /** Stops watching and pinging, waits for work in flight, closes every client. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.stopped = true;
    this.pingTimer?.cancel();
    this.fsWatcher?.close();
    await this.pinging;
    await this.idle();
    for (const t of this.tracked.values()) this.untrack(t);
    this.tracked.clear();
  }

  /** Resolves once nothing is in flight: no file event, registration, ping or deregistration. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  /** Registered plugins, oldest registration first. */
  plugins(): RegisteredPlugin[] {
    return [...this.tracked.values()]
      .flatMap((t) => (t.plugin ? [t.plugin] : []))
      .sort((a, b) => a.sequence - b.sequence);
  }

  /** The most recently registered plugin of a driver, like the kubelet's GetPlugin. */
  getPlugin(driverName: string): RegisteredPlugin | undefined {
    return this.plugins()
      .filter((p) => p.driverName === driverName)
      .at(-1);
  }

  /** One liveness round: GetInfo on every known socket (what the timer runs every interval). */
  pingAll(): Promise<void> {
    this.pinging ??= Promise.all(
      [...this.tracked.values()].map((t) => this.enqueue(t, () => this.ping(t))),
    ).then(() => {
      this.pinging = undefined;
    });
    return this.pinging;
  }

  private services(): KubeletServices {
    return this.servicesOverride ?? kubeletServices();
  }

  private async scan(dir: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { recursive: true, withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) this.onPathEvent(join(entry.parentPath, entry.name));
  }

  private onPathEvent(path: string): void {
    if (this.stopped) return;
    void this.track(
      lstat(path).then(
        (stats) => this.onPresent(path, stats),
        () => this.onGone(path),
      ),
    );
  }

  private track(work: Promise<void>): Promise<void> {
    const settled = work.catch(() => undefined);
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
    return settled;
  }

  private onPresent(path: string, stats: Stats): void {
    if (this.stopped || basename(path).startsWith(".")) return;
    if (stats.isDirectory()) {
      void this.track(this.scan(path));
      return;
    }
    if (!stats.isSocket()) return;
    const identity = `${stats.ino}/${stats.ctimeMs}`;
    const existing = this.tracked.get(path);
    if (existing?.identity === identity) return;
    if (existing !== undefined) this.forget(existing, "socket removed");
    const registration = new (this.services().registration)(
      unixTarget(path),
      grpc.credentials.createInsecure(),
    );
    const t: Tracked = { socketPath: path, identity, registration, failures: 0, queue: Promise.resolve() };
    this.tracked.set(path, t);
    void this.enqueue(t, () => this.register(t));
  }

  private onGone(path: string): void {
    const t = this.tracked.get(path);
    if (t !== undefined) this.forget(t, "socket removed");
  }

  private forget(t: Tracked, reason: "socket removed"): void {
    this.tracked.delete(t.socketPath);
    void this.enqueue(t, () => {
      this.deregister(t, reason);
      this.untrack(t);
      return Promise.resolve();
    });
  }

  /** Runs `op` after the socket's earlier operations; stop() waits for all of them. */
  private enqueue(t: Tracked, op: () => Promise<void>): Promise<void> {
    t.queue = this.track(t.queue.then(op));
    return t.queue;
  }

  private getInfo(t: Tracked): Promise<PluginInfo__Output> {
    return unary((cb) => t.registration.GetInfo({}, { deadline: deadlineIn(this.getInfoTimeoutMs) }, cb));
  }

  private async register(t: Tracked): Promise<void> {
    if (this.stopped || this.tracked.get(t.socketPath) !== t) return;
    let info: PluginInfo__Output;
    try {
      info = await this.getInfo(t);
    } catch (err) {
      const error = `RegisterPlugin error -- failed to get plugin info using RPC GetInfo at socket ${t.socketPath}, err: ${errorMessage(err)}`;
      this.events.push({ type: "registration-failed", socketPath: t.socketPath, error });
      return;
    }
    const decision = decideRegistration(info, t.socketPath);
    const duplicate =
      decision.ok &&
      this.plugins().some((p) => p.driverName === decision.driverName && p.endpoint === decision.endpoint);
    if (!decision.ok || duplicate) {
      const error = decision.ok
        ? `RegisterPlugin error -- endpoint ${decision.endpoint} already registered for DRA driver plugin ${decision.driverName}`
        : decision.error;
      this.events.push({ type: "registration-failed", socketPath: t.socketPath, error });
      await this.notify(t, false, error);
      return;
    }
    const plugin: RegisteredPlugin = {
      driverName: decision.driverName,
      socketPath: t.socketPath,
      endpoint: decision.endpoint,
      supportedVersions: info.supported_versions,
      sequence: ++this.sequence,
      dra: this.dial(decision.service, decision.endpoint),
    };
    t.plugin = plugin;
    t.failures = 0;
    const { driverName, service, endpoint } = decision;
    this.events.push({ type: "registered", socketPath: t.socketPath, driverName, service, endpoint });
    await this.notify(t, true, "");
  }

  /** Creates the DRA client and starts connecting (the kubelet does not wait for it). */
  private dial(service: DraConnection["service"], endpoint: string): DraConnection {
    const services = this.services();
    const target = unixTarget(endpoint);
    const insecure = grpc.credentials.createInsecure();
    const connection: DraConnection =
      service === DRA_SERVICE_V1
        ? { service, client: new services.draV1(target, insecure) }
        : { service, client: new services.draV1beta1(target, insecure) };
    connection.client.getChannel().getConnectivityState(true);
    return connection;
  }

  private async notify(t: Tracked, registered: boolean, error: string): Promise<void> {
    try {
      await unary((cb) =>
        t.registration.NotifyRegistrationStatus(
          { plugin_registered: registered, error },
          { deadline: deadlineIn(this.getInfoTimeoutMs) },
          cb,
        ),
      );
    } catch {
      // The kubelet only logs a failed notification.
    }
  }

  private async ping(t: Tracked): Promise<void> {
    if (this.stopped || this.tracked.get(t.socketPath) !== t) return;
    try {
      await this.getInfo(t);
    } catch {
      t.failures++;
      this.events.push({ type: "ping-failed", socketPath: t.socketPath, failures: t.failures });
      if (t.failures >= this.maxPingFailures) this.deregister(t, "not answering");
      return;
    }
    t.failures = 0;
    if (t.plugin === undefined) await this.register(t);
  }

  private deregister(t: Tracked, reason: "socket removed" | "not answering"): void {
    const plugin = t.plugin;
    if (plugin === undefined) return;
    t.plugin = undefined;
    plugin.dra.client.close();
    this.events.push({
      type: "deregistered",
      socketPath: t.socketPath,
      driverName: plugin.driverName,
      reason,
    });
  }

  private untrack(t: Tracked): void {
    t.plugin?.dra.client.close();
    t.plugin = undefined;
    t.registration.close();
  }
}
