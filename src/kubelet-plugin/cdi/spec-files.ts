// The claim CDI spec files on disk (the I/O shell around render.ts and cdi-names.ts).
//
// Writes go through src/common/atomic-file.ts (temp file in the same directory, fsync, rename, directory
// fsync), so a runtime scanning the directory sees the old spec or the new one, never a torn file; the
// temp name `.<file>.tmp-...` does not end in .json, so CDI loaders skip it.
// Mode 0644, directory 0755 when we create it (the CDI convention for /etc/cdi and /var/run/cdi): the
// runtime reads the specs as root anyway, but CDI consumers that run unprivileged (rootless podman,
// `cdi list`-style tools, the nvidia-ctk family) need read access, and a spec holds nothing secret — PCI
// addresses, interface names and device paths that the pod sees in its environment.
//
// Public API: `DEFAULT_CDI_DIR`, `CDI_SPEC_FILE_MODE`, `CDI_DIR_MODE`, `serializeCdiSpec`, `parseCdiSpec`,
// `writeCdiSpec`, `removeCdiSpec`, `listCdiSpecs`, `CdiSpecFile`, `removeStaleCdiTempFiles`.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { readJsonFile, removeFile, removeStaleTempFiles, writeFileAtomic } from "../../common/atomic-file.ts";
import type { CodedError } from "../../common/errors.ts";
import { isSystemError } from "../../common/errors.ts";
import type { CdiSpec } from "./cdi-types.ts";
import { cdiSpecFileName, cdiSpecFilePrefix, claimUidFromSpecFileName } from "./cdi-names.ts";

export const DEFAULT_CDI_DIR = "/var/run/cdi";
export const CDI_SPEC_FILE_MODE = 0o644;
export const CDI_DIR_MODE = 0o755;

const editsSchema = z.looseObject({
  env: z.array(z.string()).optional(),
  deviceNodes: z.array(z.looseObject({ path: z.string() })).optional(),
});

const specSchema = z.looseObject({
  cdiVersion: z.string(),
  kind: z.string(),
  devices: z.array(z.looseObject({ name: z.string(), containerEdits: editsSchema })),
  containerEdits: editsSchema.optional(),
});

/** What we write: the spec as indented JSON with a final newline. */
export function serializeCdiSpec(spec: CdiSpec): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}

/** Checks the shape of a spec read back (the fields we read; others are kept). */
export function parseCdiSpec(value: unknown): CdiSpec {
  return specSchema.parse(value);
}

function vendorOf(spec: CdiSpec): string {
  const slash = spec.kind.indexOf("/");
  if (slash <= 0) throw new Error(`CDI spec kind ${JSON.stringify(spec.kind)} has no vendor`);
  return spec.kind.slice(0, slash);
}

/** Writes the claim's spec into `dir` (created when missing); returns its path. */
export async function writeCdiSpec(dir: string, claimUID: string, spec: CdiSpec): Promise<string> {
  const path = join(dir, cdiSpecFileName(vendorOf(spec), claimUID));
  try {
    await writeFileAtomic(path, serializeCdiSpec(spec), {
      mode: CDI_SPEC_FILE_MODE,
      createParents: true,
      dirMode: CDI_DIR_MODE,
    });
  } catch (err) {
    throw new Error(`write CDI spec for claim ${claimUID}`, { cause: err });
  }
  return path;
}

/** Removes the claim's spec; false when there was none. */
export async function removeCdiSpec(dir: string, driver: string, claimUID: string): Promise<boolean> {
  try {
    return await removeFile(join(dir, cdiSpecFileName(driver, claimUID)));
  } catch (err) {
    throw new Error(`remove CDI spec for claim ${claimUID}`, { cause: err });
  }
}

export interface CdiSpecFile {
  claimUID: string;
  path: string;
  /** A spec that does not parse is listed as corrupt (and is still ours to remove). */
  result: { status: "ok"; spec: CdiSpec } | { status: "corrupt"; error: CodedError<"CORRUPT"> };
}

async function namesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    if (isSystemError(err, "ENOENT")) return [];
    throw new Error(`list CDI specs in ${dir}`, { cause: err });
  }
}

/** Our claim specs in `dir` (by file name prefix), read; other files are ignored. */
export async function listCdiSpecs(dir: string, driver: string): Promise<CdiSpecFile[]> {
  const files: CdiSpecFile[] = [];
  for (const name of await namesIn(dir)) {
    const claimUID = claimUidFromSpecFileName(driver, name);
    if (claimUID === undefined) continue;
    const path = join(dir, name);
    const read = await readJsonFile(path, parseCdiSpec);
    if (read.status === "missing") continue; // removed while we listed
    files.push({ claimUID, path, result: read.status === "ok" ? { status: "ok", spec: read.value } : read });
  }
  return files;
}

/** Removes temp files that writes of our specs left behind when the process was killed mid-write. */
export async function removeStaleCdiTempFiles(dir: string, driver: string): Promise<string[]> {
  const targets = new Set<string>();
  const hidden = `.${cdiSpecFilePrefix(driver)}`;
  for (const name of await namesIn(dir)) {
    const at = name.indexOf(".tmp-");
    if (name.startsWith(hidden) && at > 0) targets.add(join(dir, name.slice(1, at)));
  }
  const removed: string[] = [];
  for (const target of targets) removed.push(...(await removeStaleTempFiles(target)));
  return removed;
}
