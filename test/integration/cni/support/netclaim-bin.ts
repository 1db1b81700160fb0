// The bin dir the runtime stand-in searches (CNI_PATH): an executable `netclaim` — a tiny shell wrapper
// running this checkout's `src/cli/main.ts cni` on the pinned Node, as the installed shim would run the
// bundle — next to symlinks to the reference plugins.
import { chmod, mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const REPO_ROOT = new URL("../../../../", import.meta.url).pathname;
export const PINNED_NODE = join(REPO_ROOT, "node_modules/.bin/node");
export const CLI_MAIN = join(REPO_ROOT, "src/cli/main.ts");

/** The wrapper script's text; `env` is set for the node process (e.g. NODE_COMPILE_CACHE). */
export function netclaimWrapper(
  node = PINNED_NODE,
  cli = CLI_MAIN,
  env: Readonly<Record<string, string>> = {},
): string {
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${v} `);
  return `#!/bin/sh\n${assignments.join("")}exec ${node} ${cli} cni\n`;
}

/** Makes `dir` with `netclaim` and links to every plugin of `pluginDir`; returns `dir`. */
export async function makeNetclaimBinDir(dir: string, pluginDir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const wrapper = join(dir, "netclaim");
  await writeFile(wrapper, netclaimWrapper());
  await chmod(wrapper, 0o755);
  for (const plugin of await readdir(pluginDir)) {
    if (plugin === "netclaim") continue;
    await symlink(join(pluginDir, plugin), join(dir, plugin));
  }
  return dir;
}
