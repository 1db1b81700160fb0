// The two API ports of the standalone engine over one transport: reads (ApiClusterView) and the
// network-status write (ApiStatusWriter), on the generic resource client; the writer's first attempt
// starts from the pod the reads fetched in this call. Loaded only when a CNI call
// first asks the API (lazy-api-ports.ts): the HTTP client modules cost start-up a DEL from the cache
// does not need.
//
// Public API: `ApiPorts`, `ApiPortsOptions`, `createApiPorts`.
import type { Clock } from "../../common/clock.ts";
import type { Logger } from "../../common/logger.ts";
import type { Transport } from "../../k8s/http-transport.ts";
import { GenericResourceClient } from "../../k8s/resource-client.ts";
import { RESOURCE_TYPES } from "../../k8s/resource-path.ts";
import type { ClusterView, NetworkStatusWriter } from "../engine/ports.ts";
import { ApiClusterView } from "./api-cluster-view.ts";
import type { NadObject, PodObject } from "./api-cluster-view.ts";
import { ApiStatusWriter } from "./api-status-writer.ts";

export interface ApiPorts {
  cluster: ClusterView;
  statusWriter: NetworkStatusWriter;
}

export interface ApiPortsOptions {
  transport: Transport;
  clock: Clock;
  logger: Logger;
  requestTimeoutMs?: number;
}

export function createApiPorts(options: ApiPortsOptions): ApiPorts {
  const { transport } = options;
  const pods = new GenericResourceClient<PodObject>({ transport, type: RESOURCE_TYPES.pods });
  const nads = new GenericResourceClient<NadObject>({
    transport,
    type: RESOURCE_TYPES.networkAttachmentDefinitions,
  });
  const timeout =
    options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs };
  const lastRead = new Map<string, PodObject>();
  const key = (namespace: string, name: string): string => `${namespace}/${name}`;
  return {
    cluster: new ApiClusterView({
      pods,
      nads,
      ...timeout,
      onPodRead: (pod) => lastRead.set(key(pod.metadata?.namespace ?? "", pod.metadata?.name ?? ""), pod),
    }),
    statusWriter: new ApiStatusWriter({
      pods,
      ...timeout,
      clock: options.clock,
      logger: options.logger,
      knownPod: (namespace, name) => lastRead.get(key(namespace, name)),
    }),
  };
}
