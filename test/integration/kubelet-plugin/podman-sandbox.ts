// A rootful podman that keeps to itself, for tests that hand it our CDI specs (the I/O shell around
// podman-support.ts): podman, storage, lock, event and CNI paths all in one temp dir; runc as the OCI
// runtime (Debian's default crun refuses this machine's hybrid cgroup v1/v2 layout); cgroupfs with a cgroup
// parent named for the run; conmon kept out of cgroups; vfs storage (no overlay mounts to leak); ulimits
// at most the test process's own (podman's default raises them, which is not permitted here).
// cleanUp runs the undo steps last-registered first: the test's own (the CDI spec), the containers
// (`podman rm --all --force`), the CDI dir if we made it (when empty), unmount anything under the temp dir
// and remove it, the cgroup parent in every hierarchy, then the OUTSIDE_STATE paths that were absent
// before. A mount, a cgroup or the temp dir still there afterwards is reported as a problem.
import { existsSync, readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, rm, rmdir, symlink, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ProcessExec } from "../../../src/common/exec.ts";
import type { ExecResult } from "../../../src/common/exec.ts";
import { isSystemError } from "../../../src/common/errors.ts";
import type { OutsideState, PodmanFeatures } from "./podman-support.ts";
import {
  cgroupMountPoints,
  containerUlimits,
  findProgram,
  mountPointsUnder,
  OUTSIDE_STATE,
  podmanFeatures,
  podmanGlobalFlags,
  renderContainersConf,
  renderStorageConf,
  SYSTEM_CDI_DIR,
} from "./podman-support.ts";

export const PODMAN_TIMEOUT_MS = 60_000;
const MOUNTINFO = "/proc/self/mountinfo";

const exec = new ProcessExec();

export interface PodmanSandbox {
  readonly work: string;
  /** Where podman reads CDI specs: the temp dir with --cdi-spec-dir, else /var/run/cdi. */
  readonly cdiDir: string;
  /** `podman run --rm` of `command` in the test rootfs with the CDI devices, no network. */
  runContainer(input: { cdiDevices: readonly string[]; command: readonly string[] }): Promise<ExecResult>;
  /** Registers an undo step; cleanUp runs them last-registered first. */
  defer(label: string, step: () => Promise<unknown>): void;
  /** Runs every undo step, then checks nothing is left; returns the problems (empty when clean). */
  cleanUp(): Promise<string[]>;
}

interface SandboxFields {
  work: string;
  cdiDir: string;
  podman: string;
  globalFlags: string[];
  cgroupParent: string;
  cgroupDirs: string[];
}

class Sandbox implements PodmanSandbox {
  readonly work: string;
  readonly cdiDir: string;
  private readonly podman: string;
  private readonly globalFlags: string[];
  private readonly cgroupParent: string;
  private readonly cgroupDirs: string[];
  private readonly steps: { label: string; step: () => Promise<unknown> }[] = [];

  constructor(fields: SandboxFields) {
    this.work = fields.work;
    this.cdiDir = fields.cdiDir;
    this.podman = fields.podman;
    this.globalFlags = fields.globalFlags;
    this.cgroupParent = fields.cgroupParent;
    this.cgroupDirs = fields.cgroupDirs;
  }

  defer(label: string, step: () => Promise<unknown>): void {
    this.steps.push({ label, step });
  }

  run(args: readonly string[]): Promise<ExecResult> {
    const env = {
      ...process.env,
      CONTAINERS_CONF: join(this.work, "containers.conf"),
      CONTAINERS_STORAGE_CONF: join(this.work, "storage.conf"),
      TMPDIR: join(this.work, "tmp"),
    };
    return exec.run(this.podman, [...this.globalFlags, ...args], { env, timeoutMs: PODMAN_TIMEOUT_MS });
  }

  async runOk(args: readonly string[]): Promise<void> {
    const result = await this.run(args);
    if (result.code !== 0) throw new Error(`podman ${args.join(" ")}: ${result.stderr.trim()}`);
  }

  runContainer(input: { cdiDevices: readonly string[]; command: readonly string[] }): Promise<ExecResult> {
    return this.run([
      ...["run", "--rm", "--network", "none", "--cgroups", "no-conmon"],
      ...["--cgroup-parent", `/${this.cgroupParent}`],
      ...input.cdiDevices.flatMap((id) => ["--device", id]),
      ...["--rootfs", join(this.work, "rootfs"), ...input.command],
    ]);
  }

  async cleanUp(): Promise<string[]> {
    const problems: string[] = [];
    for (const { label, step } of this.steps.splice(0).reverse()) {
      await step().catch((err: unknown) => problems.push(`${label}: ${String(err)}`));
    }
    const mounts = mountPointsUnder(readFileSync(MOUNTINFO, "utf8"), this.work);
    problems.push(...mounts.map((m) => `mount left behind: ${m}`));
    if (existsSync(this.work)) problems.push(`temp dir left behind: ${this.work}`);
    for (const dir of this.cgroupDirs) if (existsSync(dir)) problems.push(`cgroup left behind: ${dir}`);
    return problems;
  }
}

