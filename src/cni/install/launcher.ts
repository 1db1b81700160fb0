// The `netclaim` executable in the CNI bin dir: a POSIX sh script that runs the Node runtime installed
// next to it on the bundle installed next to it. Pure.
//
//   <bin>/netclaim                         this launcher
//   <bin>/netclaim.d/node                  the Node runtime (the installer's own, pinned in the image)
//   <bin>/netclaim.d/bundle-<id>/          the bundle (netclaim.mjs, chunks/, package.json)
//   <bin>/netclaim.d/compile-cache/        Node's compile cache (root only, 0700)
//
// Paths are found from $0 (the runtime executes the plugin by its absolute path), so the installer needs
// not know where the host mounts the bin dir; `${0%/*}` costs no extra process. The compile cache makes
// every start after the first skip compiling the bundle (docs/performance.md); a cache directory that
// others can write would let them feed code to a root process, so it is root-only, and it may be left
// out. NODE_EXTRA_CA_CERTS and the rest of the environment stay as the runtime gives them.
//
// Public API: `LAUNCHER_NAME`, `RUNTIME_DIR_NAME`, `NODE_NAME`, `COMPILE_CACHE_DIR_NAME`,
// `BUNDLE_DIR_PREFIX`, `LauncherOptions`, `renderLauncher`, `bundleDirOfLauncher`.

export const LAUNCHER_NAME = "netclaim";
export const RUNTIME_DIR_NAME = "netclaim.d";
export const NODE_NAME = "node";
export const COMPILE_CACHE_DIR_NAME = "compile-cache";
export const BUNDLE_DIR_PREFIX = "bundle-";
export const BUNDLE_ENTRY = "netclaim.mjs";

const SAFE_NAME_RE = /^[A-Za-z0-9._-]+$/;
const SAFE_NODE_FLAG_RE = /^--[A-Za-z0-9][A-Za-z0-9=._,:-]*$/;

export interface LauncherOptions {
  /** The bundle's directory name inside netclaim.d, e.g. "bundle-1a2b3c4d5e6f". */
  bundleDirName: string;
  /** Point NODE_COMPILE_CACHE at netclaim.d/compile-cache. */
  compileCache: boolean;
  /** Extra options for node, e.g. ["--max-old-space-size=128"]. */
  nodeFlags?: readonly string[];
}

/** The launcher script. Throws on a bundle name or node flag that is not a plain word. */
export function renderLauncher(options: LauncherOptions): string {
  if (!SAFE_NAME_RE.test(options.bundleDirName)) {
    throw new Error(`bundle directory name ${JSON.stringify(options.bundleDirName)} is not a plain name`);
  }
  const flags = options.nodeFlags ?? [];
  const bad = flags.find((f) => !SAFE_NODE_FLAG_RE.test(f));
  if (bad !== undefined) throw new Error(`node option ${JSON.stringify(bad)} is not a plain --option`);
  const runtime = `"$here/${RUNTIME_DIR_NAME}`;
  const cache = options.compileCache
    ? [`NODE_COMPILE_CACHE=${runtime}/${COMPILE_CACHE_DIR_NAME}"`, "export NODE_COMPILE_CACHE"]
    : [];
  const nodeFlags = flags.length > 0 ? `${flags.join(" ")} ` : "";
  return [
    "#!/bin/sh",
    "# netclaim CNI plugin, written by `netclaim install-cni`; do not edit (it is rewritten on install).",
    'case "$0" in',
    '  */*) here="${0%/*}" ;;',
    '  *) here="$(dirname "$(command -v "$0")")" ;;',
    "esac",
    ...cache,
    `exec ${runtime}/${NODE_NAME}" ${nodeFlags}${runtime}/${options.bundleDirName}/${BUNDLE_ENTRY}" cni "$@"`,
    "",
  ].join("\n");
}

const BUNDLE_REF_RE = new RegExp(`/${RUNTIME_DIR_NAME}/(${BUNDLE_DIR_PREFIX}[A-Za-z0-9._-]+)/`);

/** The bundle directory an installed launcher runs, or undefined when the text names none. */
export function bundleDirOfLauncher(text: string): string | undefined {
  return BUNDLE_REF_RE.exec(text)?.[1];
}
