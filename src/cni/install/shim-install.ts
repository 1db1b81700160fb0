// Places the CNI plugin on a host without Node.js: the installer's own Node runtime plus the bundle
// (scripts/build-shim.ts), and the launcher script the runtime executes (launcher.ts for the layout).
//
// Each bundle goes into its own directory, named after a hash of its files, published with one rename;
// the launcher is replaced last. So a plugin starting during an upgrade runs either the old launcher on
// the old bundle or the new on the new, and one that started earlier still finds the old bundle's lazily
// loaded chunks: the previous bundle is kept, older ones are removed. `node` is replaced by rename too (a
// running plugin keeps its open inode; no "text file busy"). Nothing is rewritten when it is already
// there, so a restart of the installer touches no file. Everything is root-owned (when run as root),
// directories and executables 0755, bundle files 0644; the compile cache 0700, recreated when it is not
// root-only or when the bundle changed.
//
// Public API: `ShimInstallOptions`, `ShimInstallResult`, `installShim`, `bundleIdOf`, `listBundleFiles`.
import { createHash } from "node:crypto";
import { lstat, readdir, readFile, rm, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { writeFileAtomic } from "../../common/atomic-file.ts";
import { isSystemError } from "../../common/errors.ts";
import type { Logger } from "../../common/logger.ts";
import { stageBundle } from "./bundle-stage.ts";
import {
  copyFileAtomic,
  ensureDir,
  ensureOwnerRoot,
  isTempName,
  publishDirAtomic,
  sameFileContent,
} from "./install-files.ts";
import {
  BUNDLE_DIR_PREFIX,
  BUNDLE_ENTRY,
  bundleDirOfLauncher,
  COMPILE_CACHE_DIR_NAME,
  LAUNCHER_NAME,
  NODE_NAME,
  renderLauncher,
  RUNTIME_DIR_NAME,
} from "./launcher.ts";

const DIR_MODE = 0o755;
const EXEC_MODE = 0o755;
const CACHE_MODE = 0o700;
const ID_HEX_CHARS = 16;

export interface ShimInstallOptions {
  /** The CNI bin dir, as the installer sees it. */
  binDir: string;
  /** The Node runtime to copy (the installer's own: process.execPath). */
  nodeBinary: string;
  /** The built bundle (dist/shim). */
  bundleDir: string;
  compileCache: boolean;
  nodeFlags?: readonly string[];
  logger: Logger;
}

export interface ShimInstallResult {
  launcher: string;
  bundleId: string;
  /** What was written this time ([] when everything was in place). */
  written: string[];
  /** Old bundles and temp leftovers removed. */
  removed: string[];
}

/** Bundle files (relative paths, sorted), source maps left out. Throws when the entry is missing. */
export async function listBundleFiles(bundleDir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(bundleDir, { recursive: true });
  } catch (err) {
    throw new Error(`read the shim bundle ${bundleDir} (built by npm run build:shim)`, { cause: err });
  }
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.endsWith(".map")) continue;
    if ((await stat(join(bundleDir, entry))).isFile()) files.push(entry.split(sep).join("/"));
  }
  if (!files.includes(BUNDLE_ENTRY)) {
    throw new Error(`the shim bundle ${bundleDir} has no ${BUNDLE_ENTRY} (run npm run build:shim)`);
  }
  return files.sort();
}

/** A hash of a bundle's file names and contents: its directory name. */
export async function bundleIdOf(bundleDir: string, files: readonly string[]): Promise<string> {
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(await readFile(join(bundleDir, file)));
    hash.update("\0");
  }
  return hash.digest("hex").slice(0, ID_HEX_CHARS);
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if (isSystemError(err, "ENOENT")) return undefined;
    throw err;
  }
}

/** An installed bundle directory that still holds exactly the bundle it is named after. */
async function isIntact(dir: string, id: string): Promise<boolean> {
  try {
    return (await bundleIdOf(dir, await listBundleFiles(dir))) === id;
  } catch {
    return false;
  }
}

interface BundleSource {
  dir: string;
  files: string[];
  id: string;
}

async function readBundleSource(bundleDir: string): Promise<BundleSource> {
  const files = await listBundleFiles(bundleDir);
  return { dir: bundleDir, files, id: await bundleIdOf(bundleDir, files) };
}

