// The DeviceSettings shell: reads a device's current values with `ip -j link show dev <name>` and runs the
// `ip link set` commands device-settings-plan.ts decides, through an Exec (so tests script it, and a
// caller can run `ip` inside another netns by handing in an Exec that prefixes `ip netns exec <ns>`).
// The `ip` program is a parameter (default "ip" from PATH). A command that exits non-zero fails with its
// description, its command line and ip's stderr. Restoring is idempotent (each command sets a recorded
// value); a restore whose link is gone from the host ("Cannot find device") is skipped and reported, as
// there is nothing left to put back, and the remaining restores still run.
//
// Public API: `IpDeviceSettings`, `IpDeviceSettingsOptions`, `DEFAULT_IP`, `IP_TIMEOUT_MS`.
import type { OriginalSettings, PreparedDeviceRecord } from "../../api/checkpoint.ts";
import { ProcessExec } from "../../common/exec.ts";
import type { Exec, ExecResult } from "../../common/exec.ts";
import { parseIpLinkShow, vfOf } from "./device-settings-ip-json.ts";
import type { IpLinkShow } from "./device-settings-ip-json.ts";
import {
  applyCommands,
  originalSettingsFor,
  restoreCommands,
  settingsTargets,
} from "./device-settings-plan.ts";
import type { HostSettingsState, IpCommand } from "./device-settings-plan.ts";
import type { DeviceSettings } from "./ports.ts";

export const DEFAULT_IP = "ip";
/** Per `ip` invocation. */
export const IP_TIMEOUT_MS = 10_000;

const LINK_GONE_RE = /Cannot find device|does not exist/i;
const TRUNCATED_RE = /Truncated VF list/i;

export interface IpDeviceSettingsOptions {
  /** Default: a ProcessExec. */
  exec?: Exec;
  /** The iproute2 `ip` program. */
  ip?: string;
  timeoutMs?: number;
}

function outcome(result: ExecResult): string {
  const exit = result.signal !== null ? `killed by ${result.signal}` : `exit status ${result.code}`;
  const stderr = result.stderr.trim();
  return stderr === "" ? exit : `${exit}: ${stderr}`;
}

export class IpDeviceSettings implements DeviceSettings {
  private readonly exec: Exec;
  private readonly ip: string;
  private readonly timeoutMs: number;

  constructor(options: IpDeviceSettingsOptions = {}) {
    this.exec = options.exec ?? new ProcessExec();
    this.ip = options.ip ?? DEFAULT_IP;
    this.timeoutMs = options.timeoutMs ?? IP_TIMEOUT_MS;
  }

  async readOriginal(
    record: PreparedDeviceRecord,
    signal?: AbortSignal,
  ): Promise<OriginalSettings | undefined> {
    const result = settingsTargets(record);
    if (!result.ok) throw new Error(result.problem);
    const { targets } = result;
    if (targets === undefined) return undefined;
    const state: HostSettingsState = {};
    if (targets.netdev !== undefined) state.netdev = (await this.show(targets.netdev, signal)).show.netdev;
    if (targets.vf !== undefined) {
      const { show, stderr } = await this.show(targets.vf.pfName, signal);
      state.vf = vfOf(show, targets.vf.vfIndex, TRUNCATED_RE.test(stderr));
    }
    return originalSettingsFor(record, state);
  }

  async apply(record: PreparedDeviceRecord, signal?: AbortSignal): Promise<void> {
    for (const command of applyCommands(record)) {
      const result = await this.run(command, signal);
      if (result.code !== 0) throw new Error(this.failure(command, result));
    }
  }

  async restore(record: PreparedDeviceRecord, signal?: AbortSignal): Promise<string[]> {
    const skipped: string[] = [];
    const failures: Error[] = [];
    for (const command of restoreCommands(record.originalSettings)) {
      let result: ExecResult;
      try {
        result = await this.run(command, signal);
      } catch (err) {
        failures.push(err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      if (result.code === 0) continue;
      if (LINK_GONE_RE.test(result.stderr)) skipped.push(`${command.what}: ${command.device} is gone`);
      else failures.push(new Error(this.failure(command, result)));
    }
    if (failures.length > 1) throw new AggregateError(failures, "restore device settings");
    const [failure] = failures;
    if (failure !== undefined) throw failure;
    return skipped;
  }

  private async show(name: string, signal?: AbortSignal): Promise<{ show: IpLinkShow; stderr: string }> {
    const args = ["-j", "link", "show", "dev", name];
    let result: ExecResult;
    try {
      result = await this.exec.run(this.ip, args, { timeoutMs: this.timeoutMs, signal });
    } catch (cause) {
      throw new Error(`read the settings of ${name}: ${this.ip} ${args.join(" ")}`, { cause });
    }
    if (result.code !== 0) {
      throw new Error(`read the settings of ${name}: ${this.ip} ${args.join(" ")}: ${outcome(result)}`);
    }
    return { show: parseIpLinkShow(result.stdout, name), stderr: result.stderr };
  }

  private async run(command: IpCommand, signal?: AbortSignal): Promise<ExecResult> {
    try {
      return await this.exec.run(this.ip, command.args, { timeoutMs: this.timeoutMs, signal });
    } catch (cause) {
      throw new Error(`${command.what}: ${this.ip} ${command.args.join(" ")}`, { cause });
    }
  }

  private failure(command: IpCommand, result: ExecResult): string {
    return `${command.what}: ${this.ip} ${command.args.join(" ")}: ${outcome(result)}`;
  }
}
