// The DRA kubelet plugin service, protocol-version independent: every claim of a call handled on its
// own (one bad claim never fails the others), each claim UID serialized, a bounded number of claims
// in flight per call, every claim answered, thrown errors turned into that claim's error.
import pLimit from "p-limit";
import { errorMessage } from "../../common/errors.ts";
import { silentLogger } from "../../common/logger.ts";
import type { Logger } from "../../common/logger.ts";
import { claimKey } from "./claims.ts";
import { KeyedMutex } from "./keyed-mutex.ts";
import { NOOP_OBSERVER } from "./ports.ts";
import type {
  ClaimPreparer,
  ClaimRef,
  DraObserver,
  DraOperation,
  PrepareOutcome,
  UnprepareOutcome,
} from "./ports.ts";

/** Claims of one call worked on at once (API reads, sysfs writes, CDI files). */
export const DEFAULT_MAX_CONCURRENT_CLAIMS = 32;

export interface DraServiceOptions {
  preparer: ClaimPreparer;
  observer?: DraObserver;
  logger?: Logger;
  maxConcurrentClaims?: number;
  /** Milliseconds, for durations; default performance.now. */
  now?: () => number;
}

export class DraService {
  private readonly preparer: ClaimPreparer;
  private readonly observer: DraObserver;
  private readonly logger: Logger;
  private readonly mutex = new KeyedMutex();
  private readonly maxConcurrent: number;
  private readonly now: () => number;

  constructor(options: DraServiceOptions) {
    this.preparer = options.preparer;
    this.observer = options.observer ?? NOOP_OBSERVER;
    this.logger = (options.logger ?? silentLogger()).child({ component: "dra-service" });
    this.maxConcurrent = options.maxConcurrentClaims ?? DEFAULT_MAX_CONCURRENT_CLAIMS;
    this.now = options.now ?? (() => performance.now());
  }

  /** Prepares each claim; the map has an entry for every claim, in request order. */
  prepareResources(claims: readonly ClaimRef[], signal: AbortSignal): Promise<Map<string, PrepareOutcome>> {
    return this.each("prepare", claims, signal, (claim) => this.preparer.prepare(claim, signal));
  }

  /** Unprepares each claim; the map has an entry for every claim, in request order. */
  unprepareResources(
    claims: readonly ClaimRef[],
    signal: AbortSignal,
  ): Promise<Map<string, UnprepareOutcome>> {
    return this.each("unprepare", claims, signal, (claim) => this.preparer.unprepare(claim, signal));
  }

  private async each<O extends PrepareOutcome | UnprepareOutcome>(
    operation: DraOperation,
    claims: readonly ClaimRef[],
    signal: AbortSignal,
    work: (claim: ClaimRef) => Promise<O>,
  ): Promise<Map<string, O>> {
    const limit = pLimit(this.maxConcurrent);
    const results = await Promise.all(
      claims.map((claim) =>
        limit(() => this.mutex.run(claim.uid, () => this.one(operation, claim, signal, work))),
      ),
    );
    return new Map(claims.map((claim, i) => [claim.uid, results[i] as O]));
  }

  private async one<O extends PrepareOutcome | UnprepareOutcome>(
    operation: DraOperation,
    claim: ClaimRef,
    signal: AbortSignal,
    work: (claim: ClaimRef) => Promise<O>,
  ): Promise<O> {
    const started = this.now();
    const log = this.logger.child({ claim: claimKey(claim), uid: claim.uid });
    let outcome: O;
    if (signal.aborted) {
      outcome = { error: `${operation} of claim ${claimKey(claim)} cancelled before it started` } as O;
    } else {
      try {
        outcome = await work(claim);
      } catch (err) {
        outcome = { error: `${operation} claim ${claimKey(claim)}: ${errorMessage(err)}` } as O;
      }
    }
    const durationMs = this.now() - started;
    const result: PrepareOutcome | UnprepareOutcome = outcome;
    if ("error" in result) {
      this.observer.claimDone(operation, "error", durationMs);
      log.error({ error: result.error, durationMs }, `${operation} failed`);
    } else {
      this.observer.claimDone(operation, "success", durationMs);
      log.info({ durationMs }, `${operation} done`);
    }
    return outcome;
  }
}
