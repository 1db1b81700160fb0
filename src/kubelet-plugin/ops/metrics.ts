// The kubelet plugin's Prometheus metrics, on a registry of their own (never prom-client's global one):
//   netclaim_dra_claim_operations_total{operation,result}          claims prepared / unprepared
//   netclaim_dra_claim_operation_duration_seconds{operation,result} per claim
//   netclaim_dra_grpc_calls_total{method,service,code}            NodePrepare/UnprepareResources calls
//   netclaim_dra_grpc_call_duration_seconds{method,service,code}
//   netclaim_kubelet_plugin_errors_total{component}               background errors (publishing,
//                                                                 registration, recovery)
//   netclaim_resource_slice_devices_published                     devices in this node's slices
//   netclaim_prepared_claims                                      claims in the checkpoint
// plus prom-client's default process metrics (prefixed netclaim_kubelet_plugin_).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { DraObserver, DraOperation, DraResult } from "../dra-service/ports.ts";

/** Seconds; prepare of one claim spans an API read, sysfs writes and a couple of fsyncs. */
const DURATION_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface PluginMetricsOptions {
  registry?: Registry;
  /** Also collect prom-client's default process metrics. Default true. */
  defaultMetrics?: boolean;
}

export class PluginMetrics implements DraObserver {
  readonly registry: Registry;
  private readonly claimOps: Counter<"operation" | "result">;
  private readonly claimDuration: Histogram<"operation" | "result">;
  private readonly calls: Counter<"method" | "service" | "code">;
  private readonly callDuration: Histogram<"method" | "service" | "code">;
  private readonly errors: Counter<"component">;
  private readonly devicesPublished: Gauge;
  private readonly preparedClaims: Gauge;

  constructor(options: PluginMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    this.claimOps = new Counter({
      name: "netclaim_dra_claim_operations_total",
      help: "ResourceClaims prepared or unprepared, by result",
      labelNames: ["operation", "result"],
      registers,
    });
    this.claimDuration = new Histogram({
      name: "netclaim_dra_claim_operation_duration_seconds",
      help: "Time to prepare or unprepare one ResourceClaim",
      labelNames: ["operation", "result"],
      buckets: DURATION_BUCKETS_S,
      registers,
    });
    this.calls = new Counter({
      name: "netclaim_dra_grpc_calls_total",
      help: "DRA gRPC calls from the kubelet, by method, service version and status code",
      labelNames: ["method", "service", "code"],
      registers,
    });
    this.callDuration = new Histogram({
      name: "netclaim_dra_grpc_call_duration_seconds",
      help: "Duration of DRA gRPC calls from the kubelet",
      labelNames: ["method", "service", "code"],
      buckets: DURATION_BUCKETS_S,
      registers,
    });
    this.errors = new Counter({
      name: "netclaim_kubelet_plugin_errors_total",
      help: "Errors outside of a gRPC call, by component",
      labelNames: ["component"],
      registers,
    });
    this.devicesPublished = new Gauge({
      name: "netclaim_resource_slice_devices_published",
      help: "Devices this node last published in its ResourceSlices",
      registers,
    });
    this.preparedClaims = new Gauge({
      name: "netclaim_prepared_claims",
      help: "ResourceClaims in the checkpoint (prepared or in transition)",
      registers,
    });
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: "netclaim_kubelet_plugin_" });
    }
  }

  claimDone(operation: DraOperation, result: DraResult, durationMs: number): void {
    this.claimOps.inc({ operation, result });
    this.claimDuration.observe({ operation, result }, durationMs / 1000);
  }

  callDone(method: string, service: string, code: string, durationMs: number): void {
    this.calls.inc({ method, service, code });
    this.callDuration.observe({ method, service, code }, durationMs / 1000);
  }

  recordError(component: string): void {
    this.errors.inc({ component });
  }

  setDevicesPublished(count: number): void {
    this.devicesPublished.set(count);
  }

  setPreparedClaims(count: number): void {
    this.preparedClaims.set(count);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
