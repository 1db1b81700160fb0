// The stand-in kubelet's PodResources server: v1.PodResourcesLister (List, Get,
// GetAllocatableResources) on a unix socket, answering from what the stand-in prepared.
import * as grpc from "@grpc/grpc-js";
import { kubeletServices } from "../../../src/k8s/kubelet-grpc.ts";
import type { AllocatableResourcesResponse } from "../../../src/generated/podresources-v1/v1/AllocatableResourcesResponse.ts";
import type { PodResourcesListerHandlers } from "../../../src/generated/podresources-v1/v1/PodResourcesLister.ts";
import { bindUnix, shutdownUnix } from "./grpc-unix.ts";
import { podResourcesView } from "./pod-resources-view.ts";
import type { PreparedClaim, StandInPod } from "./types.ts";

/** Where the server reads its answers (the FakeKubelet: its pods and the DRA client's records). */
export interface PodResourcesSource {
  pods(): StandInPod[];
  prepared(podUid: string): PreparedClaim[];
  /** Device-plugin devices (and CPUs, memory) the node can hand out. */
  allocatable(): AllocatableResourcesResponse;
}

export interface PodResourcesServerOptions {
  socketPath: string;
  source: PodResourcesSource;
}

export class PodResourcesServer {
  readonly socketPath: string;
  private readonly source: PodResourcesSource;
  private server: grpc.Server | undefined;
  private stopping: Promise<void> = Promise.resolve();

  constructor(options: PodResourcesServerOptions) {
    this.socketPath = options.socketPath;
    this.source = options.source;
  }

  async start(signal?: AbortSignal): Promise<void> {
    const server = new grpc.Server();
    server.addService(kubeletServices().podResources.service, this.handlers());
    await bindUnix(server, this.socketPath);
    this.server = server;
    signal?.addEventListener("abort", () => void this.stop(), { once: true });
  }

  /** Closes the server and removes the socket; concurrent calls share one shutdown. */
  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) this.stopping = shutdownUnix(server, this.socketPath);
    return this.stopping;
  }

  private handlers(): PodResourcesListerHandlers {
    const view = (pod: StandInPod) => podResourcesView(pod, this.source.prepared(pod.uid));
    return {
      List: (_call, callback) => {
        callback(null, { pod_resources: this.source.pods().map(view) });
      },
      Get: (call, callback) => {
        const { pod_name: name, pod_namespace: namespace } = call.request;
        const pod = this.source.pods().find((p) => p.name === name && p.namespace === namespace);
        if (pod === undefined) {
          // The kubelet returns a plain Go error here, which gRPC sends as UNKNOWN.
          callback({ code: grpc.status.UNKNOWN, details: `pod ${name} in namespace ${namespace} not found` });
          return;
        }
        callback(null, { pod_resources: view(pod) });
      },
      GetAllocatableResources: (_call, callback) => {
        callback(null, this.source.allocatable());
      },
    };
  }
}
