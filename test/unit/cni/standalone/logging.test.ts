import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCniLogger } from "../../../../src/cni/standalone/logging.ts";
import type { CniLogSettings } from "../../../../src/cni/standalone/logging.ts";

const ROTATION = { maxAge: 5, maxSize: 100, maxBackups: 5, compress: true };

function memoryStream() {
  const chunks: string[] = [];
  return {
    stream: { write: (chunk: string) => void chunks.push(chunk) },
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "nc-cni-log-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileLines(path: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("createCniLogger", () => {
  const cases: {
    name: string;
    settings: Omit<CniLogSettings, "logOptions" | "logFile"> & { file: boolean };
    stderr: number;
    file: number;
  }[] = [
    {
      name: "stderr and file both on: every line in both",
      settings: { logLevel: "info", logToStderr: true, file: true },
      stderr: 2,
      file: 2,
    },
    { name: "file only", settings: { logLevel: "info", logToStderr: false, file: true }, stderr: 0, file: 2 },
    {
      name: "stderr only",
      settings: { logLevel: "info", logToStderr: true, file: false },
      stderr: 2,
      file: 0,
    },
    {
      name: "level error keeps only errors",
      settings: { logLevel: "error", logToStderr: true, file: true },
      stderr: 1,
      file: 1,
    },
    {
      name: "debug keeps debug lines too",
      settings: { logLevel: "debug", logToStderr: true, file: true },
      stderr: 3,
      file: 3,
    },
    {
      name: "fatal (Multus's panic, the default) keeps none of these",
      settings: { logLevel: "fatal", logToStderr: true, file: true },
      stderr: 0,
      file: 0,
    },
  ];

  it.each(cases)("$name", async ({ settings, stderr, file }) => {
    const err = memoryStream();
    const path = join(dir, "sub", "cni.log");
    const logger = createCniLogger(
      {
        logLevel: settings.logLevel,
        logToStderr: settings.logToStderr,
        logFile: settings.file ? path : "",
        logOptions: ROTATION,
      },
      { warn: () => expect.fail("no warning expected"), nowMs: Date.now, stderr: err.stream },
    );
    logger.debug("d");
    logger.info({ pod: "ns/p" }, "i");
    logger.error("e");
    expect(err.lines()).toHaveLength(stderr);
    const lines = await fileLines(path);
    expect(lines).toHaveLength(file);
    if (file > 0) expect(lines.at(-1)).toMatchObject({ level: "error", msg: "e", component: "cni" });
  });

  it("appends to an existing file and creates new ones 0600", async () => {
    const path = join(dir, "cni.log");
    await writeFile(path, '{"msg":"earlier"}\n');
    const settings = { logLevel: "info" as const, logToStderr: false, logFile: path, logOptions: ROTATION };
    createCniLogger(settings, { warn: () => undefined, nowMs: Date.now }).info("later");
    expect((await fileLines(path)).map((l) => l.msg)).toEqual(["earlier", "later"]);
    const fresh = join(dir, "fresh.log");
    createCniLogger({ ...settings, logFile: fresh }, { warn: () => undefined, nowMs: Date.now }).info("x");
    expect((await stat(fresh)).mode & 0o777).toBe(0o600);
  });

  it("warns once on stderr and carries on when the file cannot be opened", async () => {
    await writeFile(join(dir, "not-a-dir"), "");
    const warnings: string[] = [];
    const err = memoryStream();
    const logger = createCniLogger(
      {
        logLevel: "info",
        logToStderr: true,
        logFile: join(dir, "not-a-dir", "cni.log"),
        logOptions: ROTATION,
      },
      { warn: (l) => warnings.push(l), nowMs: Date.now, stderr: err.stream },
    );
    logger.info("still logged");
    expect(warnings).toEqual([
      expect.stringContaining(`netclaim: cannot open log file ${join(dir, "not-a-dir", "cni.log")}`),
    ]);
    expect(err.lines()).toMatchObject([{ msg: "still logged" }]);
  });

  it.each(["/dev/stdout", "/proc/self/fd/1"])("never logs to stdout (%s)", (path) => {
    const warnings: string[] = [];
    const logger = createCniLogger(
      { logLevel: "info", logToStderr: false, logFile: path, logOptions: ROTATION },
      { warn: (l) => warnings.push(l), nowMs: Date.now },
    );
    logger.info("nowhere");
    expect(warnings).toEqual([
      `netclaim: logFile ${path} is stdout, which carries only the CNI result; not used`,
    ]);
    expect(logger.level).toBe("silent");
  });
});
