// Size-based rotation of the plugin's log file, with Multus's `logOptions` meanings (lumberjack): when the
// file has reached maxSize megabytes it is renamed to `<name>-<UTC time>.<ext>` (lumberjack's backup name,
// e.g. multus-2025-01-31T10-20-30.123.log), gzipped when `compress`; backups beyond `maxBackups` (newest
// kept) or older than `maxAge` days are removed (0 means no limit for either; maxSize 0 means 100 MB, as
// lumberjack). The plugin is short-lived, so the check runs once per invocation, before the file is opened.
// Two invocations may rotate at once: a rename or removal that finds its file gone is not an error.
//
// Public API: `RotationOptions`, `backupName`, `parseBackupTime`, `backupsToRemove`, `rotateLogFile`.
import { readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";

export interface RotationOptions {
  /** Megabytes; 0 → 100. */
  maxSize: number;
  /** Files to keep; 0 → all. */
  maxBackups: number;
  /** Days; 0 → forever. */
  maxAge: number;
  compress: boolean;
}

const MEGABYTE = 1024 * 1024;
const DEFAULT_MAX_SIZE_MB = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

function stem(file: string): { prefix: string; ext: string } {
  const name = basename(file);
  const ext = extname(name);
  return { prefix: `${name.slice(0, name.length - ext.length)}-`, ext };
}

/** `<dir>/<stem>-YYYY-MM-DDTHH-MM-SS.mmm<ext>`. Pure. */
export function backupName(file: string, nowMs: number): string {
  const { prefix, ext } = stem(file);
  const time = new Date(nowMs).toISOString().replace(/:/g, "-").replace(/Z$/, "");
  return join(dirname(file), `${prefix}${time}${ext}`);
}

/** The time encoded in a backup's name (plain or .gz), or undefined when it is not a backup. Pure. */
export function parseBackupTime(file: string, candidate: string): number | undefined {
  const { prefix, ext } = stem(file);
  const name = candidate.endsWith(".gz") ? candidate.slice(0, -3) : candidate;
  if (!name.startsWith(prefix) || !name.endsWith(ext)) return undefined;
  const time = name.slice(prefix.length, name.length - ext.length);
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{3})$/.exec(time);
  if (m === null) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Which backups to delete: beyond maxBackups (oldest first to go) or older than maxAge. Pure. */
export function backupsToRemove(
  backups: readonly { name: string; timeMs: number }[],
  options: Pick<RotationOptions, "maxBackups" | "maxAge">,
  nowMs: number,
): string[] {
  const newestFirst = [...backups].sort((a, b) => b.timeMs - a.timeMs);
  return newestFirst
    .filter((b, i) => {
      const tooMany = options.maxBackups > 0 && i >= options.maxBackups;
      const tooOld = options.maxAge > 0 && nowMs - b.timeMs > options.maxAge * DAY_MS;
      return tooMany || tooOld;
    })
    .map((b) => b.name);
}

function ignoreMissing(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

/** Rotates `file` if it is at least maxSize, then prunes backups. Synchronous: runs before logging starts. */
export function rotateLogFile(file: string, options: RotationOptions, nowMs: number): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return; // no file yet
  }
  const limit = (options.maxSize > 0 ? options.maxSize : DEFAULT_MAX_SIZE_MB) * MEGABYTE;
  if (size < limit) return;
  const backup = backupName(file, nowMs);
  ignoreMissing(() => renameSync(file, backup));
  if (options.compress) {
    const { gzipSync } = process.getBuiltinModule("node:zlib"); // only when rotating
    ignoreMissing(() => {
      writeFileSync(`${backup}.gz`, gzipSync(readFileSync(backup)), { mode: 0o600 });
      unlinkSync(backup);
    });
  }
  const dir = dirname(file);
  const backups = readdirSync(dir).flatMap((name) => {
    const timeMs = parseBackupTime(file, name);
    return timeMs === undefined ? [] : [{ name, timeMs }];
  });
  for (const name of backupsToRemove(backups, options, nowMs))
    ignoreMissing(() => unlinkSync(join(dir, name)));
}
