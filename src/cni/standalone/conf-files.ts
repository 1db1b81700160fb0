// CNI config files on the node, the way Multus finds them (NAD client GetCNIConfigFromFile, Multus
// getNetDelegate):
//   findByNetworkName(dir, name)  the files of `dir` ending in .conf, .json or .conflist (not directories),
//                                 in name order (libcni ConfFiles), the first whose `"name"` equals `name`
//   load(path)                    a file; or, for a directory, its first .conf/.conflist file in name order
//                                 (Multus's clusterNetwork-as-directory form)
// A file is classified by its content, not its extension (parseDelegateConfig: a top-level `type` is one
// plugin, else `plugins` is a list): a conflist saved as .conf works, where libcni would refuse it.
// Differences from Multus, on purpose: a file that cannot be read or parsed does not end the search
// (Multus fails the lookup at the first broken file, even when a later file is the one asked for); when
// nothing matches and some files were broken, the error names them, since one of them may be the network.
// A missing directory is "not found", as Multus reports "No networks found".
//
// Public API: `FsConfFiles`, `FsConfFilesOptions`, `CONF_FILE_EXTENSIONS`.
import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { parseDelegateConfig } from "../../api/netconf-delegate.ts";
import type { DelegateConfig } from "../../api/netconf-delegate.ts";
import { isSystemError } from "../../common/errors.ts";
import type { ConfFiles } from "../engine/ports.ts";
import { CniError } from "../protocol/errors.ts";

/** What a confDir search reads (libcni ConfFiles for Multus's lookup). */
export const CONF_FILE_EXTENSIONS: readonly string[] = [".conf", ".json", ".conflist"];
/** What a clusterNetwork directory offers (Multus getNetDelegate, option 3). */
const DIRECTORY_EXTENSIONS: readonly string[] = [".conf", ".conflist"];

/** The file system calls used (tests may wrap them). */
export interface FsConfFilesOptions {
  readText?: (path: string) => Promise<string>;
  listDir?: (dir: string) => Promise<{ name: string; isDirectory: boolean }[]>;
  isDirectory?: (path: string) => Promise<boolean>;
}

async function listDirDefault(dir: string): Promise<{ name: string; isDirectory: boolean }[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
}

const readTextDefault = (path: string): Promise<string> => readFile(path, "utf8");
const isDirectoryDefault = async (path: string): Promise<boolean> => (await stat(path)).isDirectory();

/** Byte order, as Go's sort of file names. */
function byName(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function configFileNames(
  entries: readonly { name: string; isDirectory: boolean }[],
  extensions: readonly string[],
): string[] {
  return entries
    .filter((e) => !e.isDirectory && extensions.includes(extname(e.name)))
    .map((e) => e.name)
    .sort(byName);
}

/** The `"name"` of a config file's JSON, without checking the rest; throws when it is not JSON. */
function declaredName(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error("not a JSON object");
  }
  return (value as { name?: unknown }).name;
}

export class FsConfFiles implements ConfFiles {
  private readonly readText: (path: string) => Promise<string>;
  private readonly listDir: (dir: string) => Promise<{ name: string; isDirectory: boolean }[]>;
  private readonly isDirectory: (path: string) => Promise<boolean>;

  constructor(options: FsConfFilesOptions = {}) {
    this.readText = options.readText ?? readTextDefault;
    this.listDir = options.listDir ?? listDirDefault;
    this.isDirectory = options.isDirectory ?? isDirectoryDefault;
  }

  async findByNetworkName(dir: string, networkName: string): Promise<DelegateConfig | undefined> {
    const names = await this.configFiles(dir, CONF_FILE_EXTENSIONS);
    const broken: string[] = [];
    for (const name of names) {
      const path = join(dir, name);
      let text: string;
      let declared: unknown;
      try {
        text = await this.readText(path);
        declared = declaredName(text);
      } catch (err) {
        broken.push(`${path} (${err instanceof Error ? err.message : String(err)})`);
        continue;
      }
      if (declared === networkName) return parseDelegateConfig(text, { source: `CNI config file ${path}` });
    }
    if (broken.length > 0) {
      throw new Error(
        `no CNI config named ${JSON.stringify(networkName)} in ${dir}, and these files could not be read: ${broken.join("; ")}`,
      );
    }
    return undefined;
  }

  async load(path: string): Promise<DelegateConfig> {
    const file = await this.fileFor(path);
    let text: string;
    try {
      text = await this.readText(file);
    } catch (cause) {
      if (isSystemError(cause, "ENOENT"))
        throw new CniError("NETWORK_NOT_FOUND", `CNI config file ${file} does not exist`, { cause });
      throw new Error(`read CNI config file ${file}`, { cause });
    }
    return parseDelegateConfig(text, { source: `CNI config file ${file}` });
  }

  /** `path`, or for a directory its first .conf/.conflist file. */
  private async fileFor(path: string): Promise<string> {
    let directory: boolean;
    try {
      directory = await this.isDirectory(path);
    } catch (cause) {
      if (isSystemError(cause, "ENOENT"))
        throw new CniError("NETWORK_NOT_FOUND", `CNI config ${path} does not exist`, { cause });
      throw new Error(`load CNI config ${path}`, { cause });
    }
    if (!directory) return path;
    const [first] = await this.configFiles(path, DIRECTORY_EXTENSIONS);
    if (first === undefined) {
      throw new CniError("NETWORK_NOT_FOUND", `CNI config directory ${path} has no .conf or .conflist file`);
    }
    return join(path, first);
  }

  /** Config file names of `dir` in name order; [] when the directory does not exist. */
  private async configFiles(dir: string, extensions: readonly string[]): Promise<string[]> {
    try {
      return configFileNames(await this.listDir(dir), extensions);
    } catch (err) {
      if (isSystemError(err, "ENOENT") || isSystemError(err, "ENOTDIR")) return [];
      throw new Error(`list CNI config directory ${dir}`, { cause: err });
    }
  }
}
