// The API client netclaim's components use: resource clients for any group/version/resource and
// discovery, over one KubeConfig. Components take the narrow interfaces (ResourceClient, ListWatch,
// LeaseClient) rather than this class or @kubernetes/client-node.
import type { KubeConfig } from "@kubernetes/client-node";
import pkg from "../../package.json" with { type: "json" };
import { pickServedVersion, servedVersions, servesGroupVersion } from "./discovery.ts";
import { KubeTransport } from "./http-transport.ts";
import type { Transport } from "./http-transport.ts";
import { loadKubeConfig } from "./kube-config.ts";
import type { KubeConfigSource } from "./kube-config.ts";
import { GenericResourceClient } from "./resource-client.ts";
import type { ResourceClient } from "./resource-client.ts";
import { RESOURCE_TYPES } from "./resource-path.ts";
import type { ResourceType } from "./resource-path.ts";
import type { LeaseClient } from "./leader-election-config.ts";
import { leaseClientFrom } from "./lease-client.ts";
import type { Lease } from "./lease-record.ts";
import { listWatchFrom } from "./list-watch.ts";
import type { ListWatch } from "./list-watch.ts";
import type { KubeObject } from "./types.ts";

export { ApiError, isAlreadyExists, isConflict, isGone, isNotFound } from "./api-error.ts";

export const NETCLAIM_VERSION: string = pkg.version;

/** "netclaim/0.1.0 (controller)": who is calling, in the API server's audit log and metrics. */
export function userAgent(component: string, version: string = NETCLAIM_VERSION): string {
  return `netclaim/${version} (${component})`;
}

export interface KubeClientOptions {
  kubeConfig: KubeConfig;
  /** "controller", "kubelet-plugin", "cni": goes into the user agent. */
  component: string;
  version?: string;
  /** Socket inactivity limit for non-watch requests. */
  idleTimeoutMs?: number;
  /** Replaces the HTTP layer (tests). */
  transport?: Transport;
}

export class KubeClient {
  readonly kubeConfig: KubeConfig;
  readonly transport: Transport;

  constructor(opts: KubeClientOptions) {
    this.kubeConfig = opts.kubeConfig;
    this.transport =
      opts.transport ??
      new KubeTransport({
        kubeConfig: opts.kubeConfig,
        userAgent: userAgent(opts.component, opts.version),
        ...(opts.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: opts.idleTimeoutMs }),
      });
  }

  /** A client for one resource type; T is the object shape the caller expects. */
  resource<T extends KubeObject>(type: ResourceType): ResourceClient<T> {
    return new GenericResourceClient<T>({ transport: this.transport, type });
  }

  /** What an Informer needs, for one type (optionally one namespace). */
  listWatch<T extends KubeObject>(type: ResourceType, scope: { namespace?: string } = {}): ListWatch<T> {
    return listWatchFrom(this.resource<T>(type), scope);
  }

  /** What a LeaderElector needs: coordination.k8s.io/v1 leases. */
  leaseClient(opts: { fieldManager?: string } = {}): LeaseClient {
    return leaseClientFrom(this.resource<Lease>(RESOURCE_TYPES.leases), opts);
  }

  servedVersions(group: string, signal?: AbortSignal): Promise<string[]> {
    return servedVersions(this.transport, group, signal);
  }

  servesGroupVersion(
    target: { group: string; version: string; resource?: string },
    signal?: AbortSignal,
  ): Promise<boolean> {
    return servesGroupVersion(this.transport, target, signal);
  }

  /** E.g. pickServedVersion("resource.k8s.io", RESOURCE_API_VERSIONS) → "v1" on 1.34+. */
  pickServedVersion(
    group: string,
    candidates: readonly string[],
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    return pickServedVersion(this.transport, group, candidates, signal);
  }
}

/** Loads the kubeconfig and builds the client: what an entry point calls. */
export function createKubeClient(
  source: KubeConfigSource,
  opts: Omit<KubeClientOptions, "kubeConfig">,
): KubeClient {
  return new KubeClient({ ...opts, kubeConfig: loadKubeConfig(source) });
}
