// What the DRA service needs from the rest of the plugin, in its own terms (consumer-owned ports):
// something that prepares and unprepares one claim, something that counts what happened, and the
// devices whose health it streams. The service adds everything the kubelet protocol asks for around
// them: validation, one answer per claim, per-claim serialization, cancellation.

/** A claim as the kubelet names it in NodePrepareResources / NodeUnprepareResources. */
export interface ClaimRef {
  namespace: string;
  name: string;
  uid: string;
}

/** One prepared device, as the kubelet stores it and hands its CDI IDs to the runtime. */
export interface PreparedDevice {
  /** Requests of the claim this device serves (subrequest suffixes stripped); empty = all. */
  requestNames: string[];
  poolName: string;
  deviceName: string;
  /** Fully qualified CDI device IDs, `vendor/class=name`. */
  cdiDeviceIds: string[];
  /** For consumable-capacity allocations (v1 only; v1beta1 cannot carry it). */
  shareId?: string;
}

export type PrepareOutcome = { devices: PreparedDevice[] } | { error: string };
export type UnprepareOutcome = { ok: true } | { error: string };

/**
 * Prepares and unprepares single claims. Calls for one claim UID never overlap (the service
 * serializes them); calls for different claims run concurrently. Both must be idempotent, and
 * unprepare of a claim never prepared here must succeed. A thrown error fails that claim only.
 */
export interface ClaimPreparer {
  prepare(claim: ClaimRef, signal: AbortSignal): Promise<PrepareOutcome>;
  unprepare(claim: ClaimRef, signal: AbortSignal): Promise<UnprepareOutcome>;
}

export type DraOperation = "prepare" | "unprepare";
export type DraResult = "success" | "error";

/** What the service reports for metrics; every method is optional to implement as a no-op. */
export interface DraObserver {
  /** One claim handled, with its duration. */
  claimDone(operation: DraOperation, result: DraResult, durationMs: number): void;
  /** One gRPC call answered (or refused), with its status code name, e.g. "OK", "INVALID_ARGUMENT". */
  callDone(method: string, service: string, code: string, durationMs: number): void;
}

/** A device whose health the DRAResourceHealth service reports. */
export interface HealthDevice {
  poolName: string;
  deviceName: string;
  health: "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
  message?: string;
}

/** The devices to report and a way to hear when that list changes. */
export interface DeviceHealthSource {
  devices(): HealthDevice[];
  /** Calls `listener` after each change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

export const NOOP_OBSERVER: DraObserver = {
  claimDone: () => undefined,
  callDone: () => undefined,
};
