// Finding the pod a CNI request is about. ADD retries briefly, NotFound included: the runtime may call
// before the API (or, in daemon mode, the informer) has the pod. Multus polls 2.5 s every 250 ms;
// netclaim backs off from `initialDelayMs` to `maxDelayMs` over `attempts` tries on the engine's Clock.
// After the last try a NotFound is "missing" (the caller attaches the cluster network only, as Multus
// did before v4.2 and as issue 3 asks), any other failure fails the ADD (KUBE_API).
// A K8S_POD_UID that differs from the API pod's uid fails the ADD naming both, unless the pod is a static
// pod's mirror (annotation kubernetes.io/config.source other than "api"), whose uid always differs.
// DEL asks once and never fails on the answer; it reports what happened for the caller to judge.
import { retry } from "../../common/retry.ts";
import type { EngineContext, PodRef } from "./context.ts";
import { DEFAULT_POD_LOOKUP } from "./engine-options.ts";
import { failure, problem } from "./engine-errors.ts";
import type { CniError } from "../protocol/errors.ts";
import type { ClusterView, PodInfo } from "./ports.ts";

export const CONFIG_SOURCE_ANNOTATION = "kubernetes.io/config.source";

export type PodAnswer =
  { kind: "found"; pod: PodInfo } | { kind: "missing" } | { kind: "failed"; error: Error };

class NotFoundYet extends Error {
  constructor() {
    super("pod not found");
    this.name = "NotFoundYet";
  }
}

/** A static pod's mirror pod: its API uid is not the runtime's. */
export function isStaticPod(pod: PodInfo): boolean {
  const source = pod.annotations[CONFIG_SOURCE_ANNOTATION];
  return source !== undefined && source !== "api";
}

/** The ADD's UID rule; undefined when the pod is the one the runtime means. Pure. */
export function podUidMismatch(ref: PodRef, pod: PodInfo): CniError | undefined {
  if (ref.uid === "" || ref.uid === pod.uid || isStaticPod(pod)) return undefined;
  return problem(
    "POD_MISMATCH",
    `pod ${ref.namespace}/${ref.name}: expected pod UID ${JSON.stringify(ref.uid)} (K8S_POD_UID) but the API has ${JSON.stringify(pod.uid)}`,
  );
}

/** ADD: the pod, or undefined when it is still not there after the retries. Throws KUBE_API. */
export async function lookupPodForAdd(
  ctx: EngineContext,
  cluster: ClusterView,
  ref: PodRef,
): Promise<PodInfo | undefined> {
  const options = ctx.podLookup ?? DEFAULT_POD_LOOKUP;
  try {
    return await retry(
      async () => {
        const pod = await cluster.getPod(ref.namespace, ref.name, ctx.signal);
        if (pod === undefined) throw new NotFoundYet();
        return pod;
      },
      {
        maxAttempts: Math.max(1, options.attempts),
        initialMs: options.initialDelayMs,
        maxMs: options.maxDelayMs,
        clock: ctx.clock,
        signal: ctx.signal,
        onRetry: (err, attempt, delayMs) =>
          ctx.logger.debug(
            { pod: `${ref.namespace}/${ref.name}`, attempt, delayMs, err },
            "pod lookup retry",
          ),
      },
    );
  } catch (err) {
    if (err instanceof NotFoundYet) return undefined;
    ctx.signal?.throwIfAborted();
    throw failure(`pod ${ref.namespace}/${ref.name}: get pod`, err, "KUBE_API");
  }
}

/** DEL: one try; a pod whose uid is not the runtime's counts as missing (Multus: use the cache). */
export async function lookupPodForDel(
  ctx: EngineContext,
  cluster: ClusterView,
  ref: PodRef,
): Promise<PodAnswer> {
  try {
    const pod = await cluster.getPod(ref.namespace, ref.name, ctx.signal);
    if (pod === undefined) return { kind: "missing" };
    if (podUidMismatch(ref, pod) !== undefined) return { kind: "missing" };
    return { kind: "found", pod };
  } catch (err) {
    return { kind: "failed", error: failure(`pod ${ref.namespace}/${ref.name}: get pod`, err, "KUBE_API") };
  }
}
