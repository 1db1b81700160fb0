// Runs one delegate CNI plugin the way libcni does (pkg/invoke): find the executable by `type` in the bin
// dirs, run it with the caller's environment plus the CNI_* variables, the config on stdin, under a
// timeout; read its stdout as JSON; turn every failure into a DelegateError. Netns handling is not here:
// to run plugins somewhere else (tests: inside a fake host netns) wrap the Exec (prefixed-exec.ts).
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import { CodedError, isSystemError } from "../../common/errors.ts";
import type { Exec, ExecResult } from "../../common/exec.ts";
import { delegateEnv } from "./delegate-env.ts";
import type { Env } from "./delegate-env.ts";
import { badOutput, pluginFailure, runFailure } from "./delegate-error.ts";
import type { FailedRun } from "./delegate-error.ts";
import type { DelegateOutput, DelegateRequest } from "./delegate-types.ts";
import { findPlugin, statPluginFile } from "./find-plugin.ts";
import type { LocatedPlugin, StatPluginFile } from "./find-plugin.ts";
import { isJsonObject } from "./json.ts";
import type { JsonObject } from "./json.ts";

export const DEFAULT_DELEGATE_TIMEOUT_MS = 60_000;
/** libcni retries a plugin that is being written ("text file busy"), 5 more times, 1 s apart. */
export const TEXT_FILE_BUSY_RETRIES = 5;
export const TEXT_FILE_BUSY_WAIT_MS = 1_000;

export interface DelegateRunnerOptions {
  exec: Exec;
  /** Plugin search order, also CNI_PATH for the delegate: build it with `delegateBinDirs`. */
  binDirs: readonly string[];
  /** The environment delegates inherit (the entry point passes process.env). Default: none. */
  baseEnv?: Env;
  timeoutMs?: number;
  statFile?: StatPluginFile;
  clock?: Clock;
}

export interface RunDelegateOptions {
  signal?: AbortSignal;
}

const MAX_CAUSE_DEPTH = 16;

function isTextFileBusy(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current instanceof Error; depth++) {
    if (isSystemError(current, "ETXTBSY")) return true;
    current = current.cause;
  }
  return false;
}

function failedRun(request: DelegateRequest, plugin: LocatedPlugin, result: ExecResult): FailedRun {
  return {
    plugin: request.type,
    pluginPath: plugin.path,
    command: request.command,
    exitCode: result.code,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

/** What a successful run printed, as the command needs it. Throws a DelegateError when unusable. */
function readOutput(
  request: DelegateRequest,
  plugin: LocatedPlugin,
  result: ExecResult,
): JsonObject | undefined {
  const run = failedRun(request, plugin, result);
  const needsOutput = request.command === "ADD" || request.command === "VERSION";
  const text = result.stdout.trim();
  if (text === "") {
    if (needsOutput) throw badOutput(run, `printed no ${request.command === "ADD" ? "result" : "version"}`);
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    // libcni ignores what DEL, CHECK, GC and STATUS print.
    if (needsOutput) throw badOutput(run, "printed something that is not JSON", cause);
    return undefined;
  }
  if (!isJsonObject(parsed)) {
    if (needsOutput) throw badOutput(run, "printed JSON that is not an object");
    return undefined;
  }
  if (request.command === "ADD" && (typeof parsed.cniVersion !== "string" || parsed.cniVersion === "")) {
    // libcni's fixupResultVersion: a result without a version is in the config's version.
    const configVersion = request.stdin.cniVersion;
    if (typeof configVersion === "string") return { ...parsed, cniVersion: configVersion };
  }
  return parsed;
}

export class DelegateRunner {
  private readonly options: DelegateRunnerOptions;

  constructor(options: DelegateRunnerOptions) {
    this.options = options;
  }

  get binDirs(): readonly string[] {
    return this.options.binDirs;
  }

  /** The executable for a plugin type (see find-plugin.ts). */
  locate(type: string): Promise<LocatedPlugin> {
    return findPlugin(type, this.options.binDirs, this.options.statFile ?? statPluginFile);
  }

  async run(request: DelegateRequest, runOptions: RunDelegateOptions = {}): Promise<DelegateOutput> {
    const plugin = await this.locate(request.type);
    const result = await this.execute(request, plugin, runOptions.signal);
    if (result.code !== 0 || result.signal !== null) {
      throw pluginFailure(failedRun(request, plugin, result));
    }
    return { pluginPath: plugin.path, output: readOutput(request, plugin, result), stderr: result.stderr };
  }

  private async execute(
    request: DelegateRequest,
    plugin: LocatedPlugin,
    signal: AbortSignal | undefined,
  ): Promise<ExecResult> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_DELEGATE_TIMEOUT_MS;
    const env = delegateEnv({
      ...request.attachment,
      baseEnv: this.options.baseEnv ?? {},
      command: request.command,
      cniPath: this.options.binDirs,
    });
    const stdin = JSON.stringify(request.stdin);
    const what = { plugin: request.type, pluginPath: plugin.path, command: request.command };
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.options.exec.run(plugin.path, [], { env, stdin, timeoutMs, signal });
      } catch (err) {
        if (isTextFileBusy(err) && attempt < TEXT_FILE_BUSY_RETRIES) {
          await (this.options.clock ?? realClock).sleep(TEXT_FILE_BUSY_WAIT_MS, signal);
          continue;
        }
        if (err instanceof CodedError && err.code === "TIMEOUT") {
          throw runFailure(what, "timeout", `timed out after ${timeoutMs}ms and was killed`, err);
        }
        throw runFailure(what, "exec-failed", `could not be run: ${plugin.path}`, err);
      }
    }
  }
}

/** One delegate run with a runner made for it. */
export function runDelegate(
  options: DelegateRunnerOptions,
  request: DelegateRequest,
  runOptions: RunDelegateOptions = {},
): Promise<DelegateOutput> {
  return new DelegateRunner(options).run(request, runOptions);
}
