// Reading the kubelet plugin's checkpoint file from outside the kubelet plugin (the CNI side looks up the
// devices prepared for a pod in it). Read-only: only the kubelet plugin writes it
// (src/kubelet-plugin/checkpoint/checkpoint-store.ts, whose state dir and file name these defaults
// repeat). A missing file is "missing", a damaged one "corrupt" with the reason: never an empty
// checkpoint, so callers can tell "nothing prepared" from "cannot know".
//
// Public API: `DEFAULT_KUBELET_PLUGIN_STATE_DIR`, `CHECKPOINT_FILE`, `checkpointFilePath`,
// `CheckpointFileRead`, `readCheckpointFile`.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isSystemError } from "../common/errors.ts";
import { parseCheckpointText } from "./checkpoint.ts";
import type { Checkpoint } from "./checkpoint.ts";

/** The kubelet plugin's default `--state-dir`. */
export const DEFAULT_KUBELET_PLUGIN_STATE_DIR = "/var/lib/netclaim";
export const CHECKPOINT_FILE = "checkpoint.json";

export function checkpointFilePath(stateDir: string = DEFAULT_KUBELET_PLUGIN_STATE_DIR): string {
  return join(stateDir, CHECKPOINT_FILE);
}

export type CheckpointFileRead =
  | { status: "missing"; path: string }
  | { status: "ok"; path: string; checkpoint: Checkpoint }
  | { status: "corrupt"; path: string; message: string };

/** Reads and verifies the checkpoint at `path`; I/O errors other than ENOENT throw, naming the file. */
export async function readCheckpointFile(path: string): Promise<CheckpointFileRead> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if (isSystemError(err, "ENOENT")) return { status: "missing", path };
    throw new Error(`read checkpoint ${path}`, { cause: err });
  }
  const parsed = parseCheckpointText(text);
  if (parsed.status === "ok") return { status: "ok", path, checkpoint: parsed.checkpoint };
  return {
    status: "corrupt",
    path,
    message: `checkpoint ${path} is corrupt (${parsed.reason}): ${parsed.message}`,
  };
}
