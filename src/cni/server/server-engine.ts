// The server's engine wiring: the same CniEngine as the standalone plugin, with informer-backed reads,
// the queued status writers and (when configured) claim-to-network correlation from the kubelet plugin's
// own state; everything else — config files, the readiness file, delegates as child
// processes, the attachment cache on disk, default routes through nsenter — exactly the standalone ports.
// Delegates inherit the server's environment (as Multus's daemon runs them), not the shim's: the shim
// forwards only CNI_* variables.
//
// Public API: `ServerEngineDeps`, `ServerEngineTuning`, `SERVER_POD_LOOKUP`, `createEngineFactory`,
// `createServerPorts`, `ServerPorts`, `CniServerKube`, `ServerCorrelationOptions`, `ServerCorrelation`.
import type { Checkpoint } from "../../api/checkpoint.ts";
import type { Clock } from "../../common/clock.ts";
import type { Exec } from "../../common/exec.ts";
import type { Logger } from "../../common/logger.ts";
import { Informer } from "../../k8s/informer.ts";
import type { ListWatch } from "../../k8s/list-watch.ts";
import type { ResourceClient } from "../../k8s/resource-client.ts";
import { RESOURCE_TYPES } from "../../k8s/resource-path.ts";
import type { ResourceType } from "../../k8s/resource-path.ts";
import type { KubeObject } from "../../k8s/types.ts";
import { AttachmentCache } from "../cache/attachment-cache.ts";
import { DelegateRunner } from "../delegate/run-delegate.ts";
import { CniEngine } from "../engine/engine.ts";
import type { CniEngineOptions, PodLookupOptions } from "../engine/engine-options.ts";
import { IpRouteApplier } from "../engine/ip-route-applier.ts";
import { ApiClusterView } from "../standalone/api-cluster-view.ts";
import type { NadObject, PodObject } from "../standalone/api-cluster-view.ts";
import { ApiStatusWriter } from "../standalone/api-status-writer.ts";
import { FsConfFiles } from "../standalone/conf-files.ts";
import { FileReadinessGate } from "../standalone/readiness.ts";
import type { EngineFactory } from "./call-handler.ts";
import { InformerClusterView } from "./informer-cluster-view.ts";
import { StatusQueue } from "./status-queue.ts";
import type { StatusQueueOptions } from "./status-queue.ts";
import { ClaimStatusQueue } from "./claim-status-queue.ts";
import { createCorrelationPorts } from "../correlation/create-device-source.ts";
import type { CorrelationPorts } from "../correlation/create-device-source.ts";
import type { ApiClaim, ApiPod, ApiSlice } from "../correlation/api-candidates.ts";

/** What the server uses of the API client (src/k8s/client.ts KubeClient). */
export interface CniServerKube {
  resource<T extends KubeObject>(type: ResourceType): ResourceClient<T>;
  listWatch<T extends KubeObject>(type: ResourceType): ListWatch<T>;
}

/**
 * The cluster view waits for the informer on a miss already, then reads the pod once directly; the
 * engine's own lookup does not retry on top of that (a pod that is not there: 2.5 s and one GET).
 */
export const SERVER_POD_LOOKUP: PodLookupOptions = { attempts: 1, initialDelayMs: 0, maxDelayMs: 0 };

export interface ServerEngineTuning {
  syncWaitMs?: number;
  podMissWaitMs?: number;
  podLookup?: PodLookupOptions;
  readinessTimeoutMs?: number;
  requestTimeoutMs?: number;
  statusQueue?: Omit<StatusQueueOptions, "cached" | "fresh" | "logger" | "clock">;
}

/** Claim-to-network correlation in the server: the kubelet plugin's own driver and state. */
export interface ServerCorrelationOptions {
  driverName: string;
  podResourcesSocket: string;
  /** The kubelet plugin's checkpoint file (<state-dir>/checkpoint.json). */
  checkpointPath: string;
  /** The plugin's checkpoint in memory (same process); the file while it gives none. */
  checkpoint?: () => Checkpoint | undefined;
  /** Default /var/run/k8s.cni.cncf.io/devinfo. */
  deviceInfoDir?: string;
}

export interface ServerCorrelation {
  ports: CorrelationPorts;
  claimStatusQueue: ClaimStatusQueue;
}

export interface ServerPorts {
  pods: Informer<PodObject>;
  nads: Informer<NadObject>;
  view: InformerClusterView;
  statusQueue: StatusQueue;
  /** Absent: NAD resourceNames are ignored (no correlation configured). */
  correlation?: ServerCorrelation;
}

/**
 * The correlation ports over the server's caches: the checkpoint and PodResources answer a warm ADD; the
 * API reader, asked only for what they could not settle, takes the pod from the informer (its
 * status.resourceClaimStatuses included) and reads claims and slices directly. Claim status writes queue.
 */
