// Lease-based leader election, after client-go's tools/leaderelection:
// - candidates try every retryPeriod (jittered ×1.2) to create the Lease or take one whose holder is
//   empty or whose term ran out; a term is counted from when this candidate saw the record change,
//   on its own clock, with the record's leaseDurationSeconds;
// - the leader renews every retryPeriod (first optimistically from the record it last wrote); a
//   renewal round that has not succeeded within renewDeadline ends the leadership: the signal
//   handed to onStartedLeading aborts;
// - a write that loses the race (409 Conflict) means another candidate won;
// - on stop with releaseOnCancel, once the leading work has returned, the holder is cleared with a
//   1-second term so a peer takes over at once.
import { realClock } from "../common/clock.ts";
import type { Clock } from "../common/clock.ts";
import { errorMessage } from "../common/errors.ts";
import { silentLogger } from "../common/logger.ts";
import type { Logger } from "../common/logger.ts";
import { linkedAbort, raceAbort } from "./abort.ts";
import { isConflict } from "./api-error.ts";
import {
  JITTER_FACTOR,
  LEASE_DURATION_MS,
  RENEW_DEADLINE_MS,
  RETRY_PERIOD_MS,
  validateElectorTimings,
} from "./leader-election-config.ts";
import type { ElectionOutcome, LeaderElectorOptions } from "./leader-election-config.ts";
import {
  heldByOther,
  newLease,
  nextRecord,
  recordOf,
  releasedRecord,
  sameRecord,
  withRecord,
} from "./lease-record.ts";
import type { Lease, Observation } from "./lease-record.ts";

export type { Lease, LeaseRef, LeaseSpec } from "./lease-record.ts";

export {
  JITTER_FACTOR,
  LEASE_DURATION_MS,
  RENEW_DEADLINE_MS,
  RETRY_PERIOD_MS,
  validateElectorTimings,
} from "./leader-election-config.ts";
export type {
  ElectionOutcome,
  LeaderCallbacks,
  LeaderElectorOptions,
  LeaseClient,
} from "./leader-election-config.ts";

export class LeaderElector {
  readonly #opts: LeaderElectorOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #leaseDurationMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  #observation: Observation | undefined;
  #observedLease: Lease | undefined;
  #reportedLeader = "";
  #leading = false;
  #abort: AbortController | undefined;
  #done: Promise<ElectionOutcome> | undefined;

