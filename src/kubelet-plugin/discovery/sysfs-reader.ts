// The one window discovery has onto sysfs: four reads over a root directory (`--sysfs-root`, /sys in
// production, a fixture tree in tests). Paths are POSIX paths relative to the root ("bus/pci/devices");
// a path that climbs out of the root is refused. Errors are Node's fs errors (code ENOENT, ENOTDIR, ...).
//
// Public API: `SysfsReader`, `createSysfsReader`, `DEFAULT_SYSFS_ROOT`, `resolveLinkTarget`,
// `readOptionalText`, `listOptional`, `readOptionalLink`, `isNotFound`.
import { readdir, readFile, readlink, stat } from "node:fs/promises";
import { isAbsolute, join, posix } from "node:path";

export const DEFAULT_SYSFS_ROOT = "/sys";

export interface SysfsReader {
  /** The contents of a file, as the kernel wrote it (trailing newline included). */
  readText(path: string): Promise<string>;
  /** The target of a symlink as stored (relative in sysfs). */
  readLink(path: string): Promise<string>;
  /** The entry names of a directory (following links), sorted. */
  list(path: string): Promise<string[]>;
  /** Whether the path exists, following links: a dangling link does not exist. */
  exists(path: string): Promise<boolean>;
}

function checkedRelative(path: string): string {
  const normalized = posix.normalize(path);
  if (isAbsolute(normalized) || normalized === ".." || normalized.startsWith("../")) {
    throw new Error(`sysfs path ${JSON.stringify(path)} is outside the sysfs root`);
  }
  return normalized;
}

/** A reader over the real filesystem below `root`. */
export function createSysfsReader(root: string = DEFAULT_SYSFS_ROOT): SysfsReader {
  const abs = (path: string): string => join(root, checkedRelative(path));
  return {
    readText: async (path) => readFile(abs(path), "utf8"),
    readLink: async (path) => readlink(abs(path)),
    list: async (path) => (await readdir(abs(path))).sort(),
    exists: async (path) => {
      const target = abs(path);
      try {
        await stat(target);
        return true;
      } catch {
        return false;
      }
    },
  };
}

export function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/**
 * Where the symlink at `linkPath` points, as a root-relative path: `bus/pci/devices/0000:03:00.0` with
 * target `../../../devices/pci0000:00/0000:00:02.0/0000:03:00.0` → `devices/pci0000:00/...`. Absolute
 * targets are taken relative to the root. Throws when the target climbs out of the root. The link's
 * directory must be a real directory (no symlink on the way), as the kernel's relative targets are
 * relative to where the link really is.
 */
export function resolveLinkTarget(linkPath: string, target: string): string {
  const joined = target.startsWith("/") ? target.slice(1) : posix.join(posix.dirname(linkPath), target);
  return checkedRelative(joined);
}

/** File contents trimmed, or undefined when the file does not exist. Other errors throw. */
export async function readOptionalText(reader: SysfsReader, path: string): Promise<string | undefined> {
  try {
    return (await reader.readText(path)).trim();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Directory entries, or [] when the directory does not exist. Other errors throw. */
export async function listOptional(reader: SysfsReader, path: string): Promise<string[]> {
  try {
    return await reader.list(path);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

/** The root-relative target of a symlink, or undefined when there is no link. Other errors throw. */
export async function readOptionalLink(reader: SysfsReader, path: string): Promise<string | undefined> {
  try {
    return resolveLinkTarget(path, await reader.readLink(path));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
