// The controller's Prometheus metrics, on a registry of their own (never prom-client's global one):
//   netclaim_controller_workqueue_depth{controller}                     keys waiting
//   netclaim_controller_workqueue_adds_total{controller}                keys added
//   netclaim_controller_workqueue_retries_total{controller}             rate-limited re-adds
//   netclaim_controller_reconcile_total{controller,result}              success | requeue | error
//   netclaim_controller_reconcile_duration_seconds{controller,result}
//   netclaim_controller_leader                                          1 while this replica leads
//   netclaim_controller_leader_work_failures_total                      leader work restarted
//   netclaim_controller_gc_deleted_total{kind}                          objects garbage-collected
//   netclaim_controller_events_total{type,reason}                       Events emitted
//   netclaim_ipam_allocations{pool}                                     addresses allocated (IPAM)
//   netclaim_ipam_pool_size{pool}                                       usable addresses (IPAM)
//   netclaim_ipam_pool_usage_ratio{pool}                                allocated / size
//   netclaim_ipam_addresses_total{operation}                            addresses allocated / released
// plus prom-client's default process metrics (prefixed netclaim_controller_).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { ControllerObserver, ReconcileOutcome } from "./controller.ts";

const DURATION_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface ControllerMetricsOptions {
  registry?: Registry;
  /** Also collect prom-client's default process metrics. Default true. */
  defaultMetrics?: boolean;
}

/** What the IPAM controllers feed: pool usage after each pool status, addresses allocated/released. */
export interface IpamMetricsSink {
  setPoolUsage(pool: string, usage: { allocated: number; size: number }): void;
  removePool(pool: string): void;
  addressesChanged(operation: "allocate" | "release", count: number): void;
}

export class ControllerMetrics implements IpamMetricsSink {
  readonly registry: Registry;
  private readonly depth: Gauge<"controller">;
  private readonly adds: Counter<"controller">;
  private readonly retries: Counter<"controller">;
  private readonly reconciles: Counter<"controller" | "result">;
  private readonly reconcileDuration: Histogram<"controller" | "result">;
  private readonly leader: Gauge;
  private readonly workFailures: Counter;
  private readonly gcDeleted: Counter<"kind">;
  private readonly events: Counter<"type" | "reason">;
  private readonly allocations: Gauge<"pool">;
  private readonly poolSize: Gauge<"pool">;
  private readonly poolUsage: Gauge<"pool">;
  private readonly ipamAddresses: Counter<"operation">;

  constructor(options: ControllerMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    const gauge = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Gauge<L>({ name, help, labelNames, registers });
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name, help, labelNames, registers });
    this.depth = gauge("netclaim_controller_workqueue_depth", "Keys waiting in the work queue", [
      "controller",
    ]);
    this.adds = counter("netclaim_controller_workqueue_adds_total", "Keys added to the work queue", [
      "controller",
    ]);
    this.retries = counter("netclaim_controller_workqueue_retries_total", "Rate-limited re-adds of keys", [
      "controller",
    ]);
    this.reconciles = counter("netclaim_controller_reconcile_total", "Reconciles by result", [
      "controller",
      "result",
    ]);
    this.reconcileDuration = new Histogram({
      name: "netclaim_controller_reconcile_duration_seconds",
      help: "Time of one reconcile",
      labelNames: ["controller", "result"],
      buckets: DURATION_BUCKETS_S,
      registers,
    });
    this.leader = gauge("netclaim_controller_leader", "1 while this replica holds the leader lease", []);
    this.workFailures = counter(
      "netclaim_controller_leader_work_failures_total",
      "Times the leader's work failed and was restarted",
      [],
    );
    this.gcDeleted = counter("netclaim_controller_gc_deleted_total", "Objects garbage-collected", ["kind"]);
    this.events = counter("netclaim_controller_events_total", "Events emitted", ["type", "reason"]);
    this.allocations = gauge("netclaim_ipam_allocations", "Addresses allocated from the pool", ["pool"]);
    this.poolSize = gauge("netclaim_ipam_pool_size", "Usable addresses of the pool", ["pool"]);
    this.poolUsage = gauge("netclaim_ipam_pool_usage_ratio", "Allocated share of the pool", ["pool"]);
    this.ipamAddresses = counter("netclaim_ipam_addresses_total", "Addresses allocated or released", [
      "operation",
    ]);
    this.leader.set(0);
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: "netclaim_controller_" });
    }
  }

  /** The queue and reconcile observer of one controller. */
  observerFor(controller: string): ControllerObserver {
    this.depth.set({ controller }, 0);
    return {
      queue: {
        depth: (n) => this.depth.set({ controller }, n),
        added: () => this.adds.inc({ controller }),
        retried: () => this.retries.inc({ controller }),
      },
      reconciled: (result: ReconcileOutcome, durationMs: number) => {
        this.reconciles.inc({ controller, result });
        this.reconcileDuration.observe({ controller, result }, durationMs / 1000);
      },
    };
  }

  setLeader(leading: boolean): void {
    this.leader.set(leading ? 1 : 0);
  }

  leaderWorkFailed(): void {
    this.workFailures.inc();
  }

  gcDeletedOne(kind: string): void {
    this.gcDeleted.inc({ kind });
  }

  eventEmitted(type: string, reason: string): void {
    this.events.inc({ type, reason });
  }

  setPoolUsage(pool: string, usage: { allocated: number; size: number }): void {
    this.allocations.set({ pool }, usage.allocated);
    this.poolSize.set({ pool }, usage.size);
    this.poolUsage.set({ pool }, usage.size > 0 ? usage.allocated / usage.size : 0);
  }

  removePool(pool: string): void {
    for (const g of [this.allocations, this.poolSize, this.poolUsage]) g.remove({ pool });
  }

  addressesChanged(operation: "allocate" | "release", count: number): void {
    if (count > 0) this.ipamAddresses.inc({ operation }, count);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
