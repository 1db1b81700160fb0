// Socket files on a real filesystem: what counts as stale, live or foreign, and what binding leaves
// behind (modes of the socket and its directory).
import * as grpc from "@grpc/grpc-js";
import { createServer } from "node:net";
import type { Server } from "node:net";
import { chmod, link, lstat, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  bindUnixSocket,
  claimSocketPath,
  ensurePrivateDir,
  fileIdentity,
  probeSocketPath,
  removeOwnSocket,
} from "../../../../src/kubelet-plugin/registration/socket-files.ts";

let dir: string;
const servers: Server[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "netclaim-sockets-"));
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  await rm(dir, { recursive: true, force: true });
});

async function liveSocket(path: string): Promise<void> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
}

/** A socket file nobody listens on: a hard link to a live socket whose server then closes. */
async function staleSocket(path: string): Promise<void> {
  const server = createServer();
  const live = `${path}.live`;
  await new Promise<void>((resolve) => server.listen(live, resolve));
  await link(live, path);
  await new Promise((resolve) => server.close(resolve));
}

describe("probeSocketPath and claimSocketPath", () => {
  it.each([
    { name: "nothing there", setup: () => Promise.resolve(), state: "absent", claim: "ok" },
    { name: "a socket nobody listens on", setup: staleSocket, state: "stale", claim: "ok" },
    { name: "a live socket", setup: liveSocket, state: "live", claim: /in use by another process/ },
    {
      name: "a regular file",
      setup: (p: string) => writeFile(p, "keep me"),
      state: "not-a-socket",
      claim: /is not a socket; refusing to replace it/,
    },
  ])("$name", async ({ setup, state, claim }) => {
    const path = join(dir, "x.sock");
    await setup(path);
    expect(await probeSocketPath(path)).toBe(state);
    if (claim === "ok") {
      await claimSocketPath(path);
      await expect(lstat(path)).rejects.toMatchObject({ code: "ENOENT" });
    } else {
      await expect(claimSocketPath(path)).rejects.toThrow(claim);
      expect((await lstat(path)).isFile() || (await lstat(path)).isSocket()).toBe(true);
    }
  });

  it("leaves a regular file's content alone", async () => {
    const path = join(dir, "x.sock");
    await writeFile(path, "keep me");
    await expect(claimSocketPath(path)).rejects.toThrow();
    expect(await readFile(path, "utf8")).toBe("keep me");
  });
});

describe("ensurePrivateDir", () => {
  it.each([
    { name: "creates a missing dir 0750", before: undefined, want: 0o750 },
    { name: "takes world access away", before: 0o777, want: 0o770 },
    { name: "keeps a private dir as it is", before: 0o700, want: 0o700 },
  ])("$name", async ({ before, want }) => {
    const target = join(dir, "a", "b");
    if (before !== undefined) {
      await mkdir(target, { recursive: true });
      await chmod(target, before);
    }
    await ensurePrivateDir(target);
    expect((await stat(target)).mode & 0o777).toBe(want);
  });
});

describe("bindUnixSocket", () => {
  it("binds with mode 0600 in a 0750 directory, replacing a stale socket", async () => {
    const path = join(dir, "plugins", "netclaim.dev", "dra.sock");
    await mkdir(join(dir, "plugins", "netclaim.dev"), { recursive: true });
    await staleSocket(path);
    const server = new grpc.Server();
    try {
      const identity = await bindUnixSocket(server, path);
      const stats = await lstat(path);
      expect(stats.isSocket()).toBe(true);
      expect(fileIdentity(stats)).toBe(identity);
      expect(stats.mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, "plugins", "netclaim.dev"))).mode & 0o007).toBe(0);
      expect(await probeSocketPath(path)).toBe("live");
    } finally {
      server.forceShutdown();
    }
  });

  it("refuses to take over a socket another server answers on", async () => {
    const path = join(dir, "dra.sock");
    await liveSocket(path);
    const server = new grpc.Server();
    await expect(bindUnixSocket(server, path)).rejects.toMatchObject({ code: "SOCKET_IN_USE" });
    server.forceShutdown();
  });
});

describe("removeOwnSocket", () => {
  it("removes only the socket with the given identity", async () => {
    const path = join(dir, "r.sock");
    await staleSocket(path);
    const identity = fileIdentity(await lstat(path));
    await removeOwnSocket(path, `${identity}-other`);
    expect((await lstat(path)).isSocket()).toBe(true);
    await removeOwnSocket(path, identity);
    await expect(lstat(path)).rejects.toMatchObject({ code: "ENOENT" });
    await removeOwnSocket(path, identity); // already gone: fine
  });
});
