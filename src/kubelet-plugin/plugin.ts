// The kubelet plugin process: every part wired together, started in the order the kubelet and a
// crash need, stopped in reverse.
//   start  1. devices discovered (read-only)        2. checkpoint read / rebuilt, host repaired
//          3. devices again when recovery rebound any, watching starts; ResourceSlices published
//          4. DRA server bound                       5. registration socket bound (the kubelet may
//             call as soon as it sees it)           6. /healthz and /metrics
//   stop   registration and DRA sockets removed first (the kubelet stops calling), then the rest;
//          the checkpoint stays; the node's ResourceSlices are deleted only when asked to.
import { join } from "node:path";
import type { DeviceConfig } from "../api/device-config.ts";
import { realClock } from "../common/clock.ts";
import type { Clock } from "../common/clock.ts";
import { errorMessage } from "../common/errors.ts";
import type { Logger } from "../common/logger.ts";
import type { KubeClient } from "../k8s/client.ts";
import { draSocketPath, registrationSocketPath } from "../k8s/kubelet-grpc.ts";
import { ResourceSlicePublisher } from "../k8s/resource-slice-publisher.ts";
import { atVersion, RESOURCE_TYPES } from "../k8s/resource-path.ts";
import { RESOURCE_SLICE_VERSIONS, resourceSliceApiOver } from "../k8s/resource-slice-versions.ts";
import type { ResourceSliceVersion } from "../k8s/resource-slice-versions.ts";
import { RESOURCE_GROUP } from "../k8s/resource-slice-types.ts";
import type { KubeObject } from "../k8s/types.ts";
import { FileCheckpointer } from "./checkpoint/checkpoint-store.ts";
import { discoverDevices } from "./discovery/index.ts";
import { DraServer } from "./dra-service/dra-server.ts";
import { DraService } from "./dra-service/dra-service.ts";
import { PluginMetrics } from "./ops/metrics.ts";
import { OpsServer } from "../common/ops-server.ts";
import type { HealthCheckResult, HealthReport } from "../common/ops-server.ts";
import { selfCheck } from "./ops/self-check.ts";
import { ApiClaimReader, DirCdiStore } from "./prepare/adapters.ts";
import { CheckpointJournal } from "./prepare/checkpoint-journal.ts";
import { DeviceInventory, toSliceDevice } from "./prepare/device-inventory.ts";
import { IpDeviceSettings } from "./prepare/device-settings.ts";
import { SysfsDriverBinder } from "./prepare/driver-binder.ts";
import type { DriverBinder } from "./prepare/driver-binder.ts";
import type { ResourceClaim } from "./prepare/plan-types.ts";
import type { DeviceSettings } from "./prepare/ports.ts";
import { Preparer } from "./prepare/preparer.ts";
import { recoverCheckpoint } from "./prepare/recovery.ts";
import { buildPluginInfo } from "./registration/plugin-info.ts";
import { RegistrationServer } from "./registration/registration-server.ts";

export interface KubeletPluginOptions {
  nodeName: string;
  driverName: string;
  registrationDir: string;
  pluginsDir: string;
  cdiDir: string;
  stateDir: string;
  sysfsRoot: string;
  deviceConfig: DeviceConfig;
  kube: KubeClient;
  logger: Logger;
  /** "host:port" for /healthz and /metrics; unset: not served. */
  metricsAddress?: string | undefined;
  /** Serve and advertise v1alpha1.DRAResourceHealth. */
  resourceHealth: boolean;
  /** Delete this node's ResourceSlices on stop (uninstall). */
  deleteResourceSlicesOnExit: boolean;
  clock?: Clock;
  binder?: DriverBinder;
  /** mtu / MAC / VF settings; default `ip` from PATH. */
  settings?: DeviceSettings;
  rescanIntervalMs?: number;
  registrationCheckIntervalMs?: number;
}

interface Running {
  metrics: PluginMetrics;
  inventory: DeviceInventory;
  journal: CheckpointJournal;
  publisher: ResourceSlicePublisher;
  dra: DraServer;
  registration: RegistrationServer;
  ops: OpsServer | undefined;
}

