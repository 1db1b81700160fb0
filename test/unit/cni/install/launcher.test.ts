// The launcher script: run by /bin/sh from a temp "bin dir" with a stand-in `node` that prints what it
// got, it passes the bundle entry, `cni` and every argument intact, finds its directory from $0 (also
// with spaces in the path), sets NODE_COMPILE_CACHE only when asked, and keeps the environment.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bundleDirOfLauncher, renderLauncher } from "../../../../src/cni/install/launcher.ts";

const run = promisify(execFile);

// Prints one line per argument, then the two variables the launcher may touch.
const FAKE_NODE = [
  "#!/bin/sh",
  'for a in "$@"; do printf "arg=%s\\n" "$a"; done',
  'printf "cache=%s\\n" "${NODE_COMPILE_CACHE-unset}"',
  'printf "ca=%s\\n" "${NODE_EXTRA_CA_CERTS-unset}"',
  "",
].join("\n");

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "nc-launcher-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function installFake(binDir: string, text: string): Promise<string> {
  await mkdir(join(binDir, "netclaim.d"), { recursive: true });
  await writeFile(join(binDir, "netclaim.d", "node"), FAKE_NODE, { mode: 0o755 });
  await writeFile(join(binDir, "netclaim"), text, { mode: 0o755 });
  return join(binDir, "netclaim");
}

describe("renderLauncher", () => {
  const cases: { name: string; binDir: string; compileCache: boolean; nodeFlags: string[] }[] = [
    { name: "plain", binDir: "bin", compileCache: true, nodeFlags: [] },
    { name: "a path with spaces", binDir: "opt cni/b i n", compileCache: true, nodeFlags: [] },
    {
      name: "no compile cache, node flags",
      binDir: "bin",
      compileCache: false,
      nodeFlags: ["--max-old-space-size=96"],
    },
  ];
  it.each(cases)("runs node on the bundle: $name", async ({ binDir, compileCache, nodeFlags }) => {
    const dir = join(root, binDir);
    const launcher = await installFake(
      dir,
      renderLauncher({ bundleDirName: "bundle-abc123", compileCache, nodeFlags }),
    );
    const { stdout } = await run(launcher, ["one", "two words", "", "$HOME"], {
      env: { PATH: "/usr/bin:/bin", NODE_EXTRA_CA_CERTS: "/etc/ssl/ca.pem" },
    });
    const entry = join(dir, "netclaim.d", "bundle-abc123", "netclaim.mjs");
    expect(stdout.split("\n").filter((l) => l !== "")).toEqual([
      ...nodeFlags.map((f) => `arg=${f}`),
      `arg=${entry}`,
      "arg=cni",
      "arg=one",
      "arg=two words",
      "arg=",
      "arg=$HOME",
      `cache=${compileCache ? join(dir, "netclaim.d", "compile-cache") : "unset"}`,
      "ca=/etc/ssl/ca.pem",
    ]);
  });

  it("finds itself through PATH when run by its bare name", async () => {
    const dir = join(root, "bin");
    await installFake(dir, renderLauncher({ bundleDirName: "bundle-x", compileCache: false }));
    const { stdout } = await run("/bin/sh", ["-c", "netclaim"], { env: { PATH: `${dir}:/usr/bin:/bin` } });
    expect(stdout).toContain(`arg=${join(dir, "netclaim.d", "bundle-x", "netclaim.mjs")}`);
  });

  it.each(["bundle x", "../etc", "b$(id)", ""])("refuses the bundle name %j", (bundleDirName) => {
    expect(() => renderLauncher({ bundleDirName, compileCache: true })).toThrow(/not a plain name/);
  });

  it.each(["-x", "--a b", "--x;rm", "--$(id)"])("refuses the node option %j", (flag) => {
    expect(() => renderLauncher({ bundleDirName: "b", compileCache: true, nodeFlags: [flag] })).toThrow(
      /not a plain --option/,
    );
  });
});

describe("bundleDirOfLauncher", () => {
  it("reads back the bundle a launcher runs", () => {
    expect(bundleDirOfLauncher(renderLauncher({ bundleDirName: "bundle-0a1b", compileCache: true }))).toBe(
      "bundle-0a1b",
    );
  });
  it.each(["", "#!/bin/sh\nexec /usr/bin/multus\n"])("is undefined for %j", (text) => {
    expect(bundleDirOfLauncher(text)).toBeUndefined();
  });
});
