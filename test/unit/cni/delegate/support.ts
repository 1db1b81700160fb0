// Shared set-up of the delegate unit tests: a runner over FakeExec whose "file system" is a list of
// plugin paths, and helpers to script plugin replies by the plugin's file name and command.
import { basename } from "node:path";
import type { ExecCall, FakeReply } from "../../../fakes/exec.ts";
import { FakeExec } from "../../../fakes/exec.ts";
import { DelegateRunner } from "../../../../src/cni/delegate/run-delegate.ts";
import type { DelegateRunnerOptions } from "../../../../src/cni/delegate/run-delegate.ts";
import type { StatPluginFile } from "../../../../src/cni/delegate/find-plugin.ts";

export const BIN_DIRS = ["/opt/cni/bin", "/usr/lib/cni"] as const;

/** A stat over a fixed set of files (path → mtime); directories are listed as such. */
export function fakeStat(files: Record<string, number>, dirs: readonly string[] = []): StatPluginFile {
  return (path) => {
    if (dirs.includes(path)) return Promise.resolve({ isFile: false, mtimeMs: 0 });
    const mtimeMs = files[path];
    return Promise.resolve(mtimeMs === undefined ? undefined : { isFile: true, mtimeMs });
  };
}

export function commandOf(call: ExecCall): string | undefined {
  return call.options.env?.CNI_COMMAND;
}

/** Matches calls of one plugin (by file name) and, optionally, one command. */
export function plugin(name: string, command?: string): (call: ExecCall) => boolean {
  return (call) => basename(call.cmd) === name && (command === undefined || commandOf(call) === command);
}

export function stdinOf(call: ExecCall): Record<string, unknown> {
  return JSON.parse(call.stdinText ?? "null") as Record<string, unknown>;
}

export function ok(output: unknown = undefined, stderr = ""): FakeReply {
  return { code: 0, stdout: output === undefined ? "" : JSON.stringify(output), stderr };
}

export function cniFailure(code: number, msg: string, details?: string): FakeReply {
  return { code: 1, stdout: JSON.stringify({ cniVersion: "1.0.0", code, msg, details }) };
}

export interface TestRunner {
  exec: FakeExec;
  runner: DelegateRunner;
}

/** A runner whose plugins `names` all live in the first bin dir (mtime 1). */
export function testRunner(
  names: readonly string[],
  options: Partial<DelegateRunnerOptions> = {},
): TestRunner {
  const exec = new FakeExec();
  const files = Object.fromEntries(names.map((n) => [`${BIN_DIRS[0]}/${n}`, 1]));
  const runner = new DelegateRunner({
    exec,
    binDirs: BIN_DIRS,
    baseEnv: { PATH: "/usr/bin:/bin" },
    statFile: fakeStat(files),
    ...options,
  });
  return { exec, runner };
}
