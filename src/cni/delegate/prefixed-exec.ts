// An Exec decorator that runs every command under a prefix, e.g. `ip netns exec <host>` or
// `nsenter --net=<path> --`: how tests run delegates (and the meta-plugin's whole delegate path) inside a
// fake host netns without any netns logic in the delegate runner. The environment, stdin, timeout and
// signal go to the prefix command, which passes them on to the command it runs.
import type { Exec, ExecOptions, ExecResult } from "../../common/exec.ts";

export class PrefixedExec implements Exec {
  private readonly inner: Exec;
  private readonly prefix: readonly [string, ...string[]];

  constructor(inner: Exec, prefix: readonly [string, ...string[]]) {
    this.inner = inner;
    this.prefix = prefix;
  }

  run(cmd: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    const [file, ...rest] = this.prefix;
    return this.inner.run(file, [...rest, cmd, ...args], options);
  }
}

/** The prefix that runs a command in a netns iproute2 knows by name (/run/netns/<name>). */
export function ipNetnsExecPrefix(name: string, ip = "ip"): [string, ...string[]] {
  return [ip, "netns", "exec", name];
}

/** The prefix that runs a command in the netns bind-mounted at `path`. */
export function nsenterPrefix(path: string, nsenter = "nsenter"): [string, ...string[]] {
  return [nsenter, `--net=${path}`, "--"];
}
