// NetworkAttachmentDefinition reads of one resolution (each NAD fetched once, however often the pod
// lists it) and the delegate config a NAD stands for: its spec.config (one plugin or a conflist; a
// missing name is the NAD's, as Multus injects it), or without one the CNI config in confDir whose
// network name is the NAD's name (the NAD client's GetCNIConfig).
import { parseDelegateConfig } from "../../api/netconf-delegate.ts";
import type { DelegateConfig } from "../../api/netconf-delegate.ts";
import type { EngineContext } from "./context.ts";
import { failure, problem } from "./engine-errors.ts";
import type { ClusterView, NetworkAttachmentDefinition } from "./ports.ts";

export const nadSource = (ns: string, name: string): string => `network-attachment-definition ${ns}/${name}`;

/** NAD reads of one resolution, each fetched once. */
export class NadReader {
  private readonly ctx: EngineContext;
  private readonly cluster: ClusterView | undefined;
  private readonly seen = new Map<string, Promise<NetworkAttachmentDefinition | undefined>>();

  constructor(ctx: EngineContext) {
    this.ctx = ctx;
    this.cluster = ctx.cluster;
  }

  get(namespace: string, name: string): Promise<NetworkAttachmentDefinition | undefined> {
    const cluster = this.cluster;
    if (cluster === undefined) return Promise.resolve(undefined);
    const key = `${namespace}/${name}`;
    let answer = this.seen.get(key);
    if (answer === undefined) {
      answer = cluster
        .getNetworkAttachmentDefinition(namespace, name, this.ctx.signal)
        .catch((err: unknown) => {
          throw failure(`get ${nadSource(namespace, name)}`, err, "KUBE_API");
        });
      this.seen.set(key, answer);
    }
    return answer;
  }

  /** The NAD's delegate config; its spec.config, else the confDir file named after the network. */
  async delegateOf(nad: NetworkAttachmentDefinition): Promise<DelegateConfig> {
    const source = nadSource(nad.namespace, nad.name);
    if (nad.config !== undefined && nad.config.trim() !== "") {
      return parseDelegateConfig(nad.config, { source, defaultName: nad.name });
    }
    const confDir = this.ctx.netconf.confDir;
    const file = await this.ctx.confFiles.findByNetworkName(confDir, nad.name);
    if (file !== undefined) return file;
    throw problem(
      "NETWORK_NOT_FOUND",
      `${source} has no spec.config and ${confDir} has no CNI config named ${JSON.stringify(nad.name)}`,
    );
  }

  /** A NAD that must exist. */
  async required(
    namespace: string,
    name: string,
  ): Promise<{ nad: NetworkAttachmentDefinition; delegate: DelegateConfig }> {
    if (this.cluster === undefined) {
      throw problem("NETWORK_NOT_FOUND", `${nadSource(namespace, name)}: no Kubernetes API configured`);
    }
    const nad = await this.get(namespace, name);
    if (nad === undefined) throw problem("NETWORK_NOT_FOUND", `${nadSource(namespace, name)} not found`);
    return { nad, delegate: await this.delegateOf(nad) };
  }
}
