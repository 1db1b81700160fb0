// The CNI server's HTTP shell on a real unix socket: the socket's and its directory's modes, a stale
// socket replaced and a live one refused, the routes and their refusals, and stop: the socket goes first,
// the call in progress still gets its answer.
import { request } from "node:http";
import { createServer } from "node:net";
import { lstat, mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CniHttpServer } from "../../../../src/cni/server/http-server.ts";
import type { CniHttpServerOptions, Readiness } from "../../../../src/cni/server/http-server.ts";
import { forwardCniCall } from "../../../../src/cni/shim/forward.ts";
import { silentLogger } from "../../../../src/common/logger.ts";

let dir: string;
let servers: CniHttpServer[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "nc-cni-http-"));
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop(0);
  await rm(dir, { recursive: true, force: true });
});

async function startServer(overrides: Partial<CniHttpServerOptions> = {}): Promise<CniHttpServer> {
  const server = new CniHttpServer({
    socketPath: join(dir, "run", "cni.sock"),
    handleCall: (body) =>
      Promise.resolve({ status: 200, reply: { exitCode: 0, stdout: `ran ${body.env.CNI_COMMAND}` } }),
    readiness: () => ({ ready: true }),
    logger: silentLogger(),
    ...overrides,
  });
  await server.start();
  servers.push(server);
  return server;
}

function call(
  path: string,
  method = "GET",
  body?: string,
  socketPath = join(dir, "run", "cni.sock"),
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method, agent: false }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: text.trim() }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("CniHttpServer", () => {
  it("creates the socket 0600 in a 0700 directory", async () => {
    await startServer();
    const sock = await lstat(join(dir, "run", "cni.sock"));
    expect(sock.isSocket()).toBe(true);
    expect(sock.mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "run"))).mode & 0o777).toBe(0o700);
  });

  it("replaces a stale socket, refuses a live one and a path that is not a socket", async () => {
    await mkdir(join(dir, "run"), { recursive: true });
    const path = join(dir, "run", "cni.sock");
    const { linkSync } = await import("node:fs");
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(join(dir, "run", "dead.sock"), () => resolve()));
    linkSync(join(dir, "run", "dead.sock"), path);
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    await startServer();
    expect((await call("/healthz")).status).toBe(200);
    const second = new CniHttpServer({
      socketPath: path,
      handleCall: () => Promise.reject(new Error("unused")),
      readiness: () => ({ ready: true }),
      logger: silentLogger(),
    });
    await expect(second.start()).rejects.toThrow(/in use by another process/);
    await writeFile(join(dir, "file"), "x");
    const third = new CniHttpServer({
      socketPath: join(dir, "file"),
      handleCall: () => Promise.reject(new Error("unused")),
      readiness: () => ({ ready: true }),
      logger: silentLogger(),
    });
    await expect(third.start()).rejects.toThrow(/is not a socket/);
  });

  it("serves /healthz always and /readyz as readiness says", async () => {
    let readiness: Readiness = { ready: false, reason: "informer caches not synced yet" };
    await startServer({ readiness: () => readiness });
    expect(await call("/healthz")).toEqual({ status: 200, text: "ok" });
    expect(await call("/readyz")).toEqual({ status: 503, text: "informer caches not synced yet" });
    readiness = { ready: true };
    expect(await call("/readyz")).toEqual({ status: 200, text: "ok" });
  });

  it.each([
    { name: "an unknown path", path: "/x", method: "GET", body: undefined, status: 404 },
    { name: "GET /cni", path: "/cni", method: "GET", body: undefined, status: 405 },
    { name: "a body that is not a call", path: "/cni", method: "POST", body: '{"env":1}', status: 400 },
    { name: "a body over the limit", path: "/cni", method: "POST", body: "x".repeat(2048), status: 413 },
  ])("refuses $name with $status", async ({ path, method, body, status }) => {
    await startServer({ maxBodyBytes: 1024 });
    expect((await call(path, method, body)).status).toBe(status);
  });

  it("answers a call with the handler's status and reply", async () => {
    await startServer();
    const outcome = await forwardCniCall({
      socketPath: join(dir, "run", "cni.sock"),
      body: { env: { CNI_COMMAND: "DEL" }, config: "{}" },
    });
    expect(outcome).toEqual({ kind: "answered", status: 200, reply: { exitCode: 0, stdout: "ran DEL" } });
  });

  it("stop removes the socket at once and lets the call in progress answer", async () => {
    let release: () => void = () => undefined;
    let entered: () => void = () => undefined;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const server = await startServer({
      handleCall: async () => {
        entered();
        await new Promise<void>((resolve) => (release = resolve));
        return { status: 200, reply: { exitCode: 0, stdout: "finished" } };
      },
    });
    const path = join(dir, "run", "cni.sock");
    const inFlight = forwardCniCall({
      socketPath: path,
      body: { env: { CNI_COMMAND: "ADD" }, config: "{}" },
    });
    await inHandler;
    const stopped = server.stop(10_000);
    await expect
      .poll(() =>
        lstat(path).then(
          () => "there",
          () => "gone",
        ),
      )
      .toBe("gone");
    expect(await forwardCniCall({ socketPath: path, body: { env: {}, config: "" } })).toEqual({
      kind: "down",
      reason: "ENOENT",
    });
    release();
    expect(await inFlight).toMatchObject({ kind: "answered", reply: { stdout: "finished" } });
    await stopped;
    servers = servers.filter((s) => s !== server);
  });
});
