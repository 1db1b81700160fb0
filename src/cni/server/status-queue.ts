// network-status writes off the ADD's critical path (thick mode), on the shared write queue
// (write-queue.ts: coalescing, backoff, bounded, drained on stop). Multus writes inline, so a slow API
// server slows every pod's network set-up; the annotation is information for users and tools, not
// something the pod's start waits on. Specific to network-status:
//   - one entry per pod (namespace/name);
//   - the first attempt starts from the informer's copy of the pod (`cached`: no GET when it is current);
//     retries read the pod again (`fresh`). A 409 is retried inside the writer; a pod of another UID
//     (POD_MISMATCH) is not retried;
//   - DEL of a container drops its queued (not yet running) write: the status of a sandbox being torn
//     down is not worth writing. DEL itself never writes status.
//
// Public API: `StatusQueue`, `StatusQueueOptions`, `StatusQueueStats`.
import { errorCodeOf } from "../../common/errors.ts";
import type { NetworkStatusWriter, PodInfo } from "../engine/ports.ts";
import { WriteQueue } from "./write-queue.ts";
import type { WriteQueueStats, WriteQueueTuning } from "./write-queue.ts";

type PodRef = Pick<PodInfo, "namespace" | "name" | "uid">;

export interface StatusQueueOptions extends WriteQueueTuning {
  /** The first attempt: from the informer's pod. */
  cached: NetworkStatusWriter;
  /** Retries: the pod read again. */
  fresh: NetworkStatusWriter;
}

export type StatusQueueStats = WriteQueueStats;

interface Value {
  pod: PodRef;
  value: string;
}

export class StatusQueue {
  private readonly queue: WriteQueue<Value>;

  constructor(options: StatusQueueOptions) {
    const { cached, fresh, ...tuning } = options;
    this.queue = new WriteQueue<Value>({
      ...tuning,
      what: "network-status",
      keyField: "pod",
      write: ({ pod, value }, attempt, signal) =>
        (attempt === 1 ? cached : fresh).writeNetworkStatus(pod, value, signal),
      permanent: (err) => errorCodeOf(err) === "POD_MISMATCH",
    });
  }

  stats(): StatusQueueStats {
    return this.queue.stats();
  }

  /** The writer the engine gets for one call of `containerId`. */
  forContainer(containerId: string): NetworkStatusWriter {
    return { writeNetworkStatus: (pod, value) => this.enqueue(pod, value, containerId) };
  }

  /** Queues a write; resolves at once, or once written when the queue is full or stopping. */
  enqueue(pod: PodRef, value: string, containerId: string): Promise<void> {
    const ref = { namespace: pod.namespace, name: pod.name, uid: pod.uid };
    return this.queue.enqueue(`${pod.namespace}/${pod.name}`, { pod: ref, value }, containerId);
  }

  /** Drops the queued write of a container whose DEL came; returns whether there was one. */
  forgetContainer(containerId: string): boolean {
    return this.queue.forgetTag(containerId) > 0;
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Gives each queued write one more attempt, for up to drainMs; then aborts what still runs. */
  stop(): Promise<void> {
    return this.queue.stop();
  }
}
