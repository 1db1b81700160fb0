// The node world's state file and sweep (support/leftovers.ts): a run whose owner is gone gets its recorded
// processes killed (only when pid and start time still match: a reused pid is left alone), its netns
// deleted, its dirs removed and its state file dropped; a live owner's state is never touched.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { access, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Netns } from "../harness/runtime/index.ts";
import { LeftoverLog, processStartTime, sweepNodeWorldLeftovers } from "./support/leftovers.ts";
import type { LeftoverRecord, NetnsRemover } from "./support/leftovers.ts";

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** A NetnsManager stand-in: the names it has, the ones deleted. */
class FakeNetns implements NetnsRemover {
  readonly deleted: string[] = [];
  private readonly names: Set<string>;
  constructor(names: string[]) {
    this.names = new Set(names);
  }
  list(): Promise<string[]> {
    return Promise.resolve([...this.names].sort());
  }
  handle(name: string): Netns {
    return { name, path: `/run/netns/${name}`, viaIp: true };
  }
  delete(netns: Netns): Promise<void> {
    this.names.delete(netns.name);
    this.deleted.push(netns.name);
    return Promise.resolve();
  }
}

let dir: string;
let children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "netclaim-leftovers-test-"));
});
afterEach(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  children = [];
  await rm(dir, { recursive: true, force: true });
});

async function sleeper(): Promise<ChildProcess> {
  const child = spawn("sleep", ["60"], { stdio: "ignore" });
  children.push(child);
  await new Promise<void>((resolve, reject) => child.once("spawn", resolve).once("error", reject));
  return child;
}

const exited = (child: ChildProcess): Promise<NodeJS.Signals | null> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.signalCode)
    : new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal)));

describe("LeftoverLog + sweepNodeWorldLeftovers", () => {
  it("records a run and removes its state file on close", async () => {
    const log = new LeftoverLog("nc-1-aaaaaa", dir);
    await log.addNetns("nc-1-aaaaaa-host");
    await log.addDir(join(dir, "x"));
    expect(await exists(log.path)).toBe(true);
    expect(log.snapshot()).toMatchObject({
      runPrefix: "nc-1-aaaaaa",
      ownerPid: process.pid,
      netns: ["nc-1-aaaaaa-host"],
    });
    await log.close();
    expect(await exists(log.path)).toBe(false);
  });

  it.each([
    { name: "owner gone", ownerAlive: false, swept: true },
    { name: "owner alive", ownerAlive: true, swept: false },
  ])("$name", async ({ ownerAlive, swept }) => {
    const child = await sleeper();
    const runDir = join(dir, "run-dir");
    await mkdir(runDir);
    const log = new LeftoverLog("nc-2-bbbbbb", dir);
    await log.addProcess(child.pid!, "sleeper");
    await log.addNetns("nc-2-bbbbbb-host");
    await log.addDir(runDir);
    const netns = new FakeNetns(["nc-2-bbbbbb-host", "someone-else"]);
    const report = await sweepNodeWorldLeftovers(netns, dir, () => ownerAlive);
    if (swept) {
      expect(report).toEqual([
        {
          runPrefix: "nc-2-bbbbbb",
          killed: [`sleeper (pid ${child.pid})`],
          netns: ["nc-2-bbbbbb-host"],
          dirs: [runDir],
          problems: [],
        },
      ]);
      expect(await exited(child)).toBe("SIGKILL");
    } else {
      expect(report).toEqual([]);
      expect(child.exitCode).toBeNull();
    }
    expect(netns.deleted).toEqual(swept ? ["nc-2-bbbbbb-host"] : []);
    expect(await exists(runDir)).toBe(!swept);
    expect(await exists(log.path)).toBe(!swept);
  });

  it("leaves a process alone whose start time is not the recorded one (a reused pid)", async () => {
    const child = await sleeper();
    const record: LeftoverRecord = {
      apiVersion: "netclaim.dev/e2e-v1",
      kind: "NodeWorldState",
      runPrefix: "nc-3-cccccc",
      ownerPid: 999_999_999,
      processes: [
        { pid: child.pid!, startTime: `${(await processStartTime(child.pid!)) ?? "0"}1`, label: "old" },
      ],
      netns: [],
      dirs: [],
    };
    await writeFile(join(dir, "nc-3-cccccc.json"), JSON.stringify(record));
    const report = await sweepNodeWorldLeftovers(new FakeNetns([]), dir, () => false);
    expect(report).toEqual([{ runPrefix: "nc-3-cccccc", killed: [], netns: [], dirs: [], problems: [] }]);
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
  });
});
