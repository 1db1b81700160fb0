// The installer's config and kubeconfig work against a temp "host" (a host root with etc/cni/net.d, a
// projected-style service-account volume, run/ and var/run/): the generated config wraps the master and
// parses as the plugin parses it; with --watch it follows master changes (content, version → .conflist, a
// new first file, the master gone: kept) and token rotation; a missing readiness file is waited for
// (bounded) and, when it goes later, removes the config until it is back; stop() removes the config only
// with cleanup; both netns layouts. Real files, real timers with a short period, waits bounded.
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  unlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseNetConf } from "../../../src/api/netconf.ts";
import { CniInstaller } from "../../../src/cni/install/installer.ts";
import type { CniInstallerOptions } from "../../../src/cni/install/installer.ts";
import { planKubeAccess } from "../../../src/cni/standalone/kube-access.ts";
import { realClock } from "../../../src/common/clock.ts";
import { captureLogger } from "../../fakes/logger.ts";

const CONF = "/etc/cni/net.d";
const ENV = { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };
const CA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
const calico = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    cniVersion: "0.3.1",
    name: "k8s-pod-network",
    plugins: [{ type: "calico" }, { type: "portmap", capabilities: { portMappings: true } }],
    ...extra,
  });

let root: string;
let saDir: string;
let rotation = 0;
const running: CniInstaller[] = [];

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const local = (hostPath: string): string => join(root, hostPath);
const readLocal = (hostPath: string): Promise<string> => readFile(local(hostPath), "utf8");
const exists = async (hostPath: string): Promise<boolean> =>
  stat(local(hostPath)).then(
    () => true,
    () => false,
  );

/** A projected volume's update, as the kubelet's atomic writer does it: new dir, swap the ..data link. */
async function projectToken(token: string): Promise<void> {
  const dir = `..2026_01_01_00_00_00.${++rotation}`;
  await mkdir(join(saDir, dir));
  await writeFile(join(saDir, dir, "token"), token);
  await writeFile(join(saDir, dir, "ca.crt"), CA);
  await writeFile(join(saDir, dir, "namespace"), "kube-system");
  await symlink(dir, join(saDir, "..data_tmp"));
  await rename(join(saDir, "..data_tmp"), join(saDir, "..data"));
}

async function tokenInKubeconfig(): Promise<string> {
  const doc = parse(await readLocal(`${CONF}/netclaim.d/netclaim.kubeconfig`)) as unknown;
  const access = planKubeAccess(doc, "/");
  return access.kind === "direct" && access.plan.auth.kind === "token" ? access.plan.auth.token : "";
}

function installer(extra: Partial<CniInstallerOptions> = {}): {
  installer: CniInstaller;
  log: ReturnType<typeof captureLogger>;
} {
  const log = captureLogger();
  const made = new CniInstaller({
    hostRoot: root,
    binDir: "/opt/cni/bin",
    confDir: CONF,
    kubeconfigPath: `${CONF}/netclaim.d/netclaim.kubeconfig`,
    serviceAccountDir: saDir,
    readinessTimeoutMs: 2000,
    masterTimeoutMs: 2000,
    hostNetnsDir: "auto",
    config: {},
    watch: false,
    cleanupOnExit: false,
    checkIntervalMs: 50,
    env: ENV,
    clock: realClock,
    logger: log.logger,
    ...extra,
  });
  running.push(made);
  return { installer: made, log };
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "nc-install-host-"));
  saDir = join(root, "pod", "serviceaccount");
  await mkdir(saDir, { recursive: true });
  for (const d of [CONF, "/opt/cni/bin", "/run", "/var"]) await mkdir(local(d), { recursive: true });
  await symlink("/run", local("/var/run"));
  for (const name of ["token", "ca.crt", "namespace"]) await symlink(`..data/${name}`, join(saDir, name));
  await projectToken("token-1");
  await writeFile(local(`${CONF}/10-calico.conflist`), calico());
});
afterEach(async () => {
  for (const made of running.splice(0)) await made.stop();
  await rm(root, { recursive: true, force: true });
});

