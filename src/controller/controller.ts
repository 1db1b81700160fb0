// The controller process: /healthz and /metrics, the leader election loop, and while leading one
// term of work (runtime/term-parts.ts): informers feeding the class controller, the ResourceSlice
// and IPAllocation garbage collectors and IPAM (when the API serves its CRDs).
//   start  ops server, then the campaign            stop  the term's workers drain, informers stop,
//                                                         the lease is released, ops server closes
// /healthz: the election loop is alive (it called the Lease API within a term plus a renew deadline)
// and, while leading, every informer has its first list in.
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { realClock } from "../common/clock.ts";
import type { Clock } from "../common/clock.ts";
import type { Logger } from "../common/logger.ts";
import type { KubeClient } from "../k8s/client.ts";
import { RESOURCE_GROUP } from "../k8s/resource-slice-types.ts";
import { RESOURCE_SLICE_VERSIONS } from "../k8s/resource-slice-versions.ts";
import type { ResourceSliceVersion } from "../k8s/resource-slice-versions.ts";
import { Leadership } from "./runtime/leadership.ts";
import type { ControllerMetrics } from "./runtime/metrics.ts";
import { OpsServer } from "../common/ops-server.ts";
import type { HealthReport } from "../common/ops-server.ts";
import { runTerm, unsyncedInformers } from "./runtime/term.ts";
import type { TermParts } from "./runtime/term.ts";
import { buildTermParts } from "./runtime/term-parts.ts";

export const COMPONENT = "netclaim-controller";
export const DEFAULT_LEASE_NAME = "netclaim-controller";
/** Informers re-deliver their caches this often: drift and stale slices are looked at again. */
export const RESYNC_PERIOD_MS = 10 * 60_000;

export interface LeaderElectionSettings {
  namespace: string;
  /** Lease name; default netclaim-controller. */
  name?: string;
  /** Default "<hostname>_<uuid>". */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface NetclaimControllerOptions {
  kube: KubeClient;
  driverName: string;
  leaderElection: LeaderElectionSettings;
  logger: Logger;
  /** "host:port" for /healthz and /metrics; unset: not served. */
  metricsAddress?: string | undefined;
  sliceGcGracePeriodMs?: number;
  /** How long an IPPool must stay deleted before its IPAllocations are collected. */
  poolGcGracePeriodMs?: number;
  ipamResyncPeriodMs?: number;
  resyncPeriodMs?: number;
  metrics: ControllerMetrics;
  clock?: Clock;
}

export function defaultIdentity(): string {
  return `${hostname()}_${randomUUID()}`;
}

export class NetclaimController {
  readonly metrics: ControllerMetrics;
  readonly identity: string;
  readonly #opts: NetclaimControllerOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #leadership: Leadership;
  #ops: OpsServer | undefined;
  #term: TermParts | undefined;
  #stopping: Promise<void> | undefined;

  constructor(opts: NetclaimControllerOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? realClock;
    this.#logger = opts.logger;
    this.metrics = opts.metrics;
    const le = opts.leaderElection;
    this.identity = le.identity ?? defaultIdentity();
    this.#leadership = new Leadership({
      lease: { namespace: le.namespace, name: le.name ?? DEFAULT_LEASE_NAME },
      identity: this.identity,
      client: opts.kube.leaseClient({ fieldManager: COMPONENT }),
      lead: (signal) => this.#lead(signal),
      clock: this.#clock,
      logger: this.#logger,
      ...(le.leaseDurationMs === undefined ? {} : { leaseDurationMs: le.leaseDurationMs }),
      ...(le.renewDeadlineMs === undefined ? {} : { renewDeadlineMs: le.renewDeadlineMs }),
      ...(le.retryPeriodMs === undefined ? {} : { retryPeriodMs: le.retryPeriodMs }),
      observer: {
        leading: (leading) => this.metrics.setLeader(leading),
        workFailed: () => this.metrics.leaderWorkFailed(),
      },
    });
  }

  isLeader(): boolean {
    return this.#leadership.isLeader();
  }

  /** The port /healthz and /metrics are served on (after start, when an address was given). */
  get opsPort(): number | undefined {
    return this.#ops?.port;
  }

  async start(signal?: AbortSignal): Promise<void> {
    const address = this.#opts.metricsAddress;
    if (address !== undefined && address !== "") {
      const ops = new OpsServer({
        address,
        metrics: this.metrics,
        health: () => this.health(),
        logger: this.#logger,
      });
      await ops.start();
      this.#ops = ops;
    }
    try {
      this.#leadership.start();
    } catch (err) {
      await this.#ops?.stop();
      throw err;
    }
    this.#logger.info({ identity: this.identity }, "controller started; campaigning for the lease");
    signal?.addEventListener("abort", () => void this.stop(), { once: true });
  }

  /** Workers drain, informers stop, the lease is released, the ops server closes. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await this.#leadership.stop();
      await this.#ops?.stop();
      this.#logger.info("controller stopped");
    })();
    return this.#stopping;
  }

  health(): HealthReport {
    const leading = this.#leadership.isLeader();
    const alive = this.#leadership.alive();
    const leader = this.#leadership.leader();
    const unsynced = leading && this.#term !== undefined ? unsyncedInformers(this.#term) : [];
    const waitingForTerm = leading && this.#term === undefined;
    const checks = {
      leaderElection: alive
        ? { ok: true, detail: leading ? "leading" : `standby; leader ${leader || "(none)"}` }
        : { ok: false, detail: "the leader election loop made no Lease call recently" },
      informers:
        unsynced.length === 0 && !waitingForTerm
          ? { ok: true, detail: leading ? "synced" : "not running (standby)" }
          : { ok: false, detail: `waiting for: ${waitingForTerm ? "start" : unsynced.join(", ")}` },
    };
    return { healthy: Object.values(checks).every((c) => c.ok), checks };
  }

  async #lead(signal: AbortSignal): Promise<void> {
    const version = await this.#resourceVersion(signal);
    const ipam = await this.#servesIpam(signal);
    if (!ipam) this.#logger.warn("netclaim.dev/v1alpha1 IPPools are not served (CRDs missing?): IPAM is off");
    const o = this.#opts;
    const parts = buildTermParts({
      kube: o.kube,
      driverName: o.driverName,
      version,
      ipam,
      identity: this.identity,
      component: COMPONENT,
      metrics: this.metrics,
      resyncPeriodMs: o.resyncPeriodMs ?? RESYNC_PERIOD_MS,
      sliceGcGracePeriodMs: o.sliceGcGracePeriodMs,
      poolGcGracePeriodMs: o.poolGcGracePeriodMs,
      ipamResyncPeriodMs: o.ipamResyncPeriodMs,
      clock: this.#clock,
      logger: this.#logger,
    });
    this.#term = parts;
    try {
      await runTerm(parts, signal);
    } finally {
      this.#term = undefined;
    }
  }

  async #servesIpam(signal: AbortSignal): Promise<boolean> {
    const served = (resource: string) =>
      this.#opts.kube.servesGroupVersion({ group: "netclaim.dev", version: "v1alpha1", resource }, signal);
    const [pools, allocations] = await Promise.all([served("ippools"), served("ipallocations")]);
    return pools && allocations;
  }

  async #resourceVersion(signal: AbortSignal): Promise<ResourceSliceVersion> {
    const picked = await this.#opts.kube.pickServedVersion(RESOURCE_GROUP, RESOURCE_SLICE_VERSIONS, signal);
    if (picked === undefined) throw new Error("the API server serves no known resource.k8s.io version");
    return picked as ResourceSliceVersion;
  }
}
