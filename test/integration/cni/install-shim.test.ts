// The host install of the plugin, for real: the esbuild bundle (scripts/build-shim.ts) and the pinned Node
// runtime installed into a temp "host" bin dir, then the installed launcher run the way a runtime runs a
// CNI plugin (absolute path, CNI_COMMAND=VERSION, a minimal environment) answers with the version JSON.
// Also: the installed tree's modes and owner, a second install that writes nothing, an upgrade that keeps
// the previous bundle (for plugins started before it) and prunes older ones, and a replaced `node` while
// the old one runs.
import { execFile, spawn } from "node:child_process";
import {
  appendFile,
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildShim } from "../../../scripts/build-shim.ts";
import { installShim } from "../../../src/cni/install/shim-install.ts";
import pkg from "../../../package.json" with { type: "json" };
import { SUPPORTED_VERSIONS } from "../../../src/cni/protocol/version.ts";
import { silentLogger } from "../../../src/common/logger.ts";

const run = promisify(execFile);
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

let work: string;
let bundleDir: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "nc-install-shim-"));
  bundleDir = (await buildShim(join(work, "shim"))).outDir;
}, 60_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Runs a plugin the way a runtime does: env, config on stdin, stdout collected. */
async function runPlugin(
  file: string,
  env: NodeJS.ProcessEnv,
  stdin: string,
): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(file, [], { env, stdio: ["pipe", "pipe", "inherit"] });
  child.stdin.end(stdin);
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { code, stdout };
}

