// Named network namespaces, always handled from outside: this process never switches its own netns (Node
// runs several threads); every netns operation is an `ip`/`nsenter`/`unshare` child given the netns.
//
// Two kinds of netns directory:
//  - iproute2's own (/run/netns, also reached as /var/run/netns): `ip netns add/del/exec`, `ip -n`.
//    `ip netns exec` also remounts /sys for the netns, as a runtime's host view would be.
//  - any other directory (some runtimes keep pod netns elsewhere): a bind-mounted nsfs file made with
//    `unshare --net=<file>`, entered with `nsenter --net=<file>` (which keeps the caller's /sys).
import { mkdir, readdir, realpath, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Exec, ExecResult } from "../../../src/common/exec.ts";

export const DEFAULT_NETNS_DIR = "/run/netns";
/** The directory compiled into iproute2 (NETNS_RUN_DIR). */
export const IP_NETNS_DIR = "/var/run/netns";
export const DEFAULT_PATH_ENV = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const NETNS_COMMAND_TIMEOUT_MS = 10_000;

export interface Netns {
  readonly name: string;
  /** What CNI_NETNS carries: the bind-mounted nsfs file. */
  readonly path: string;
  /** True when the netns lives in iproute2's directory (so `ip netns exec <name>` works). */
  readonly viaIp: boolean;
}

export interface NetnsTools {
  ip: string;
  nsenter: string;
  unshare: string;
  umount: string;
}

const DEFAULT_TOOLS: NetnsTools = { ip: "ip", nsenter: "nsenter", unshare: "unshare", umount: "umount" };

export interface NetnsManagerOptions {
  exec: Exec;
  netnsDir?: string;
  tools?: Partial<NetnsTools>;
  /** Environment for the tools (PATH is all they need). */
  env?: Readonly<Record<string, string>>;
}

/** `ip -j` shapes (only the fields the harness reads). */
export interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  operstate: string;
  link_type: string;
  address?: string;
  master?: string;
}
export interface IpAddrInfo {
  family: "inet" | "inet6";
  local: string;
  prefixlen: number;
  scope: string;
}
export interface IpAddress extends IpLink {
  addr_info: IpAddrInfo[];
}
export interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  flags: string[];
}
export interface IpNeighbour {
  dst: string;
  dev: string;
  lladdr?: string;
  state: string[];
}

/** The argv that runs `argv` inside `netns`. Pure. */
export function commandInNetns(
  netns: Netns,
  argv: readonly string[],
  tools: NetnsTools = DEFAULT_TOOLS,
): { file: string; args: string[] } {
  if (netns.viaIp) return { file: tools.ip, args: ["netns", "exec", netns.name, ...argv] };
  return { file: tools.nsenter, args: [`--net=${netns.path}`, "--", ...argv] };
}

/** Canonical form of a directory path that may not exist yet (its parent must). */
async function canonicalDir(dir: string): Promise<string> {
  try {
    return await realpath(dir);
  } catch {
    return join(await realpath(dirname(dir)), basename(dir));
  }
}

export async function createNetnsManager(options: NetnsManagerOptions): Promise<NetnsManager> {
  const netnsDir = options.netnsDir ?? DEFAULT_NETNS_DIR;
  const viaIp = (await canonicalDir(netnsDir)) === (await canonicalDir(IP_NETNS_DIR));
  return new NetnsManager({ ...options, netnsDir, viaIp });
}

export class NetnsManager {
  readonly netnsDir: string;
  readonly viaIp: boolean;
  readonly tools: NetnsTools;
  private readonly exec: Exec;
  private readonly env: Readonly<Record<string, string>>;

  constructor(options: NetnsManagerOptions & { netnsDir: string; viaIp: boolean }) {
    this.exec = options.exec;
    this.netnsDir = options.netnsDir;
    this.viaIp = options.viaIp;
    this.tools = { ...DEFAULT_TOOLS, ...options.tools };
    this.env = options.env ?? { PATH: DEFAULT_PATH_ENV };
  }

  handle(name: string): Netns {
    if (name === "" || name.includes("/") || name === "." || name === "..") {
      throw new Error(`invalid netns name ${JSON.stringify(name)}`);
    }
    return { name, path: join(this.netnsDir, name), viaIp: this.viaIp };
  }

