// Writes the pod's `k8s.v1.cni.cncf.io/network-status` annotation the way Multus does (NAD client
// SetNetworkStatus): the annotation set on the pod and written with an update of pods/status (Multus's
// ClusterRole grants get and update on pods/status, not patch), retried on a 409 Conflict by reading the
// pod again and setting the annotation again (client-go retry.DefaultBackoff: 4 attempts, 10 ms growing
// 5x, 10 % jitter). Like Multus, the first attempt starts from the pod this CNI call already read
// (`knownPod`), if any: one GET fewer per ADD, and a 409 then a fresh GET when it changed since.
// Two checks Multus lacks: the pod must still be the pod of this sandbox (same UID; a StatefulSet pod
// re-created under the same name must not get the old pod's status), and an annotation a fresh read
// shows with the value already is not written again. A pod that is gone is not an error (Multus
// tolerates "not found" too): there is nothing to write to; it is logged.
//
// Public API: `ApiStatusWriter`, `ApiStatusWriterOptions`, `NETWORK_STATUS_ANNOTATION`,
// `STATUS_CONFLICT_RETRY`.
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import type { Logger } from "../../common/logger.ts";
import { retry } from "../../common/retry.ts";
import { isConflict, isNotFound } from "../../k8s/api-error.ts";
import type { ResourceClient } from "../../k8s/resource-client.ts";
import type { NetworkStatusWriter, PodInfo } from "../engine/ports.ts";
import { CniError } from "../protocol/errors.ts";
import { callApi, DEFAULT_API_REQUEST_TIMEOUT_MS } from "./api-call.ts";
import type { PodObject } from "./api-cluster-view.ts";

export const NETWORK_STATUS_ANNOTATION = "k8s.v1.cni.cncf.io/network-status";
/** client-go retry.DefaultBackoff. */
export const STATUS_CONFLICT_RETRY = { maxAttempts: 4, initialMs: 10, factor: 5, maxMs: 1_000, jitter: 0.1 };

export interface ApiStatusWriterOptions {
  pods: Pick<ResourceClient<PodObject>, "get" | "updateStatus">;
  requestTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
  /** The pod as this call last read it (ApiClusterView's onPodRead), for the first attempt. */
  knownPod?: (namespace: string, name: string) => PodObject | undefined;
}

/** Whether the error or its cause (callApi wraps ApiErrors) is a 409 Conflict. */
function isConflictError(err: unknown): boolean {
  return isConflict(err) || (err instanceof Error && isConflict(err.cause));
}

type Outcome = "written" | "unchanged" | "pod-gone";

export class ApiStatusWriter implements NetworkStatusWriter {
  private readonly options: ApiStatusWriterOptions;
  private readonly timeoutMs: number;

  constructor(options: ApiStatusWriterOptions) {
    this.options = options;
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_API_REQUEST_TIMEOUT_MS;
  }

  async writeNetworkStatus(
    pod: Pick<PodInfo, "namespace" | "name" | "uid">,
    value: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const outcome = await retry((attempt) => this.attempt(pod, value, signal, attempt === 1), {
      ...STATUS_CONFLICT_RETRY,
      shouldRetry: isConflictError,
      onRetry: (err, attempt) =>
        this.options.logger?.debug(
          { err, attempt },
          "network-status update conflicted; reading the pod again",
        ),
      clock: this.options.clock ?? realClock,
      ...(signal === undefined ? {} : { signal }),
      ...(this.options.random === undefined ? {} : { random: this.options.random }),
    });
    if (outcome === "pod-gone") {
      this.options.logger?.warn(
        { pod: `${pod.namespace}/${pod.name}` },
        "pod is gone from the API server; network-status not written",
      );
    }
  }

  private async attempt(
    pod: Pick<PodInfo, "namespace" | "name" | "uid">,
    value: string,
    signal: AbortSignal | undefined,
    first: boolean,
  ): Promise<Outcome> {
    const known = first ? this.options.knownPod?.(pod.namespace, pod.name) : undefined;
    const current = known ?? (await this.read(pod, signal));
    if (current === undefined) return "pod-gone";
    return this.update(pod, current, value, { signal, fresh: known === undefined });
  }

  private read(
    pod: Pick<PodInfo, "namespace" | "name">,
    signal: AbortSignal | undefined,
  ): Promise<PodObject | undefined> {
    const { namespace, name } = pod;
    return callApi({
      what: `get pod ${namespace}/${name} (to write network-status)`,
      timeoutMs: this.timeoutMs,
      signal,
      run: (s) =>
        this.options.pods.get(name, { namespace, signal: s }).catch((err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        }),
    });
  }

  /** `fresh`: `current` was just read (not the call's earlier read), so "already set" can be trusted. */
  private async update(
    pod: Pick<PodInfo, "namespace" | "name" | "uid">,
    current: PodObject,
    value: string,
    { signal, fresh }: { signal: AbortSignal | undefined; fresh: boolean },
  ): Promise<Outcome> {
    const { namespace, name } = pod;
    const meta = current.metadata ?? {};
    if (pod.uid !== "" && meta.uid !== pod.uid) {
      throw new CniError(
        "POD_MISMATCH",
        `pod ${namespace}/${name} in the API server has UID ${meta.uid ?? "(none)"}, not ${pod.uid}: ` +
          "network-status not written to a different pod",
      );
    }
    if (fresh && meta.annotations?.[NETWORK_STATUS_ANNOTATION] === value) return "unchanged";
    const updated: PodObject = {
      ...current,
      metadata: { ...meta, annotations: { ...meta.annotations, [NETWORK_STATUS_ANNOTATION]: value } },
    };
    return callApi<Outcome>({
      what: `update status of pod ${namespace}/${name} (network-status)`,
      timeoutMs: this.timeoutMs,
      signal,
      run: (s) =>
        this.options.pods.updateStatus(updated, { namespace, signal: s }).then(
          () => "written" as const,
          (err: unknown) => {
            if (isNotFound(err)) return "pod-gone" as const;
            throw err;
          },
        ),
    });
  }
}
