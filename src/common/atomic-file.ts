// Crash-safe files for checkpoints, CDI specs and caches: a reader sees the old content or the new one,
// never a torn mix, and a completed write survives a crash.
//
// Written by hand over node:fs/promises rather than with the `write-file-atomic` package (8.0.0), whose
// async path (a) never fsyncs the directory, so the rename itself may be lost on power failure, (b) writes
// with a single fs.write call that does not retry short writes, (c) names temp files `<file>.<number>`,
// which a later start cannot tell from user files, and (d) installs process-wide signal-exit handlers.
//
// The write: temp file `.<name>.tmp-<pid>-<random>` in the target's directory (same filesystem, so rename
// is atomic), created O_EXCL with the mode, written fully, fchmod'ed to the exact mode (umask ignored),
// fsynced, renamed over the target, then the directory is fsynced. On an error the temp file is removed.
// A SIGKILL mid-write leaves at most that one temp file behind: the owner of the file calls
// `removeStaleTempFiles(target)` at start-up, before it writes.
// Writes to the same path from this process are serialized (last call wins); separate processes must
// not write the same file.
import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, unlink } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { CodedError, errorMessage, isSystemError } from "./errors.ts";

export const STATE_FILE_MODE = 0o600;
export const STATE_DIR_MODE = 0o700;

export interface WriteFileAtomicOptions {
  /** Exact mode of the file, whatever the umask. Default 0600. */
  mode?: number;
  /** Create missing parent directories (mode `dirMode`). Default false. */
  createParents?: boolean;
  /** Mode of created parent directories (less the umask). Default 0700. */
  dirMode?: number;
}

const inFlight = new Set<string>();
const queues = new Map<string, Promise<void>>();

function tempPrefix(target: string): string {
  return `.${basename(target)}.tmp-`;
}

function tempPathFor(target: string): string {
  return join(dirname(target), `${tempPrefix(target)}${process.pid}-${randomBytes(6).toString("hex")}`);
}

/** fsyncs a directory so that renames and unlinks in it are durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeTemp(temp: string, data: string | Uint8Array, mode: number): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, "wx", mode);
    await handle.writeFile(data);
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle?.close();
  }
}

async function writeNow(
  target: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions,
): Promise<void> {
  const dir = dirname(target);
  if (options.createParents === true) {
    await mkdir(dir, { recursive: true, mode: options.dirMode ?? STATE_DIR_MODE });
  }
  const temp = tempPathFor(target);
  inFlight.add(temp);
  try {
    await writeTemp(temp, data, options.mode ?? STATE_FILE_MODE);
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  } finally {
    inFlight.delete(temp);
  }
  await syncDirectory(dir);
}

/** Replaces `path` with `data` atomically and durably. See the top of this file. */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const target = resolve(path);
  const previous = queues.get(target) ?? Promise.resolve();
  const current = previous.then(() => writeNow(target, data, options));
  const settled = current.catch(() => undefined);
  queues.set(target, settled);
  void settled.then(() => {
    if (queues.get(target) === settled) queues.delete(target);
  });
  try {
    await current;
  } catch (err) {
    throw new Error(`write ${target}`, { cause: err });
  }
}

/**
 * Removes temp files that earlier writes of `path` left behind (a process killed mid-write), except
 * those this process is writing now. Returns the removed paths.
 */
export async function removeStaleTempFiles(path: string): Promise<string[]> {
  const target = resolve(path);
  const dir = dirname(target);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (isSystemError(err, "ENOENT")) return [];
    throw new Error(`list ${dir} for stale temp files`, { cause: err });
  }
  const stale = names.map((n) => join(dir, n)).filter((p) => basename(p).startsWith(tempPrefix(target)));
  const removed: string[] = [];
  for (const p of stale.filter((p) => !inFlight.has(p))) {
    if (await removeFile(p)) removed.push(p);
  }
  return removed;
}

/** Deletes a file; succeeds (returning false) when it is already gone. The removal is made durable. */
export async function removeFile(path: string): Promise<boolean> {
  try {
    await unlink(path);
  } catch (err) {
    if (isSystemError(err, "ENOENT")) return false;
    throw new Error(`remove ${path}`, { cause: err });
  }
  await syncDirectory(dirname(path));
  return true;
}

export type ReadJsonResult<T> =
  { status: "ok"; value: T } | { status: "missing" } | { status: "corrupt"; error: CodedError<"CORRUPT"> };

/**
 * Reads and parses a JSON file, telling a missing file apart from a corrupt one (bad JSON, or rejected
 * by `parse`, e.g. a zod schema's `.parse`). Other read errors (EACCES, EISDIR) throw.
 */
export async function readJsonFile<T = unknown>(
  path: string,
  parse?: (value: unknown) => T,
): Promise<ReadJsonResult<T>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if (isSystemError(err, "ENOENT")) return { status: "missing" };
    throw new Error(`read ${path}`, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const error = new CodedError("CORRUPT", `corrupt JSON in ${path}: ${errorMessage(err)}`, { cause: err });
    return { status: "corrupt", error };
  }
  if (parse === undefined) return { status: "ok", value: value as T };
  try {
    return { status: "ok", value: parse(value) };
  } catch (err) {
    const error = new CodedError("CORRUPT", `invalid content in ${path}: ${errorMessage(err)}`, {
      cause: err,
    });
    return { status: "corrupt", error };
  }
}
