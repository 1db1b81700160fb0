// The attachment cache on disk: one JSON file per attachment (cache-key.ts) in a directory only root can
// enter (0700), each written atomically with mode 0600 (src/common/atomic-file.ts). A file that cannot be
// parsed or fails the schema is reported as corrupt, with the file and the problem: never as missing,
// never as empty (Multus's DEL reports success on a corrupt cache and leaks the addresses).
// The directory may be shared with Multus (its default cniDir, /var/lib/cni/multus): files that are not
// named like ours (Multus's `<containerID>`, libcni's `results/`) are left alone and listed as ignored.
import { chmod, mkdir, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  STATE_DIR_MODE,
  STATE_FILE_MODE,
  readJsonFile,
  removeFile,
  removeStaleTempFiles,
  writeFileAtomic,
} from "../../common/atomic-file.ts";
import { CodedError } from "../../common/errors.ts";
import { CniError } from "../protocol/errors.ts";
import { cacheFileName, parseCacheFileName, sameAttachment } from "./cache-key.ts";
import type { AttachmentKey } from "./cache-key.ts";
import { attachmentCacheEntrySchema, parseCacheEntry } from "./entry-schema.ts";
import type { AttachmentCacheEntry } from "./entry-schema.ts";

/** Multus's default cniDir, where a drop-in keeps its cache too. */
export const DEFAULT_ATTACHMENT_CACHE_DIR = "/var/lib/cni/multus";

export type CacheReadResult =
  | { kind: "found"; entry: AttachmentCacheEntry; file: string }
  | { kind: "missing"; file: string }
  | { kind: "corrupt"; file: string; error: CodedError<"CORRUPT"> };

export interface CachedAttachment {
  file: string;
  entry: AttachmentCacheEntry;
}

export interface CorruptCacheFile extends AttachmentKey {
  file: string;
  error: CodedError<"CORRUPT">;
}

export interface CacheListing {
  entries: CachedAttachment[];
  corrupt: CorruptCacheFile[];
  /** Names in the directory that are not cache entries (other tools' files, sub-directories). */
  ignored: string[];
}

function describe(key: AttachmentKey): string {
  return `${key.containerID} ${key.ifname}`;
}

function cacheFailure(what: string, cause: unknown): CniError {
  return new CniError("CACHE_FAILURE", what, { cause });
}

export class AttachmentCache {
  readonly dir: string;

  constructor(dir: string = DEFAULT_ATTACHMENT_CACHE_DIR) {
    this.dir = dir;
  }

  pathFor(key: AttachmentKey): string {
    return join(this.dir, cacheFileName(key));
  }

  /** Writes (or replaces) the entry of its attachment, validated first. */
  async write(entry: AttachmentCacheEntry): Promise<void> {
    const key = { containerID: entry.containerID, ifname: entry.ifname };
    const valid = attachmentCacheEntrySchema.safeParse(entry);
    if (!valid.success)
      throw cacheFailure(`refusing to cache an invalid entry for ${describe(key)}`, valid.error);
    const path = this.pathFor(key);
    try {
      await this.ensureDir();
      await writeFileAtomic(path, `${JSON.stringify(valid.data, null, 2)}\n`, { mode: STATE_FILE_MODE });
    } catch (err) {
      throw cacheFailure(`write attachment cache entry ${path}`, err);
    }
  }

  async read(key: AttachmentKey): Promise<CacheReadResult> {
    const file = this.pathFor(key);
    let read;
    try {
      read = await readJsonFile(file, (raw) => parseCacheEntry(raw));
    } catch (err) {
      throw cacheFailure(`read attachment cache entry ${file}`, err);
    }
    if (read.status === "missing") return { kind: "missing", file };
    if (read.status === "corrupt") return { kind: "corrupt", file, error: read.error };
    if (!sameAttachment(read.value, key)) {
      const found = describe({ containerID: read.value.containerID, ifname: read.value.ifname });
      const error = new CodedError("CORRUPT", `${file} holds the entry of ${found}, not of ${describe(key)}`);
      return { kind: "corrupt", file, error };
    }
    return { kind: "found", entry: read.value, file };
  }

  /** Removes the entry (and temp files a crashed write left); false when there was none. */
  async remove(key: AttachmentKey): Promise<boolean> {
    const file = this.pathFor(key);
    try {
      const removed = await removeFile(file);
      await removeStaleTempFiles(file);
      return removed;
    } catch (err) {
      throw cacheFailure(`remove attachment cache entry ${file}`, err);
    }
  }

  /** Every entry of the directory (for GC); corrupt ones apart, with the key their name stands for. */
  async list(): Promise<CacheListing> {
    const listing: CacheListing = { entries: [], corrupt: [], ignored: [] };
    let names: string[];
    try {
      names = (await readdir(this.dir)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return listing;
      throw cacheFailure(`list attachment cache ${this.dir}`, err);
    }
    for (const name of names) {
      if (name.startsWith(".")) continue; // temp files of writes in progress (or crashed)
      const key = parseCacheFileName(name);
      if (key === undefined || !(await this.isFile(name))) {
        listing.ignored.push(name);
        continue;
      }
      const read = await this.read(key);
      if (read.kind === "found") listing.entries.push({ file: read.file, entry: read.entry });
      if (read.kind === "corrupt") listing.corrupt.push({ ...key, file: read.file, error: read.error });
    }
    return listing;
  }

  private async isFile(name: string): Promise<boolean> {
    try {
      return (await stat(join(this.dir, name))).isFile();
    } catch {
      return false;
    }
  }

  /** The directory, made 0700 if missing and narrowed to 0700 if it was wider. */
  private async ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: STATE_DIR_MODE });
    const info = await stat(this.dir);
    if ((info.mode & 0o777) !== STATE_DIR_MODE) await chmod(this.dir, STATE_DIR_MODE);
  }
}
