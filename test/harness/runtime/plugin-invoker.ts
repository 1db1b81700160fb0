// Runs one CNI plugin the way a runtime does, but inside the fake host netns: the binary is looked up in
// the bin dirs (CNI_PATH), executed as `ip netns exec <host> <plugin>` with the runtime's environment plus
// the CNI_* variables, config on stdin, result (or {code,msg,details}) on stdout, under a timeout.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { parsePluginFailure } from "./cni-error.ts";
import type { JsonObject } from "./cni-config.ts";
import { isJsonObject } from "./cni-config.ts";
import type { Exec, ExecResult } from "../../../src/common/exec.ts";
import { commandInNetns } from "./netns.ts";
import type { Netns, NetnsTools } from "./netns.ts";

export const DEFAULT_PLUGIN_TIMEOUT_MS = 10_000;

/** What one plugin run looked like, for observers (the demo prints these). */
export interface PluginRunEvent {
  command: string;
  plugin: string;
  path: string;
  /** The CNI_* variables only (the rest is the runtime's base environment). */
  cniEnv: Record<string, string>;
  stdin: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export interface PluginInvokerOptions {
  exec: Exec;
  binDirs: readonly string[];
  /** The netns the plugin runs in: the fake host. */
  hostNetns: Netns;
  tools?: NetnsTools;
  /** The runtime's own environment, which plugins inherit (libcni passes os.Environ()). */
  baseEnv: Readonly<Record<string, string>>;
  timeoutMs?: number;
  onRun?: (event: PluginRunEvent) => void;
}

export interface PluginRun {
  type: string;
  command: string;
  config: JsonObject;
  cniEnv: Record<string, string>;
}

export class PluginInvoker {
  private readonly options: PluginInvokerOptions;

  constructor(options: PluginInvokerOptions) {
    this.options = options;
  }

  /** libcni FindInPath: the first bin dir holding a file named like the plugin type. */
  async find(type: string): Promise<string> {
    if (type === "" || type.includes("/")) throw new Error(`invalid plugin type ${JSON.stringify(type)}`);
    for (const dir of this.options.binDirs) {
      const candidate = join(dir, type);
      try {
        if ((await stat(candidate)).isFile()) return candidate;
      } catch {
        // not in this dir
      }
    }
    throw new Error(
      `failed to find plugin ${JSON.stringify(type)} in path [${this.options.binDirs.join(" ")}]`,
    );
  }

  /** Runs the plugin; returns its parsed stdout (ADD, VERSION) or undefined when it printed nothing. */
  async run(run: PluginRun): Promise<JsonObject | undefined> {
    const path = await this.find(run.type);
    const stdin = JSON.stringify(run.config);
    const result = await this.execute(path, run, stdin);
    this.options.onRun?.({
      command: run.command,
      plugin: run.type,
      path,
      cniEnv: run.cniEnv,
      stdin,
      exitCode: result.code,
      stdout: result.stdout,
      stderr: result.stderr,
    });
    if (result.code !== 0) {
      throw parsePluginFailure({ ...result, exitCode: result.code, plugin: run.type, command: run.command });
    }
    const out = result.stdout.trim();
    if (out === "") return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(out);
    } catch (cause) {
      throw new Error(`plugin ${run.type} (${run.command}): decoding its output ${JSON.stringify(out)}`, {
        cause,
      });
    }
    if (!isJsonObject(parsed))
      throw new Error(`plugin ${run.type} (${run.command}): output is not a JSON object`);
    return parsed;
  }

  private async execute(path: string, run: PluginRun, stdin: string): Promise<ExecResult> {
    const { file, args } = commandInNetns(this.options.hostNetns, [path], this.options.tools);
    try {
      return await this.options.exec.run(file, args, {
        stdin,
        env: { ...this.options.baseEnv, ...run.cniEnv },
        timeoutMs: this.options.timeoutMs ?? DEFAULT_PLUGIN_TIMEOUT_MS,
      });
    } catch (cause) {
      throw new Error(
        `plugin ${run.type} (${run.command.toLowerCase()}) in netns ${this.options.hostNetns.name}`,
        {
          cause,
        },
      );
    }
  }
}
