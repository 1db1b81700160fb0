// A delegate that failed, read the way libcni reads it (pkg/invoke RawExec.pluginErr): on a non-zero exit
// its stdout should hold a CNI error `{code, msg, details}`; with no stdout the stderr is all there is;
// other stdout is reported as such. Also the failures of the run itself (timeout, could not start) and
// a zero exit with an unusable stdout. Every one is a `DelegateError`: a CniError with code
// DELEGATE_FAILED (so `toCniError` keeps it) that carries the plugin, the command, the exit, the plugin's
// own code/msg/details and the tail of its stderr.
import { CniError } from "../protocol/errors.ts";
import type { DelegateCommand } from "./delegate-types.ts";
import { isJsonObject, tail, truncate } from "./json.ts";

export const DELEGATE_FAILURES = [
  /** Non-zero exit (or killed by a signal). */
  "plugin-error",
  /** Exit 0, but stdout is not what the command must print. */
  "bad-output",
  "timeout",
  /** The executable could not be started (gone, not executable, bad interpreter). */
  "exec-failed",
] as const;
export type DelegateFailure = (typeof DELEGATE_FAILURES)[number];

/** The CNI error a plugin printed. */
export interface PluginErrorBody {
  code: number;
  msg: string;
  details: string;
}

export const MAX_STDOUT_IN_MESSAGE = 512;
export const MAX_STDERR_TAIL = 2048;

export interface DelegateErrorInit {
  failure: DelegateFailure;
  plugin: string;
  pluginPath: string;
  command: DelegateCommand;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  pluginError?: PluginErrorBody;
  /** What went wrong, without the "plugin X failed (cmd)" prefix. */
  problem: string;
  cause?: unknown;
}

export class DelegateError extends CniError {
  readonly failure: DelegateFailure;
  readonly plugin: string;
  readonly pluginPath: string;
  readonly command: DelegateCommand;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly pluginError: PluginErrorBody | undefined;
  readonly stderrTail: string;

  constructor(init: DelegateErrorInit) {
    const details = init.pluginError?.details;
    super(
      "DELEGATE_FAILED",
      `plugin ${init.plugin} failed (${init.command.toLowerCase()}): ${init.problem}`,
      {
        cause: init.cause,
        details: details === "" ? undefined : details,
      },
    );
    this.name = "DelegateError";
    this.failure = init.failure;
    this.plugin = init.plugin;
    this.pluginPath = init.pluginPath;
    this.command = init.command;
    this.exitCode = init.exitCode;
    this.signal = init.signal;
    this.pluginError = init.pluginError;
    this.stderrTail = tail(init.stderr, MAX_STDERR_TAIL);
  }
}

/** The CNI error in a plugin's stdout, or undefined when stdout is not one. Pure. */
export function parsePluginError(stdout: string): PluginErrorBody | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  if (!isJsonObject(parsed) || (typeof parsed.code !== "number" && typeof parsed.msg !== "string")) {
    return undefined;
  }
  return {
    code: typeof parsed.code === "number" ? parsed.code : 0,
    msg: typeof parsed.msg === "string" ? parsed.msg : "",
    details: typeof parsed.details === "string" ? parsed.details : "",
  };
}

function exitText(exitCode: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `killed by ${signal}` : `exit status ${exitCode}`;
}

export interface FailedRun {
  plugin: string;
  pluginPath: string;
  command: DelegateCommand;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The error for a run that ended with a non-zero exit or a signal. Pure. */
export function pluginFailure(run: FailedRun): DelegateError {
  const stdout = run.stdout.trim();
  const exit = exitText(run.exitCode, run.signal);
  const base = { ...run, failure: "plugin-error" as const };
  if (stdout === "") {
    const stderr = tail(run.stderr.trim(), MAX_STDOUT_IN_MESSAGE);
    const problem =
      stderr === "" ? `${exit}, no error message` : `${exit}, stderr: ${JSON.stringify(stderr)}`;
    return new DelegateError({ ...base, problem });
  }
  const pluginError = parsePluginError(stdout);
  if (pluginError === undefined) {
    const shown = JSON.stringify(truncate(stdout, MAX_STDOUT_IN_MESSAGE));
    return new DelegateError({ ...base, problem: `${exit}, and its stdout is not a CNI error: ${shown}` });
  }
  const details = pluginError.details === "" ? "" : `; ${pluginError.details}`;
  const problem = `[code ${pluginError.code}] ${pluginError.msg}${details}`;
  return new DelegateError({ ...base, pluginError, problem });
}

/** The error for a zero exit whose stdout the command cannot use. Pure. */
export function badOutput(run: FailedRun, why: string, cause?: unknown): DelegateError {
  const stdout = run.stdout.trim();
  const shown = stdout === "" ? "" : `: ${JSON.stringify(truncate(stdout, MAX_STDOUT_IN_MESSAGE))}`;
  return new DelegateError({ ...run, failure: "bad-output", problem: `${why}${shown}`, cause });
}

/** The error for a run that did not complete (timeout, could not start). */
export function runFailure(
  run: Pick<FailedRun, "plugin" | "pluginPath" | "command">,
  failure: "timeout" | "exec-failed",
  problem: string,
  cause: unknown,
): DelegateError {
  return new DelegateError({ ...run, failure, exitCode: null, signal: null, stderr: "", problem, cause });
}