function createServerCorrelation(
  deps: { kube: CniServerKube; logger: Logger; clock: Clock; pods: Informer<PodObject> },
  options: ServerCorrelationOptions,
  tuning: ServerEngineTuning,
): ServerCorrelation {
  const { kube, logger, clock, pods } = deps;
  const podClient = kube.resource<ApiPod>(RESOURCE_TYPES.pods);
  const cachedPods: Pick<ResourceClient<ApiPod>, "get"> = {
    get: async (name, opts) => pods.get(`${opts?.namespace ?? ""}/${name}`) ?? podClient.get(name, opts),
  };
  const ports = createCorrelationPorts({
    driverName: options.driverName,
    podResourcesSocket: options.podResourcesSocket,
    checkpointPath: options.checkpointPath,
    ...(options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint }),
    ...(options.deviceInfoDir === undefined ? {} : { deviceInfoDir: options.deviceInfoDir }),
    keepOpen: true,
    logger,
    clock,
    api: {
      pods: cachedPods,
      claims: kube.resource<ApiClaim>(RESOURCE_TYPES.resourceClaims),
      slices: kube.resource<ApiSlice>(RESOURCE_TYPES.resourceSlices),
      ...(tuning.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: tuning.requestTimeoutMs }),
    },
  });
  const writer = ports.claimStatusWriter;
  if (writer === undefined) throw new Error("correlation ports without a claim status writer");
  const claimStatusQueue = new ClaimStatusQueue({ ...tuning.statusQueue, writer, logger, clock });
  return { ports, claimStatusQueue };
}

/** Informers (this node's pods, every NAD), the view over them and the status queues. Nothing starts. */
export function createServerPorts(
  deps: { kube: CniServerKube; nodeName: string; logger: Logger; clock: Clock },
  tuning: ServerEngineTuning = {},
  correlation?: ServerCorrelationOptions,
): ServerPorts {
  const { kube, logger, clock } = deps;
  const podClient = kube.resource<PodObject>(RESOURCE_TYPES.pods);
  const nadClient = kube.resource<NadObject>(RESOURCE_TYPES.networkAttachmentDefinitions);
  const pods = new Informer<PodObject>({
    listWatch: kube.listWatch<PodObject>(RESOURCE_TYPES.pods),
    name: "pods",
    fieldSelector: `spec.nodeName=${deps.nodeName}`,
    clock,
    logger,
  });
  const nads = new Informer<NadObject>({
    listWatch: kube.listWatch<NadObject>(RESOURCE_TYPES.networkAttachmentDefinitions),
    name: "network-attachment-definitions",
    clock,
    logger,
  });
  const timeout = tuning.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: tuning.requestTimeoutMs };
  const direct = new ApiClusterView({ pods: podClient, nads: nadClient, ...timeout });
  const view = new InformerClusterView({
    pods,
    nads,
    direct,
    clock,
    ...(tuning.syncWaitMs === undefined ? {} : { syncWaitMs: tuning.syncWaitMs }),
    ...(tuning.podMissWaitMs === undefined ? {} : { podMissWaitMs: tuning.podMissWaitMs }),
  });
  const writer = (knownPod?: (ns: string, name: string) => PodObject | undefined) =>
    new ApiStatusWriter({ pods: podClient, ...timeout, clock, logger, ...(knownPod ? { knownPod } : {}) });
  const statusQueue = new StatusQueue({
    ...tuning.statusQueue,
    cached: writer((ns, name) => pods.get(`${ns}/${name}`)),
    fresh: writer(),
    logger,
    clock,
  });
  if (correlation === undefined) return { pods, nads, view, statusQueue };
  return {
    pods,
    nads,
    view,
    statusQueue,
    correlation: createServerCorrelation({ kube, logger, clock, pods }, correlation, tuning),
  };
}

export interface ServerEngineDeps {
  ports: Pick<ServerPorts, "view" | "statusQueue" | "correlation">;
  exec: Exec;
  /** What delegates inherit (the server's process.env). */
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  logger: Logger;
  tuning?: ServerEngineTuning;
  /** More engine ports (e.g. a device source for correlation), passed through. */
  extra?: Partial<CniEngineOptions>;
}

/** The per-call engine: shared ports, the call's pod UID and container for the view and the status. */
export function createEngineFactory(deps: ServerEngineDeps): EngineFactory {
  const { exec, env, clock, logger, ports } = deps;
  const caches = new Map<string, AttachmentCache>();
  const base: Omit<CniEngineOptions, "cluster" | "statusWriter"> = {
    confFiles: new FsConfFiles(),
    readiness: new FileReadinessGate({ clock }),
    routes: new IpRouteApplier({ exec }),
    executorFor: (binDirs) => new DelegateRunner({ exec, binDirs, baseEnv: env, clock }),
    cacheFor: (dir) => {
      let cache = caches.get(dir);
      if (cache === undefined) caches.set(dir, (cache = new AttachmentCache(dir)));
      return cache;
    },
    clock,
    logger,
    podLookup: deps.tuning?.podLookup ?? SERVER_POD_LOOKUP,
    ...(deps.tuning?.readinessTimeoutMs === undefined
      ? {}
      : { readinessTimeoutMs: deps.tuning.readinessTimeoutMs }),
    ...deps.extra,
  };
  const correlation = ports.correlation;
  return ({ podUid, containerId }) =>
    new CniEngine({
      ...base,
      ...(correlation === undefined
        ? {}
        : {
            deviceSource: correlation.ports.deviceSource,
            deviceInfo: correlation.ports.deviceInfo,
            claimStatusWriter: correlation.claimStatusQueue.forContainer(containerId),
          }),
      cluster: ports.view.forPod(podUid),
      statusWriter: ports.statusQueue.forContainer(containerId),
    });
}
