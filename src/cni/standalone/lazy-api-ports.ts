// ClusterView and NetworkStatusWriter that load the real ones (api-ports.ts) at their first call, once
// for both: the standalone engine is built for every CNI call, and most DELs (served from the attachment
// cache) never ask the API.
//
// Public API: `LazyApiPorts`.
import type {
  ClusterView,
  NetworkAttachmentDefinition,
  NetworkStatusWriter,
  PodInfo,
} from "../engine/ports.ts";
import type { ApiPorts } from "./api-ports.ts";

export class LazyApiPorts implements ClusterView, NetworkStatusWriter {
  private readonly load: () => Promise<ApiPorts>;
  private loaded: Promise<ApiPorts> | undefined;

  constructor(load: () => Promise<ApiPorts>) {
    this.load = load;
  }

  private ports(): Promise<ApiPorts> {
    this.loaded ??= this.load();
    return this.loaded;
  }

  async getPod(namespace: string, name: string, signal?: AbortSignal): Promise<PodInfo | undefined> {
    return (await this.ports()).cluster.getPod(namespace, name, signal);
  }

  async getNetworkAttachmentDefinition(
    namespace: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<NetworkAttachmentDefinition | undefined> {
    return (await this.ports()).cluster.getNetworkAttachmentDefinition(namespace, name, signal);
  }

  async writeNetworkStatus(
    pod: Pick<PodInfo, "namespace" | "name" | "uid">,
    value: string,
    signal?: AbortSignal,
  ): Promise<void> {
    return (await this.ports()).statusWriter.writeNetworkStatus(pod, value, signal);
  }
}
