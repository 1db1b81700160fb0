// The host netns directory: the pure choice among candidates, and symlink resolution under a host root
// (absolute link targets are the host's, so they are re-rooted; ".." never leaves the root).
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decideNetnsDir, resolveInRoot } from "../../../../src/cni/install/netns-dir.ts";
import type { HostPathState, NetnsDirDecision } from "../../../../src/cni/install/netns-dir.ts";

const dir = (path: string, real = path): HostPathState => ({ path, real, exists: true, isDirectory: true });
const missing = (path: string, real = path): HostPathState => ({
  path,
  real,
  exists: false,
  isDirectory: false,
});

describe("decideNetnsDir", () => {
  const cases: { name: string; candidates: HostPathState[]; want: Omit<NetnsDirDecision, "real"> }[] = [
    {
      name: "/var/run is /run: one directory, two names",
      candidates: [dir("/run/netns"), dir("/var/run/netns", "/run/netns")],
      want: { dir: "/run/netns", create: false, separate: [], aliases: ["/var/run/netns"] },
    },
    {
      name: "only /var/run/netns exists (a separate /var/run)",
      candidates: [missing("/run/netns"), dir("/var/run/netns")],
      want: { dir: "/var/run/netns", create: false, separate: [], aliases: [] },
    },
    {
      name: "both exist as different directories",
      candidates: [dir("/run/netns"), dir("/var/run/netns")],
      want: { dir: "/run/netns", create: false, separate: ["/var/run/netns"], aliases: [] },
    },
    {
      name: "neither exists: create the first",
      candidates: [missing("/run/netns"), missing("/var/run/netns", "/run/netns")],
      want: { dir: "/run/netns", create: true, separate: [], aliases: ["/var/run/netns"] },
    },
    {
      name: "a file in the first place is passed over",
      candidates: [{ ...dir("/run/netns"), isDirectory: false }, dir("/var/run/netns")],
      want: { dir: "/var/run/netns", create: false, separate: [], aliases: [] },
    },
  ];
  it.each(cases)("$name", ({ candidates, want }) => {
    expect(decideNetnsDir(candidates)).toMatchObject(want);
  });
});

describe("resolveInRoot", () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "nc-hostroot-"));
    await mkdir(join(root, "run", "netns"), { recursive: true });
    await mkdir(join(root, "var"), { recursive: true });
    await mkdir(join(root, "srv", "data"), { recursive: true });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const cases: {
    name: string;
    links: [string, string][];
    path: string;
    want: { real: string; exists: boolean };
  }[] = [
    { name: "a plain directory", links: [], path: "/run/netns", want: { real: "/run/netns", exists: true } },
    {
      name: "an absolute link is the host's (re-rooted)",
      links: [["var/run", "/run"]],
      path: "/var/run/netns",
      want: { real: "/run/netns", exists: true },
    },
    {
      name: "a relative link",
      links: [["var/run", "../run"]],
      path: "/var/run/netns",
      want: { real: "/run/netns", exists: true },
    },
    {
      name: "'..' stops at the root",
      links: [["var/run", "../../../../run"]],
      path: "/var/run/netns",
      want: { real: "/run/netns", exists: true },
    },
    {
      name: "a chain of links",
      links: [
        ["var/run", "/srv/r"],
        ["srv/r", "data"],
      ],
      path: "/var/run",
      want: { real: "/srv/data", exists: true },
    },
    {
      name: "a missing path",
      links: [],
      path: "/var/run/netns",
      want: { real: "/var/run/netns", exists: false },
    },
    {
      name: "missing below a link",
      links: [["var/run", "/srv/data"]],
      path: "/var/run/netns",
      want: { real: "/srv/data/netns", exists: false },
    },
  ];
  it.each(cases)("$name", async ({ links, path, want }) => {
    for (const [at, target] of links) await symlink(target, join(root, at));
    expect(await resolveInRoot(root, path)).toEqual(want);
  });

  it("gives up on a symlink loop", async () => {
    await symlink("/var/b", join(root, "var", "a"));
    await symlink("/var/a", join(root, "var", "b"));
    await expect(resolveInRoot(root, "/var/a/x")).rejects.toThrow(/too many symlinks/);
  });
});