export class KubeletPlugin {
  private readonly options: KubeletPluginOptions;
  private readonly logger: Logger;
  private readonly readinessChecks = new Map<string, () => HealthCheckResult>();
  private running: Running | undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: KubeletPluginOptions) {
    this.options = options;
    this.logger = options.logger;
  }

  get draSocket(): string {
    return draSocketPath(this.options.driverName, this.options.pluginsDir);
  }

  get registrationSocket(): string {
    return registrationSocketPath(this.options.driverName, this.options.registrationDir);
  }

  /** The prepared-claim state (for the CNI server of the same process). */
  get checkpoint() {
    return this.running?.journal.current;
  }

  async start(signal?: AbortSignal): Promise<void> {
    const cleanups: (() => Promise<void>)[] = [];
    try {
      const state = await this.prepareState(cleanups, signal);
      const dra = new DraServer({
        socketPath: this.draSocket,
        service: new DraService({ preparer: state.preparer, observer: state.metrics, logger: this.logger }),
        observer: state.metrics,
        logger: this.logger,
        ...(this.options.resourceHealth ? { healthSource: state.inventory.health } : {}),
      });
      await dra.start();
      cleanups.push(() => dra.stop());
      const registration = this.createRegistration(state.metrics, state.publisher);
      await registration.start();
      cleanups.push(() => registration.stop());
      const ops = await this.startOps(state.metrics, registration);
      this.running = { ...state, dra, registration, ops };
    } catch (err) {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      throw err;
    }
    const { inventory, journal } = this.running;
    const claims = Object.keys(journal.current.claims).length;
    this.logger.info({ devices: inventory.list().length, claims }, "kubelet plugin started");
    signal?.addEventListener("abort", () => void this.stop(), { once: true });
  }

  /** Steps 1-3: devices, recovered checkpoint, publishing; what the servers then work with. */
  private async prepareState(cleanups: (() => Promise<void>)[], signal?: AbortSignal) {
    const o = this.options;
    const metrics = new PluginMetrics();
    const version = await this.resourceVersion(signal);
    const claimType = atVersion(RESOURCE_TYPES.resourceClaims, version);
    const claims = new ApiClaimReader(o.kube.resource<ResourceClaim & KubeObject>(claimType));
    const publisher = await this.createPublisher(version, metrics, signal);
    const inventory = this.createInventory(publisher, metrics);
    await inventory.rescan(signal);
    const binder = o.binder ?? new SysfsDriverBinder({ sysfsRoot: o.sysfsRoot });
    const cdi = new DirCdiStore(o.cdiDir, o.driverName);
    const settings = o.settings ?? new IpDeviceSettings();
    const host = { driverName: o.driverName, binder, cdi, devices: inventory, settings };
    const checkpointer = new FileCheckpointer(o.stateDir);
    const recovered = await recoverCheckpoint({ ...host, claims, checkpointer, logger: this.logger }, signal);
    if (recovered.report.corrupt !== undefined) metrics.recordError("checkpoint");
    for (const _ of recovered.report.failures) metrics.recordError("recovery");
    if (recovered.report.actions.length > 0) await inventory.rescan(signal);
    const journal = new CheckpointJournal(checkpointer, recovered.checkpoint, (checkpoint) =>
      metrics.setPreparedClaims(Object.keys(checkpoint.claims).length),
    );
    metrics.setPreparedClaims(Object.keys(recovered.checkpoint.claims).length);
    inventory.start(signal);
    cleanups.push(() => inventory.stop());
    publisher.start(signal);
    cleanups.push(() => publisher.stop());
    const preparer = new Preparer({ ...host, claims, journal, logger: this.logger });
    return { metrics, inventory, journal, publisher, preparer };
  }

  private createInventory(publisher: ResourceSlicePublisher, metrics: PluginMetrics): DeviceInventory {
    const o = this.options;
    return new DeviceInventory({
      poolName: o.nodeName,
      discover: () =>
        discoverDevices({ sysfsRoot: o.sysfsRoot, config: o.deviceConfig, driverName: o.driverName }),
      watchDir: join(o.sysfsRoot, "class", "net"),
      logger: this.logger,
      ...(o.rescanIntervalMs === undefined ? {} : { rescanIntervalMs: o.rescanIntervalMs }),
      ...(o.clock === undefined ? {} : { clock: o.clock }),
      onChange: (devices) => {
        publisher.publish(devices.map(toSliceDevice));
        metrics.setDevicesPublished(devices.length);
      },
    });
  }

  /** Stops serving (sockets removed), keeps the checkpoint. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const r = this.running;
    if (r === undefined) return;
    await r.registration.stop();
    await r.dra.stop();
    await r.ops?.stop();
    await r.inventory.stop();
    await r.journal.settled();
    if (this.options.deleteResourceSlicesOnExit) {
      try {
        const deleted = await r.publisher.deleteAll();
        this.logger.info({ deleted }, "deleted this node's ResourceSlices");
      } catch (err) {
        this.logger.error({ err: errorMessage(err) }, "deleting this node's ResourceSlices failed");
      }
    }
    await r.publisher.stop();
    this.logger.info("kubelet plugin stopped; checkpoint kept");
  }

  /** The served resource.k8s.io version (v1 first); v1 when discovery fails (logged). */
  private async resourceVersion(signal?: AbortSignal): Promise<ResourceSliceVersion> {
    try {
      const picked = await this.options.kube.pickServedVersion(
        RESOURCE_GROUP,
        RESOURCE_SLICE_VERSIONS,
        signal,
      );
      if (picked !== undefined) return picked as ResourceSliceVersion;
      this.logger.warn("the API server serves no known resource.k8s.io version; using v1");
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, "API discovery failed; using resource.k8s.io/v1");
    }
    return "v1";
  }

  private async createPublisher(
    version: ResourceSliceVersion,
    metrics: PluginMetrics,
    signal?: AbortSignal,
  ): Promise<ResourceSlicePublisher> {
    const o = this.options;
    const client = o.kube.resource<KubeObject>(atVersion(RESOURCE_TYPES.resourceSlices, version));
    const nodeUid = await o.kube
      .resource<KubeObject>(RESOURCE_TYPES.nodes)
      .get(o.nodeName, { signal })
      .then((node) => node.metadata?.uid)
      .catch((err: unknown) => {
        metrics.recordError("node-lookup");
        this.logger.warn({ err: errorMessage(err) }, "cannot read this node; slices get no owner reference");
        return undefined;
      });
    return new ResourceSlicePublisher({
      api: resourceSliceApiOver(client, version),
      driver: o.driverName,
      nodeName: o.nodeName,
      ...(nodeUid === undefined ? {} : { nodeUid }),
      logger: this.logger,
      ...(o.clock === undefined ? {} : { clock: o.clock }),
    });
  }

  /**
   * The registration server. A confirmed registration also re-checks the ResourceSlices at once: a
   * kubelet that (re)starts deletes every slice of its node before it registers plugins.
   */
  private createRegistration(metrics: PluginMetrics, publisher: ResourceSlicePublisher): RegistrationServer {
    const o = this.options;
    return new RegistrationServer({
      socketPath: this.registrationSocket,
      info: buildPluginInfo({
        driverName: o.driverName,
        endpoint: this.draSocket,
        resourceHealth: o.resourceHealth,
      }),
      logger: this.logger,
      clock: o.clock ?? realClock,
      ...(o.registrationCheckIntervalMs === undefined
        ? {}
        : { checkIntervalMs: o.registrationCheckIntervalMs }),
      onStatus: (state) => {
        if (state.status === "failed") metrics.recordError("registration");
        else publisher.resync();
      },
    });
  }

  /**
   * A check /readyz adds to the plugin's own (a companion's: the CNI server's caches). Ready = the
   * self-check passes and every added check is ok.
   */
  addReadinessCheck(name: string, check: () => HealthCheckResult): void {
    this.readinessChecks.set(name, check);
  }

  private async readiness(health: () => Promise<HealthReport>): Promise<HealthReport> {
    const report = await health();
    const checks = { ...report.checks };
    for (const [name, check] of this.readinessChecks) checks[name] = check();
    return { healthy: Object.values(checks).every((c) => c.ok), checks };
  }

  private async startOps(
    metrics: PluginMetrics,
    registration: RegistrationServer,
  ): Promise<OpsServer | undefined> {
    const address = this.options.metricsAddress;
    if (address === undefined || address === "") return undefined;
    const health = () =>
      selfCheck({
        draSocket: this.draSocket,
        registrationSocket: this.registrationSocket,
        registration: () => registration.state,
      });
    const ops = new OpsServer({
      address,
      metrics,
      logger: this.logger,
      health,
      readiness: () => this.readiness(health),
    });
    await ops.start();
    return ops;
  }
}
