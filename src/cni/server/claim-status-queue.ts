// The ResourceClaims' status.devices entries (KEP-4817 networkData + Ready) off the ADD's critical path
// (thick mode), on the shared write queue (write-queue.ts). The standalone plugin writes them inline after
// the attachment (engine/add-claim-status.ts); the server answers the ADD first.
//   - One entry per claim and device set: a newer ADD's entries for the same devices replace queued ones;
//     two pods sharing a claim but attaching different devices of it do not drown each other's write.
//   - Each attempt is the writer's own (ApiClaimStatusWriter: server-side apply with the driver's field
//     manager, conflicts and 5xx retried inside). A field another manager owns or a claim that is gone
//     is not retried (CLAIM_STATUS_PERMANENT_CODES).
//   - DEL of a container drops its queued writes, as for network-status.
//
// Public API: `ClaimStatusQueue`, `ClaimStatusQueueOptions`.
import { errorCodeOf } from "../../common/errors.ts";
import { CLAIM_STATUS_PERMANENT_CODES } from "../correlation/claim-status.ts";
import type { ClaimDeviceStatus, ClaimStatusWriter } from "../engine/ports.ts";
import { WriteQueue } from "./write-queue.ts";
import type { WriteQueueStats, WriteQueueTuning } from "./write-queue.ts";

export interface ClaimStatusQueueOptions extends WriteQueueTuning {
  writer: ClaimStatusWriter;
}

interface Value {
  claim: { namespace: string; name: string };
  devices: readonly ClaimDeviceStatus[];
}

const PERMANENT: ReadonlySet<string> = new Set(CLAIM_STATUS_PERMANENT_CODES);

function keyOf(value: Value): string {
  const devices = value.devices.map((d) => `${d.driver}/${d.pool}/${d.device}/${d.shareID ?? ""}`).sort();
  return `${value.claim.namespace}/${value.claim.name}[${devices.join(",")}]`;
}

export class ClaimStatusQueue {
  private readonly queue: WriteQueue<Value>;

  constructor(options: ClaimStatusQueueOptions) {
    const { writer, ...tuning } = options;
    this.queue = new WriteQueue<Value>({
      ...tuning,
      what: "claim status.devices",
      keyField: "claim",
      write: ({ claim, devices }, _attempt, signal) => writer.writeDeviceStatuses(claim, devices, signal),
      permanent: (err) => PERMANENT.has(errorCodeOf(err) ?? ""),
    });
  }

  stats(): WriteQueueStats {
    return this.queue.stats();
  }

  /** The writer the engine gets for one call of `containerId`: resolves once queued. */
  forContainer(containerId: string): ClaimStatusWriter {
    return {
      writeDeviceStatuses: (claim, devices) => {
        if (devices.length === 0) return Promise.resolve();
        const value: Value = {
          claim: { namespace: claim.namespace, name: claim.name },
          devices: [...devices],
        };
        return this.queue.enqueue(keyOf(value), value, containerId);
      },
    };
  }

  /** Drops the queued writes of a container whose DEL came; returns how many there were. */
  forgetContainer(containerId: string): number {
    return this.queue.forgetTag(containerId);
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  stop(): Promise<void> {
    return this.queue.stop();
  }
}
