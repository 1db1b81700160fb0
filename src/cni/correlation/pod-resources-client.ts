// A PodResources v1 client on the kubelet's unix socket (gRPC), for one pod's resources: `Get`
// (KubeletPodResourcesGet, beta and on since 1.34), falling back to `List` when the kubelet does not serve
// Get (UNIMPLEMENTED, or its "Get method disabled" error). The kubelet answers Get for an unknown pod with
// a plain error (gRPC UNKNOWN, "pod <name> in namespace <ns> not found"): that is "no resources", not a
// failure. Receive limit 16 MiB, as Multus sets it (List answers for a whole node are large). This module
// loads @grpc/grpc-js and the protos: import it lazily, when a network needs a device.
//
// Public API: `POD_RESOURCES_MAX_MESSAGE_BYTES`, `PodResourcesGetter`, `openPodResourcesClient`.
import * as grpc from "@grpc/grpc-js";
import type { PodResources__Output } from "../../generated/podresources-v1/v1/PodResources.ts";
import type { ListPodResourcesResponse__Output } from "../../generated/podresources-v1/v1/ListPodResourcesResponse.ts";
import type { PodResourcesListerClient } from "../../generated/podresources-v1/v1/PodResourcesLister.ts";
import { DEFAULT_PROTO_DIR, kubeletServices, unixTarget } from "../../k8s/kubelet-grpc.ts";

export const POD_RESOURCES_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export interface PodResourcesGetter {
  /** The pod's resources; undefined when the kubelet does not know the pod. */
  get(
    namespace: string,
    name: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<PodResources__Output | undefined>;
  close(): void;
}

type Unary<T> = (callback: grpc.requestCallback<T>) => grpc.ClientUnaryCall;

function call<T>(start: Unary<T>, signal: AbortSignal | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => pending.cancel();
    const pending = start((err, value) => {
      signal?.removeEventListener("abort", onAbort);
      if (err) reject(err);
      else if (value === undefined) reject(new Error("PodResources answered nothing"));
      else resolve(value);
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

function detailsOf(err: unknown): string {
  const details = (err as { details?: unknown } | null)?.details;
  return typeof details === "string" ? details : err instanceof Error ? err.message : String(err);
}

const isNotFound = (err: unknown): boolean =>
  grpcCode(err) === grpc.status.UNKNOWN && /not found/i.test(detailsOf(err));
const isGetUnavailable = (err: unknown): boolean =>
  grpcCode(err) === grpc.status.UNIMPLEMENTED || /get method disabled/i.test(detailsOf(err));

class GrpcPodResourcesGetter implements PodResourcesGetter {
  private readonly client: PodResourcesListerClient;
  private readonly socketPath: string;

  constructor(client: PodResourcesListerClient, socketPath: string) {
    this.client = client;
    this.socketPath = socketPath;
  }

  async get(namespace: string, name: string, timeoutMs: number, signal?: AbortSignal) {
    const options = (): grpc.CallOptions => ({ deadline: new Date(Date.now() + timeoutMs) });
    try {
      const answer = await call<{ pod_resources?: PodResources__Output | null }>(
        (cb) => this.client.Get({ pod_name: name, pod_namespace: namespace }, options(), cb),
        signal,
      );
      return answer.pod_resources ?? undefined;
    } catch (err) {
      signal?.throwIfAborted();
      if (isNotFound(err)) return undefined;
      if (!isGetUnavailable(err)) {
        throw new Error(`PodResources Get of pod ${namespace}/${name} on ${this.socketPath}`, { cause: err });
      }
    }
    try {
      const list = await call<ListPodResourcesResponse__Output>(
        (cb) => this.client.List({}, options(), cb),
        signal,
      );
      return list.pod_resources.find((p) => p.namespace === namespace && p.name === name);
    } catch (err) {
      signal?.throwIfAborted();
      throw new Error(`PodResources List (for pod ${namespace}/${name}) on ${this.socketPath}`, {
        cause: err,
      });
    }
  }

  close(): void {
    this.client.close();
  }
}

export function openPodResourcesClient(
  socketPath: string,
  protoDir: string = DEFAULT_PROTO_DIR,
): PodResourcesGetter {
  const Lister = kubeletServices(protoDir).podResources;
  const client = new Lister(unixTarget(socketPath), grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": POD_RESOURCES_MAX_MESSAGE_BYTES,
  });
  return new GrpcPodResourcesGetter(client, socketPath);
}
