// A ClusterView for engine tests: pods and NADs held in maps, every call recorded, answers scriptable
// (a queue of answers for the next getPod calls, or one error for every call).
import type { ClusterView, NetworkAttachmentDefinition, PodInfo } from "../../src/cni/engine/ports.ts";

export interface ClusterCall {
  method: "getPod" | "getNetworkAttachmentDefinition";
  namespace: string;
  name: string;
}

/** A scripted answer of getPod: the pod, undefined (NotFound) or an error to throw. */
export type PodAnswer = PodInfo | undefined | Error;

const key = (namespace: string, name: string): string => `${namespace}/${name}`;

export class FakeClusterView implements ClusterView {
  readonly calls: ClusterCall[] = [];
  private readonly pods = new Map<string, PodInfo>();
  private readonly nads = new Map<string, NetworkAttachmentDefinition>();
  /** Answers of the next getPod calls, in order, before the maps are consulted. */
  readonly podAnswers: PodAnswer[] = [];
  /** While set, every call rejects with it (the API server is down). */
  failWith: Error | undefined;

  addPod(pod: PodInfo): this {
    this.pods.set(key(pod.namespace, pod.name), pod);
    return this;
  }

  addNad(nad: NetworkAttachmentDefinition): this {
    this.nads.set(key(nad.namespace, nad.name), nad);
    return this;
  }

  removePod(namespace: string, name: string): void {
    this.pods.delete(key(namespace, name));
  }

  callsOf(method: ClusterCall["method"]): ClusterCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  getPod(namespace: string, name: string): Promise<PodInfo | undefined> {
    this.calls.push({ method: "getPod", namespace, name });
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    if (this.podAnswers.length > 0) {
      const answer = this.podAnswers.shift();
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    }
    return Promise.resolve(this.pods.get(key(namespace, name)));
  }

  getNetworkAttachmentDefinition(
    namespace: string,
    name: string,
  ): Promise<NetworkAttachmentDefinition | undefined> {
    this.calls.push({ method: "getNetworkAttachmentDefinition", namespace, name });
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    return Promise.resolve(this.nads.get(key(namespace, name)));
  }
}
