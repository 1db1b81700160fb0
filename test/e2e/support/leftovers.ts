// What a node world leaves on the machine, recorded while it is made, so that a run killed half-way (kill -9,
// a crashed test worker) can be cleaned up by the next one: the processes it started (pid + start time, so
// a reused pid is never killed), its netns and its temp dirs. One JSON state file per run in STATE_DIR,
// named after the run prefix (`nc-<pid>-<random>`, test/harness/runtime/names.ts); the runtime harness'
// own sweep already removes netns and temp dirs of dead runs by that prefix, this adds the processes (a
// kubelet plugin left running inside a deleted fake host) and anything recorded outside the temp dir.
//
// Public API: `STATE_DIR`, `LeftoverRecord`, `LeftoverLog`, `processStartTime`, `sweepNodeWorldLeftovers`,
// `sweepRecord`, `SweptWorld`, `NetnsRemover`, `RecordedProcess`.
import { readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../../../src/common/atomic-file.ts";
import { errorMessage } from "../../../src/common/errors.ts";
import { processIsAlive } from "../../harness/runtime/index.ts";
import type { NetnsManager } from "../../harness/runtime/index.ts";

export const STATE_DIR = join(tmpdir(), "netclaim-e2e-state");

export interface RecordedProcess {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: tells this process from a later one with the same pid. */
  startTime: string;
  label: string;
}

export interface LeftoverRecord {
  apiVersion: "netclaim.dev/e2e-v1";
  kind: "NodeWorldState";
  runPrefix: string;
  ownerPid: number;
  processes: RecordedProcess[];
  netns: string[];
  dirs: string[];
}

/** The start time of a live process, or undefined when there is none with that pid. */
export async function processStartTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count from the last ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** The state file of one run, rewritten (atomically) on each change. */
export class LeftoverLog {
  readonly path: string;
  private readonly record: LeftoverRecord;
  private writing: Promise<void> = Promise.resolve();

  constructor(runPrefix: string, dir: string = STATE_DIR) {
    this.path = join(dir, `${runPrefix}.json`);
    this.record = {
      apiVersion: "netclaim.dev/e2e-v1",
      kind: "NodeWorldState",
      runPrefix,
      ownerPid: process.pid,
      processes: [],
      netns: [],
      dirs: [],
    };
  }

  async addProcess(pid: number, label: string): Promise<void> {
    const startTime = await processStartTime(pid);
    if (startTime === undefined) return; // gone already
    this.record.processes.push({ pid, startTime, label });
    await this.save();
  }

  async removeProcess(pid: number): Promise<void> {
    this.record.processes = this.record.processes.filter((p) => p.pid !== pid);
    await this.save();
  }

  async addNetns(name: string): Promise<void> {
    this.record.netns.push(name);
    await this.save();
  }

  async addDir(dir: string): Promise<void> {
    this.record.dirs.push(dir);
    await this.save();
  }

  /** A copy of what is recorded now. */
  snapshot(): LeftoverRecord {
    return structuredClone(this.record);
  }

  /** Removes the state file: everything recorded is gone. */
  async close(): Promise<void> {
    await this.writing.catch(() => undefined); // a failed write is moot once the file goes
    await rm(this.path, { force: true });
  }

  private save(): Promise<void> {
    const text = `${JSON.stringify(this.record, null, 2)}\n`;
    // writeFileAtomic queues writes of one path in call order.
    this.writing = writeFileAtomic(this.path, text, { mode: 0o600, createParents: true, dirMode: 0o700 });
    return this.writing;
  }
}

export interface SweptWorld {
  runPrefix: string;
  killed: string[];
  netns: string[];
  dirs: string[];
  problems: string[];
}

async function readRecord(path: string): Promise<LeftoverRecord | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as Partial<LeftoverRecord>;
    return parsed.kind === "NodeWorldState" ? (parsed as LeftoverRecord) : undefined;
  } catch {
    return undefined;
  }
}

async function killRecorded(processes: readonly RecordedProcess[], swept: SweptWorld): Promise<void> {
  for (const p of processes) {
    if ((await processStartTime(p.pid)) !== p.startTime) continue; // gone, or a new process
    try {
      process.kill(p.pid, "SIGKILL");
      swept.killed.push(`${p.label} (pid ${p.pid})`);
    } catch (err) {
      swept.problems.push(`kill ${p.label} (pid ${p.pid}): ${errorMessage(err)}`);
    }
  }
}

/** What the sweep needs of a NetnsManager. */
export type NetnsRemover = Pick<NetnsManager, "list" | "delete" | "handle">;

/** Removes what `record` lists (a dead run's, or this run's own after a failed teardown). */
export async function sweepRecord(record: LeftoverRecord, netns: NetnsRemover): Promise<SweptWorld> {
  const swept: SweptWorld = { runPrefix: record.runPrefix, killed: [], netns: [], dirs: [], problems: [] };
  await killRecorded(record.processes, swept);
  const existing = new Set(await netns.list());
  for (const name of record.netns) {
    if (!existing.has(name)) continue;
    await netns.delete(netns.handle(name)).then(
      () => swept.netns.push(name),
      (err: unknown) => swept.problems.push(`netns ${name}: ${errorMessage(err)}`),
    );
  }
  for (const dir of record.dirs) {
    await rm(dir, { recursive: true, force: true }).then(
      () => swept.dirs.push(dir),
      (err: unknown) => swept.problems.push(`dir ${dir}: ${errorMessage(err)}`),
    );
  }
  return swept;
}

/**
 * Cleans up after every recorded run whose owner process is gone (a live run's state is never touched, so
 * test files running side by side are safe). Returns what it removed, per run.
 */
export async function sweepNodeWorldLeftovers(
  netns: NetnsRemover,
  dir: string = STATE_DIR,
  isAlive: (pid: number) => boolean = processIsAlive,
): Promise<SweptWorld[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: SweptWorld[] = [];
  for (const name of names.filter((n) => n.endsWith(".json"))) {
    const path = join(dir, name);
    const record = await readRecord(path);
    if (record !== undefined && isAlive(record.ownerPid)) continue;
    if (record !== undefined) out.push(await sweepRecord(record, netns));
    await rm(path, { force: true });
  }
  return out;
}