async function tree(dir: string): Promise<{ path: string; mode: number; uid: number; isDir: boolean }[]> {
  const names = await readdir(dir, { recursive: true });
  const out = [];
  for (const name of names) {
    const info = await stat(join(dir, name));
    out.push({ path: name, mode: info.mode & 0o7777, uid: info.uid, isDir: info.isDirectory() });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

async function fakeBundle(name: string, marker: string): Promise<string> {
  const dir = join(work, name);
  await mkdir(join(dir, "chunks"), { recursive: true });
  await writeFile(join(dir, "netclaim.mjs"), `import "./chunks/part.mjs"; // ${marker}\n`);
  await writeFile(join(dir, "chunks", "part.mjs"), `export const marker = ${JSON.stringify(marker)};\n`);
  await writeFile(join(dir, "package.json"), '{"type":"module"}\n');
  await writeFile(join(dir, "netclaim.mjs.map"), "{}");
  return dir;
}

describe("installShim with the real bundle and runtime", () => {
  let binDir: string;
  beforeAll(async () => {
    binDir = join(work, "host", "opt", "cni", "bin");
    await mkdir(binDir, { recursive: true });
  });

  it("installs a launcher that answers VERSION without any Node on PATH", async () => {
    const result = await installShim({
      binDir,
      nodeBinary: process.execPath,
      bundleDir,
      compileCache: true,
      logger: silentLogger(),
    });
    expect(result.launcher).toBe(join(binDir, "netclaim"));
    const { code, stdout } = await runPlugin(
      result.launcher,
      { CNI_COMMAND: "VERSION", PATH: "/nonexistent" },
      '{"cniVersion":"1.0.0"}',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ cniVersion: "1.1.0", supportedVersions: [...SUPPORTED_VERSIONS] });
  });

  it("installs a bundle that carries its own version and the kubelet's protos (nothing of the source tree)", async () => {
    const bundles = (await readdir(join(binDir, "netclaim.d"))).filter((n) => n.startsWith("bundle-"));
    expect(bundles).toHaveLength(1);
    const bundle = join(binDir, "netclaim.d", bundles[0] ?? "");
    // the standalone plugin loads PodResources from them for a NAD with a resourceName
    await expect(
      readFile(join(bundle, "proto", "podresources", "v1", "api.proto"), "utf8"),
    ).resolves.toContain("service PodResourcesLister");
    const entry = join(bundle, "netclaim.mjs");
    const { stdout } = await promisify(execFile)(process.execPath, [entry, "--version"], { cwd: "/" });
    expect(stdout.trim()).toBe(pkg.version);
  });

  it("reads the config from stdin like any CNI plugin (an error reply for a bad config)", async () => {
    const env = {
      CNI_COMMAND: "ADD",
      CNI_CONTAINERID: "c1",
      CNI_NETNS: "/run/netns/none",
      CNI_IFNAME: "eth0",
      CNI_PATH: "/opt/cni/bin",
    };
    const { code, stdout } = await runPlugin(
      join(binDir, "netclaim"),
      env,
      '{"cniVersion":"1.0.0","name":"x","type":"netclaim"}',
    );
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ cniVersion: "1.0.0", code: expect.any(Number) as number });
  });

  it("leaves a root-owned tree nobody else can write, the compile cache root-only", async () => {
    const entries = await tree(binDir);
    expect(entries.length).toBeGreaterThan(5);
    for (const entry of entries) {
      expect.soft((entry.mode & 0o022) === 0, `${entry.path} is group/world writable`).toBe(true);
      if (isRoot) expect.soft(entry.uid, `${entry.path} owner`).toBe(0);
    }
    const modes = Object.fromEntries(entries.map((e) => [e.path, e.mode]));
    expect(modes.netclaim).toBe(0o755);
    expect(modes["netclaim.d"]).toBe(0o755);
    expect(modes["netclaim.d/node"]).toBe(0o755);
    expect(modes["netclaim.d/compile-cache"]).toBe(0o700);
    const bundle = entries.find((e) => e.isDir && /^netclaim\.d\/bundle-[0-9a-f]{16}$/.test(e.path));
    expect(bundle?.mode).toBe(0o755);
    const files = entries.filter((e) => !e.isDir && e.path.startsWith(`${bundle?.path ?? "?"}/`));
    expect(files.map((f) => relative(bundle?.path ?? "", f.path))).toContain("netclaim.mjs");
    expect(files.some((f) => f.path.endsWith(".map"))).toBe(false);
    for (const file of files) expect(file.mode).toBe(0o644);
    expect(
      await readFile(join(binDir, "netclaim.d", bundle?.path.split("/")[1] ?? "", "package.json"), "utf8"),
    ).toContain('"module"');
  });

  it("writes nothing on a second install of the same bundle and runtime", async () => {
    const again = await installShim({
      binDir,
      nodeBinary: process.execPath,
      bundleDir,
      compileCache: true,
      logger: silentLogger(),
    });
    expect(again.written).toEqual([]);
    expect(again.removed).toEqual([]);
  });

  it("replaces the runtime while it runs (no 'text file busy'), the running process unharmed", async () => {
    const installedNode = join(binDir, "netclaim.d", "node");
    const running = spawn(installedNode, [
      "-e",
      "setTimeout(() => process.stdout.write('still here'), 1500)",
    ]);
    let out = "";
    running.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => running.on("exit", resolve));
    await new Promise((resolve) => running.once("spawn", resolve));
    const newer = join(work, "node-newer");
    await copyFile(process.execPath, newer);
    await appendFile(newer, "\n"); // different bytes, still the same working ELF
    const result = await installShim({
      binDir,
      nodeBinary: newer,
      bundleDir,
      compileCache: true,
      logger: silentLogger(),
    });
    expect(result.written).toEqual([installedNode]);
    expect(await exited).toBe(0);
    expect(out).toBe("still here");
    const { stdout } = await run(installedNode, ["-p", "process.versions.node"]);
    expect(stdout.trim()).toBe(process.versions.node);
  });

  it("makes a compile cache that others could write root-only again", async () => {
    const cache = join(binDir, "netclaim.d", "compile-cache");
    await rm(cache, { recursive: true });
    await mkdir(cache, { mode: 0o777 });
    await writeFile(join(cache, "planted"), "x");
    const result = await installShim({
      binDir,
      nodeBinary: process.execPath,
      bundleDir,
      compileCache: true,
      logger: silentLogger(),
    });
    expect(result.written).toContain(cache);
    expect((await stat(cache)).mode & 0o7777).toBe(0o700);
    expect(await readdir(cache)).toEqual([]);
  });
});