describe("CniInstaller: one pass", () => {
  it("writes the config around the first master and the kubeconfig from the service account", async () => {
    await writeFile(local(`${CONF}/README`), "not a config");
    await writeFile(
      local(`${CONF}/20-later.conf`),
      JSON.stringify({ cniVersion: "0.3.1", name: "b", type: "bridge" }),
    );
    const { installer: made } = installer({ readinessIndicatorFile: "/run/ready" });
    await writeFile(local("/run/ready"), "");
    const report = await made.start();
    expect(report.config).toMatchObject({ status: "written", master: "10-calico.conflist", shadowedBy: [] });
    expect(report.kubeconfig).toBe("written");
    const text = await readLocal(`${CONF}/00-netclaim.conf`);
    const netconf = parseNetConf(text);
    expect(netconf).toMatchObject({
      type: "netclaim",
      cniVersion: "0.3.1",
      clusterNetwork: `${CONF}/10-calico.conflist`,
      kubeconfig: `${CONF}/netclaim.d/netclaim.kubeconfig`,
      readinessindicatorfile: "/run/ready",
      capabilities: { portMappings: true },
    });
    expect((await stat(local(`${CONF}/00-netclaim.conf`))).mode & 0o777).toBe(0o600);
    expect((await stat(local(`${CONF}/netclaim.d/netclaim.kubeconfig`))).mode & 0o777).toBe(0o600);
    expect(await tokenInKubeconfig()).toBe("token-1");
    const again = await installer({ readinessIndicatorFile: "/run/ready" }).installer.start();
    expect([again.config.status, again.kubeconfig]).toEqual(["unchanged", "unchanged"]);
  });

  it("uses a named master, and warns about a file that sorts before ours", async () => {
    await writeFile(
      local(`${CONF}/00-aaa.conf`),
      JSON.stringify({ cniVersion: "1.0.0", name: "a", type: "bridge" }),
    );
    const { installer: made, log } = installer({ masterCniFile: "10-calico.conflist" });
    const report = await made.start();
    expect(report.config).toMatchObject({ master: "10-calico.conflist", shadowedBy: ["00-aaa.conf"] });
    expect(log.lines().some((l) => String(l.msg).includes("will not call netclaim"))).toBe(true);
  });

  it("fails after the bounded wait when no master appears, writing nothing", async () => {
    await unlink(local(`${CONF}/10-calico.conflist`));
    const { installer: made } = installer({ masterTimeoutMs: 200 });
    await expect(made.start()).rejects.toMatchObject({ code: "TIMEOUT" });
    expect((await readdir(local(CONF))).filter((n) => n.startsWith("00-"))).toEqual([]);
  });

  it("waits for a master that appears later", async () => {
    await unlink(local(`${CONF}/10-calico.conflist`));
    const { installer: made } = installer({ masterTimeoutMs: 5000 });
    const started = made.start();
    setTimeout(() => void writeFile(local(`${CONF}/30-flannel.conf`), calico()), 150);
    expect((await started).config.master).toBe("30-flannel.conf");
  });
});

describe("CniInstaller: readiness indicator file", () => {
  it("times out (bounded) without writing the config when the file never comes", async () => {
    const { installer: made } = installer({ readinessIndicatorFile: "/run/ready", readinessTimeoutMs: 150 });
    await expect(made.start()).rejects.toMatchObject({ code: "TIMEOUT" });
    expect(await exists(`${CONF}/00-netclaim.conf`)).toBe(false);
  });

  it("writes the config once the file appears", async () => {
    const { installer: made } = installer({ readinessIndicatorFile: "/run/ready", readinessTimeoutMs: 5000 });
    const started = made.start();
    setTimeout(() => void writeFile(local("/run/ready"), "ok"), 150);
    await started;
    expect(await exists(`${CONF}/00-netclaim.conf`)).toBe(true);
  });

  it("watching: removes the config when the file goes and writes it again when it is back", async () => {
    await writeFile(local("/run/ready"), "ok");
    const { installer: made } = installer({ readinessIndicatorFile: "/run/ready", watch: true });
    await made.start();
    await unlink(local("/run/ready"));
    await waitFor("config removed", async () => !(await exists(`${CONF}/00-netclaim.conf`)));
    await writeFile(local("/run/ready"), "ok");
    await waitFor("config back", () => exists(`${CONF}/00-netclaim.conf`));
  });
});

