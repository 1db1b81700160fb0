// The installer's watch loop: one check every `intervalMs`, or at once after `wake()` (a directory
// watcher saw a change; a wake during a check makes one more check right after it). A check refreshes the
// kubeconfig, then looks at the readiness indicator file — gone: netclaim's config is removed and nothing
// else is done until the file is back — then brings the config in line with the master. A failing step is
// logged once per distinct message and retried at the next check; the loop itself never fails. It stops
// on the signal given to start() or on stop(), after the check in progress.
//
// Public API: `WatchChecks`, `WatchLoopOptions`, `WatchLoop`.
import { stat } from "node:fs/promises";
import type { Clock } from "../../common/clock.ts";
import { errorMessage } from "../../common/errors.ts";
import type { Logger } from "../../common/logger.ts";
import type { ConfigSync } from "./cni-config-file.ts";

export interface WatchChecks {
  kubeconfig?: (() => Promise<unknown>) | undefined;
  /** Local path of the readiness indicator file. */
  readinessFile?: string | undefined;
  config: () => Promise<ConfigSync>;
  removeConfig: () => Promise<string[]>;
}

export interface WatchLoopOptions {
  clock: Clock;
  intervalMs: number;
  logger: Logger;
  check: WatchChecks;
  exists?: (path: string) => Promise<boolean>;
  /** Called after every check (tests count them). */
  onCheck?: () => void;
}

async function statExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export class WatchLoop {
  private readonly options: WatchLoopOptions;
  private controller: AbortController | undefined;
  private running: Promise<void> | undefined;
  private wakeNow: (() => void) | undefined;
  private woken = false;
  private notReady = false;
  private readonly problems = new Map<string, string>();

  constructor(options: WatchLoopOptions) {
    this.options = options;
  }

  start(signal?: AbortSignal): void {
    if (this.running !== undefined) return;
    const controller = new AbortController();
    this.controller = controller;
    const onAbort = (): void => controller.abort();
    if (signal?.aborted === true) controller.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    this.running = this.run(controller.signal).finally(() => signal?.removeEventListener("abort", onAbort));
  }

  /** Check now (or right after the check in progress). */
  wake(): void {
    if (this.wakeNow !== undefined) this.wakeNow();
    else this.woken = true;
  }

  async stop(): Promise<void> {
    this.controller?.abort();
    await this.running;
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.nextTrigger(signal);
      if (signal.aborted) return;
      await this.checkOnce();
      this.options.onCheck?.();
    }
  }

  private nextTrigger(signal: AbortSignal): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = (): void => {
        timer.cancel();
        signal.removeEventListener("abort", done);
        this.wakeNow = undefined;
        resolve();
      };
      const timer = this.options.clock.setTimeout(done, this.options.intervalMs);
      signal.addEventListener("abort", done, { once: true });
      this.wakeNow = done;
    });
  }

  private async checkOnce(): Promise<void> {
    const { check } = this.options;
    if (check.kubeconfig !== undefined) await this.guard("kubeconfig", check.kubeconfig);
    if (check.readinessFile !== undefined && !(await this.guard("readiness", () => this.checkReadiness()))) {
      return;
    }
    await this.guard("config", async () => {
      const sync = await check.config();
      if (sync.status === "no-master") throw new Error(`kept the current config: ${sync.reason}`);
      if (sync.status === "written") {
        this.options.logger.info({ file: sync.file, master: sync.master }, "CNI config regenerated");
      }
    });
  }

  /** Whether the readiness file is there; removes the config when it has gone. */
  private async checkReadiness(): Promise<boolean> {
    const file = this.options.check.readinessFile ?? "";
    const ready = await (this.options.exists ?? statExists)(file);
    const { logger } = this.options;
    if (!ready && !this.notReady) {
      const removed = await this.options.check.removeConfig();
      logger.warn({ file, removed }, "readiness indicator file gone: CNI config removed until it is back");
    }
    if (ready && this.notReady) logger.info({ file }, "readiness indicator file back");
    this.notReady = !ready;
    return ready;
  }

  /** Runs one step; false (logged once per message) when it failed or returned false. */
  private async guard(name: string, step: () => Promise<unknown>): Promise<boolean> {
    try {
      const result = await step();
      if (this.problems.delete(name)) this.options.logger.info({ check: name }, "install check recovered");
      return result !== false;
    } catch (err) {
      const problem = errorMessage(err);
      if (this.problems.get(name) !== problem) {
        this.options.logger.error({ check: name, problem }, "install check failed; retrying");
        this.problems.set(name, problem);
      }
      return false;
    }
  }
}
