// The readiness indicator file (`readinessindicatorfile`): the default network's plugin writes it once the
// node's network is up. Multus checks it with os.Stat and, for ADD, STATUS and GC, polls every second up to
// 45 s (the engine gives the timeout). Here: a first check at once, then one check per interval on the
// given Clock until the deadline; abortable. Any stat failure counts as "not there yet" (as Multus's
// os.Stat test does), so a file on a mount that is still coming up is waited for, not an error.
//
// Public API: `FileReadinessGate`, `FileReadinessGateOptions`, `READINESS_POLL_INTERVAL_MS`.
import { stat } from "node:fs/promises";
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import { CodedError } from "../../common/errors.ts";
import type { ReadinessGate } from "../engine/ports.ts";

/** Multus's poll period. */
export const READINESS_POLL_INTERVAL_MS = 1_000;

export interface FileReadinessGateOptions {
  clock?: Clock;
  intervalMs?: number;
  /** Whether the file is there (default: stat succeeds). */
  exists?: (path: string) => Promise<boolean>;
}

async function statExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export class FileReadinessGate implements ReadinessGate {
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly exists: (path: string) => Promise<boolean>;

  constructor(options: FileReadinessGateOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.intervalMs = options.intervalMs ?? READINESS_POLL_INTERVAL_MS;
    this.exists = options.exists ?? statExists;
  }

  isReady(path: string): Promise<boolean> {
    return this.exists(path);
  }

  async waitReady(path: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      signal?.throwIfAborted();
      if (await this.exists(path)) return;
      const left = deadline - this.clock.now();
      if (left <= 0) {
        throw new CodedError(
          "TIMEOUT",
          `readiness indicator file ${path} did not appear within ${timeoutMs}ms; ` +
            "is the default network (its CNI plugin) up on this node?",
        );
      }
      await this.clock.sleep(Math.min(this.intervalMs, left), signal);
    }
  }
}
