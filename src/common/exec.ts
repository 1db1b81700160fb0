// Running external programs (CNI delegates, `ip`, `nsenter`) without a shell: the `Exec` interface that
// consumers take, and `ProcessExec` over child_process.spawn. A non-zero exit is a result, not an error
// (a CNI delegate reports its error as JSON on stdout); failing to run, a timeout, an abort or runaway
// output reject with a `CodedError` naming the command.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { CodedError, isSystemError } from "./errors.ts";

export interface ExecOptions {
  /** The child's whole environment (not merged with this process's); inherited when absent. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Written to the child's stdin, which is then closed (closed at once when absent). */
  stdin?: string | Uint8Array;
  /** Kill the child (SIGTERM, then SIGKILL after the grace period) and reject after this long. */
  timeoutMs?: number;
  cwd?: string;
  /** Aborting kills the child like a timeout and rejects with code ABORTED. */
  signal?: AbortSignal;
}

export interface ExecResult {
  /** Exit code, or null when the child was ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Exec {
  run(cmd: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult>;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
export const DEFAULT_KILL_GRACE_MS = 2000;

export interface ProcessExecOptions {
  /** Limit of stdout and of stderr, each. */
  maxOutputBytes?: number;
  /** Time between SIGTERM and SIGKILL when a child must be stopped. */
  killGraceMs?: number;
}

/** Maps a spawn failure to a clear error naming the executable (or the missing working directory). */
export function spawnError(cmd: string, cwd: string | undefined, err: unknown): CodedError {
  if (isSystemError(err, "ENOENT")) {
    if (cwd !== undefined && !existsSync(cwd)) {
      return new CodedError("NOT_FOUND", `working directory not found: ${cwd} (running ${cmd})`, {
        cause: err,
      });
    }
    return new CodedError("EXEC_NOT_FOUND", `executable not found: ${cmd}`, { cause: err });
  }
  if (isSystemError(err, "EACCES")) {
    return new CodedError("EXEC_NOT_EXECUTABLE", `not executable: ${cmd}`, { cause: err });
  }
  return new CodedError("INTERNAL", `run ${cmd}`, { cause: err });
}

/** Collects one output stream up to a byte limit. */
class OutputBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Adds a chunk; false once the limit is passed (the chunk is dropped). */
  add(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.size > this.limit) return false;
    this.chunks.push(chunk);
    return true;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

export class ProcessExec implements Exec {
  private readonly maxOutputBytes: number;
  private readonly killGraceMs: number;

  constructor(options: ProcessExecOptions = {}) {
    this.maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    this.killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  }

  run(cmd: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const { signal } = options;
    if (signal?.aborted) {
      return Promise.reject(new CodedError("ABORTED", `command ${cmd} aborted`, { cause: signal.reason }));
    }
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { cwd: options.cwd, env: options.env, stdio: "pipe", shell: false });
    } catch (err) {
      return Promise.reject(spawnError(cmd, options.cwd, err));
    }
    return this.supervise(child, cmd, options);
  }

  private supervise(child: ChildProcess, cmd: string, options: ExecOptions): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const stdout = new OutputBuffer(this.maxOutputBytes);
      const stderr = new OutputBuffer(this.maxOutputBytes);
      const timers: NodeJS.Timeout[] = [];
      let failure: Error | undefined;
      let exited = false;

      // After the child exited, a grandchild may still hold the pipes open: stop waiting for them.
      const destroyPipes = (): void => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      };
      const stop = (error: Error): void => {
        if (failure !== undefined) return;
        failure = error;
        if (exited) {
          destroyPipes();
          return;
        }
        child.kill("SIGTERM");
        timers.push(setTimeout(() => !exited && child.kill("SIGKILL"), this.killGraceMs));
      };
      const onAbort = (): void =>
        stop(new CodedError("ABORTED", `command ${cmd} aborted`, { cause: options.signal?.reason }));
      const finish = (error: Error | undefined, result?: ExecResult): void => {
        timers.forEach((t) => clearTimeout(t));
        options.signal?.removeEventListener("abort", onAbort);
        if (error === undefined && result !== undefined) resolve(result);
        else reject(error ?? new CodedError("INTERNAL", `command ${cmd} ended without a result`));
      };

      this.collect(child, cmd, { stdout, stderr }, stop);
      child.on("error", (err) => {
        if (child.pid === undefined) finish(spawnError(cmd, options.cwd, err));
      });
      child.on("exit", () => {
        exited = true;
        if (failure !== undefined) destroyPipes();
      });
      child.on("close", (code: number | null, sig: NodeJS.Signals | null) =>
        finish(failure, { code, signal: sig, stdout: stdout.text(), stderr: stderr.text() }),
      );
      const ms = options.timeoutMs;
      if (ms !== undefined) {
        timers.push(
          setTimeout(() => stop(new CodedError("TIMEOUT", `command ${cmd} timed out after ${ms}ms`)), ms),
        );
      }
      options.signal?.addEventListener("abort", onAbort, { once: true });
      child.stdin?.on("error", () => undefined); // EPIPE when the child exits without reading stdin
      child.stdin?.end(options.stdin);
    });
  }

  private collect(
    child: ChildProcess,
    cmd: string,
    buffers: { stdout: OutputBuffer; stderr: OutputBuffer },
    stop: (error: Error) => void,
  ): void {
    for (const name of ["stdout", "stderr"] as const) {
      const buffer = buffers[name];
      child[name]?.on("data", (chunk: Buffer) => {
        if (buffer.add(chunk)) return;
        const limit = `${this.maxOutputBytes} bytes`;
        stop(new CodedError("EXEC_OUTPUT_LIMIT", `command ${cmd} wrote more than ${limit} on ${name}`));
      });
    }
  }
}
