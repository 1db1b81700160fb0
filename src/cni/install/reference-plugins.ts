// The reference CNI plugins the image can carry (Dockerfile build arg CNI_PLUGINS, at
// /opt/netclaim/cni-plugins) onto a host whose default network does not ship them (the Cilium case):
// every executable file of the source directory that the host's CNI bin dir lacks is copied there
// (atomically, mode 0755). A plugin the host has is never replaced — the host's own plugins, of the
// version its default network was tested with, win.
//
// Public API: `ReferencePluginsResult`, `installReferencePlugins`.
import { lstat, readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../../common/atomic-file.ts";
import { isSystemError } from "../../common/errors.ts";

const PLUGIN_MODE = 0o755;

export interface ReferencePluginsResult {
  /** Plugins copied now. */
  copied: string[];
  /** Plugins the host had already (left as they are). */
  present: string[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if (isSystemError(err, "ENOENT")) return false;
    throw err;
  }
}

/** Copies the executables of `sourceDir` missing from `binDir` into it. Names sorted. */
export async function installReferencePlugins(
  sourceDir: string,
  binDir: string,
): Promise<ReferencePluginsResult> {
  let names: string[];
  try {
    names = (await readdir(sourceDir)).sort();
  } catch (err) {
    throw new Error(`reference CNI plugins: read ${sourceDir}`, { cause: err });
  }
  const result: ReferencePluginsResult = { copied: [], present: [] };
  for (const name of names) {
    const source = join(sourceDir, name);
    const info = await stat(source);
    if (!info.isFile() || (info.mode & 0o111) === 0) continue;
    const target = join(binDir, name);
    if (await exists(target)) {
      result.present.push(name);
      continue;
    }
    await writeFileAtomic(target, await readFile(source), { mode: PLUGIN_MODE });
    result.copied.push(name);
  }
  return result;
}
