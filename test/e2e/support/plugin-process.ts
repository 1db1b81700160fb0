// `netclaim kubelet-plugin` (this checkout's CLI on the pinned Node) as a child process inside the fake
// host netns: `ip netns exec` also remounts /sys for it, so its discovery sees the fake host's netdevs (the
// veth "NICs") and its delegates run there. `ip netns exec` execs in place, so the child's pid is node's.
// `setpriv --pdeathsig KILL` (util-linux) makes the kernel kill it when this process dies without stopping it.
// Its JSON log lines (stderr) are kept in memory (the last MAX_LINES) and appended to a log file; its
// resident memory is read from /proc.
//
// Public API: `PluginProcess`, `PluginProcessOptions`, `PluginExit`, `LogLine`.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import type { WriteStream } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { commandInNetns } from "../../harness/runtime/index.ts";
import type { Netns, NetnsTools } from "../../harness/runtime/index.ts";
import { CLI_MAIN, PINNED_NODE } from "../../integration/cni/support/netclaim-bin.ts";

const MAX_LINES = 20_000;
/** Past the plugin's own stop grace (20 s for CNI calls, 5 s for status writes). */
const STOP_GRACE_MS = 30_000;

export type LogLine = Record<string, unknown>;

export interface PluginExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface PluginProcessOptions {
  netns: Netns;
  tools?: NetnsTools;
  /** The flags after `kubelet-plugin`. */
  flags: readonly string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

function parseLine(text: string): LogLine {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as LogLine) : { raw: text };
  } catch {
    return { raw: text };
  }
}

async function statusKb(pid: number, field: string): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, "utf8");
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  if (m === null) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(m[1]);
}

export class PluginProcess {
  readonly lines: LogLine[] = [];
  private readonly options: PluginProcessOptions;
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  private exitedPromise: Promise<PluginExit> | undefined;
  private lineWaiters = new Set<() => void>();
  private dropped = 0;

  constructor(options: PluginProcessOptions) {
    this.options = options;
  }

  get pid(): number {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error("the kubelet plugin was not started");
    return pid;
  }

  /** Log lines seen so far (kept or not): a `from` for waitForLine. */
  get lineCount(): number {
    return this.dropped + this.lines.length;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves when the process has exited (at once when it was never started). */
  get exited(): Promise<PluginExit> {
    return this.exitedPromise ?? Promise.resolve({ code: null, signal: null });
  }

  /** Spawns the process; resolves once it runs (registration is the caller's to wait for). */
  async start(): Promise<void> {
    if (this.child !== undefined) throw new Error("the kubelet plugin process was started already");
    // Killed with its parent (a test worker or the demo that dies without cleaning up).
    const argv = [
      "setpriv",
      "--pdeathsig",
      "KILL",
      "--",
      PINNED_NODE,
      CLI_MAIN,
      "kubelet-plugin",
      ...this.options.flags,
    ];
    const { file, args } = commandInNetns(this.options.netns, argv, this.options.tools);
    await mkdir(dirname(this.options.logFile), { recursive: true });
    this.log = createWriteStream(this.options.logFile, { flags: "a" });
    this.log.on("error", () => undefined); // the lines are kept in memory as well
    // Its own process group: a Ctrl-C at the terminal is the caller's to handle (stop it in order), not the
    // plugin's.
    const child = spawn(file, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: this.options.env ?? {},
      detached: true,
    });
    this.child = child;
    this.exitedPromise = new Promise((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    let buffered = "";
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.log?.write(chunk);
      buffered += chunk;
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      for (const part of parts) this.push(parseLine(part));
    });
    child.stdout?.resume();
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", () => resolve());
      child.once("error", reject);
    });
  }

  /** SIGTERM (graceful stop), then waits for the exit; SIGKILL after `graceMs`. */
  async stop(graceMs = STOP_GRACE_MS): Promise<PluginExit> {
    if (this.running) this.child?.kill("SIGTERM");
    const timer = setTimeout(() => {
      if (this.running) this.child?.kill("SIGKILL");
    }, graceMs);
    try {
      return await this.finish();
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL: sockets and state stay behind, as after a crash. */
  async kill(): Promise<PluginExit> {
    if (this.running) this.child?.kill("SIGKILL");
    return this.finish();
  }

  /** The first log line (the `from`-th seen on, see lineCount) that matches, waiting up to timeoutMs for it. */
  async waitForLine(
    match: (line: LogLine) => boolean,
    what: string,
    options: { from?: number; timeoutMs?: number } = {},
  ): Promise<LogLine> {
    const deadline = Date.now() + (options.timeoutMs ?? 20_000);
    for (;;) {
      const found = this.lines.slice(Math.max(0, (options.from ?? 0) - this.dropped)).find(match);
      if (found !== undefined) return found;
      if (!this.running) throw new Error(`kubelet plugin exited before logging ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`kubelet plugin did not log ${what} in time`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.lineWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 200));
        this.lineWaiters.add(wake);
      });
    }
  }

  /** Resident memory now and at its peak (VmRSS, VmHWM), in KiB. */
  async memoryKb(): Promise<{ rss: number; peak: number }> {
    return { rss: await statusKb(this.pid, "VmRSS"), peak: await statusKb(this.pid, "VmHWM") };
  }

  /** The log lines as text (for failure messages). */
  render(last = 60): string {
    return this.lines
      .slice(-last)
      .map((l) => JSON.stringify(l))
      .join("\n");
  }

  private push(line: LogLine): void {
    this.lines.push(line);
    if (this.lines.length > MAX_LINES) {
      const drop = this.lines.length - MAX_LINES;
      this.lines.splice(0, drop);
      this.dropped += drop;
    }
    for (const wake of [...this.lineWaiters]) wake();
  }

  private async finish(): Promise<PluginExit> {
    const exit = await this.exited;
    await new Promise<void>((resolve) => {
      if (this.log === undefined) resolve();
      else this.log.end(() => resolve());
    });
    this.log = undefined;
    return exit;
  }
}
