// grpc-js plumbing for the stand-in kubelet and the fake DRA plugin: servers on unix sockets,
// promise-shaped unary calls with deadlines.
import * as grpc from "@grpc/grpc-js";
import { mkdir, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { unixTarget } from "../../../src/k8s/kubelet-grpc.ts";

/** Binds `server` to a fresh unix socket at `socketPath` (parent dirs created, stale file removed). */
export async function bindUnix(server: grpc.Server, socketPath: string): Promise<void> {
  await mkdir(dirname(socketPath), { recursive: true });
  await rm(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(unixTarget(socketPath), grpc.ServerCredentials.createInsecure(), (err) => {
      if (err) reject(new Error(`bind gRPC server to ${socketPath}`, { cause: err }));
      else resolve();
    });
  });
}

/** Stops a server at once (open calls are cancelled) and removes its socket file. */
export async function shutdownUnix(server: grpc.Server, socketPath: string): Promise<void> {
  server.forceShutdown();
  await rm(socketPath, { force: true });
}

/** Deadline `ms` from now, for grpc-js call options. */
export function deadlineIn(ms: number): Date {
  return new Date(Date.now() + ms);
}

/** Turns a grpc-js callback-style unary call into a promise. */
export function unary<T>(start: (callback: grpc.requestCallback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((err, value) => {
      if (err) reject(err);
      else if (value === undefined) reject(new Error("gRPC call returned no response"));
      else resolve(value);
    });
  });
}

/** The gRPC status code of an error from a call, or undefined for other errors. */
export function grpcCode(err: unknown): grpc.status | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}
