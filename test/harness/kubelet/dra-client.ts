// The stand-in kubelet's DRA manager: NodePrepareResources / NodeUnprepareResources the kubelet's way
// (one call per driver per pod with all of that pod's not-yet-prepared claims of the driver, a 45 s
// deadline, the service version chosen at registration), with a bounded retry of failed calls, and a
// claim cache shared by the pods that reference a claim.
import { realClock } from "../../../src/common/clock.ts";
import type { Clock } from "../../../src/common/clock.ts";
import { errorMessage } from "../../../src/common/errors.ts";
import { retry } from "../../../src/common/retry.ts";
import type { RetryOptions } from "../../../src/common/retry.ts";
import { DRA_SERVICE_V1 } from "../../../src/k8s/kubelet-grpc.ts";
import { failedCall, prepareOutcomes, unprepareOutcomes } from "./dra-outcomes.ts";
import type { CallOutcomes, ClaimOutcome, WireDevice } from "./dra-outcomes.ts";
import { deadlineIn, grpcCode, unary } from "./grpc-unix.ts";
import type {
  PluginLookup,
  PreparedClaim,
  PreparedDevice,
  RegisteredPlugin,
  StandInClaim,
  StandInPod,
} from "./types.ts";

export type { ClaimOutcome } from "./dra-outcomes.ts";

/** kubelet's defaultClientCallTimeout. */
export const DRA_CALL_TIMEOUT_MS = 45_000;
export const DEFAULT_DRA_RETRY = {
  maxAttempts: 3,
  initialMs: 200,
  maxMs: 2_000,
  factor: 2,
  jitter: 0,
} as const;

export interface KubeletDraClientOptions {
  plugins: PluginLookup;
  callTimeoutMs?: number;
  retry?: Pick<RetryOptions, "maxAttempts" | "initialMs" | "maxMs" | "factor" | "jitter">;
  clock?: Clock;
}

export interface DraResult {
  ok: boolean;
  outcomes: ClaimOutcome[];
  /** Errors not tied to one claim. */
  errors: string[];
}

interface CachedClaim {
  claim: StandInClaim;
  namespace: string;
  pods: Set<string>;
  devicesByDriver: Map<string, PreparedDevice[]>;
  prepared: boolean;
}

export class KubeletDraClient {
  private readonly plugins: PluginLookup;
  private readonly callTimeoutMs: number;
  private readonly retryOptions: RetryOptions;
  private readonly claims = new Map<string, CachedClaim>();
  private readonly pods = new Map<string, StandInPod>();

  constructor(options: KubeletDraClientOptions) {
    this.plugins = options.plugins;
    this.callTimeoutMs = options.callTimeoutMs ?? DRA_CALL_TIMEOUT_MS;
    this.retryOptions = { ...DEFAULT_DRA_RETRY, ...options.retry, clock: options.clock ?? realClock };
  }

  /** Prepares the pod's claims; claims already prepared (for this or another pod) are not sent again. */
  async prepareResources(pod: StandInPod, signal?: AbortSignal): Promise<DraResult> {
    this.pods.set(pod.uid, pod);
    const cached = pod.claims.map((claim) => this.cacheClaim(pod, claim));
    const reused = cached
      .filter((c) => c.prepared)
      .flatMap((c) =>
        [...c.devicesByDriver].map(([driver, devices]): ClaimOutcome => ({
          claim: c.claim,
          driver,
          ok: true,
          devices,
        })),
      );
    const pending = cached.filter((c) => !c.prepared);
    const { outcomes, errors } = await runBatches(pending, (driver, claims) =>
      this.prepareBatch(driver, claims, signal),
    );
    for (const entry of pending) {
      const mine = outcomes.filter((o) => o.claim.uid === entry.claim.uid);
      for (const o of mine) if (o.ok) entry.devicesByDriver.set(o.driver, o.devices);
      entry.prepared = mine.every((o) => o.ok);
    }
    return summarize([...reused, ...outcomes], errors);
  }

  /** Drops the pod; claims no other pod references are unprepared (and forgotten when that works). */
  async unprepareResources(podUid: string, signal?: AbortSignal): Promise<DraResult> {
    const pod = this.pods.get(podUid);
    this.pods.delete(podUid);
    const released: CachedClaim[] = [];
    for (const claim of pod?.claims ?? []) {
      const entry = this.claims.get(claim.uid);
      if (entry === undefined) continue;
      entry.pods.delete(podUid);
      if (entry.pods.size === 0) released.push(entry);
    }
    const { outcomes, errors } = await runBatches(released, (driver, claims) =>
      this.unprepareBatch(driver, claims, signal),
    );
    for (const entry of released) {
      const mine = outcomes.filter((o) => o.claim.uid === entry.claim.uid);
      if (mine.every((o) => o.ok)) this.claims.delete(entry.claim.uid);
    }
    return summarize(outcomes, errors);
  }

