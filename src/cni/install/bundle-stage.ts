// Writes a copy of the bundle into a temp directory next to its final place, every file and directory
// fsynced, ready for one atomic rename (install-files.ts publishDirAtomic). Files 0644, directories 0755,
// root-owned when run as root. On an error the temp directory is removed.
//
// Public API: `StageBundleOptions`, `stageBundle`.
import { constants } from "node:fs";
import { chmod, copyFile, mkdir, open, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { syncDirectory } from "../../common/atomic-file.ts";
import { ensureOwnerRoot, tempNameFor } from "./install-files.ts";

const FILE_MODE = 0o644;
const DIR_MODE = 0o755;

export interface StageBundleOptions {
  sourceDir: string;
  /** Relative paths ("/"-separated) of the files to copy. */
  files: readonly string[];
  /** Where the temp directory goes (the bundle's final parent). */
  runtimeDir: string;
  /** The bundle's final name (names the temp directory). */
  name: string;
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function makeDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  await chmod(dir, DIR_MODE);
  await ensureOwnerRoot(dir);
}

async function copyInto(staged: string, options: StageBundleOptions): Promise<void> {
  const dirs = new Set<string>([staged]);
  await makeDir(staged);
  for (const file of options.files) {
    const target = join(staged, ...file.split("/"));
    const parent = dirname(target);
    if (!dirs.has(parent)) {
      await makeDir(parent);
      dirs.add(parent);
    }
    await copyFile(join(options.sourceDir, ...file.split("/")), target, constants.COPYFILE_EXCL);
    await chmod(target, FILE_MODE);
    await ensureOwnerRoot(target);
    await syncFile(target);
  }
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) await syncDirectory(dir);
}

/** Copies the bundle into a new temp directory in `runtimeDir` and returns its path. */
export async function stageBundle(options: StageBundleOptions): Promise<string> {
  const staged = tempNameFor(join(options.runtimeDir, options.name));
  try {
    await copyInto(staged, options);
  } catch (err) {
    await rm(staged, { recursive: true, force: true }).catch(() => undefined);
    throw new Error(`stage the shim bundle ${options.sourceDir} in ${options.runtimeDir}`, { cause: err });
  }
  return staged;
}
