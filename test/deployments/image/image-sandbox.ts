// buildah and a rootful podman sharing one image store in a temp dir (the I/O shell around
// image-support.ts and podman-support.ts): vfs storage, file locks and events, runc, cgroupfs with a
// cgroup parent named for the run, conmon out of cgroups, ulimits at most the test process's own (what
// this machine permits; test/integration/kubelet-plugin/podman-sandbox.ts explains each choice). No
// registry is asked: the image is committed from `scratch` into the temp store and run from there.
// cleanUp removes the containers and images, unmounts and removes the temp dir, the cgroup parent, and
// the paths outside it that buildah and podman create when absent (OUTSIDE_STATE, and buildah's blob
// info cache /var/lib/containers), and reports anything left.
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, rmdir, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProcessExec } from "../../../src/common/exec.ts";
import { removeCgroupTree, unmountAndRemove } from "../../integration/kubelet-plugin/podman-sandbox.ts";
import type { ExecResult } from "../../../src/common/exec.ts";
import { isSystemError } from "../../../src/common/errors.ts";
import {
  cgroupMountPoints,
  containerUlimits,
  mountPointsUnder,
  OUTSIDE_STATE,
  podmanFeatures,
  podmanGlobalFlags,
  renderContainersConf,
  renderStorageConf,
} from "../../integration/kubelet-plugin/podman-support.ts";

export const IMAGE_TIMEOUT_MS = 120_000;
const MOUNTINFO = "/proc/self/mountinfo";
/** Where buildah keeps its blob info cache whatever --root says (containers/image's default for root). */
const BLOB_INFO_CACHE_ROOT = "/var/lib/containers";

const exec = new ProcessExec();

export interface ImageTools {
  buildah: string;
  podman: string;
  runc: string;
}

export interface ImageSandbox {
  readonly work: string;
  buildah(args: readonly string[]): Promise<ExecResult>;
  /** `podman run --rm --network none` of `image` with `args` (and podman flags before the image). */
  run(image: string, args: readonly string[], flags?: readonly string[]): Promise<ExecResult>;
  podman(args: readonly string[]): Promise<ExecResult>;
  cleanUp(): Promise<string[]>;
}

async function removeIfAbsentBefore(path: string, how: "empty-dir" | "tree" | "file"): Promise<void> {
  if (how !== "empty-dir") return rm(path, { recursive: true, force: true });
  try {
    await rmdir(path);
  } catch (err) {
    if (!isSystemError(err, "ENOENT") && !isSystemError(err, "ENOTEMPTY")) throw err;
  }
}

interface CleanUpTargets {
  work: string;
  cgroupDirs: readonly string[];
  outside: readonly { path: string; how: "empty-dir" | "tree" | "file" }[];
  podman: (args: readonly string[]) => Promise<ExecResult>;
  buildah: () => Promise<ExecResult>;
}

/** Removes everything the sandbox made, in order; returns what failed or is left. */
async function cleanUpAll(targets: CleanUpTargets): Promise<string[]> {
  const { work, cgroupDirs, outside, podman } = targets;
  const problems: string[] = [];
  const step = async (label: string, fn: () => Promise<unknown>) => {
    await fn().catch((err: unknown) => problems.push(`${label}: ${String(err)}`));
  };
  await step("remove containers", () => podman(["rm", "--all", "--force", "--time", "0"]));
  await step("remove images", () => podman(["rmi", "--all", "--force"]));
  await step("buildah rm", targets.buildah);
  await step("unmount and remove the temp dir", () => unmountAndRemove(work));
  await step("remove the cgroup parent", () => Promise.all(cgroupDirs.map(removeCgroupTree)));
  await step("remove state outside the temp dir", () =>
    Promise.all(outside.map((entry) => removeIfAbsentBefore(entry.path, entry.how))),
  );
  problems.push(...mountPointsUnder(readFileSync(MOUNTINFO, "utf8"), work).map((m) => `mount left: ${m}`));
  if (existsSync(work)) problems.push(`temp dir left: ${work}`);
  for (const dir of cgroupDirs) if (existsSync(dir)) problems.push(`cgroup left: ${dir}`);
  return problems;
}

/** The sandbox; nothing is left behind when setting it up fails part way. */
export async function createImageSandbox(tools: ImageTools): Promise<ImageSandbox> {
  const version = await exec.run(tools.podman, ["--version"]);
  const features = podmanFeatures(version.stdout, (await exec.run(tools.podman, ["--help"])).stdout);
  const outside = [...OUTSIDE_STATE, { path: BLOB_INFO_CACHE_ROOT, how: "tree" as const }].filter(
    (entry) => !existsSync(entry.path),
  );
  const cgroupParent = `netclaim-image-${randomBytes(6).toString("hex")}`;
  const cgroupDirs = cgroupMountPoints(readFileSync(MOUNTINFO, "utf8")).map((m) => join(m, cgroupParent));
  const work = await mkdtemp(join(tmpdir(), "netclaim-image-"));
  const env = {
    ...process.env,
    CONTAINERS_CONF: join(work, "containers.conf"),
    CONTAINERS_STORAGE_CONF: join(work, "storage.conf"),
    TMPDIR: join(work, "tmp"),
  };
  const podmanFlags = podmanGlobalFlags({ work, runc: tools.runc, cdiDir: join(work, "cdi"), features });
  const buildahFlags = [
    "--root",
    join(work, "root"),
    "--runroot",
    join(work, "run"),
    "--storage-driver",
    "vfs",
  ];
  const podman = (args: readonly string[]) =>
    exec.run(tools.podman, [...podmanFlags, ...args], { env, timeoutMs: IMAGE_TIMEOUT_MS });
  const cleanUp = () =>
    cleanUpAll({
      work,
      cgroupDirs,
      outside,
      podman,
      buildah: () => exec.run(tools.buildah, [...buildahFlags, "rm", "--all"], { env }),
    });
  try {
    const ulimits = containerUlimits(readFileSync("/proc/self/limits", "utf8"));
    await writeFile(env.CONTAINERS_CONF, renderContainersConf({ work, features, ulimits }));
    await writeFile(env.CONTAINERS_STORAGE_CONF, renderStorageConf(work));
    for (const dir of ["net.d", "tmp", "cdi"]) await mkdir(join(work, dir));
  } catch (err) {
    const problems = await cleanUp();
    throw new Error(`set up buildah and podman in ${work} (cleanup: ${problems.join("; ") || "clean"})`, {
      cause: err,
    });
  }
  return {
    work,
    buildah: (args) =>
      exec.run(tools.buildah, [...buildahFlags, ...args], { env, timeoutMs: IMAGE_TIMEOUT_MS }),
    podman,
    run: (image, args, flags = []) =>
      podman([
        ...["run", "--rm", "--network", "none", "--cgroups", "no-conmon"],
        ...["--cgroup-parent", `/${cgroupParent}`, ...flags, image, ...args],
      ]),
    cleanUp,
  };
}
