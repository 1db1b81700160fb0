// `netclaim install-cni` as the DaemonSet runs it: a real process from the CLI entry, flags and env, one
// pass exiting 0 (reference plugins copied where the host lacks them); `--watch --cleanup-config-on-exit` running until SIGTERM, then removing its config and
// exiting 0; invalid flags exiting 2 with the problem named; `--help` listing the flags.
import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const run = promisify(execFile);
const CLI = new URL("../../../src/cli/main.ts", import.meta.url).pathname;
const CONF = "/etc/cni/net.d";

let root: string;
let saDir: string;

const local = (hostPath: string): string => join(root, hostPath);
const exists = (hostPath: string): Promise<boolean> =>
  stat(local(hostPath)).then(
    () => true,
    () => false,
  );

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    KUBERNETES_SERVICE_HOST: "fd00::1",
    KUBERNETES_SERVICE_PORT: "443",
    NETCLAIM_HOST_ROOT: root,
    NETCLAIM_SERVICE_ACCOUNT_DIR: saDir,
    NETCLAIM_INSTALL_SHIM: "false",
    ...extra,
  };
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "nc-install-cli-"));
  saDir = join(root, "sa");
  await mkdir(saDir);
  await writeFile(join(saDir, "token"), "cli-token");
  await writeFile(join(saDir, "ca.crt"), "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n");
  await mkdir(local(CONF), { recursive: true });
  await writeFile(
    local(`${CONF}/10-bridge.conflist`),
    JSON.stringify({ cniVersion: "1.0.0", name: "cbr0", plugins: [{ type: "bridge" }] }),
  );
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("netclaim install-cni", () => {
  it("installs once and exits 0", async () => {
    await run(process.execPath, [CLI, "install-cni", "--cni-log-level", "verbose", "--namespace-isolation"], {
      env: env(),
    });
    const list = JSON.parse(await readFile(local(`${CONF}/00-netclaim.conflist`), "utf8")) as {
      plugins: Record<string, unknown>[];
    };
    expect(list.plugins[0]).toMatchObject({
      type: "netclaim",
      clusterNetwork: `${CONF}/10-bridge.conflist`,
      logLevel: "verbose",
      namespaceIsolation: true,
    });
    const kubeconfig = await readFile(local(`${CONF}/netclaim.d/netclaim.kubeconfig`), "utf8");
    expect(kubeconfig).toContain('server: "https://[fd00::1]:443"');
  });

  it("copies the reference plugins the host lacks into the CNI bin dir, never replacing one", async () => {
    const source = join(root, "image", "cni-plugins");
    await mkdir(source, { recursive: true });
    for (const name of ["bridge", "host-local", "macvlan"]) {
      await writeFile(join(source, name), `#!/bin/sh\necho image-${name}\n`, { mode: 0o755 });
    }
    await writeFile(join(source, "README"), "not a plugin\n", { mode: 0o644 });
    await mkdir(local("/opt/cni/bin"), { recursive: true });
    await writeFile(local("/opt/cni/bin/bridge"), "#!/bin/sh\necho host-bridge\n", { mode: 0o755 });
    await run(process.execPath, [CLI, "install-cni", `--reference-cni-plugins-dir=${source}`], {
      env: env(),
    });
    expect(await readFile(local("/opt/cni/bin/bridge"), "utf8")).toContain("host-bridge");
    expect(await readFile(local("/opt/cni/bin/macvlan"), "utf8")).toContain("image-macvlan");
    expect((await stat(local("/opt/cni/bin/host-local"))).mode & 0o777).toBe(0o755);
    expect(await exists("/opt/cni/bin/README")).toBe(false);
  });

  it("with --watch --cleanup-config-on-exit runs until SIGTERM, then removes its config and exits 0", async () => {
    const child = spawn(
      process.execPath,
      [CLI, "install-cni", "--watch", "--cleanup-config-on-exit", "--check-interval", "100ms"],
      { env: env(), stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      await waitFor("the config", () => exists(`${CONF}/00-netclaim.conflist`));
      await writeFile(join(saDir, "token"), "rotated-token");
      await waitFor("the rotated token", async () =>
        (await readFile(local(`${CONF}/netclaim.d/netclaim.kubeconfig`), "utf8")).includes("rotated-token"),
      );
      expect(stderr).not.toContain("rotated-token");
      expect(stderr).not.toContain("cli-token");
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    expect(await exists(`${CONF}/00-netclaim.conflist`)).toBe(false);
    expect(await exists(`${CONF}/netclaim.d/netclaim.kubeconfig`)).toBe(true);
    expect(stderr).toContain("CNI config removed on exit");
  });

  it.each([
    [["--cni-version", "7.0.0"], /--cni-version/],
    [["--master-cni-file", "00-netclaim.conf"], /--master-cni-file/],
    [["--check-interval", "soon"], /--check-interval/],
  ])("exits 2 on %j", async (args, want) => {
    const failed = await run(process.execPath, [CLI, "install-cni", ...args], { env: env() }).catch(
      (err: unknown) => err as { code: number; stderr: string },
    );
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toMatch(want);
    expect(await exists(`${CONF}/00-netclaim.conflist`)).toBe(false);
  });

  it("exits 1 when the install fails (no service account files)", async () => {
    const failed = await run(process.execPath, [CLI, "install-cni"], {
      env: env({ NETCLAIM_SERVICE_ACCOUNT_DIR: join(root, "nowhere") }),
    }).catch((err: unknown) => err as { code: number; stderr: string });
    expect(failed).toMatchObject({ code: 1 });
    // Token and CA are both missing; the installer reads them concurrently, so either may be named.
    expect((failed as { stderr: string }).stderr).toMatch(
      /the service account (token|CA) \S+ does not exist/,
    );
  });

  it("lists its flags with --help", async () => {
    const { stdout } = await run(process.execPath, [CLI, "install-cni", "--help"], { env: env() });
    for (const flag of [
      "--cni-bin-dir",
      "--cni-conf-dir",
      "--master-cni-file",
      "--readiness-indicator-file",
      "--host-netns-dir",
    ]) {
      expect(stdout).toContain(flag);
    }
  });
});
