// The installer's last step before the config: the installed plugin must start on the host itself, not
// only in the installer's image. A minimal "host" (a temp root holding /bin/sh and the shared libraries of
// sh and node at their own paths) gets the real bundle and runtime; run chrooted into it, the plugin
// answers VERSION and the config is written; the same host without libstdc++ stops the install with an
// error naming the library, before any config is written. Needs root (chroot).
import { execFile } from "node:child_process";
import { chmod, copyFile, mkdir, mkdtemp, readdir, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildShim } from "../../../scripts/build-shim.ts";
import { CniInstaller } from "../../../src/cni/install/installer.ts";
import { realClock } from "../../../src/common/clock.ts";
import { silentLogger } from "../../../src/common/logger.ts";
import { describePrivileged } from "../../harness/privileged.ts";

const run = promisify(execFile);

let work: string;
let bundleDir: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "nc-install-host-check-"));
  bundleDir = (await buildShim(join(work, "shim"))).outDir;
}, 60_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A minimal "host": /bin/sh and the shared libraries of sh and node, at their own paths. */
async function minimalHost(dir: string, { withLibstdcxx }: { withLibstdcxx: boolean }): Promise<void> {
  const libs = new Set<string>();
  for (const binary of [process.execPath, "/bin/sh"]) {
    const { stdout } = await run("ldd", [binary]);
    for (const match of stdout.matchAll(/(\/[^\s]+)/g)) if (match[1] !== undefined) libs.add(match[1]);
  }
  for (const lib of libs) {
    if (!withLibstdcxx && lib.includes("libstdc++")) continue;
    await mkdir(join(dir, dirname(lib)), { recursive: true });
    await copyFile(lib, join(dir, lib));
  }
  await mkdir(join(dir, "bin"), { recursive: true });
  await copyFile(await realpath("/bin/sh"), join(dir, "bin", "sh"));
  await chmod(join(dir, "bin", "sh"), 0o755);
  await mkdir(join(dir, "opt", "cni", "bin"), { recursive: true });
  await mkdir(join(dir, "etc", "cni", "net.d"), { recursive: true });
  await writeFile(
    join(dir, "etc", "cni", "net.d", "10-bridge.conf"),
    JSON.stringify({ cniVersion: "0.4.0", name: "cbr0", type: "bridge" }),
  );
}

function hostInstaller(hostRoot: string): CniInstaller {
  return new CniInstaller({
    hostRoot,
    binDir: "/opt/cni/bin",
    confDir: "/etc/cni/net.d",
    shim: { nodeBinary: process.execPath, bundleDir, compileCache: true, verify: "auto" },
    kubeconfigPath: "/etc/cni/net.d/netclaim.d/netclaim.kubeconfig",
    readinessTimeoutMs: 1000,
    masterTimeoutMs: 1000,
    hostNetnsDir: "auto",
    config: {},
    watch: false,
    cleanupOnExit: false,
    checkIntervalMs: 50,
    env: {},
    clock: realClock,
    logger: silentLogger(),
  });
}

describePrivileged("CniInstaller checks that the installed plugin starts on the host (chroot)", () => {
  it("writes the config when the plugin runs with the host's libraries", async () => {
    const host = join(work, "host-ok");
    await minimalHost(host, { withLibstdcxx: true });
    const report = await hostInstaller(host).start();
    expect(report.config.status).toBe("written");
    expect(await readdir(join(host, "etc", "cni", "net.d"))).toContain("00-netclaim.conf");
  });

  it("stops before the config when the host lacks a library the runtime needs", async () => {
    const host = join(work, "host-no-libstdcxx");
    await minimalHost(host, { withLibstdcxx: false });
    await expect(hostInstaller(host).start()).rejects.toMatchObject({
      code: "SHIM_BROKEN",
      message: expect.stringContaining("libstdc++.so.6") as string,
    });
    expect(await readdir(join(host, "etc", "cni", "net.d"))).not.toContain("00-netclaim.conf");
  });
});
