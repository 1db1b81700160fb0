// ClusterView over the API server, one GET per question: the pod (core/v1 pods) and NADs
// (k8s.cni.cncf.io/v1 network-attachment-definitions), as Multus's thin plugin reads them. NotFound is
// `undefined` (for a NAD also when the CRD is not installed: the API answers 404 NotFound for both, and
// Multus reads both as "no such network"); any other failure is a CniError KUBE_API naming the object.
// Each request has a short deadline (api-call.ts); retries are the engine's (pod lookup) decision.
//
// Public API: `ApiClusterView`, `ApiClusterViewOptions`, `PodObject`, `NadObject`, `toPodInfo`, `toNad`.
import { isNotFound } from "../../k8s/api-error.ts";
import type { ResourceClient } from "../../k8s/resource-client.ts";
import type { KubeObject } from "../../k8s/types.ts";
import type { ClusterView, NetworkAttachmentDefinition, PodInfo } from "../engine/ports.ts";
import { callApi, DEFAULT_API_REQUEST_TIMEOUT_MS } from "./api-call.ts";

export type PodObject = KubeObject;
export interface NadObject extends KubeObject {
  spec?: { config?: unknown };
}

export interface ApiClusterViewOptions {
  pods: Pick<ResourceClient<PodObject>, "get">;
  nads: Pick<ResourceClient<NadObject>, "get">;
  requestTimeoutMs?: number;
  /** Told every pod read, whole (the status writer's first attempt reuses it, as Multus does). */
  onPodRead?: (pod: PodObject) => void;
}

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  return out;
}

/** The parts of a pod the engine uses. Pure. */
export function toPodInfo(obj: PodObject, namespace: string, name: string): PodInfo {
  const meta = obj.metadata ?? {};
  const pod: PodInfo = {
    namespace: meta.namespace ?? namespace,
    name: meta.name ?? name,
    uid: meta.uid ?? "",
    annotations: stringMap(meta.annotations),
  };
  if (meta.resourceVersion !== undefined) pod.resourceVersion = meta.resourceVersion;
  return pod;
}

/** The parts of a NAD the engine uses; an empty or absent spec.config is "no config". Pure. */
export function toNad(obj: NadObject, namespace: string, name: string): NetworkAttachmentDefinition {
  const meta = obj.metadata ?? {};
  const nad: NetworkAttachmentDefinition = {
    namespace: meta.namespace ?? namespace,
    name: meta.name ?? name,
    annotations: stringMap(meta.annotations),
  };
  const config = obj.spec?.config;
  if (typeof config === "string" && config !== "") nad.config = config;
  return nad;
}

/** Resolves undefined for NotFound, else passes the result or the error on. */
function orUndefinedIfNotFound<T>(promise: Promise<T>): Promise<T | undefined> {
  return promise.catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
}

export class ApiClusterView implements ClusterView {
  private readonly pods: Pick<ResourceClient<PodObject>, "get">;
  private readonly nads: Pick<ResourceClient<NadObject>, "get">;
  private readonly timeoutMs: number;
  private readonly onPodRead: ((pod: PodObject) => void) | undefined;

  constructor(options: ApiClusterViewOptions) {
    this.pods = options.pods;
    this.nads = options.nads;
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_API_REQUEST_TIMEOUT_MS;
    this.onPodRead = options.onPodRead;
  }

  async getPod(namespace: string, name: string, signal?: AbortSignal): Promise<PodInfo | undefined> {
    if (namespace === "" || name === "") return undefined; // a GET without a name would be a LIST
    const obj = await callApi({
      what: `get pod ${namespace}/${name}`,
      timeoutMs: this.timeoutMs,
      signal,
      run: (s) => orUndefinedIfNotFound(this.pods.get(name, { namespace, signal: s })),
    });
    if (obj === undefined) return undefined;
    this.onPodRead?.(obj);
    return toPodInfo(obj, namespace, name);
  }

  async getNetworkAttachmentDefinition(
    namespace: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<NetworkAttachmentDefinition | undefined> {
    if (namespace === "" || name === "") return undefined;
    const obj = await callApi({
      what: `get network-attachment-definition ${namespace}/${name}`,
      timeoutMs: this.timeoutMs,
      signal,
      run: (s) => orUndefinedIfNotFound(this.nads.get(name, { namespace, signal: s })),
    });
    return obj === undefined ? undefined : toNad(obj, namespace, name);
  }
}
