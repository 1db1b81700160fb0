// The host's network namespace directory. The runtime hands the plugin CNI_NETNS as an absolute host path
// (containerd and CRI-O: /var/run/netns/<id>; `ip netns`: /run/netns/<name>). On most hosts /var/run is a
// symlink to /run and both names are one directory; on some they are separate directories. What needs to
// know: the CNI server's pod, which must mount the directory the runtime uses (HostToContainer
// propagation) to open those paths, and that mount needs the directory to exist before the first pod.
//
// The installer looks at the host through `hostRoot` (its mount of the host's "/"; "/" when the host's
// directories are mounted at their own paths), resolves each candidate with the host's symlinks (an
// absolute link target is the host's, so it is re-rooted at hostRoot), picks the first that exists, or
// creates the first (0755) when none does, and reports whether another candidate is a separate
// directory (then both must be mounted). `auto` checks /run/netns then /var/run/netns; a given path is
// checked and created alone.
//
// Public API: `NETNS_DIR_CANDIDATES`, `HostPathState`, `NetnsDirDecision`, `decideNetnsDir`,
// `resolveInRoot`, `ensureHostNetnsDir`, `EnsuredNetnsDir`.
import { lstat, mkdir, readlink, stat } from "node:fs/promises";
import { join, posix } from "node:path";
import { isSystemError } from "../../common/errors.ts";

export const NETNS_DIR_CANDIDATES: readonly string[] = ["/run/netns", "/var/run/netns"];
const MAX_SYMLINKS = 40;
const NETNS_DIR_MODE = 0o755;

/** A host path as found through the host root. */
export interface HostPathState {
  /** As asked, e.g. "/var/run/netns". */
  path: string;
  /** With the host's symlinks resolved, e.g. "/run/netns". */
  real: string;
  exists: boolean;
  isDirectory: boolean;
}

export interface NetnsDirDecision {
  /** The directory to use (as asked). */
  dir: string;
  /** Its real host path. */
  real: string;
  create: boolean;
  /** Other candidates that exist as different directories. */
  separate: string[];
  /** Other candidates that are the same directory (a symlinked /var/run). */
  aliases: string[];
}

/** Which netns directory to use among `candidates` (in order). Pure. */
export function decideNetnsDir(candidates: readonly HostPathState[]): NetnsDirDecision {
  const [first] = candidates;
  if (first === undefined) throw new Error("no netns directory candidates");
  const chosen = candidates.find((c) => c.exists && c.isDirectory) ?? first;
  const others = candidates.filter((c) => c !== chosen && c.exists && c.isDirectory);
  return {
    dir: chosen.path,
    real: chosen.real,
    create: !(chosen.exists && chosen.isDirectory),
    separate: others.filter((c) => c.real !== chosen.real).map((c) => c.path),
    aliases: candidates.filter((c) => c !== chosen && c.real === chosen.real).map((c) => c.path),
  };
}

function parts(path: string): string[] {
  return path.split("/").filter((p) => p !== "" && p !== ".");
}

/** Resolves `hostPath` component by component under `root`, following symlinks as the host would. */
export async function resolveInRoot(
  root: string,
  hostPath: string,
): Promise<{ real: string; exists: boolean }> {
  let resolved: string[] = [];
  let pending = parts(hostPath);
  let links = 0;
  while (pending.length > 0) {
    const [name = "", ...rest] = pending;
    pending = rest;
    if (name === "..") {
      resolved.pop();
      continue;
    }
    const hostCandidate = posix.join("/", ...resolved, name);
    let isLink: boolean;
    try {
      isLink = (await lstat(join(root, hostCandidate))).isSymbolicLink();
    } catch (err) {
      if (!isSystemError(err, "ENOENT") && !isSystemError(err, "ENOTDIR")) throw err;
      return { real: posix.join("/", ...resolved, name, ...pending), exists: false };
    }
    if (!isLink) {
      resolved.push(name);
      continue;
    }
    if (++links > MAX_SYMLINKS) throw new Error(`too many symlinks resolving ${hostPath} under ${root}`);
    const target = await readlink(join(root, hostCandidate));
    if (target.startsWith("/")) resolved = [];
    pending = [...target.split("/").filter((p) => p !== "" && p !== "."), ...pending];
  }
  return { real: posix.join("/", ...resolved), exists: true };
}

async function stateOf(root: string, path: string): Promise<HostPathState> {
  const { real, exists } = await resolveInRoot(root, path);
  const isDirectory = exists && (await stat(join(root, real))).isDirectory();
  return { path, real, exists, isDirectory };
}

export interface EnsuredNetnsDir extends NetnsDirDecision {
  /** Where the installer reached it: hostRoot + real. */
  localPath: string;
}

/** Picks (auto) or checks the host's netns directory and creates it when missing. */
export async function ensureHostNetnsDir(hostRoot: string, requested: string): Promise<EnsuredNetnsDir> {
  const candidates = requested === "auto" ? NETNS_DIR_CANDIDATES : [requested];
  const states = await Promise.all(candidates.map((c) => stateOf(hostRoot, c)));
  const decision = decideNetnsDir(states);
  const localPath = join(hostRoot, decision.real);
  if (decision.create) {
    try {
      await mkdir(localPath, { recursive: true, mode: NETNS_DIR_MODE });
    } catch (err) {
      throw new Error(`create the host netns directory ${decision.dir} (${localPath})`, { cause: err });
    }
  }
  return { ...decision, localPath };
}
