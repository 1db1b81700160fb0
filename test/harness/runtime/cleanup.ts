// Everything the harness makes is registered here with its undo action; `run()` undoes all of it, last
// made first, even when some undo fails (the failures are reported together afterwards).
// `sweepLeftovers` removes what a crashed earlier run (its owner pid gone) left behind.
import { readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorMessage } from "../../../src/common/errors.ts";
import { isLeftover, NAME_PREFIX, processIsAlive } from "./names.ts";
import type { NetnsManager } from "./netns.ts";

interface UndoEntry {
  label: string;
  undo: () => Promise<void>;
}

export class Cleanup {
  private readonly entries: UndoEntry[] = [];
  private readonly done: string[] = [];

  /** Registers an undo action; returns a function that runs just that one early (and unregisters it). */
  add(label: string, undo: () => Promise<void>): () => Promise<void> {
    const entry = { label, undo };
    this.entries.push(entry);
    return async () => {
      const index = this.entries.indexOf(entry);
      if (index === -1) return;
      this.entries.splice(index, 1);
      await entry.undo();
      this.done.push(label);
    };
  }

  get pending(): readonly string[] {
    return this.entries.map((e) => e.label);
  }

  /** Labels of the undo actions that have run, in order. */
  get completed(): readonly string[] {
    return [...this.done];
  }

  async run(): Promise<void> {
    const failures: Error[] = [];
    while (this.entries.length > 0) {
      const entry = this.entries.pop() as UndoEntry;
      try {
        await entry.undo();
        this.done.push(entry.label);
      } catch (err) {
        failures.push(new Error(`cleanup: ${entry.label}: ${errorMessage(err)}`, { cause: err }));
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} cleanup step(s) failed`);
  }
}

export interface SweepOptions {
  /** Only names with this prefix are looked at (default "nc-": every harness run). */
  prefix?: string;
  netns: NetnsManager;
  /** Where the harness makes its temp dirs (default the OS temp dir); false: leave temp dirs alone. */
  tmpDir?: string | false;
  isAlive?: (pid: number) => boolean;
}

export interface SweepReport {
  netns: string[];
  tmpDirs: string[];
}

/**
 * Removes netns and temp dirs left by runs that no longer exist. Resources of live runs (including this
 * one) are kept, so calling it at the start of every test file is safe while other files run.
 * Links need no sweep: the harness makes links only inside its own netns, which take them along.
 */
export async function sweepLeftovers(options: SweepOptions): Promise<SweepReport> {
  const prefix = options.prefix ?? NAME_PREFIX;
  const isAlive = options.isAlive ?? processIsAlive;
  const report: SweepReport = { netns: [], tmpDirs: [] };
  for (const name of await options.netns.list()) {
    if (!isLeftover(name, prefix, isAlive)) continue;
    await options.netns.delete(options.netns.handle(name));
    report.netns.push(name);
  }
  if (options.tmpDir === false) return report;
  const tmp = options.tmpDir ?? tmpdir();
  for (const name of await readdir(tmp)) {
    if (!isLeftover(name, prefix, isAlive)) continue;
    await rm(join(tmp, name), { recursive: true, force: true });
    report.tmpDirs.push(name);
  }
  return report;
}
