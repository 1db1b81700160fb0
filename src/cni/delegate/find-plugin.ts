// Where a delegate's executable is: the first regular file named like its `type` in an ordered list of
// directories, as libcni's FindInPath looks. Multus searches its `binDir` first, then the CNI_PATH it was
// given (confAdd and friends in pkg/multus/multus.go), so that is the order `delegateBinDirs` builds.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { isSystemError } from "../../common/errors.ts";
import { CniError } from "../protocol/errors.ts";

/** What the search needs to know about a candidate file; undefined when there is none. */
export interface PluginFileInfo {
  isFile: boolean;
  mtimeMs: number;
}

export type StatPluginFile = (path: string) => Promise<PluginFileInfo | undefined>;

export interface LocatedPlugin {
  type: string;
  path: string;
  mtimeMs: number;
}

/** fs.stat following symlinks (a symlinked plugin is fine, as in libcni); undefined when absent. */
export const statPluginFile: StatPluginFile = async (path) => {
  try {
    const info = await stat(path);
    return { isFile: info.isFile(), mtimeMs: info.mtimeMs };
  } catch (err) {
    if (isSystemError(err, "ENOENT") || isSystemError(err, "ENOTDIR")) return undefined;
    throw new Error(`stat ${path}`, { cause: err });
  }
};

/** `binDir` first, then CNI_PATH's entries in order; empty entries and repeats dropped. Pure. */
export function delegateBinDirs(binDir: string | undefined, cniPath: readonly string[]): string[] {
  const dirs: string[] = [];
  for (const dir of [binDir ?? "", ...cniPath]) {
    if (dir !== "" && !dirs.includes(dir)) dirs.push(dir);
  }
  return dirs;
}

/** Why `type` cannot name a plugin file, or undefined when it can. Pure. */
export function pluginTypeProblem(type: unknown): string | undefined {
  if (typeof type !== "string" || type === "") return "the config has no plugin type";
  if (type.includes("/")) return `plugin type ${JSON.stringify(type)} contains '/'`;
  if (type === "." || type === "..") return `plugin type ${JSON.stringify(type)} is not a file name`;
  if (type.includes("\0")) return `plugin type ${JSON.stringify(type)} contains a NUL character`;
  return undefined;
}

/**
 * The first `<dir>/<type>` that is a regular file. A bad type is a config error (code 7); a type found
 * nowhere is DELEGATE_NOT_FOUND, naming the type and every directory searched.
 */
export async function findPlugin(
  type: string,
  dirs: readonly string[],
  statFile: StatPluginFile = statPluginFile,
): Promise<LocatedPlugin> {
  const problem = pluginTypeProblem(type);
  if (problem !== undefined) throw new CniError("INVALID_NETWORK_CONFIG", `invalid delegate: ${problem}`);
  for (const dir of dirs) {
    const path = join(dir, type);
    const info = await statFile(path);
    if (info?.isFile === true) return { type, path, mtimeMs: info.mtimeMs };
  }
  const searched = dirs.length === 0 ? "no directory (binDir and CNI_PATH are empty)" : dirs.join(", ");
  throw new CniError(
    "DELEGATE_NOT_FOUND",
    `no executable for plugin type ${JSON.stringify(type)} in ${searched}`,
  );
}
