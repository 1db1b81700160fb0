// Unix socket files of the plugin's gRPC servers: private directories, stale sockets replaced, live
// ones left alone, the socket's mode fixed before it appears (grpc-js creates it 0777 less the umask).
// The generic helpers live in src/common/socket-files.ts (the CNI server's HTTP socket uses them too)
// and are re-exported here; this file adds binding and stopping a gRPC server.
//
// Upstream's kubeletplugin helper removes whatever is at the path before it listens. We are stricter:
// a socket that still answers belongs to a live process (a second instance, an unfinished rolling
// update) and is not taken over; a path that is not a socket is never removed.
import * as grpc from "@grpc/grpc-js";
import { placeUnixSocket, removeOwnSocket } from "../../common/socket-files.ts";
import { unixTarget } from "../../k8s/kubelet-grpc.ts";

export {
  claimSocketPath,
  ensurePrivateDir,
  fileIdentity,
  identityOf,
  probeSocketPath,
  removeOwnSocket,
  SOCKET_DIR_MODE,
  SOCKET_FILE_MODE,
  SOCKET_PROBE_TIMEOUT_MS,
} from "../../common/socket-files.ts";
export type { SocketFileCode, SocketPathState } from "../../common/socket-files.ts";

/**
 * Binds `server` to a unix socket at `path` the way every netclaim socket appears (placeUnixSocket:
 * private directory, stale socket replaced, bound hidden — watchers such as the kubelet's skip dot files —
 * chmod'ed, renamed into place), so it never appears with grpc-js's 0755 and appears in one event.
 * Returns the socket file's identity, to notice later that it was replaced.
 */
export function bindUnixSocket(
  server: grpc.Server,
  path: string,
  options: { mode?: number; dirMode?: number; probeTimeoutMs?: number } = {},
): Promise<string> {
  const bind = (hidden: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      server.bindAsync(unixTarget(hidden), grpc.ServerCredentials.createInsecure(), (err) => {
        if (err) reject(new Error(`bind gRPC server to ${path}`, { cause: err }));
        else resolve();
      });
    });
  return placeUnixSocket(path, { bind, unbind: () => server.forceShutdown() }, options);
}

/**
 * Stops `server` at once and removes its socket file when it is still the one we bound (libuv unlinks
 * it on close already; this covers the rest). Waits at most `graceMs` for calls in flight first.
 */
export async function shutdownUnixSocket(
  server: grpc.Server,
  path: string,
  boundIdentity: string | undefined,
  graceMs = 0,
): Promise<void> {
  if (graceMs > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  } else {
    server.forceShutdown();
  }
  await removeOwnSocket(path, boundIdentity);
}