/** Publishes the bundle as netclaim.d/bundle-<id> unless an intact copy is there; true when written. */
async function installBundle(runtimeDir: string, source: BundleSource): Promise<boolean> {
  const name = `${BUNDLE_DIR_PREFIX}${source.id}`;
  const target = join(runtimeDir, name);
  if (await isIntact(target, source.id)) return false;
  await rm(target, { recursive: true, force: true });
  const staged = await stageBundle({ sourceDir: source.dir, files: source.files, runtimeDir, name });
  await publishDirAtomic(staged, target);
  return true;
}

/** Makes the compile cache a fresh root-only directory when it is not one (or `reset`). */
async function ensureCompileCache(dir: string, reset: boolean): Promise<boolean> {
  let fresh = reset;
  try {
    const info = await lstat(dir);
    const uid = typeof process.getuid === "function" ? process.getuid() : info.uid;
    if (!info.isDirectory() || (info.mode & 0o7777) !== CACHE_MODE || info.uid !== uid) fresh = true;
  } catch (err) {
    if (!isSystemError(err, "ENOENT")) throw err;
    fresh = true;
  }
  if (fresh) await rm(dir, { recursive: true, force: true });
  await ensureDir(dir, CACHE_MODE);
  return fresh;
}

async function prune(runtimeDir: string, keep: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(runtimeDir)) {
    const oldBundle = name.startsWith(BUNDLE_DIR_PREFIX) && !keep.has(name);
    if (!oldBundle && !isTempName(name)) continue;
    await rm(join(runtimeDir, name), { recursive: true, force: true });
    removed.push(join(runtimeDir, name));
  }
  return removed;
}

function warnIfWritableByOthers(mode: number, binDir: string, logger: Logger): void {
  if ((mode & 0o022) !== 0) {
    logger.warn(
      { binDir, mode: `0${(mode & 0o7777).toString(8)}` },
      "the CNI bin dir is writable by group or others",
    );
  }
}

/** Copies the runtime unless a regular file with the same bytes is there (a symlink is replaced). */
async function installNode(source: string, target: string): Promise<boolean> {
  const existing = await lstat(target).catch(() => undefined);
  if (existing?.isFile() === true && (await sameFileContent(source, target))) {
    await ensureOwnerRoot(target);
    return false;
  }
  await copyFileAtomic(source, target, EXEC_MODE);
  return true;
}

/** Writes the launcher when its text changes; returns the bundle directory the old one ran, if any. */
async function installLauncher(
  launcher: string,
  text: string,
): Promise<{ written: boolean; previous?: string }> {
  const old = await readOptional(launcher);
  const written = old !== text;
  if (written) await writeFileAtomic(launcher, text, { mode: EXEC_MODE });
  await ensureOwnerRoot(launcher);
  const previous = bundleDirOfLauncher(old ?? "");
  return previous === undefined ? { written } : { written, previous };
}

/** Installs (or confirms) the launcher, the runtime and the bundle in `binDir`. */
export async function installShim(options: ShimInstallOptions): Promise<ShimInstallResult> {
  const { binDir, logger } = options;
  const source = await readBundleSource(options.bundleDir);
  warnIfWritableByOthers((await stat(binDir)).mode, binDir, logger);
  const runtimeDir = join(binDir, RUNTIME_DIR_NAME);
  await ensureDir(runtimeDir, DIR_MODE);
  const written: string[] = [];
  const nodeTarget = join(runtimeDir, NODE_NAME);
  if (await installNode(options.nodeBinary, nodeTarget)) written.push(nodeTarget);
  const bundleDirName = `${BUNDLE_DIR_PREFIX}${source.id}`;
  const bundleWritten = await installBundle(runtimeDir, source);
  if (bundleWritten) written.push(join(runtimeDir, bundleDirName));
  const cacheDir = join(runtimeDir, COMPILE_CACHE_DIR_NAME);
  if (!options.compileCache) await rm(cacheDir, { recursive: true, force: true });
  else if (await ensureCompileCache(cacheDir, bundleWritten)) written.push(cacheDir);
  const launcher = join(binDir, LAUNCHER_NAME);
  const text = renderLauncher({
    bundleDirName,
    compileCache: options.compileCache,
    nodeFlags: options.nodeFlags ?? [],
  });
  const launched = await installLauncher(launcher, text);
  if (launched.written) written.push(launcher);
  const removed = await prune(runtimeDir, new Set([bundleDirName, launched.previous ?? bundleDirName]));
  logger.debug(
    { launcher, bundleId: source.id, written: written.map((p) => relative(binDir, p)) },
    "shim installed",
  );
  return { launcher, bundleId: source.id, written, removed };
}
