// Nothing the harness makes outlives it: dispose() removes all of it (also after a failed test, in a
// real vitest run), and sweepLeftovers() removes what a killed run left, without touching live runs.
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ProcessExec } from "../../../src/common/exec.ts";
import {
  Cleanup,
  createNetnsManager,
  createRuntimeHarness,
  isLeftover,
  newRunPrefix,
  ownerPidOf,
  sweepLeftovers,
} from "../../harness/runtime/index.ts";
import type { RuntimeHarness } from "../../harness/runtime/index.ts";
import { describePrivileged } from "../../harness/privileged.ts";
import { POD } from "./support.ts";

const PROJECT = resolve(import.meta.dirname, "../../..");
const HARNESS = join(PROJECT, "test/harness/runtime/index.ts");

describe("leftover names", () => {
  const cases = [
    { name: "nc-123-abcdef-host", alive: false, want: true },
    { name: "nc-123-abcdef-cni-0b9f", alive: false, want: true },
    { name: "nc-123-abcdef-host", alive: true, want: false },
    { name: "nc-without-pid", alive: false, want: false },
    { name: "cni-0b9f", alive: false, want: false },
  ];
  it.each(cases)("$name with owner alive=$alive is a leftover: $want", ({ name, alive, want }) => {
    expect(isLeftover(name, "nc-", () => alive)).toBe(want);
  });
  it("reads the owner pid from a run prefix", () => {
    expect(ownerPidOf(newRunPrefix(4242, "beef01"))).toBe(4242);
  });
});

describe("Cleanup", () => {
  it("undoes last-made first, keeps going past failures and reports them together", async () => {
    const cleanup = new Cleanup();
    const ran: string[] = [];
    cleanup.add("first", () => Promise.resolve(void ran.push("first")));
    cleanup.add("broken", () => Promise.reject(new Error("boom")));
    const early = cleanup.add("early", () => Promise.resolve(void ran.push("early")));
    cleanup.add("last", () => Promise.resolve(void ran.push("last")));
    await early();
    await expect(cleanup.run()).rejects.toThrow(/1 cleanup step\(s\) failed/);
    expect(ran).toEqual(["early", "last", "first"]);
    expect(cleanup.pending).toEqual([]);
  });
});

describePrivileged("harness cleanup", () => {
  const exec = new ProcessExec();
  const scratch: string[] = [];
  let harness: RuntimeHarness | undefined;
  afterEach(async () => {
    await harness?.dispose();
    harness = undefined;
  });
  afterAll(async () => {
    for (const dir of scratch) await rm(dir, { recursive: true, force: true });
  });

  async function netnsOf(prefix: string): Promise<string[]> {
    const manager = await createNetnsManager({ exec });
    return (await manager.list()).filter((n) => n.startsWith(prefix));
  }
  async function tmpOf(prefix: string): Promise<string[]> {
    return (await readdir(tmpdir())).filter((n) => n.startsWith(prefix));
  }

  it("dispose() removes the pod netns, the fake host, the switch and the temp dir", async () => {
    const h = await createRuntimeHarness({ binDirs: [] });
    await h.runtime.runPodSandbox(POD);
    await h.runtime.runPodSandbox({ ...POD, name: "pod2" });
    expect(await netnsOf(h.runPrefix)).toHaveLength(4);
    await h.dispose();
    expect(await netnsOf(h.runPrefix)).toEqual([]);
    expect(await tmpOf(h.runPrefix)).toEqual([]);
  });

  it("a failing test in a real vitest run leaves no netns behind (afterEach dispose)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "netclaim-vitest-"));
    scratch.push(dir);
    await symlink(join(PROJECT, "node_modules"), join(dir, "node_modules"));
    const prefixFile = join(dir, "prefix.txt");
    await writeFile(
      join(dir, "fails.test.ts"),
      `import { afterEach, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { createRuntimeHarness } from ${JSON.stringify(HARNESS)};
let h;
afterEach(async () => { await h?.dispose(); });
it("fails after making netns", async () => {
  h = await createRuntimeHarness({ binDirs: [] });
  await h.runtime.runPodSandbox({ namespace: "ns", name: "p", uid: "u" });
  writeFileSync(${JSON.stringify(prefixFile)}, h.runPrefix);
  expect("made netns").toBe("this test fails on purpose");
});
`,
    );
    const vitest = join(PROJECT, "node_modules/vitest/vitest.mjs");
    const run = await exec.run(process.execPath, [vitest, "run", "--root", dir], {
      cwd: dir,
      env: { PATH: `${join(PROJECT, "node_modules/.bin")}:${process.env.PATH ?? ""}`, CI: "true" },
      timeoutMs: 60_000,
    });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout + run.stderr).toContain("this test fails on purpose");
    const prefix = await readFile(prefixFile, "utf8");
    expect(prefix).toMatch(/^nc-\d+-[0-9a-f]{6}$/);
    expect(await netnsOf(prefix)).toEqual([]);
    expect(await tmpOf(prefix)).toEqual([]);
  });

  it("sweepLeftovers() removes what a killed run left and keeps this run's", async () => {
    harness = await createRuntimeHarness({ binDirs: [] });
    const live = await harness.runtime.runPodSandbox(POD);
    const dir = await mkdtemp(join(tmpdir(), "netclaim-crash-"));
    scratch.push(dir);
    const script = join(dir, "crash.ts");
    await writeFile(
      script,
      `import { createRuntimeHarness } from ${JSON.stringify(HARNESS)};
const h = await createRuntimeHarness({ binDirs: [], sweep: false });
await h.runtime.runPodSandbox({ namespace: "ns", name: "p", uid: "u" });
process.stdout.write(h.runPrefix);
process.kill(process.pid, "SIGKILL");
`,
    );
    const crashed = await exec.run(process.execPath, [script], {
      env: { PATH: process.env.PATH ?? "" },
      timeoutMs: 30_000,
    });
    expect(crashed.signal).toBe("SIGKILL");
    const prefix = crashed.stdout;
    const left = await netnsOf(prefix);
    expect(left).toHaveLength(3);
    expect(await tmpOf(prefix)).toHaveLength(1);

    const report = await sweepLeftovers({ netns: harness.netns });
    expect(report.netns).toEqual(expect.arrayContaining(left));
    const ours = harness.runPrefix;
    expect([...report.netns, ...report.tmpDirs].filter((n) => n.startsWith(ours))).toEqual([]);
    expect(await netnsOf(prefix)).toEqual([]);
    expect(await tmpOf(prefix)).toEqual([]);
    expect(await netnsOf(harness.runPrefix)).toEqual(
      expect.arrayContaining([live.netns.name, harness.host.netns.name]),
    );
  });
});
