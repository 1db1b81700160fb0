// A NetworkStatusWriter for engine tests: records every write; can be told to fail.
import type { NetworkStatusWriter, PodInfo } from "../../src/cni/engine/ports.ts";

export interface StatusWrite {
  pod: Pick<PodInfo, "namespace" | "name" | "uid">;
  value: string;
}

export class FakeStatusWriter implements NetworkStatusWriter {
  readonly writes: StatusWrite[] = [];
  /** While set, every write rejects with it (after being recorded). */
  failWith: Error | undefined;

  writeNetworkStatus(pod: Pick<PodInfo, "namespace" | "name" | "uid">, value: string): Promise<void> {
    this.writes.push({ pod: { namespace: pod.namespace, name: pod.name, uid: pod.uid }, value });
    return this.failWith === undefined ? Promise.resolve() : Promise.reject(this.failWith);
  }
}
