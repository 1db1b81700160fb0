// File operations of the host install, each safe against a plugin running at the same moment: a reader
// (the kernel executing `node`, Node loading a bundle file) sees the old file or the new one, never a
// half-written one, and replacing an executable that is running never fails with "text file busy",
// because nothing is written in place — a temp file in the same directory, fsynced, then renamed over the
// target, then the directory fsynced. Ownership: root:root when the installer runs as root (a setgid
// directory would otherwise hand out its group).
//
// Public API: `copyFileAtomic`, `sameFileContent`, `ensureDir`, `ensureOwnerRoot`, `publishDirAtomic`,
// `tempNameFor`, `isTempName`.
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { chmod, chown, copyFile, lstat, mkdir, open, rename, rm, stat } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { syncDirectory } from "../../common/atomic-file.ts";
import { isSystemError } from "../../common/errors.ts";

const TEMP_MARK = ".tmp-";
const COMPARE_CHUNK_BYTES = 1 << 20;

/** `.<name>.tmp-<pid>-<random>` next to `target`. */
export function tempNameFor(target: string): string {
  return join(
    dirname(target),
    `.${basename(target)}${TEMP_MARK}${process.pid}-${randomBytes(6).toString("hex")}`,
  );
}

/** Whether a directory entry is one of our temp names (left behind by a killed installer). */
export function isTempName(name: string): boolean {
  return name.startsWith(".") && name.includes(TEMP_MARK);
}

function runningAsRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** chown root:root when running as root (no-op otherwise: tests run unprivileged too). */
export async function ensureOwnerRoot(path: string): Promise<void> {
  if (runningAsRoot()) await chown(path, 0, 0);
}

async function syncFile(path: string, mode: number): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, "r");
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle?.close();
  }
}

/** Replaces `target` with a copy of `source`, mode `mode` exactly, atomically and durably. */
export async function copyFileAtomic(source: string, target: string, mode: number): Promise<void> {
  const temp = tempNameFor(target);
  try {
    await copyFile(source, temp, constants.COPYFILE_EXCL);
    await ensureOwnerRoot(temp);
    await syncFile(temp, mode);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new Error(`copy ${source} to ${target}`, { cause: err });
  }
  await syncDirectory(dirname(target));
}

async function readChunk(handle: FileHandle, buffer: Buffer, position: number): Promise<number> {
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
  return bytesRead;
}

/** Whether two files have the same bytes (false when `b` is missing). */
export async function sameFileContent(a: string, b: string): Promise<boolean> {
  let sizeB: number;
  try {
    sizeB = (await stat(b)).size;
  } catch (err) {
    if (isSystemError(err, "ENOENT")) return false;
    throw err;
  }
  if ((await stat(a)).size !== sizeB) return false;
  const [ha, hb] = await Promise.all([open(a, "r"), open(b, "r")]);
  try {
    const [bufA, bufB] = [Buffer.alloc(COMPARE_CHUNK_BYTES), Buffer.alloc(COMPARE_CHUNK_BYTES)];
    for (let position = 0; ;) {
      const [na, nb] = await Promise.all([readChunk(ha, bufA, position), readChunk(hb, bufB, position)]);
      if (na !== nb || !bufA.subarray(0, na).equals(bufB.subarray(0, nb))) return false;
      if (na === 0) return true;
      position += na;
    }
  } finally {
    await Promise.all([ha.close(), hb.close()]);
  }
}

/**
 * Makes `dir` a directory with exactly `mode`, owned by root when running as root. Refuses a symlink or
 * a non-directory in its place (a planted link would redirect what the installer writes as root).
 */
export async function ensureDir(dir: string, mode: number): Promise<void> {
  await mkdir(dir, { recursive: true, mode });
  const info = await lstat(dir);
  if (!info.isDirectory()) throw new Error(`${dir} exists and is not a directory`);
  await ensureOwnerRoot(dir);
  if ((info.mode & 0o7777) !== mode) await chmod(dir, mode);
}

/**
 * Publishes a fully written directory `staged` as `target` (a new name: directories cannot be renamed
 * over non-empty ones); when `target` already exists, `staged` is removed and the existing one kept.
 */
export async function publishDirAtomic(staged: string, target: string): Promise<"published" | "existed"> {
  try {
    await rename(staged, target);
  } catch (err) {
    if (!isSystemError(err, "ENOTEMPTY") && !isSystemError(err, "EEXIST")) throw err;
    await rm(staged, { recursive: true, force: true });
    return "existed";
  }
  await syncDirectory(dirname(target));
  return "published";
}