  /** What is prepared for a pod: its claims whose every driver succeeded, with their devices. */
  prepared(podUid: string): PreparedClaim[] {
    const pod = this.pods.get(podUid);
    return (pod?.claims ?? []).flatMap((claim) => {
      const entry = this.claims.get(claim.uid);
      if (entry?.prepared !== true) return [];
      return [
        { claim: entry.claim, namespace: entry.namespace, devicesByDriver: new Map(entry.devicesByDriver) },
      ];
    });
  }

  private cacheClaim(pod: StandInPod, claim: StandInClaim): CachedClaim {
    let entry = this.claims.get(claim.uid);
    if (entry === undefined) {
      entry = {
        claim,
        namespace: pod.namespace,
        pods: new Set(),
        devicesByDriver: new Map(),
        prepared: false,
      };
      this.claims.set(claim.uid, entry);
    }
    entry.pods.add(pod.uid);
    return entry;
  }

  private async prepareBatch(
    driver: string,
    claims: StandInClaim[],
    signal?: AbortSignal,
  ): Promise<CallOutcomes> {
    const plugin = this.plugins.getPlugin(driver);
    if (plugin === undefined) return failedCall(driver, claims, `DRA driver ${driver} is not registered`);
    const request = { claims: claims.map((c) => this.wireClaim(c)) };
    try {
      const answer = await this.withRetry(() => this.prepareCall(plugin, request), signal);
      return prepareOutcomes(driver, claims, answer.claims);
    } catch (err) {
      return failedCall(driver, claims, `NodePrepareResources: ${errorMessage(err)}`);
    }
  }

  private async unprepareBatch(
    driver: string,
    claims: StandInClaim[],
    signal?: AbortSignal,
  ): Promise<CallOutcomes> {
    const plugin = this.plugins.getPlugin(driver);
    if (plugin === undefined) return failedCall(driver, claims, `DRA driver ${driver} is not registered`);
    const request = { claims: claims.map((c) => this.wireClaim(c)) };
    try {
      const answer = await this.withRetry(() => this.unprepareCall(plugin, request), signal);
      return unprepareOutcomes(driver, claims, answer.claims);
    } catch (err) {
      return failedCall(driver, claims, `NodeUnprepareResources: ${errorMessage(err)}`);
    }
  }

  private wireClaim(claim: StandInClaim): { namespace: string; uid: string; name: string } {
    return { namespace: this.claims.get(claim.uid)?.namespace ?? "", uid: claim.uid, name: claim.name };
  }

  private withRetry<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const options: RetryOptions = { ...this.retryOptions, shouldRetry: (err) => grpcCode(err) !== undefined };
    if (signal !== undefined) options.signal = signal;
    return retry(call, options);
  }

  private prepareCall(
    plugin: RegisteredPlugin,
    request: { claims: { namespace: string; uid: string; name: string }[] },
  ): Promise<{ claims: Record<string, { devices: WireDevice[]; error: string }> }> {
    const options = { deadline: deadlineIn(this.callTimeoutMs) };
    const { dra } = plugin;
    if (dra.service === DRA_SERVICE_V1)
      return unary((cb) => dra.client.NodePrepareResources(request, options, cb));
    return unary((cb) => dra.client.NodePrepareResources(request, options, cb));
  }

  private unprepareCall(
    plugin: RegisteredPlugin,
    request: { claims: { namespace: string; uid: string; name: string }[] },
  ): Promise<{ claims: Record<string, { error: string }> }> {
    const options = { deadline: deadlineIn(this.callTimeoutMs) };
    const { dra } = plugin;
    if (dra.service === DRA_SERVICE_V1)
      return unary((cb) => dra.client.NodeUnprepareResources(request, options, cb));
    return unary((cb) => dra.client.NodeUnprepareResources(request, options, cb));
  }
}

/** Groups claims by driver (one call per driver) and runs the calls. */
async function runBatches(
  entries: CachedClaim[],
  call: (driver: string, claims: StandInClaim[]) => Promise<CallOutcomes>,
): Promise<CallOutcomes> {
  const batches = new Map<string, StandInClaim[]>();
  for (const { claim } of entries) {
    for (const driver of claim.drivers) batches.set(driver, [...(batches.get(driver) ?? []), claim]);
  }
  const results = await Promise.all([...batches].map(([driver, claims]) => call(driver, claims)));
  return { outcomes: results.flatMap((r) => r.outcomes), errors: results.flatMap((r) => r.errors) };
}

function summarize(outcomes: ClaimOutcome[], errors: string[]): DraResult {
  return { ok: errors.length === 0 && outcomes.every((o) => o.ok), outcomes, errors };
}
