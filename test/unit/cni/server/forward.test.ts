// The shim's request over a real unix socket, against small servers standing for each way the CNI server
// can answer or fail to: nobody there (no file, a stale file), an answer, a connection cut mid-call, an
// answer that is not a /cni answer.
import { createServer as createHttpServer } from "node:http";
import type { Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import type { Server as NetServer } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { forwardCniCall } from "../../../../src/cni/shim/forward.ts";

let dir: string;
const closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "nc-forward-"));
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await rm(dir, { recursive: true, force: true });
});

function listen(server: Server | NetServer, path: string): Promise<void> {
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return new Promise((resolve) => server.listen(path, () => resolve()));
}

const body = { env: { CNI_COMMAND: "ADD" }, config: '{"name":"n"}' };

describe("forwardCniCall", () => {
  it("is down when the socket file does not exist", async () => {
    const outcome = await forwardCniCall({ socketPath: join(dir, "none.sock"), body });
    expect(outcome).toEqual({ kind: "down", reason: "ENOENT" });
  });

  it("is down when nobody listens on the socket file (a server that died)", async () => {
    const path = join(dir, "stale.sock");
    const server = createNetServer();
    await new Promise<void>((resolve) => server.listen(path, () => resolve()));
    // close without unlinking: what a killed process leaves
    const { linkSync } = await import("node:fs");
    linkSync(path, `${path}.keep`);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const outcome = await forwardCniCall({ socketPath: `${path}.keep`, body });
    expect(outcome).toEqual({ kind: "down", reason: "ECONNREFUSED" });
  });

  it("sends the body as JSON to POST /cni and reads the answer, whatever the status", async () => {
    const path = join(dir, "ok.sock");
    const seen: { method?: string; url?: string; body: string }[] = [];
    const server = createHttpServer((req, res) => {
      let text = "";
      req.on("data", (c: Buffer) => (text += c.toString()));
      req.on("end", () => {
        seen.push({ method: req.method, url: req.url, body: text });
        res.writeHead(503, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ exitCode: 1, stdout: '{"code":11}' }));
      });
    });
    await listen(server, path);
    const outcome = await forwardCniCall({ socketPath: path, body });
    expect(outcome).toEqual({ kind: "answered", status: 503, reply: { exitCode: 1, stdout: '{"code":11}' } });
    expect(seen).toEqual([{ method: "POST", url: "/cni", body: JSON.stringify(body) }]);
  });

  it("is lost when the connection is cut before the answer", async () => {
    const path = join(dir, "cut.sock");
    const server = createNetServer((socket) => socket.on("data", () => socket.destroy()));
    await listen(server, path);
    const outcome = await forwardCniCall({ socketPath: path, body });
    expect(outcome.kind).toBe("lost");
  });

  it("failed when the answer is not a /cni answer, quoting it", async () => {
    const path = join(dir, "other.sock");
    const server = createHttpServer((_req, res) => {
      res.writeHead(404);
      res.end("no such path");
    });
    await listen(server, path);
    const outcome = await forwardCniCall({ socketPath: path, body });
    expect(outcome).toEqual({ kind: "failed", reason: 'HTTP 404 "no such path"' });
  });

  it("failed (not down: DEL must not run locally) when the path cannot be a socket path", async () => {
    const outcome = await forwardCniCall({ socketPath: `${dir}/${"x".repeat(200)}.sock`, body });
    expect(outcome).toEqual({ kind: "failed", reason: expect.stringMatching(/^EINVAL: /) as unknown });
  });
});
