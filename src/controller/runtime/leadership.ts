// One active replica: campaigns for a coordination.k8s.io Lease (src/k8s/leader-election.ts) and runs
// the leader's work while it holds it.
// - the work gets a signal that aborts when leadership ends; the elector waits for the work to
//   return, then (on stop) releases the lease so the next replica takes over at once;
// - work that fails (or returns early) is restarted with backoff while the term lasts — a leader
//   that holds the lease must not sit idle;
// - a lost term (renewal failed) campaigns again with a fresh elector; the work of the next term
//   starts from nothing (new informers), so no state leaks across terms;
// - every Lease call is timed, so /healthz can tell a live election loop from a hung one.
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import { errorMessage } from "../../common/errors.ts";
import { silentLogger } from "../../common/logger.ts";
import type { Logger } from "../../common/logger.ts";
import { backoffDelayMs } from "../../common/retry.ts";
import type { BackoffOptions } from "../../common/retry.ts";
import { linkedAbort } from "../../k8s/abort.ts";
import {
  LEASE_DURATION_MS,
  LeaderElector,
  RENEW_DEADLINE_MS,
  RETRY_PERIOD_MS,
  validateElectorTimings,
} from "../../k8s/leader-election.ts";
import type { LeaseClient, LeaseRef } from "../../k8s/leader-election.ts";

export interface LeadershipObserver {
  leading?(isLeader: boolean): void;
  /** The leader's work failed and is restarted. */
  workFailed?(): void;
}

export interface LeadershipOptions {
  lease: LeaseRef;
  identity: string;
  client: LeaseClient;
  /** The leader's work for one term; runs until `signal` aborts. */
  lead: (signal: AbortSignal) => Promise<void>;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
  observer?: LeadershipObserver;
  /** Restart delays of failing work. */
  workBackoff?: BackoffOptions;
}

const WORK_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 60_000, factor: 2, jitter: 0.2 };

export class Leadership {
  readonly #opts: LeadershipOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #elector: LeaderElector | undefined;
  #abort: AbortController | undefined;
  #done: Promise<void> | undefined;
  #lastLeaseCallMs: number | undefined;
  #running = false;

  constructor(opts: LeadershipOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? realClock;
    this.#logger = (opts.logger ?? silentLogger()).child({ component: "leadership" });
  }

  isLeader(): boolean {
    return this.#elector?.isLeader() ?? false;
  }

  /** The holder last observed ("" when none). */
  leader(): string {
    return this.#elector?.getLeader() ?? "";
  }

  /** The campaign loop runs and called the Lease API within `withinMs` (a hung loop does not). */
  alive(withinMs = this.staleAfterMs): boolean {
    if (!this.#running) return false;
    const last = this.#lastLeaseCallMs;
    return last !== undefined && this.#clock.now() - last <= withinMs;
  }

  /** Longest silence of a live loop: a full term plus a renew deadline. */
  get staleAfterMs(): number {
    return (
      (this.#opts.leaseDurationMs ?? LEASE_DURATION_MS) + (this.#opts.renewDeadlineMs ?? RENEW_DEADLINE_MS)
    );
  }

  start(signal?: AbortSignal): void {
    if (this.#abort !== undefined) throw new Error("leadership was already started");
    validateElectorTimings({
      leaseDurationMs: this.#opts.leaseDurationMs ?? LEASE_DURATION_MS,
      renewDeadlineMs: this.#opts.renewDeadlineMs ?? RENEW_DEADLINE_MS,
      retryPeriodMs: this.#opts.retryPeriodMs ?? RETRY_PERIOD_MS,
    });
    if (this.#opts.identity === "") throw new Error("leader election needs a non-empty identity");
    const { controller, unlink } = linkedAbort(signal);
    this.#abort = controller;
    this.#running = true;
    this.#done = this.#campaign(controller.signal).finally(() => {
      this.#running = false;
      unlink();
    });
  }

  /** Stops leading (the work drains, the lease is released) or campaigning. */
  async stop(): Promise<void> {
    this.#abort?.abort(new Error("leadership stopped"));
    await this.#done;
  }

  async #campaign(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const elector = this.#newElector();
      this.#elector = elector;
      const outcome = await elector.run(signal);
      if (outcome === "stopped") return;
      this.#logger.warn("leadership lost; campaigning again");
    }
  }

  #newElector(): LeaderElector {
    const o = this.#opts;
    return new LeaderElector({
      lease: o.lease,
      identity: o.identity,
      client: this.#timedClient(),
      releaseOnCancel: true,
      clock: this.#clock,
      logger: this.#logger,
      ...(o.leaseDurationMs === undefined ? {} : { leaseDurationMs: o.leaseDurationMs }),
      ...(o.renewDeadlineMs === undefined ? {} : { renewDeadlineMs: o.renewDeadlineMs }),
      ...(o.retryPeriodMs === undefined ? {} : { retryPeriodMs: o.retryPeriodMs }),
      ...(o.random === undefined ? {} : { random: o.random }),
      callbacks: { onStartedLeading: (s) => this.#lead(s) },
    });
  }

  #timedClient(): LeaseClient {
    const client = this.#opts.client;
    const mark = (): void => {
      this.#lastLeaseCallMs = this.#clock.now();
    };
    return {
      get(ref, signal) {
        mark();
        return client.get(ref, signal);
      },
      create(lease, signal) {
        mark();
        return client.create(lease, signal);
      },
      update(lease, signal) {
        mark();
        return client.update(lease, signal);
      },
    };
  }

  /** One term: the work, restarted with backoff until the term ends. */
  async #lead(signal: AbortSignal): Promise<void> {
    this.#opts.observer?.leading?.(true);
    const backoff = this.#opts.workBackoff ?? WORK_BACKOFF;
    try {
      for (let failures = 0; !signal.aborted; failures++) {
        try {
          await this.#opts.lead(signal);
          if (signal.aborted) return;
          this.#logger.error("the leader's work ended on its own; restarting it");
        } catch (err) {
          if (signal.aborted) return;
          this.#logger.error({ err: errorMessage(err) }, "the leader's work failed; restarting it");
        }
        this.#opts.observer?.workFailed?.();
        const delayMs = backoffDelayMs(failures, backoff, this.#opts.random ?? Math.random);
        await this.#clock.sleep(delayMs, signal).catch(() => undefined);
      }
    } finally {
      this.#opts.observer?.leading?.(false);
    }
  }
}
