// Atomic files: a writer SIGKILLed at random moments leaves the old or the new version, never a torn
// one, and at most the one temp file in flight (removed by removeStaleTempFiles at the next start);
// modes and parent directories; missing vs corrupt reads; removal of files already gone.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  readJsonFile,
  removeFile,
  removeStaleTempFiles,
  writeFileAtomic,
} from "../../../src/common/atomic-file.ts";

const WRITER = fileURLToPath(new URL("../../fixtures/common/atomic-writer.ts", import.meta.url));
const MIB = 1024 * 1024;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "netclaim-atomic-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The exact bytes the writer produces for a version (same recipe as the fixture). */
function versionContent(version: number): string {
  const size = MIB * (1 + (version % 4));
  const unit = `v${version}-`;
  const payload = unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  const sha256 = createHash("sha256").update(payload).digest("hex");
  return JSON.stringify({ version, sha256, payload });
}

async function tempFilesOf(name: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith(`.${name}.tmp-`));
}

interface Round {
  lastDone: number | undefined;
  lastStarted: number | undefined;
}

/** Runs the writer from `first`, kills it with SIGKILL a random while after version `killAt` started. */
async function runAndKill(target: string, first: number, killAt: number, delayMs: number): Promise<Round> {
  const child = spawn(process.execPath, [WRITER, target, String(first)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const round: Round = { lastDone: undefined, lastStarted: undefined };
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  for await (const line of createInterface({ input: child.stdout })) {
    const [event, n] = line.split(" ");
    if (event === "start") round.lastStarted = Number(n);
    if (event === "done") round.lastDone = Number(n);
    if (event === "start" && Number(n) === killAt) setTimeout(() => child.kill("SIGKILL"), delayMs);
  }
  await closed;
  return round;
}

describe("writeFileAtomic under SIGKILL", () => {
  it("leaves the old or the new version, never a torn one", async () => {
    const target = join(dir, "checkpoint.json");
    let previous: number | undefined;
    let maxTempFiles = 0;
    const ROUNDS = 6;
    for (let round = 0; round < ROUNDS; round++) {
      const first = round * 100;
      const killAt = first + 1 + Math.floor(Math.random() * 3);
      const delayMs = Math.floor(Math.random() * 20);
      const { lastDone, lastStarted } = await runAndKill(target, first, killAt, delayMs);

      // Every version this round started, plus the one the previous round left.
      const allowed = new Set<number>();
      for (let v = first; v <= (lastStarted ?? first - 1); v++) allowed.add(v);
      if (previous !== undefined) allowed.add(previous);
      const text = await readFile(target, "utf8");
      const parsed = JSON.parse(text) as { version: number };
      expect(allowed.has(parsed.version), `round ${round}: version ${parsed.version}`).toBe(true);
      expect(text === versionContent(parsed.version), `round ${round}: content of ${parsed.version}`).toBe(
        true,
      );
      // A completed write is visible: the file is at least the last version reported done.
      if (lastDone !== undefined) expect(parsed.version).toBeGreaterThanOrEqual(lastDone);
      previous = parsed.version;

      const temps = await tempFilesOf("checkpoint.json");
      maxTempFiles = Math.max(maxTempFiles, temps.length);
      expect(temps.length, `round ${round}: temp files ${temps.join(", ")}`).toBeLessThanOrEqual(1);
    }
    // The writer removes stale temp files when it starts, so they never pile up across rounds.
    expect(maxTempFiles).toBeLessThanOrEqual(1);
    await removeStaleTempFiles(target);
    expect(await tempFilesOf("checkpoint.json")).toEqual([]);
  });
});

describe("writeFileAtomic", () => {
  const modeCases: { name: string; existingMode?: number; mode?: number; want: number }[] = [
    { name: "new file defaults to 0600", want: 0o600 },
    { name: "rewriting a 0644 file makes it 0600", existingMode: 0o644, want: 0o600 },
    { name: "explicit mode is exact", mode: 0o644, want: 0o644 },
    { name: "explicit mode ignores a loose existing file", existingMode: 0o666, mode: 0o640, want: 0o640 },
  ];
  it.each(modeCases)("$name", async ({ existingMode, mode, want }) => {
    const target = join(dir, "state.json");
    if (existingMode !== undefined) {
      await writeFile(target, "old");
      await chmod(target, existingMode);
    }
    await writeFileAtomic(target, '{"a":1}', mode === undefined ? {} : { mode });
    expect((await stat(target)).mode & 0o777).toBe(want);
    expect(await readFile(target, "utf8")).toBe('{"a":1}');
  });

  it("creates parent directories 0700 when asked, none world-writable", async () => {
    const target = join(dir, "a", "b", "state.json");
    await writeFileAtomic(target, new TextEncoder().encode("bytes"), { createParents: true });
    for (const d of [join(dir, "a"), join(dir, "a", "b")]) {
      const mode = (await stat(d)).mode & 0o777;
      expect(mode & 0o002).toBe(0);
      expect(mode & ~0o700).toBe(0);
    }
    expect(await readFile(target, "utf8")).toBe("bytes");
  });

  it("fails on a missing directory unless asked to create it, naming the file", async () => {
    const target = join(dir, "missing", "state.json");
    await expect(writeFileAtomic(target, "x")).rejects.toThrow(`write ${target}`);
    await expect(readdir(join(dir, "missing"))).rejects.toThrow(/ENOENT/);
  });

  it("removes its temp file when the rename fails", async () => {
    const target = join(dir, "is-a-dir");
    await mkdir(join(target, "child"), { recursive: true });
    await expect(writeFileAtomic(target, "x")).rejects.toThrow(`write ${target}`);
    expect(await tempFilesOf("is-a-dir")).toEqual([]);
  });

  it("concurrent writes to one path apply in call order, leaving no temp files", async () => {
    const target = join(dir, "state.json");
    await Promise.all(Array.from({ length: 20 }, (_, i) => writeFileAtomic(target, `v${i}`)));
    expect(await readFile(target, "utf8")).toBe("v19");
    expect(await tempFilesOf("state.json")).toEqual([]);
  });
});

const matching = (re: RegExp): string => expect.stringMatching(re) as string;

describe("readJsonFile", () => {
  const schema = z.object({ apiVersion: z.literal("netclaim.dev/v1"), kind: z.literal("Checkpoint") });
  const cases: { name: string; content?: string; parse?: (v: unknown) => unknown; want: object }[] = [
    { name: "missing", want: { status: "missing" } },
    { name: "valid", content: '{"a":[1,2]}', want: { status: "ok", value: { a: [1, 2] } } },
    {
      name: "valid and accepted by the schema",
      content: '{"apiVersion":"netclaim.dev/v1","kind":"Checkpoint"}',
      parse: (v) => schema.parse(v),
      want: { status: "ok", value: { apiVersion: "netclaim.dev/v1", kind: "Checkpoint" } },
    },
    {
      name: "truncated JSON is corrupt",
      content: '{"a":[1,',
      want: {
        status: "corrupt",
        error: { code: "CORRUPT", message: matching(/^corrupt JSON in .*f\.json: /) },
      },
    },
    {
      name: "empty file is corrupt, not missing",
      content: "",
      want: {
        status: "corrupt",
        error: { code: "CORRUPT", message: matching(/^corrupt JSON in .*f\.json: /) },
      },
    },
    {
      name: "rejected by the schema is corrupt, naming the field",
      content: '{"apiVersion":"netclaim.dev/v1","kind":"Other"}',
      parse: (v) => schema.parse(v),
      want: {
        status: "corrupt",
        error: { code: "CORRUPT", message: matching(/^invalid content in .*f\.json: kind: /) },
      },
    },
  ];
  it.each(cases)("$name", async ({ content, parse, want }) => {
    const path = join(dir, "f.json");
    if (content !== undefined) await writeFile(path, content);
    expect(await readJsonFile(path, parse)).toMatchObject(want);
  });

  it("other read errors throw, naming the file", async () => {
    await expect(readJsonFile(dir)).rejects.toThrow(`read ${dir}`);
  });
});

describe("removeFile and removeStaleTempFiles", () => {
  it("removeFile succeeds whether or not the file exists", async () => {
    const path = join(dir, "gone.json");
    await writeFile(path, "{}");
    expect(await removeFile(path)).toBe(true);
    expect(await removeFile(path)).toBe(false);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  it("removeStaleTempFiles removes only the target's temp files", async () => {
    const names = [
      ".state.json.tmp-1-aa",
      ".state.json.tmp-99-bb",
      ".other.json.tmp-1-cc",
      "state.json",
      "x",
    ];
    await Promise.all(names.map((n) => writeFile(join(dir, n), "")));
    const removed = await removeStaleTempFiles(join(dir, "state.json"));
    expect(removed.sort()).toEqual([join(dir, ".state.json.tmp-1-aa"), join(dir, ".state.json.tmp-99-bb")]);
    expect((await readdir(dir)).sort()).toEqual([".other.json.tmp-1-cc", "state.json", "x"]);
  });

  it("removeStaleTempFiles on a missing directory removes nothing", async () => {
    expect(await removeStaleTempFiles(join(dir, "nope", "state.json"))).toEqual([]);
  });
});
