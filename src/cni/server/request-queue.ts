// Admission and concurrency of CNI calls in the server. A node that reboots sends a burst of ADDs (every
// pod's sandbox at once); the server must neither fail them nor run them all at once (each ADD runs
// several delegate processes). So:
//   - two lanes with their own concurrency (p-limit): "attach" (ADD, CHECK) and "detach" (DEL, GC), so a
//     lane full of ADDs waiting for a readiness indicator file does not hold up the DELs; STATUS answers
//     from a file check and is not limited;
//   - calls of one container run one after the other, in arrival order: a runtime that gave up on a slow
//     ADD and sends DEL gets the DEL after the ADD ends, not racing it over the attachment cache;
//   - beyond `maxQueued` calls waiting (on top of what the lanes run) a call is refused at once with "try
//     again later" (CNI code 11) instead of holding memory and a connection for an unbounded time.
//
// Public API: `RequestQueue`, `RequestQueueOptions`, `RequestQueueStats`, `Lane`, `laneOf`,
// `REQUEST_QUEUE_DEFAULTS`, `QueueFullError`.
import pLimit from "p-limit";
import type { LimitFunction } from "p-limit";
import { CodedError } from "../../common/errors.ts";

export type Lane = "attach" | "detach" | "status";

export const REQUEST_QUEUE_DEFAULTS = {
  attachConcurrency: 16,
  detachConcurrency: 16,
  maxQueued: 1_024,
} as const;

export interface RequestQueueOptions {
  attachConcurrency?: number;
  detachConcurrency?: number;
  maxQueued?: number;
}

export interface RequestQueueStats {
  running: number;
  queued: number;
  refused: number;
  /** The most calls admitted at once (running + waiting) since the start. */
  peakAdmitted: number;
}

/** The queue is full; the CNI answer is code 11. */
export class QueueFullError extends CodedError<"TRY_AGAIN_LATER"> {
  constructor(message: string) {
    super("TRY_AGAIN_LATER", message);
    this.name = "QueueFullError";
  }
}

/** Which lane a CNI command runs in. Pure. */
export function laneOf(command: string): Lane {
  if (command === "ADD" || command === "CHECK") return "attach";
  if (command === "STATUS" || command === "VERSION") return "status";
  return "detach"; // DEL, GC, and what the engine will refuse
}

export class RequestQueue {
  private readonly options: RequestQueueOptions;
  private readonly lanes: Record<Exclude<Lane, "status">, LimitFunction>;
  /** Per container: the promise of its last admitted call. */
  private readonly tails = new Map<string, Promise<unknown>>();
  private admitted = 0;
  private runningCount = 0;
  private refused = 0;
  private peakAdmitted = 0;

  constructor(options: RequestQueueOptions = {}) {
    this.options = options;
    this.lanes = {
      attach: pLimit(options.attachConcurrency ?? REQUEST_QUEUE_DEFAULTS.attachConcurrency),
      detach: pLimit(options.detachConcurrency ?? REQUEST_QUEUE_DEFAULTS.detachConcurrency),
    };
  }

  stats(): RequestQueueStats {
    const queued = this.admitted - this.runningCount;
    return { running: this.runningCount, queued, refused: this.refused, peakAdmitted: this.peakAdmitted };
  }

  /**
   * Runs `fn` in its lane after the container's earlier calls; rejects with QueueFullError at once when
   * the lanes are full and maxQueued calls wait besides. `containerId` "" (GC) orders nothing.
   */
  run<T>(lane: Lane, containerId: string, fn: () => Promise<T>): Promise<T> {
    if (lane === "status") return fn(); // a file check: never waits, never refused
    const o = this.options;
    const maxQueued = o.maxQueued ?? REQUEST_QUEUE_DEFAULTS.maxQueued;
    const capacity =
      maxQueued +
      (o.attachConcurrency ?? REQUEST_QUEUE_DEFAULTS.attachConcurrency) +
      (o.detachConcurrency ?? REQUEST_QUEUE_DEFAULTS.detachConcurrency);
    if (this.admitted >= capacity) {
      this.refused++;
      return Promise.reject(
        new QueueFullError(`the CNI server has ${this.admitted} calls in hand already; try again later`),
      );
    }
    this.admitted++;
    this.peakAdmitted = Math.max(this.peakAdmitted, this.admitted);
    const work = async (): Promise<T> => {
      this.runningCount++;
      try {
        return await fn();
      } finally {
        this.runningCount--;
      }
    };
    const limited = (): Promise<T> => this.lanes[lane](work);
    const previous = containerId === "" ? undefined : this.tails.get(containerId);
    const result = previous === undefined ? limited() : previous.then(limited, limited);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    if (containerId !== "") this.tails.set(containerId, tail);
    void tail.then(() => {
      this.admitted--;
      if (containerId !== "" && this.tails.get(containerId) === tail) this.tails.delete(containerId);
    });
    return result;
  }
}