describe("installShim upgrades", () => {
  it("keeps the previous bundle, prunes older ones and temp leftovers, replaces node by rename", async () => {
    const binDir = join(work, "upgrade", "bin");
    await mkdir(binDir, { recursive: true });
    const fakeNode = join(work, "fake-node");
    await writeFile(fakeNode, '#!/bin/sh\necho "node v1 $*"\n', { mode: 0o755 });
    const logger = silentLogger();
    const install = (bundle: string) =>
      installShim({ binDir, nodeBinary: fakeNode, bundleDir: bundle, compileCache: false, logger });
    const first = await install(await fakeBundle("b1", "one"));
    const bundles = async () =>
      (await readdir(join(binDir, "netclaim.d"))).filter((n) => n.startsWith("bundle-")).sort();
    expect(await bundles()).toEqual([`bundle-${first.bundleId}`]);

    const nodeBefore = await stat(join(binDir, "netclaim.d", "node"));
    await writeFile(fakeNode, '#!/bin/sh\necho "node v2 $*"\n', { mode: 0o755 });
    await writeFile(join(binDir, "netclaim.d", ".node.tmp-1-dead"), "half");
    const second = await install(await fakeBundle("b2", "two"));
    expect(second.bundleId).not.toBe(first.bundleId);
    expect(await bundles()).toEqual([`bundle-${first.bundleId}`, `bundle-${second.bundleId}`].sort());
    expect(second.removed).toEqual([join(binDir, "netclaim.d", ".node.tmp-1-dead")]);
    const nodeAfter = await stat(join(binDir, "netclaim.d", "node"));
    expect(nodeAfter.ino).not.toBe(nodeBefore.ino); // a new file renamed in, not rewritten in place

    const third = await install(await fakeBundle("b3", "three"));
    expect(await bundles()).toEqual([`bundle-${second.bundleId}`, `bundle-${third.bundleId}`].sort());
    expect(third.removed).toEqual([join(binDir, "netclaim.d", `bundle-${first.bundleId}`)]);
    const { stdout } = await run(join(binDir, "netclaim"), ["x"]);
    expect(stdout.trim()).toBe(
      `node v2 ${join(binDir, "netclaim.d", `bundle-${third.bundleId}`, "netclaim.mjs")} cni x`,
    );
    expect(await readdir(join(binDir, "netclaim.d"))).not.toContain("compile-cache");
  });

  it("repairs an installed bundle whose files were changed, and a runtime replaced by a symlink", async () => {
    const binDir = join(work, "repair", "bin");
    await mkdir(binDir, { recursive: true });
    const fakeNode = join(work, "fake-node-r");
    await writeFile(fakeNode, "#!/bin/sh\n", { mode: 0o755 });
    const bundle = await fakeBundle("br", "repair");
    const options = {
      binDir,
      nodeBinary: fakeNode,
      bundleDir: bundle,
      compileCache: false,
      logger: silentLogger(),
    };
    const first = await installShim(options);
    const installed = join(binDir, "netclaim.d", `bundle-${first.bundleId}`, "chunks", "part.mjs");
    await writeFile(installed, "tampered");
    const second = await installShim(options);
    expect(second.written).toEqual([join(binDir, "netclaim.d", `bundle-${first.bundleId}`)]);
    expect(await readFile(installed, "utf8")).toContain('"repair"');
    const node = join(binDir, "netclaim.d", "node");
    await rm(node);
    await symlink(fakeNode, node); // same bytes behind it, but not our file
    const third = await installShim(options);
    expect(third.written).toEqual([node]);
    expect((await lstat(node)).isFile()).toBe(true);
  });

  it("refuses a bundle directory without the entry", async () => {
    const empty = join(work, "empty-bundle");
    await mkdir(empty, { recursive: true });
    const binDir = join(work, "refuse", "bin");
    await mkdir(binDir, { recursive: true });
    await expect(
      installShim({
        binDir,
        nodeBinary: process.execPath,
        bundleDir: empty,
        compileCache: false,
        logger: silentLogger(),
      }),
    ).rejects.toThrow(/has no netclaim\.mjs/);
  });
});
