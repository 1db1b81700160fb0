// Decisions for tests that hand our CDI specs to a real podman (podman-sandbox.ts does the I/O): whether
// the suite runs, skips or fails (the gate), what this podman supports, the containers.conf, storage.conf
// and global flags that keep a rootful podman to one temp dir, and the mountinfo and limits parsing its
// cleanup and ulimits need. Pure functions of their inputs, checked by the case tables in
// cdi-podman.test.ts; `findProgram` and `describeWithGate` are the two small exceptions (a PATH look-up,
// a vitest wrapper).
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import { describe, it } from "vitest";

export const SYSTEM_CDI_DIR = "/var/run/cdi";
const FALLBACK_BIN_DIRS = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"];
const MAX_ULIMIT = 1024;

/**
 * What podman 4.3 and its helpers write outside --root, and how to undo it when the sandbox made it.
 * With the configs below only /run/runc (runc's state root for uid 0, which podman 4.3 cannot move:
 * its `runc delete` ignores --runtime-flag) is still written; the rest are what the defaults would write.
 */
export const OUTSIDE_STATE = [
  { path: "/run/runc", how: "empty-dir" }, // an entry left in it is someone's live container
  { path: "/run/containers", how: "tree" }, // netavark's run dir for root (podman 5; 4.3 uses CNI here)
  { path: "/dev/shm/libpod_lock", how: "file" }, // shm locks (we use file locks)
  { path: "/etc/cni/net.d/cni.lock", how: "file" }, // the CNI config dir lock (ours is in the temp dir)
  { path: "/etc/containers/networks", how: "tree" }, // netavark's config dir (ours is in the temp dir)
] as const;
export type OutsideState = (typeof OUTSIDE_STATE)[number];

export type PodmanGate = { action: "run" } | { action: "skip" | "fail"; reason: string };

/** Whether the podman suites run: they need root, podman and runc; under CI they never skip. */
export function decidePodmanGate(facts: {
  ci: boolean;
  root: boolean;
  podman: string | undefined;
  runc: string | undefined;
}): PodmanGate {
  const missing: string[] = [];
  if (!facts.root) missing.push("root (rootful podman)");
  if (facts.podman === undefined) missing.push("podman (apt-get install podman)");
  if (facts.runc === undefined) missing.push("runc (apt-get install runc)");
  if (missing.length === 0) return { action: "run" };
  return { action: facts.ci ? "fail" : "skip", reason: `needs ${missing.join(", ")}` };
}

export interface PodmanFeatures {
  major: number;
  /** `--cdi-spec-dir` (newer podman): the spec can stay in the temp dir. */
  cdiSpecDirFlag: boolean;
  /** CNI keeps all its state in network_config_dir; podman 5 has netavark only. */
  networkBackend: "cni" | "netavark";
}

export function podmanFeatures(versionText: string, helpText: string): PodmanFeatures {
  const match = /(\d+)\.\d+/.exec(versionText);
  if (match === null) throw new Error(`no version in podman --version output ${JSON.stringify(versionText)}`);
  const major = Number(match[1]);
  return {
    major,
    cdiSpecDirFlag: helpText.includes("--cdi-spec-dir"),
    networkBackend: major < 5 ? "cni" : "netavark",
  };
}

function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

interface MountEntry {
  mountPoint: string;
  fsType: string;
}

function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split("\n")) {
    const fields = line.split(" ");
    const dash = fields.indexOf("-");
    if (fields.length < 5 || dash < 0) continue;
    entries.push({ mountPoint: unescapeMountPath(fields[4] ?? ""), fsType: fields[dash + 1] ?? "" });
  }
  return entries;
}

/** Mount points at or below `dir` in /proc/self/mountinfo text, deepest first (the unmount order). */
export function mountPointsUnder(mountinfo: string, dir: string): string[] {
  return parseMountinfo(mountinfo)
    .map((m) => m.mountPoint)
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Where the cgroup (v1 and v2) hierarchies are mounted. */
export function cgroupMountPoints(mountinfo: string): string[] {
  return parseMountinfo(mountinfo)
    .filter((m) => m.fsType === "cgroup" || m.fsType === "cgroup2")
    .map((m) => m.mountPoint);
}

/** nofile and nproc for the container: 1024, or the process's soft limit when that is lower. */
export function containerUlimits(procLimits: string): { nofile: number; nproc: number } {
  const soft = (label: string): number => {
    const value = new RegExp(`^${label}\\s+(\\S+)`, "m").exec(procLimits)?.[1];
    return value === undefined || value === "unlimited" ? MAX_ULIMIT : Math.min(MAX_ULIMIT, Number(value));
  };
  return { nofile: soft("Max open files"), nproc: soft("Max processes") };
}

export function renderContainersConf(input: {
  work: string;
  features: PodmanFeatures;
  ulimits: { nofile: number; nproc: number };
}): string {
  const { work, ulimits } = input;
  return [
    "[containers]",
    `default_ulimits = ["nofile=${ulimits.nofile}:${ulimits.nofile}", "nproc=${ulimits.nproc}:${ulimits.nproc}"]`,
    "[network]",
    `network_backend = "${input.features.networkBackend}"`,
    `network_config_dir = "${join(work, "net.d")}"`,
    "[engine]",
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    `events_logfile_path = "${join(work, "events.log")}"`,
    'lock_type = "file"',
    "",
  ].join("\n");
}

/** The global flags: every path in the temp dir, runc, cgroupfs, file events, vfs storage. */
export function podmanGlobalFlags(input: {
  work: string;
  runc: string;
  cdiDir: string;
  features: PodmanFeatures;
}): string[] {
  const { work } = input;
  return [
    ...["--root", join(work, "root"), "--runroot", join(work, "run"), "--tmpdir", join(work, "tmp")],
    ...["--storage-driver", "vfs", "--runtime", input.runc, "--cgroup-manager", "cgroupfs"],
    ...["--events-backend", "file"],
    ...(input.features.cdiSpecDirFlag ? ["--cdi-spec-dir", input.cdiDir] : []),
  ];
}

export function renderStorageConf(work: string): string {
  return `[storage]\ndriver = "vfs"\ngraphroot = "${join(work, "root")}"\nrunroot = "${join(work, "run")}"\n`;
}

export function findProgram(name: string, path = process.env.PATH ?? ""): string | undefined {
  const dirs = [...path.split(":").filter((d) => d !== ""), ...FALLBACK_BIN_DIRS];
  for (const dir of dirs) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** `describe` under the gate: skipped with a printed reason, or failing under CI=true. */
export function describeWithGate(name: string, gate: PodmanGate, body: () => void): void {
  if (gate.action === "run") describe(name, body);
  else if (gate.action === "skip") {
    process.stderr.write(`skipping "${name}": ${gate.reason}\n`);
    describe.skip(name, body);
  } else {
    describe(name, () => {
      it("can run", () => {
        throw new Error(`"${name}" cannot run under CI=true: ${gate.reason}`);
      });
    });
  }
}
