// The node world's `netclaim controller`: the real CLI as a child process (spawned by the controller
// harness tests' spawnController, test/integration/controller/runtime-support.ts: this checkout's
// src/cli/main.ts on the pinned Node, JSON log lines kept), pointed at the stand-in API server's kubeconfig,
// with /healthz and /metrics on a loopback port it picks itself (read from its log). It runs on the machine,
// not inside the fake host: it only talks to the API server, on loopback.
//   start  spawn, then wait until /healthz says it leads the Lease (LEASE_NAMESPACE) with its informers
//          synced;
//   stop   SIGTERM (it drains its workers and releases the lease, so a restarted one leads at once), then
//          SIGKILL after STOP_GRACE_MS;
//   idle   wait until its claim work queue ran dry: every key added has been reconciled (its own metrics),
//          so "the controller has seen this change" (afterChange) needs no sleep.
// Each process is recorded in the world's state file while it runs (a killed run's is swept by the next).
//
// Pure: `queueCounts`. Public API: `NodeController`, `NodeControllerOptions`, `QueueCounts`, `queueCounts`,
// `CONTROLLER_IDENTITY`, `LEASE_NAMESPACE`, `CLAIMS_QUEUE`.
import { spawnController } from "../../integration/controller/runtime-support.ts";
import type { ControllerProcess } from "../../integration/controller/runtime-support.ts";
import type { LeftoverLog } from "./leftovers.ts";
import { DRIVER } from "./scenario.ts";

export const LEASE_NAMESPACE = "default";
export const CONTROLLER_IDENTITY = "node-world-controller";
/** The work queue of the controller's IPAM claim reconciler (src/controller/runtime/ipam-controllers.ts). */
export const CLAIMS_QUEUE = "ipam-claims";
const WAIT_TIMEOUT_MS = 20_000;
const POLL_MS = 50;
/** Past the controller's own drain of its workers. */
const STOP_GRACE_MS = 15_000;

export interface NodeControllerOptions {
  kubeconfig: string;
  leftovers: LeftoverLog;
  /** The controller's --log-level (default debug). */
  logLevel?: string;
}

type Exit = { code: number | null; signal: NodeJS.Signals | null };

export interface QueueCounts {
  /** Keys added (de-duplicated adds are not counted). */
  adds: number;
  /** Reconciles finished, whatever their result. */
  reconciles: number;
  depth: number;
}

/** One work queue's counters from the controller's /metrics text. */
export function queueCounts(metrics: string, controller: string): QueueCounts {
  const sum = (name: string): number =>
    metrics
      .split("\n")
      .filter((line) => line.startsWith(`${name}{`) && line.includes(`controller="${controller}"`))
      .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
  return {
    adds: sum("netclaim_controller_workqueue_adds_total"),
    reconciles: sum("netclaim_controller_reconcile_total"),
    depth: sum("netclaim_controller_workqueue_depth"),
  };
}

function render(lines: readonly Record<string, unknown>[], last = 40): string {
  return lines
    .slice(-last)
    .map((l) => JSON.stringify(l))
    .join("\n");
}

export class NodeController {
  /** Every process so far, the current one last. */
  readonly processes: ControllerProcess[] = [];
  private readonly options: NodeControllerOptions;
  private opsPort: number | undefined;

  constructor(options: NodeControllerOptions) {
    this.options = options;
  }

  get current(): ControllerProcess {
    const proc = this.processes.at(-1);
    if (proc === undefined) throw new Error("the controller was never started");
    return proc;
  }

  get running(): boolean {
    const child = this.processes.at(-1)?.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Spawns a controller and waits until it leads with its informers synced. */
  async start(): Promise<void> {
    if (this.running) throw new Error("the controller is running already");
    this.opsPort = undefined;
    const proc = spawnController(this.options.kubeconfig, [
      `--driver-name=${DRIVER}`,
      `--leader-election-namespace=${LEASE_NAMESPACE}`,
      `--leader-election-identity=${CONTROLLER_IDENTITY}`,
      "--metrics-address=127.0.0.1:0",
      `--log-level=${this.options.logLevel ?? "debug"}`,
    ]);
    this.processes.push(proc);
    await new Promise<void>((resolve, reject) => {
      proc.child.once("spawn", () => resolve());
      proc.child.once("error", (err) =>
        reject(new Error("netclaim controller did not start", { cause: err })),
      );
    });
    if (proc.child.pid !== undefined) {
      await this.options.leftovers.addProcess(proc.child.pid, "netclaim controller");
    }
    await this.until("leading with its informers synced", async () => {
      const port = this.portFromLog(proc);
      if (port === undefined) return false;
      const reply = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      if (reply?.status !== 200) return false;
      const report = (await reply.json()) as { checks?: { leaderElection?: { detail?: string } } };
      return report.checks?.leaderElection?.detail === "leading";
    });
  }

  /** SIGTERM and wait (it stops its workers and releases the lease); SIGKILL after the grace. */
  async stop(): Promise<Exit | undefined> {
    const proc = this.processes.at(-1);
    if (proc === undefined) return undefined;
    if (this.running) proc.child.kill("SIGTERM");
    const timer = setTimeout(() => {
      if (this.running) proc.child.kill("SIGKILL");
    }, STOP_GRACE_MS);
    try {
      return await proc.exited;
    } finally {
      clearTimeout(timer);
      this.opsPort = undefined;
      if (proc.child.pid !== undefined) await this.options.leftovers.removeProcess(proc.child.pid);
    }
  }

  /** The claim work queue's counters now. */
  async claimQueue(): Promise<QueueCounts> {
    const port = this.opsPort;
    if (port === undefined || !this.running) throw new Error("the controller is not running");
    const reply = await fetch(`http://127.0.0.1:${port}/metrics`);
    if (reply.status !== 200) throw new Error(`controller /metrics: ${reply.status}`);
    return queueCounts(await reply.text(), CLAIMS_QUEUE);
  }

  /**
   * Waits until at least `minAdds` claim keys were added since this process started and every one added so
   * far has been reconciled (none waiting, none in a worker's hands).
   */
  async idle(minAdds = 1): Promise<QueueCounts> {
    let last: QueueCounts | undefined;
    await this.until(`its claim queue idle after ${minAdds} adds`, async () => {
      last = await this.claimQueue();
      return last.adds >= minAdds && last.reconciles >= last.adds && last.depth === 0;
    });
    return last!;
  }

  /** Waits until idle, runs `change`, then waits until the controller has reconciled what it caused. */
  async afterChange<T>(change: () => Promise<T>): Promise<T> {
    const before = (await this.idle(0)).adds;
    const result = await change();
    await this.idle(before + 1);
    return result;
  }

  private portFromLog(proc: ControllerProcess): number | undefined {
    if (this.opsPort !== undefined) return this.opsPort;
    const line = proc.lines.find((l) => l.msg === "serving /healthz and /metrics");
    this.opsPort = typeof line?.port === "number" ? line.port : undefined;
    return this.opsPort;
  }

  private async until(what: string, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + WAIT_TIMEOUT_MS;
    for (;;) {
      if (await check()) return;
      if (!this.running) {
        const exit = await this.current.exited;
        throw new Error(
          `netclaim controller exited (${JSON.stringify(exit)}) before ${what}:\n${render(this.current.lines)}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(`netclaim controller: not ${what} in time:\n${render(this.current.lines)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
