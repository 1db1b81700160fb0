// A delegate executor for engine tests: records every plugin run (command, type, CNI_IFNAME, CNI_ARGS,
// stdin) and answers from rules the test set up, checked in the order added. Without a rule: ADD
// answers its prevResult (a chained plugin) or a made-up result for the interface (an address of its
// own, a default route, the right shape for the config's cniVersion); VERSION answers every version;
// DEL, CHECK, GC and STATUS succeed silently. Failures are real DelegateErrors (`pluginError`).
import type {
  DelegateCommand,
  DelegateOutput,
  DelegateRequest,
} from "../../src/cni/delegate/delegate-types.ts";
import { pluginFailure } from "../../src/cni/delegate/delegate-error.ts";
import type { DelegateError } from "../../src/cni/delegate/delegate-error.ts";
import type { LocatedPlugin } from "../../src/cni/delegate/find-plugin.ts";
import type { LocatingExecutor } from "../../src/cni/delegate/gc-status.ts";
import type { JsonObject } from "../../src/cni/delegate/json.ts";
import { SUPPORTED_VERSIONS } from "../../src/cni/protocol/version.ts";

export interface DelegateRun {
  command: DelegateCommand;
  type: string;
  ifName: string;
  containerID: string;
  netns: string;
  cniArgs: string;
  stdin: JsonObject;
}

export interface RunMatch {
  command?: DelegateCommand;
  type?: string;
  ifName?: string;
}

/** A result/answer, an error to throw, or a function of the run computing either (undefined: default). */
export type DelegateReply = JsonObject | Error | ((run: DelegateRun) => JsonObject | Error | undefined);

interface Rule {
  match: RunMatch;
  reply: DelegateReply;
  remaining: number;
}

/** The DelegateError a plugin printing `{code, msg, details}` with exit status 1 gives. */
export function pluginError(
  type: string,
  command: DelegateCommand,
  code: number,
  msg: string,
  details = "",
): DelegateError {
  return pluginFailure({
    plugin: type,
    pluginPath: `/fake/bin/${type}`,
    command,
    exitCode: 1,
    signal: null,
    stdout: JSON.stringify({ cniVersion: "1.0.0", code, msg, details }),
    stderr: "",
  });
}

function matches(match: RunMatch, run: DelegateRun): boolean {
  return (
    (match.command === undefined || match.command === run.command) &&
    (match.type === undefined || match.type === run.type) &&
    (match.ifName === undefined || match.ifName === run.ifName)
  );
}

/** A made-up ADD result for an interface, in the shape of `cniVersion`. */
export function madeUpResult(cniVersion: string, ifName: string, netns: string, octet: number): JsonObject {
  const address = `10.${octet}.0.5/24`;
  const gateway = `10.${octet}.0.1`;
  if (cniVersion === "0.1.0" || cniVersion === "0.2.0") {
    return {
      cniVersion,
      ip4: { ip: address, gateway, routes: [{ dst: "0.0.0.0/0", gw: gateway }] },
      dns: {},
    };
  }
  const old = cniVersion.startsWith("0.");
  return {
    cniVersion,
    interfaces: [
      { name: ifName, mac: `02:00:00:00:00:${octet.toString(16).padStart(2, "0")}`, sandbox: netns },
    ],
    ips: [{ ...(old ? { version: "4" } : {}), address, gateway, interface: 0 }],
    routes: [{ dst: "0.0.0.0/0", gw: gateway }],
    dns: {},
  };
}

export class FakeDelegates implements LocatingExecutor {
  readonly runs: DelegateRun[] = [];
  /** The bin dirs of every executor asked for (one per invocation). */
  readonly binDirs: (readonly string[])[] = [];
  private readonly rules: Rule[] = [];
  private readonly octets = new Map<string, number>();

  /** Answers matching runs with `reply`, `times` times (default always). */
  on(match: RunMatch, reply: DelegateReply, times = Number.POSITIVE_INFINITY): this {
    this.rules.push({ match, reply, remaining: times });
    return this;
  }

  /** The executor factory the engine takes. */
  factory(): (binDirs: readonly string[]) => LocatingExecutor {
    return (binDirs) => {
      this.binDirs.push(binDirs);
      return this;
    };
  }

  runsOf(command: DelegateCommand): DelegateRun[] {
    return this.runs.filter((r) => r.command === command);
  }

  /** `COMMAND type ifName` of every run, for compact assertions. */
  summary(commands?: readonly DelegateCommand[]): string[] {
    return this.runs
      .filter((r) => commands === undefined || commands.includes(r.command))
      .map((r) => `${r.command} ${r.type} ${r.ifName}`.trimEnd());
  }

  locate(type: string): Promise<LocatedPlugin> {
    return Promise.resolve({ type, path: `/fake/bin/${type}`, mtimeMs: 1 });
  }

  run(request: DelegateRequest): Promise<DelegateOutput> {
    const run: DelegateRun = {
      command: request.command,
      type: request.type,
      ifName: request.attachment.ifName,
      containerID: request.attachment.containerID,
      netns: request.attachment.netns,
      cniArgs: request.attachment.cniArgs,
      stdin: request.stdin,
    };
    this.runs.push(run);
    const rule = this.rules.find((r) => r.remaining > 0 && matches(r.match, run));
    let answer: JsonObject | Error | undefined;
    if (rule !== undefined) {
      rule.remaining--;
      answer = typeof rule.reply === "function" ? rule.reply(run) : rule.reply;
    }
    answer ??= this.defaultAnswer(run);
    if (answer instanceof Error) return Promise.reject(answer);
    return Promise.resolve({ pluginPath: `/fake/bin/${run.type}`, output: answer, stderr: "" });
  }

  private defaultAnswer(run: DelegateRun): JsonObject | undefined {
    if (run.command === "VERSION") return { cniVersion: "1.1.0", supportedVersions: [...SUPPORTED_VERSIONS] };
    if (run.command !== "ADD") return undefined;
    const prev = run.stdin.prevResult;
    if (typeof prev === "object" && prev !== null) return prev as JsonObject;
    let octet = this.octets.get(run.ifName);
    if (octet === undefined) {
      octet = this.octets.size + 1;
      this.octets.set(run.ifName, octet);
    }
    const version = typeof run.stdin.cniVersion === "string" ? run.stdin.cniVersion : "1.0.0";
    return madeUpResult(version, run.ifName, run.netns, octet);
  }
}
