// Decisions for the image tests (image-sandbox.ts does the I/O): whether a suite runs, skips or fails
// for want of a tool, the buildah steps that turn a laid-out rootfs into an image, the image config
// (the Dockerfile's entry point, user and PATH, read from the Dockerfile itself), `ldd` output parsing,
// and where a bundle's chunks look for the kubelet protos. Pure functions of their inputs, checked by
// the case tables in image-support.test.ts.
import { posix } from "node:path";
import type { PodmanGate } from "../../integration/kubelet-plugin/podman-support.ts";
import type { Dockerfile } from "./dockerfile.ts";
import { execForm, lastOf } from "./dockerfile.ts";

/** What each missing tool is installed with (scripts/bootstrap.sh installs them as root). */
export const TOOL_PACKAGES: Readonly<Record<string, string>> = {
  buildah: "buildah",
  podman: "podman",
  runc: "runc",
  ldd: "libc-bin",
  ip: "iproute2",
  nsenter: "util-linux",
  chroot: "coreutils",
  "xtables-nft-multi": "iptables",
  "xtables-legacy-multi": "iptables",
};

/** Runs when every tool is found (and root when `needsRoot`); else skips, or fails under CI. */
export function decideToolGate(facts: {
  ci: boolean;
  root: boolean;
  needsRoot: boolean;
  tools: Readonly<Record<string, string | undefined>>;
}): PodmanGate {
  const missing: string[] = [];
  if (facts.needsRoot && !facts.root) missing.push("root");
  for (const [tool, path] of Object.entries(facts.tools)) {
    if (path === undefined) missing.push(`${tool} (apt-get install ${TOOL_PACKAGES[tool] ?? tool})`);
  }
  if (missing.length === 0) return { action: "run" };
  return { action: facts.ci ? "fail" : "skip", reason: `needs ${missing.join(", ")}` };
}

export interface ImageConfig {
  entrypoint: string[];
  user: string;
  env: string[];
}

/** The runtime stage's entry point, user and ENV lines, as the image built from the Dockerfile has them. */
export function runtimeImageConfig(file: Dockerfile): ImageConfig {
  const runtime = file.stages.at(-1);
  if (runtime === undefined) throw new Error("the Dockerfile has no stage");
  const entrypoint = execForm(lastOf(runtime, "ENTRYPOINT")?.args ?? "");
  const user = lastOf(runtime, "USER")?.args.trim();
  if (entrypoint === undefined || user === undefined) {
    throw new Error("the runtime stage needs an exec-form ENTRYPOINT and a USER");
  }
  const env = runtime.instructions
    .filter((i) => i.keyword === "ENV")
    .map((i) => i.args.trim())
    .filter((e) => /^[A-Za-z_][A-Za-z0-9_]*=\S*$/.test(e));
  return { entrypoint, user, env };
}

/** `buildah` argument lists (after the global flags) that commit `rootfs` as `image` onto scratch. */
export function buildahSteps(input: {
  container: string;
  rootfs: string;
  image: string;
  config: ImageConfig;
}): string[][] {
  const { container, config } = input;
  return [
    ["from", "--name", container, "scratch"],
    ["copy", container, `${input.rootfs}/`, "/"],
    [
      "config",
      "--entrypoint",
      JSON.stringify(config.entrypoint),
      "--cmd",
      "",
      "--user",
      config.user,
      ...config.env.flatMap((e) => ["--env", e]),
      container,
    ],
    ["commit", "--rm", "--quiet", "--format", "oci", container, input.image],
  ];
}

/** The libraries in `ldd` output (absolute paths; the vDSO and "not found" lines left out). */
export function parseLdd(output: string): { libraries: string[]; missing: string[] } {
  const libraries: string[] = [];
  const missing: string[] = [];
  for (const line of output.split("\n")) {
    const resolved = /=>\s+(\/\S+)/.exec(line);
    const notFound = /^\s*(\S+)\s+=>\s+not found/.exec(line);
    const direct = /^\s*(\/\S+)\s+\(/.exec(line);
    if (notFound !== null) missing.push(notFound[1] ?? "");
    else if (resolved !== null) libraries.push(resolved[1] ?? "");
    else if (direct !== null) libraries.push(direct[1] ?? "");
  }
  return { libraries, missing };
}

/** A host library path as the usr-merged image has it: /lib/x/libz.so.1 → /usr/lib/x/libz.so.1. */
export function usrMergedPath(path: string): string {
  return path.startsWith("/usr/") ? path : posix.join("/usr", path);
}
