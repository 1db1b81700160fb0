// netclaim's config file in the CNI conf dir, kept in step with the master: list the conf dir, select the
// master (master-selection.ts), render around it (render-config.ts), write atomically when the content
// differs from the file's, and remove our file of the other format (a master moving to CNI 1.0.0 turns
// 00-netclaim.conf into 00-netclaim.conflist). The file is 0600 as Multus writes 00-multus.conf: it names
// the kubeconfig, and only the root runtime reads it.
// The master is selected again at every sync, so a new first file (the cluster network replaced, its
// config renamed) is followed as the runtime itself would follow it; Multus's daemon keeps the file it
// chose at start. When no master is found, nothing is written and an existing file of ours is kept (Multus's thin
// entrypoint waits for a deleted master and leaves its config; the runtime keeps a working network
// config meanwhile). `removeCniConfig` deletes our files (cleanup on exit, readiness lost).
//
// Public API: `CniConfigFileOptions`, `ConfigSync`, `syncCniConfig`, `removeCniConfig`, `listConfDir`,
// `CNI_CONFIG_FILE_MODE`.
import { readdir, readFile, stat } from "node:fs/promises";
import { join, posix } from "node:path";
import { removeFile, writeFileAtomic } from "../../common/atomic-file.ts";
import { isSystemError } from "../../common/errors.ts";
import { filesSortingBefore, selectMasterFile } from "./master-selection.ts";
import type { ConfDirEntry } from "./master-selection.ts";
import { CONF_FILE_NAME, CONFLIST_FILE_NAME, renderNetclaimConfig } from "./render-config.ts";
import type { NetclaimConfigOptions } from "./render-config.ts";

export const CNI_CONFIG_FILE_MODE = 0o600;
const OWN_FILES = [CONF_FILE_NAME, CONFLIST_FILE_NAME] as const;

export interface CniConfigFileOptions {
  /** The conf dir as the installer sees it. */
  confDir: string;
  /** The conf dir as the plugin sees it (host path): `clusterNetwork` is the master's path in it. */
  hostConfDir: string;
  masterName?: string | undefined;
  /** Everything the config carries besides the master. */
  render: Omit<NetclaimConfigOptions, "masterPath" | "masterText">;
}

export type ConfigSync =
  | {
      status: "written" | "unchanged";
      /** The master's file name. */
      master: string;
      /** Our file's path (installer's view). */
      file: string;
      /** Config files the runtime would pick before ours. */
      shadowedBy: string[];
      removed: string[];
    }
  | { status: "no-master"; reason: string };

/** The conf dir's entries, symlinks followed; [] when the directory does not exist. */
export async function listConfDir(dir: string): Promise<ConfDirEntry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (isSystemError(err, "ENOENT")) return [];
    throw new Error(`list the CNI conf dir ${dir}`, { cause: err });
  }
  const entries: ConfDirEntry[] = [];
  for (const name of names) {
    try {
      entries.push({ name, isFile: (await stat(join(dir, name))).isFile() });
    } catch {
      entries.push({ name, isFile: false }); // a dangling link or a file removed meanwhile
    }
  }
  return entries;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if (isSystemError(err, "ENOENT")) return undefined;
    throw new Error(`read ${path}`, { cause: err });
  }
}

/** Brings our config file in line with the master. Throws on an invalid master (INVALID_MASTER). */
export async function syncCniConfig(options: CniConfigFileOptions): Promise<ConfigSync> {
  const entries = await listConfDir(options.confDir);
  const choice = selectMasterFile(entries, { masterName: options.masterName });
  if (choice.kind === "none") return { status: "no-master", reason: choice.reason };
  const masterText = await readText(join(options.confDir, choice.name));
  if (masterText === undefined) return { status: "no-master", reason: `${choice.name} was removed` };
  const rendered = renderNetclaimConfig({
    ...options.render,
    masterPath: posix.join(options.hostConfDir, choice.name),
    masterText,
  });
  const file = join(options.confDir, rendered.fileName);
  const changed = (await readText(file)) !== rendered.text;
  if (changed) await writeFileAtomic(file, rendered.text, { mode: CNI_CONFIG_FILE_MODE });
  const removed: string[] = [];
  for (const other of OWN_FILES.filter((name) => name !== rendered.fileName)) {
    if (await removeFile(join(options.confDir, other))) removed.push(join(options.confDir, other));
  }
  return {
    status: changed ? "written" : "unchanged",
    master: choice.name,
    file,
    shadowedBy: filesSortingBefore(entries, rendered.fileName),
    removed,
  };
}

/** Removes our config files; returns those that were there. */
export async function removeCniConfig(confDir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of OWN_FILES) if (await removeFile(join(confDir, name))) removed.push(join(confDir, name));
  return removed;
}
