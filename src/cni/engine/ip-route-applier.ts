// The production DefaultRouteApplier: `ip route` run inside the pod's netns through
// `nsenter --net=<netns> --` (the process never switches its own netns). Per family the instruction does
// not keep: `ip -4|-6 route flush exact 0.0.0.0/0|::/0 dev <ifname>` (every default route of that family
// on the interface, in the main table, as Multus deletes them), then for "replace"
// `ip -4|-6 route add default via <gw> dev <ifname>`, "File exists" ignored as Multus ignores EEXIST.
// A host without IPv6 answers the IPv6 flush with "not supported": nothing to remove then.
//
// Public API: `IpRouteApplier`, `IpRouteApplierOptions`, `routeCommands`.
import type { Exec, ExecResult } from "../../common/exec.ts";
import type { DefaultRouteInstruction, FamilyRouteAction } from "../selection/default-route.ts";
import type { DefaultRouteApplier } from "./ports.ts";

export interface IpRouteApplierOptions {
  exec: Exec;
  /** Default "nsenter" (from PATH). */
  nsenter?: string;
  /** Default "ip" (from PATH). */
  ip?: string;
  /** Per command; default 10 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export interface RouteCommand {
  /** `ip` arguments. */
  args: string[];
  /** Outcomes that are not failures. */
  tolerate: "exists" | "unsupported" | "none";
}

const FAMILIES = [
  { key: "ipv4", flag: "-4", any: "0.0.0.0/0" },
  { key: "ipv6", flag: "-6", any: "::/0" },
] as const;

/** The `ip` commands of an instruction, in order. Pure. */
export function routeCommands(instruction: DefaultRouteInstruction): RouteCommand[] {
  const commands: RouteCommand[] = [];
  const dev = instruction.interfaceName;
  for (const family of FAMILIES) {
    const action: FamilyRouteAction = instruction[family.key];
    if (action.kind === "keep") continue;
    const tolerate = family.key === "ipv6" ? "unsupported" : "none";
    commands.push({ args: [family.flag, "route", "flush", "exact", family.any, "dev", dev], tolerate });
    if (action.kind === "replace") {
      commands.push({
        args: [family.flag, "route", "add", "default", "via", action.gateway, "dev", dev],
        tolerate: "exists",
      });
    }
  }
  return commands;
}

function tolerated(command: RouteCommand, result: ExecResult): boolean {
  if (command.tolerate === "exists") return /File exists/i.test(result.stderr);
  if (command.tolerate === "unsupported") return /not supported/i.test(result.stderr);
  return false;
}

export class IpRouteApplier implements DefaultRouteApplier {
  private readonly options: IpRouteApplierOptions;

  constructor(options: IpRouteApplierOptions) {
    this.options = options;
  }

  async apply(netns: string, instruction: DefaultRouteInstruction, signal?: AbortSignal): Promise<void> {
    const nsenter = this.options.nsenter ?? "nsenter";
    const ip = this.options.ip ?? "ip";
    for (const command of routeCommands(instruction)) {
      const argv = [`--net=${netns}`, "--", ip, ...command.args];
      const what = `default route of ${instruction.interfaceName} in ${netns}: ip ${command.args.join(" ")}`;
      let result: ExecResult;
      try {
        result = await this.options.exec.run(nsenter, argv, {
          timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          signal,
        });
      } catch (err) {
        throw new Error(what, { cause: err });
      }
      if (result.code === 0 || tolerated(command, result)) continue;
      const exit = result.signal !== null ? `killed by ${result.signal}` : `exit status ${result.code}`;
      throw new Error(`${what}: ${exit}: ${result.stderr.trim()}`);
    }
  }
}