/** A rootfs with `/bin/env`: busybox when installed, else env and the libraries ldd names. */
async function buildRootfs(root: string): Promise<void> {
  for (const dir of ["bin", "proc", "sys", "dev", "tmp", "etc"])
    await mkdir(join(root, dir), { recursive: true });
  const busybox = findProgram("busybox");
  if (busybox !== undefined) {
    await copyFile(busybox, join(root, "bin", "busybox"));
    await symlink("busybox", join(root, "bin", "env"));
    return;
  }
  const env = findProgram("env");
  if (env === undefined) throw new Error("no busybox or env to build a rootfs from");
  const ldd = await exec.run("ldd", [env]);
  if (ldd.code !== 0 && !ldd.stdout.includes("not a dynamic executable"))
    throw new Error(`ldd ${env} failed: ${ldd.stderr}`);
  const libraries = ldd.code === 0 ? [...ldd.stdout.matchAll(/(\/[^\s)]+)/g)].map((m) => m[1] ?? "") : [];
  await copyFile(env, join(root, "bin", "env"));
  for (const library of libraries.filter((l) => l !== "")) {
    await mkdir(join(root, dirname(library)), { recursive: true });
    await copyFile(library, join(root, library));
  }
}

/** rmdir a cgroup and its children, deepest first (the files in them cannot be unlinked, only the dirs). */
export async function removeCgroupTree(dir: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isSystemError(err, "ENOENT")) return;
    throw err;
  }
  for (const entry of entries) if (entry.isDirectory()) await removeCgroupTree(join(dir, entry.name));
  await rmdir(dir);
}

/** rmdir when empty; a dir that others have put things into since is left, with a note. */
async function removeDirIfEmpty(path: string): Promise<void> {
  try {
    await rmdir(path);
  } catch (err) {
    if (isSystemError(err, "ENOENT")) return;
    if (!isSystemError(err, "ENOTEMPTY")) throw err;
    process.stderr.write(`podman sandbox: leaving ${path}: others have put things in it\n`);
  }
}

async function removeOutsideState(entry: OutsideState): Promise<void> {
  if (entry.how === "empty-dir") return removeDirIfEmpty(entry.path);
  await rm(entry.path, { recursive: true, force: true });
}

/** Unmounts what is mounted under `dir` (lazily if need be), then removes it. */
export async function unmountAndRemove(dir: string): Promise<void> {
  for (const mountPoint of mountPointsUnder(readFileSync(MOUNTINFO, "utf8"), dir)) {
    const umount = await exec.run("umount", [mountPoint]);
    if (umount.code !== 0 && (await exec.run("umount", ["-l", mountPoint])).code !== 0)
      throw new Error(`umount ${mountPoint}: ${umount.stderr.trim()}`);
  }
  await rm(dir, { recursive: true, force: true });
}

async function detectFeatures(podman: string): Promise<PodmanFeatures> {
  const version = await exec.run(podman, ["--version"]);
  const help = await exec.run(podman, ["--help"]);
  return podmanFeatures(version.stdout, help.stdout);
}

async function fillWorkDir(sandbox: Sandbox, features: PodmanFeatures): Promise<void> {
  const { work, cdiDir } = sandbox;
  const ulimits = containerUlimits(readFileSync("/proc/self/limits", "utf8"));
  await writeFile(join(work, "containers.conf"), renderContainersConf({ work, features, ulimits }));
  await writeFile(join(work, "storage.conf"), renderStorageConf(work));
  await mkdir(join(work, "net.d"));
  await buildRootfs(join(work, "rootfs"));
  if (!existsSync(cdiDir)) {
    await mkdir(cdiDir, { recursive: true, mode: 0o755 });
    if (cdiDir === SYSTEM_CDI_DIR)
      sandbox.defer("remove the CDI dir we made", () => removeDirIfEmpty(cdiDir));
  }
  sandbox.defer("remove the containers", () => sandbox.runOk(["rm", "--all", "--force", "--time", "0"]));
}

/** The sandbox; on a failure part way, what it made so far is removed before the error is thrown. */
export async function createPodmanSandbox(tools: { podman: string; runc: string }): Promise<PodmanSandbox> {
  const features = await detectFeatures(tools.podman);
  const absent = OUTSIDE_STATE.filter((entry) => !existsSync(entry.path));
  const cgroupParent = `netclaim-podman-${randomBytes(6).toString("hex")}`;
  const cgroupDirs = cgroupMountPoints(readFileSync(MOUNTINFO, "utf8")).map((m) => join(m, cgroupParent));
  const work = await mkdtemp(join(tmpdir(), "netclaim-podman-"));
  const cdiDir = features.cdiSpecDirFlag ? join(work, "cdi") : SYSTEM_CDI_DIR;
  const globalFlags = podmanGlobalFlags({ work, runc: tools.runc, cdiDir, features });
  const sandbox = new Sandbox({ work, cdiDir, podman: tools.podman, globalFlags, cgroupParent, cgroupDirs });
  sandbox.defer("remove podman state outside the temp dir", () =>
    Promise.all(absent.map(removeOutsideState)),
  );
  sandbox.defer("remove the cgroup parent", () => Promise.all(cgroupDirs.map(removeCgroupTree)));
  sandbox.defer("unmount and remove the temp dir", () => unmountAndRemove(work));
  try {
    await fillWorkDir(sandbox, features);
  } catch (err) {
    const problems = await sandbox.cleanUp();
    const also = problems.length > 0 ? ` (cleanup: ${problems.join("; ")})` : "";
    throw new Error(`set up podman in ${work}${also}`, { cause: err });
  }
  return sandbox;
}
