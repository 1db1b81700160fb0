// What every command module receives: the engine's dependencies plus this invocation's config and
// signal, and small helpers over them (the delegate executor for the invocation's bin dirs, the
// attachment cache of the config's cniDir, the pod named in CNI_ARGS).
import type { NetConf } from "../../api/netconf.ts";
import { delegateBinDirs } from "../delegate/find-plugin.ts";
import type { LocatingExecutor } from "../delegate/gc-status.ts";
import type { CniArgs } from "../protocol/env.ts";
import type { AttachmentCacheStore, CniEngineOptions } from "./engine-options.ts";

export interface EngineContext extends CniEngineOptions {
  netconf: NetConf;
  signal: AbortSignal | undefined;
}

/** The pod a request is about, from CNI_ARGS; namespace/name "" when the runtime gave none. */
export interface PodRef {
  namespace: string;
  name: string;
  /** K8S_POD_UID, "" when absent. */
  uid: string;
}

export function podRefOf(args: CniArgs): PodRef {
  return {
    namespace: args.k8s.podNamespace ?? "",
    name: args.k8s.podName ?? "",
    uid: args.k8s.podUid ?? "",
  };
}

/** Whether CNI_ARGS names a pod (both K8S_POD_NAMESPACE and K8S_POD_NAME). */
export function namesPod(ref: PodRef): boolean {
  return ref.namespace !== "" && ref.name !== "";
}

/** `pod ns/name` for messages, or `container <id>` when the runtime named no pod. */
export function describePod(ref: PodRef, containerId?: string): string {
  if (namesPod(ref)) return `pod ${ref.namespace}/${ref.name}`;
  return containerId === undefined ? "pod (not named in CNI_ARGS)" : `container ${containerId}`;
}

/** Delegates are searched in binDir, then CNI_PATH (Multus's order). */
export function executorFor(ctx: EngineContext, cniPath: readonly string[]): LocatingExecutor {
  return ctx.executorFor(delegateBinDirs(ctx.netconf.binDir, cniPath));
}

export function cacheOf(ctx: EngineContext): AttachmentCacheStore {
  return ctx.cacheFor(ctx.netconf.cniDir);
}
