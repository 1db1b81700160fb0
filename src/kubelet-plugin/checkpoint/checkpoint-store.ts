// The checkpoint file (the I/O shell around src/api/checkpoint.ts): `<state dir>/checkpoint.json`, mode
// 0600 in a 0700 directory, replaced atomically (src/common/atomic-file.ts). A missing file is an empty
// checkpoint (first start); a damaged one is reported as corrupt — never read as empty — so the caller
// rebuilds it from the CDI specs and the API server, after `preserveCorrupt()` has moved it aside for a
// person to look at.
//
// Public API: `DEFAULT_STATE_DIR`, `CHECKPOINT_FILE_NAME`, `CheckpointReadResult`, `Checkpointer`,
// `FileCheckpointer`.
import { readFile, rename } from "node:fs/promises";
import { dirname, join } from "node:path";
import {
  removeStaleTempFiles,
  STATE_DIR_MODE,
  STATE_FILE_MODE,
  syncDirectory,
  writeFileAtomic,
} from "../../common/atomic-file.ts";
import { isSystemError } from "../../common/errors.ts";
import { parseCheckpointText, serializeCheckpoint } from "../../api/checkpoint.ts";
import type { Checkpoint, CorruptReason } from "../../api/checkpoint.ts";

export const DEFAULT_STATE_DIR = "/var/lib/netclaim";
export const CHECKPOINT_FILE_NAME = "checkpoint.json";
const CORRUPT_SUFFIX = ".corrupt";

export type CheckpointReadResult =
  | { status: "missing" }
  | { status: "ok"; checkpoint: Checkpoint; apiVersion: string }
  | { status: "corrupt"; reason: CorruptReason; message: string; path: string };

/** What the prepare path needs from checkpoint storage (fakes implement this in tests). */
export interface Checkpointer {
  read(): Promise<CheckpointReadResult>;
  write(checkpoint: Checkpoint): Promise<void>;
}

export class FileCheckpointer implements Checkpointer {
  readonly path: string;

  constructor(stateDir: string = DEFAULT_STATE_DIR) {
    this.path = join(stateDir, CHECKPOINT_FILE_NAME);
  }

  async read(): Promise<CheckpointReadResult> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (err) {
      if (isSystemError(err, "ENOENT")) return { status: "missing" };
      throw new Error(`read checkpoint ${this.path}`, { cause: err });
    }
    const parsed = parseCheckpointText(text);
    if (parsed.status === "ok") return parsed;
    return { ...parsed, message: `checkpoint ${this.path} is corrupt: ${parsed.message}`, path: this.path };
  }

  async write(checkpoint: Checkpoint): Promise<void> {
    try {
      await writeFileAtomic(this.path, serializeCheckpoint(checkpoint), {
        mode: STATE_FILE_MODE,
        createParents: true,
        dirMode: STATE_DIR_MODE,
      });
    } catch (err) {
      throw new Error("write checkpoint", { cause: err });
    }
  }

  /** Removes temp files of writes killed midway; call once at start-up, before writing. */
  async removeStaleTempFiles(): Promise<string[]> {
    return removeStaleTempFiles(this.path);
  }

  /** Moves a corrupt checkpoint to `<path>.corrupt` (replacing an older one); returns the new path. */
  async preserveCorrupt(): Promise<string | undefined> {
    const target = this.path + CORRUPT_SUFFIX;
    try {
      await rename(this.path, target);
    } catch (err) {
      if (isSystemError(err, "ENOENT")) return undefined;
      throw new Error(`move corrupt checkpoint ${this.path} aside`, { cause: err });
    }
    await syncDirectory(dirname(this.path));
    return target;
  }
}
