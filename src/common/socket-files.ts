// Unix socket files, whoever serves on them (gRPC servers of the kubelet plugin, the CNI server's HTTP):
// private directories, stale sockets replaced, live ones left alone, the socket's mode fixed before it
// appears under its name.
//
// A socket that still answers belongs to a live process (a second instance, an unfinished rolling
// update) and is not taken over; a path that is not a socket is never removed. Node's `net` servers create
// their socket 0777 less the umask, so `listenUnixSocket` binds under a hidden name, chmods, then renames
// it into place: it never appears with a wider mode, and appears in one event.
//
// Public API: `SOCKET_FILE_MODE`, `SOCKET_DIR_MODE`, `SOCKET_PROBE_TIMEOUT_MS`, `SocketPathState`,
// `SocketFileCode`, `ensurePrivateDir`, `probeSocketPath`, `claimSocketPath`, `fileIdentity`, `identityOf`,
// `removeOwnSocket`, `hiddenBindingPath`, `placeUnixSocket`, `listenUnixSocket`.
import { createConnection } from "node:net";
import type { Server } from "node:net";
import type { Stats } from "node:fs";
import { chmod, lstat, mkdir, rename, rm, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { CodedError, isSystemError } from "./errors.ts";

/** Only the owner (root, the kubelet) may connect. */
export const SOCKET_FILE_MODE = 0o600;
/** Directories we create for sockets: owner rwx, group rx, nothing for others. */
export const SOCKET_DIR_MODE = 0o750;
/** How long a connect may take before a socket counts as live (a full backlog still means alive). */
export const SOCKET_PROBE_TIMEOUT_MS = 1_000;

export type SocketPathState = "absent" | "stale" | "live" | "not-a-socket";

export type SocketFileCode = "SOCKET_IN_USE" | "SOCKET_PATH_NOT_A_SOCKET";

/**
 * Creates `dir` (and parents) when missing and takes the world's permissions away when it has any.
 * Group permissions are left as they are: the kubelet's own directories may rely on them.
 */
export async function ensurePrivateDir(dir: string, mode: number = SOCKET_DIR_MODE): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode });
    const current = (await stat(dir)).mode & 0o7777;
    if ((current & 0o007) !== 0) await chmod(dir, current & ~0o007);
  } catch (cause) {
    throw new Error(`prepare socket directory ${dir}`, { cause });
  }
}

/** What is at `path`: nothing, a socket nobody listens on, a live socket, or something else. */
export async function probeSocketPath(
  path: string,
  timeoutMs: number = SOCKET_PROBE_TIMEOUT_MS,
): Promise<SocketPathState> {
  try {
    const stats = await lstat(path);
    if (!stats.isSocket()) return "not-a-socket";
  } catch (err) {
    if (isSystemError(err, "ENOENT")) return "absent";
    throw new Error(`inspect ${path}`, { cause: err });
  }
  return new Promise<SocketPathState>((resolve) => {
    const socket = createConnection({ path });
    const done = (state: SocketPathState): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(state);
    };
    const timer = setTimeout(() => done("live"), timeoutMs);
    socket.once("connect", () => done("live"));
    socket.once("error", (err) => {
      // ECONNREFUSED: nobody listens; ENOENT: removed meanwhile. EAGAIN (full backlog) means alive.
      const stale = isSystemError(err, "ECONNREFUSED") || isSystemError(err, "ENOENT");
      done(stale ? "stale" : "live");
    });
  });
}

/** Makes `path` free for a new socket: removes a stale one, refuses a live socket or a non-socket. */
export async function claimSocketPath(path: string, probeTimeoutMs?: number): Promise<void> {
  const state = await probeSocketPath(path, probeTimeoutMs);
  switch (state) {
    case "absent":
      return;
    case "stale":
      try {
        await unlink(path);
      } catch (err) {
        if (!isSystemError(err, "ENOENT")) throw new Error(`remove stale socket ${path}`, { cause: err });
      }
      return;
    case "live":
      throw new CodedError<SocketFileCode>(
        "SOCKET_IN_USE",
        `socket ${path} is in use by another process (another instance of the plugin?)`,
      );
    case "not-a-socket":
      throw new CodedError<SocketFileCode>(
        "SOCKET_PATH_NOT_A_SOCKET",
        `${path} exists and is not a socket; refusing to replace it`,
      );
  }
}

/**
 * Which file this is, to notice that a path now names another one. Inode numbers alone are reused at
 * once by some filesystems, so the birth time (or, where it is unknown, the change time) goes with it.
 */
export function fileIdentity(stats: Stats): string {
  const born = stats.birthtimeMs > 0 ? stats.birthtimeMs : stats.ctimeMs;
  return `${stats.dev}:${stats.ino}:${born}`;
}

/** The identity of the file at `path`, or undefined when there is none. */
export async function identityOf(path: string): Promise<string | undefined> {
  try {
    return fileIdentity(await lstat(path));
  } catch (err) {
    if (isSystemError(err, "ENOENT")) return undefined;
    throw new Error(`inspect ${path}`, { cause: err });
  }
}

/** Unlinks `path` if it is the socket we bound (not a newer one somebody else created). */
export async function removeOwnSocket(path: string, identity: string | undefined): Promise<void> {
  try {
    const stats = await lstat(path);
    if (!stats.isSocket() || (identity !== undefined && fileIdentity(stats) !== identity)) return;
    await unlink(path);
  } catch (err) {
    if (!isSystemError(err, "ENOENT")) throw new Error(`remove socket ${path}`, { cause: err });
  }
}

/** The hidden name a socket is bound under before it is renamed into place (watchers skip dot files). */
export function hiddenBindingPath(path: string, pid: number = process.pid): string {
  return join(dirname(path), `.${basename(path)}.binding-${pid}`);
}

export interface ListenUnixSocketOptions {
  mode?: number;
  dirMode?: number;
  probeTimeoutMs?: number;
}

/**
 * Puts a server's unix socket at `path` the one way every netclaim socket appears: the directory made
 * private, a stale socket replaced (a live one refused), the server bound under a hidden name (`bind`),
 * chmod'ed to `mode` and renamed into place, so it never appears with another mode and appears in one
 * event. On a failure after binding, `unbind` closes the server. Returns the socket file's identity, for
 * `removeOwnSocket` at stop.
 */
export async function placeUnixSocket(
  path: string,
  server: { bind(hiddenPath: string): Promise<void>; unbind(): void },
  options: ListenUnixSocketOptions = {},
): Promise<string> {
  await ensurePrivateDir(dirname(path), options.dirMode);
  await claimSocketPath(path, options.probeTimeoutMs);
  const hidden = hiddenBindingPath(path);
  await rm(hidden, { force: true });
  await server.bind(hidden);
  try {
    await chmod(hidden, options.mode ?? SOCKET_FILE_MODE);
    await rename(hidden, path);
    return fileIdentity(await lstat(path));
  } catch (cause) {
    server.unbind();
    await rm(hidden, { force: true });
    throw new Error(`put socket ${path} in place`, { cause });
  }
}

/** Makes a `net.Server` (an `http.Server` too) listen on a unix socket at `path` (placeUnixSocket). */
export function listenUnixSocket(
  server: Server,
  path: string,
  options: ListenUnixSocketOptions = {},
): Promise<string> {
  const bind = (hidden: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(new Error(`listen on ${path}`, { cause: err }));
      server.once("error", onError);
      server.listen(hidden, () => {
        server.off("error", onError);
        resolve();
      });
    });
  return placeUnixSocket(path, { bind, unbind: () => server.close() }, options);
}