  async create(name: string): Promise<Netns> {
    const netns = this.handle(name);
    if (this.viaIp) {
      await this.tool(this.tools.ip, ["netns", "add", name], `create netns ${name}`);
      return netns;
    }
    await mkdir(this.netnsDir, { recursive: true });
    await writeFile(netns.path, "", { flag: "wx" });
    try {
      await this.tool(this.tools.unshare, [`--net=${netns.path}`, "true"], `create netns ${netns.path}`);
    } catch (err) {
      await rm(netns.path, { force: true });
      throw err;
    }
    return netns;
  }

  /** Removes the netns; succeeds when it is already gone. */
  async delete(netns: Netns): Promise<void> {
    if (!(await this.exists(netns))) return;
    if (netns.viaIp) {
      await this.tool(this.tools.ip, ["netns", "del", netns.name], `delete netns ${netns.name}`);
      return;
    }
    // "not mounted" is fine: a half-made netns is just a file.
    await this.exec.run(this.tools.umount, [netns.path], {
      env: this.env,
      timeoutMs: NETNS_COMMAND_TIMEOUT_MS,
    });
    await rm(netns.path, { force: true });
  }

  /** Names of the netns files in this manager's directory. */
  async list(): Promise<string[]> {
    try {
      return (await readdir(this.netnsDir)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw new Error(`list ${this.netnsDir}`, { cause: err });
    }
  }

  async exists(netns: Netns): Promise<boolean> {
    return (await this.list()).includes(netns.name);
  }

  /** Runs `argv` inside `netns`; a non-zero exit is returned, not thrown. */
  run(
    netns: Netns,
    argv: readonly string[],
    options: { input?: string; timeoutMs?: number } = {},
  ): Promise<ExecResult> {
    const { file, args } = commandInNetns(netns, argv, this.tools);
    return this.exec.run(file, args, {
      stdin: options.input,
      env: this.env,
      timeoutMs: options.timeoutMs ?? NETNS_COMMAND_TIMEOUT_MS,
    });
  }

  /** `ip <args>` inside `netns`; throws on a non-zero exit. Returns stdout. */
  async ip(netns: Netns, args: readonly string[]): Promise<string> {
    const { file, args: argv } = netns.viaIp
      ? { file: this.tools.ip, args: ["-n", netns.name, ...args] }
      : commandInNetns(netns, [this.tools.ip, ...args], this.tools);
    return this.tool(file, argv, `ip ${args.join(" ")} in netns ${netns.name}`);
  }

  async ipJson<T>(netns: Netns, args: readonly string[]): Promise<T[]> {
    const out = (await this.ip(netns, ["-j", ...args])).trim();
    return out === "" ? [] : (JSON.parse(out) as T[]);
  }

  links(netns: Netns): Promise<IpLink[]> {
    return this.ipJson<IpLink>(netns, ["link", "show"]);
  }

  addresses(netns: Netns): Promise<IpAddress[]> {
    return this.ipJson<IpAddress>(netns, ["addr", "show"]);
  }

  routes(netns: Netns, family: "-4" | "-6" = "-4"): Promise<IpRoute[]> {
    return this.ipJson<IpRoute>(netns, [family, "route", "show"]);
  }

  neighbours(netns: Netns): Promise<IpNeighbour[]> {
    return this.ipJson<IpNeighbour>(netns, ["neigh", "show"]);
  }

  /** A veth pair with one end in each netns (the same netns twice is allowed). */
  async addVethPair(a: { netns: Netns; name: string }, b: { netns: Netns; name: string }): Promise<void> {
    await this.ip(a.netns, [
      "link",
      "add",
      a.name,
      "type",
      "veth",
      "peer",
      "name",
      b.name,
      "netns",
      b.netns.path,
    ]);
  }

  async setLinkUp(netns: Netns, name: string): Promise<void> {
    await this.ip(netns, ["link", "set", name, "up"]);
  }

  private async tool(file: string, args: readonly string[], what: string): Promise<string> {
    let result: ExecResult;
    try {
      result = await this.exec.run(file, args, { env: this.env, timeoutMs: NETNS_COMMAND_TIMEOUT_MS });
    } catch (cause) {
      throw new Error(what, { cause });
    }
    if (result.code !== 0) {
      const why = result.stderr.trim() || `exit ${result.code ?? result.signal}`;
      throw new Error(`${what}: ${file} ${args.join(" ")}: ${why}`);
    }
    return result.stdout;
  }
}