  constructor(opts: LeaderElectorOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? realClock;
    this.#logger = (opts.logger ?? silentLogger()).child({
      component: "leader-election",
      lease: `${opts.lease.namespace}/${opts.lease.name}`,
      identity: opts.identity,
    });
    this.#leaseDurationMs = opts.leaseDurationMs ?? LEASE_DURATION_MS;
    this.#renewDeadlineMs = opts.renewDeadlineMs ?? RENEW_DEADLINE_MS;
    this.#retryPeriodMs = opts.retryPeriodMs ?? RETRY_PERIOD_MS;
  }

  /** Acting as leader right now (between onStartedLeading and the abort of its signal). */
  isLeader(): boolean {
    return this.#leading;
  }

  /** The holder last observed in the Lease ("" when none). */
  getLeader(): string {
    return this.#observation?.record.holderIdentity ?? "";
  }

  /** Runs the election in the background until `signal` aborts, stop() is called, or leadership is lost. */
  start(signal?: AbortSignal): void {
    if (this.#abort !== undefined) throw new Error("leader elector was already started");
    this.#validate();
    const { controller, unlink } = linkedAbort(signal);
    this.#abort = controller;
    this.#done = this.run(controller.signal).finally(unlink);
  }

  /** Stops campaigning or leading (releasing when so configured); resolves with how it ended. */
  async stop(): Promise<ElectionOutcome | undefined> {
    this.#abort?.abort(new Error("leader elector stopped"));
    return this.#done;
  }

  /** How the election ended; undefined before start(). */
  get done(): Promise<ElectionOutcome> | undefined {
    return this.#done;
  }

  /** Acquire, lead, renew. Resolves "stopped" when `signal` aborts, "lost" when a renewal failed. */
  async run(signal: AbortSignal): Promise<ElectionOutcome> {
    this.#validate();
    if (!(await this.#acquire(signal))) return "stopped";
    if (signal.aborted) {
      // Stopped while the winning write was in flight.
      if (this.#opts.releaseOnCancel) await this.#release();
      return "stopped";
    }
    const leading = new AbortController();
    this.#leading = true;
    this.#logger.info("became leader");
    const work = this.#startLeading(leading.signal);
    const outcome = await this.#renew(signal);
    this.#leading = false;
    leading.abort(new Error(outcome === "lost" ? "leadership lost" : "leader elector stopped"));
    this.#logger.info({ outcome }, "stopped leading");
    await work;
    if (outcome === "stopped" && this.#opts.releaseOnCancel) await this.#release();
    this.#call("onStoppedLeading", () => this.#opts.callbacks.onStoppedLeading?.());
    return outcome;
  }

  #validate(): void {
    validateElectorTimings({
      leaseDurationMs: this.#leaseDurationMs,
      renewDeadlineMs: this.#renewDeadlineMs,
      retryPeriodMs: this.#retryPeriodMs,
    });
    if (this.#opts.identity === "") throw new Error("leader election needs a non-empty identity");
  }

  async #startLeading(signal: AbortSignal): Promise<void> {
    try {
      await this.#opts.callbacks.onStartedLeading(signal);
    } catch (err) {
      this.#logger.error({ err: errorMessage(err) }, "onStartedLeading failed");
    }
  }

  async #acquire(signal: AbortSignal): Promise<boolean> {
    this.#logger.info("attempting to acquire leader lease");
    for (;;) {
      if (signal.aborted) return false;
      const acquired = await this.#tryAcquireOrRenew(signal);
      this.#reportTransition();
      if (acquired) return true;
      const jittered = this.#retryPeriodMs * (1 + (this.#opts.random ?? Math.random)() * JITTER_FACTOR);
      try {
        await this.#clock.sleep(jittered, signal);
      } catch {
        return false;
      }
    }
  }

  async #renew(signal: AbortSignal): Promise<ElectionOutcome> {
    for (;;) {
      try {
        await this.#clock.sleep(this.#retryPeriodMs, signal);
      } catch {
        return "stopped";
      }
      const renewed = await this.#renewRound(signal);
      if (signal.aborted) return "stopped";
      if (!renewed) return "lost";
    }
  }

  /** Tries now and every retryPeriod until success or renewDeadline since the round began. */
  async #renewRound(signal: AbortSignal): Promise<boolean> {
    const { controller: round, unlink } = linkedAbort(signal);
    const deadline = this.#clock.setTimeout(
      () => round.abort(new Error(`renew deadline of ${this.#renewDeadlineMs}ms passed`)),
      this.#renewDeadlineMs,
    );
    try {
      for (;;) {
        const renewed = await raceAbort(this.#tryAcquireOrRenew(round.signal), round.signal);
        this.#reportTransition();
        if (renewed) return true;
        if (round.signal.aborted) break;
        await this.#clock.sleep(this.#retryPeriodMs, round.signal);
      }
    } catch {
      // the deadline or the stop signal fired while waiting
    } finally {
      deadline.cancel();
      unlink();
    }
    this.#logger.warn({ renewDeadlineMs: this.#renewDeadlineMs }, "failed to renew the lease in time");
    return false;
  }

  /** One attempt; never throws. */
  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const nowMs = this.#clock.now();
    const who = { identity: this.#opts.identity, leaseDurationSeconds: this.#leaseDurationSeconds(), nowMs };
    if (this.#holdsValidLease(nowMs) && this.#observedLease !== undefined) {
      // Fast path: the leader writes over the record it last saw, skipping the read.
      const written = await this.#write(
        withRecord(this.#observedLease, nextRecord(this.#observation?.record, who)),
        signal,
      );
      if (written) return true;
    }
    let lease: Lease | undefined;
    try {
      lease = await this.#opts.client.get(this.#opts.lease, signal);
    } catch (err) {
      this.#logger.warn({ err: errorMessage(err) }, "cannot read the leader lease");
      return false;
    }
    if (lease === undefined) {
      return this.#write(newLease(this.#opts.lease, nextRecord(undefined, who)), signal, "create");
    }
    const current = recordOf(lease);
    if (!sameRecord(current, this.#observation?.record)) this.#observe(lease);
    this.#observedLease = lease;
    if (heldByOther(this.#observation!, this.#opts.identity, nowMs)) return false;
    return this.#write(withRecord(lease, nextRecord(current, who)), signal);
  }

  async #write(lease: Lease, signal: AbortSignal, verb: "create" | "update" = "update"): Promise<boolean> {
    try {
      const written =
        verb === "create"
          ? await this.#opts.client.create(lease, signal)
          : await this.#opts.client.update(lease, signal);
      this.#observe(written);
      return true;
    } catch (err) {
      if (isConflict(err)) this.#logger.debug("another candidate updated the lease first");
      else this.#logger.warn({ err: errorMessage(err), verb }, "cannot write the leader lease");
      return false;
    }
  }

  #observe(lease: Lease): void {
    this.#observedLease = lease;
    this.#observation = { record: recordOf(lease), observedAtMs: this.#clock.now() };
  }

  #holdsValidLease(nowMs: number): boolean {
    const o = this.#observation;
    return (
      o !== undefined &&
      o.record.holderIdentity === this.#opts.identity &&
      o.observedAtMs + this.#leaseDurationMs > nowMs
    );
  }

  #leaseDurationSeconds(): number {
    return Math.ceil(this.#leaseDurationMs / 1000);
  }

  async #release(): Promise<void> {
    const o = this.#observation;
    if (
      o === undefined ||
      this.#observedLease === undefined ||
      o.record.holderIdentity !== this.#opts.identity
    )
      return;
    const bounded = new AbortController();
    const timer = this.#clock.setTimeout(
      () => bounded.abort(new Error("release timed out")),
      this.#renewDeadlineMs,
    );
    try {
      const released = withRecord(this.#observedLease, releasedRecord(o.record, this.#clock.now()));
      if (await raceAbort(this.#write(released, bounded.signal), bounded.signal)) {
        this.#logger.info("released the leader lease");
      }
    } catch (err) {
      this.#logger.warn({ err: errorMessage(err) }, "cannot release the leader lease");
    } finally {
      timer.cancel();
    }
  }

  #reportTransition(): void {
    const holder = this.getLeader();
    if (holder === this.#reportedLeader) return;
    this.#reportedLeader = holder;
    if (holder === "") return;
    this.#logger.info({ leader: holder }, "new leader observed");
    this.#call("onNewLeader", () => this.#opts.callbacks.onNewLeader?.(holder));
  }

  #call(name: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#logger.error({ err: errorMessage(err) }, `${name} failed`);
    }
  }
}
