// Starts test/integration/cni/support/server-child.ts (a CNI server in its own process), optionally inside
// a netns (the fake host: delegates then run there, as the kubelet plugin's do on a node), and reads what
// the tests check from outside: its stats, its resident memory (VmRSS, and the peak VmHWM) from /proc.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { commandInNetns } from "../../../harness/runtime/index.ts";
import type { Netns, NetnsTools } from "../../../harness/runtime/index.ts";
import type { CniServerStats } from "../../../../src/cni/server/cni-server.ts";
import { PINNED_NODE } from "./netclaim-bin.ts";
import type { ServerChildConfig } from "./server-child.ts";

const CHILD = new URL("./server-child.ts", import.meta.url).pathname;
const READY_TIMEOUT_MS = 30_000;

export interface ServerProcess {
  readonly pid: number;
  readonly config: ServerChildConfig;
  /** The server's stats (SIGUSR2). */
  stats(): Promise<CniServerStats>;
  /** Resident memory now and at its peak, in KiB. */
  memoryKb(): Promise<{ rss: number; peak: number }>;
  /** SIGTERM, then waits for the exit; resolves with the exit code. Idempotent. */
  stop(): Promise<number | null>;
}

function lines(child: ChildProcess, onLine: (line: string) => void): void {
  let buffer = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
      onLine(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
    }
  });
}

async function statusKb(pid: number, field: string): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, "utf8");
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  if (m === null) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(m[1]);
}

export interface ServerPlace {
  netns?: Netns;
  tools?: NetnsTools;
  env?: NodeJS.ProcessEnv;
  /** The script to run instead of server-child.ts (the bench: an esbuild bundle of it). */
  script?: string;
}

export async function startServerProcess(
  config: ServerChildConfig,
  where: ServerPlace = {},
): Promise<ServerProcess> {
  const argv = [PINNED_NODE, where.script ?? CHILD, JSON.stringify(config)];
  const { file, args } =
    where.netns === undefined
      ? { file: PINNED_NODE, args: argv.slice(1) }
      : commandInNetns(where.netns, argv, where.tools);
  const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"], env: where.env ?? process.env });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const statsWaiters: ((s: CniServerStats) => void)[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`CNI server not ready: ${stderr}`)), READY_TIMEOUT_MS);
    lines(child, (line) => {
      if (line === "ready") {
        clearTimeout(timer);
        resolve();
      } else if (line.startsWith("{")) {
        const { stats } = JSON.parse(line) as { stats: CniServerStats };
        statsWaiters.shift()?.(stats);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`CNI server exited ${code}: ${stderr}`));
    });
  });
  await ready;
  // `ip netns exec` execs the command in place: the pid is node's.
  const pid = child.pid!;
  let stopping: Promise<number | null> | undefined;
  return {
    pid,
    config,
    stats: () =>
      new Promise((resolve) => {
        statsWaiters.push(resolve);
        child.kill("SIGUSR2");
      }),
    memoryKb: async () => ({ rss: await statusKb(pid, "VmRSS"), peak: await statusKb(pid, "VmHWM") }),
    stop: () => {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        return exited;
      })();
      return stopping;
    },
  };
}