describe("CniInstaller: watching", () => {
  it("regenerates the config when the master changes, and follows a new first file", async () => {
    const { installer: made, log } = installer({ watch: true });
    await made.start();
    const clusterNetwork = async () =>
      parseNetConf(await readLocal(`${CONF}/00-netclaim.conf`)).clusterNetwork;
    await writeFile(
      local(`${CONF}/10-calico.conflist`),
      calico({ plugins: [{ type: "calico", capabilities: { bandwidth: true } }] }),
    );
    await waitFor("capabilities follow the master", async () =>
      (await readLocal(`${CONF}/00-netclaim.conf`)).includes('"bandwidth"'),
    );
    await writeFile(
      local(`${CONF}/05-cilium.conf`),
      JSON.stringify({ cniVersion: "0.4.0", name: "cilium", type: "cilium-cni" }),
    );
    await waitFor(
      "the new first file is the master",
      async () => (await clusterNetwork()) === `${CONF}/05-cilium.conf`,
    );
    await writeFile(
      local(`${CONF}/05-cilium.conf`),
      JSON.stringify({ cniVersion: "1.0.0", name: "cilium", plugins: [{ type: "cilium-cni" }] }),
    );
    await waitFor("1.0.0: a conflist replaces the conf", async () => {
      const names = await readdir(local(CONF));
      return names.includes("00-netclaim.conflist") && !names.includes("00-netclaim.conf");
    });
    const list = JSON.parse(await readLocal(`${CONF}/00-netclaim.conflist`)) as {
      cniVersion: string;
      plugins: { type: string }[];
    };
    expect(list.cniVersion).toBe("1.0.0");
    expect(list.plugins.map((p) => p.type)).toEqual(["netclaim"]);
    expect(log.lines().filter((l) => l.msg === "CNI config regenerated").length).toBeGreaterThanOrEqual(3);
  });

  it("keeps its config when every master is gone, and picks up the one that comes back", async () => {
    const { installer: made, log } = installer({ watch: true });
    await made.start();
    await unlink(local(`${CONF}/10-calico.conflist`));
    await waitFor("the loop noticed", () =>
      Promise.resolve(
        log
          .lines()
          .some((l) => l.check === "config" && String(l.problem).includes("kept the current config")),
      ),
    );
    expect(await exists(`${CONF}/00-netclaim.conf`)).toBe(true);
    await writeFile(local(`${CONF}/10-calico.conflist`), calico({ name: "back" }));
    await waitFor("recovered", () =>
      Promise.resolve(log.lines().some((l) => l.msg === "install check recovered")),
    );
  });

  it("rewrites the kubeconfig when the projected token rotates", async () => {
    const { installer: made } = installer({ watch: true });
    await made.start();
    expect(await tokenInKubeconfig()).toBe("token-1");
    await projectToken("token-2");
    await waitFor("rotated token in the kubeconfig", async () => (await tokenInKubeconfig()) === "token-2");
    expect((await stat(local(`${CONF}/netclaim.d/netclaim.kubeconfig`))).mode & 0o777).toBe(0o600);
  });

  it("removes its config on stop() with cleanup, and leaves it without", async () => {
    const keep = installer({ watch: true }).installer;
    await keep.start();
    await keep.stop();
    expect(await exists(`${CONF}/00-netclaim.conf`)).toBe(true);
    const clean = installer({ watch: true, cleanupOnExit: true }).installer;
    await clean.start();
    await clean.stop();
    expect(await exists(`${CONF}/00-netclaim.conf`)).toBe(false);
    expect(await exists(`${CONF}/netclaim.d/netclaim.kubeconfig`)).toBe(true);
  });

  it("stops when the start signal aborts", async () => {
    const controller = new AbortController();
    const { installer: made, log } = installer({ watch: true });
    await made.start(controller.signal);
    controller.abort();
    const before = log.lines().length;
    await writeFile(local(`${CONF}/10-calico.conflist`), calico({ name: "changed" }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(
      log
        .lines()
        .slice(before)
        .filter((l) => l.msg === "CNI config regenerated"),
    ).toEqual([]);
  });
});

describe("CniInstaller: host netns directory layouts", () => {
  it("/var/run is a link to /run: /run/netns, the other name an alias", async () => {
    await mkdir(local("/run/netns"));
    const report = await installer().installer.start();
    expect(report.netns).toMatchObject({
      dir: "/run/netns",
      real: "/run/netns",
      create: false,
      aliases: ["/var/run/netns"],
      separate: [],
    });
  });

  it("a separate /var/run holding netns: /var/run/netns", async () => {
    await unlink(local("/var/run"));
    await mkdir(local("/var/run/netns"), { recursive: true });
    const report = await installer().installer.start();
    expect(report.netns).toMatchObject({
      dir: "/var/run/netns",
      real: "/var/run/netns",
      create: false,
      separate: [],
    });
  });

  it("both as separate directories: the first, the other reported", async () => {
    await unlink(local("/var/run"));
    await mkdir(local("/var/run/netns"), { recursive: true });
    await mkdir(local("/run/netns"));
    const { installer: made, log } = installer();
    const report = await made.start();
    expect(report.netns).toMatchObject({ dir: "/run/netns", separate: ["/var/run/netns"] });
    expect(
      log.lines().some((l) => l.level === "warn" && String(l.msg).includes("more than one netns directory")),
    ).toBe(true);
  });

  it("none yet: /run/netns is created (so the server pod's mount has something to mount)", async () => {
    const report = await installer().installer.start();
    expect(report.netns).toMatchObject({ dir: "/run/netns", create: true });
    expect((await stat(local("/run/netns"))).isDirectory()).toBe(true);
  });

  it("a given directory is checked and created", async () => {
    const report = await installer({ hostNetnsDir: "/var/lib/netns" }).installer.start();
    expect(report.netns).toMatchObject({ dir: "/var/lib/netns", create: true });
    expect((await stat(local("/var/lib/netns"))).isDirectory()).toBe(true);
  });
});
