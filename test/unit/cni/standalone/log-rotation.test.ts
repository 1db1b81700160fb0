import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  backupName,
  backupsToRemove,
  parseBackupTime,
  rotateLogFile,
} from "../../../../src/cni/standalone/log-rotation.ts";

const NOW = Date.UTC(2025, 0, 31, 10, 20, 30, 123);
const DAY = 24 * 60 * 60 * 1000;

describe("backup names (lumberjack's form)", () => {
  it.each([
    ["/var/log/multus.log", "/var/log/multus-2025-01-31T10-20-30.123.log"],
    ["/var/log/netclaim", "/var/log/netclaim-2025-01-31T10-20-30.123"],
  ])("%s → %s, and back", (file, want) => {
    expect(backupName(file, NOW)).toBe(want);
    const name = want.slice(want.lastIndexOf("/") + 1);
    expect(parseBackupTime(file, name)).toBe(NOW);
    expect(parseBackupTime(file, `${name}.gz`)).toBe(NOW);
  });

  it.each([
    "multus.log",
    "multus-x.log",
    "other-2025-01-31T10-20-30.123.log",
    "multus-2025-13-45T10-20-30.123.log",
  ])("%s is not a backup of multus.log", (name) => {
    expect(parseBackupTime("/var/log/multus.log", name)).toBeUndefined();
  });
});

describe("backupsToRemove", () => {
  const backups = [
    { name: "b1", timeMs: NOW - 1 * DAY },
    { name: "b3", timeMs: NOW - 3 * DAY },
    { name: "b2", timeMs: NOW - 2 * DAY },
    { name: "b9", timeMs: NOW - 9 * DAY },
  ];
  it.each([
    { name: "keep the newest 2", options: { maxBackups: 2, maxAge: 0 }, want: ["b3", "b9"] },
    { name: "drop older than 5 days", options: { maxBackups: 0, maxAge: 5 }, want: ["b9"] },
    { name: "both limits", options: { maxBackups: 3, maxAge: 2.5 }, want: ["b3", "b9"] },
    { name: "no limits", options: { maxBackups: 0, maxAge: 0 }, want: [] },
  ])("$name", ({ options, want }) => {
    expect(backupsToRemove(backups, options, NOW)).toEqual(want);
  });
});

describe("rotateLogFile", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "nc-rotate-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const MB = 1024 * 1024;

  it("leaves a file below maxSize alone", async () => {
    await writeFile(join(dir, "cni.log"), "x".repeat(MB - 1));
    rotateLogFile(join(dir, "cni.log"), { maxSize: 1, maxBackups: 5, maxAge: 5, compress: true }, NOW);
    expect(await readdir(dir)).toEqual(["cni.log"]);
  });

  it("does nothing when there is no file yet", async () => {
    rotateLogFile(join(dir, "cni.log"), { maxSize: 1, maxBackups: 5, maxAge: 5, compress: true }, NOW);
    expect(await readdir(dir)).toEqual([]);
  });

  it("renames a full file, compresses it and prunes old backups", async () => {
    const file = join(dir, "cni.log");
    const content = "line\n".repeat(MB / 5 + 1);
    await writeFile(file, content);
    const old = backupName(file, NOW - 10 * DAY);
    await writeFile(`${old}.gz`, "old");
    await writeFile(join(dir, "unrelated.txt"), "keep");
    rotateLogFile(file, { maxSize: 1, maxBackups: 5, maxAge: 5, compress: true }, NOW);
    const backup = `${backupName(file, NOW)}.gz`;
    expect((await readdir(dir)).sort()).toEqual(["cni-2025-01-31T10-20-30.123.log.gz", "unrelated.txt"]);
    expect(gunzipSync(await readFile(backup)).toString()).toBe(content);
  });

  it("keeps an uncompressed backup without compress", async () => {
    const file = join(dir, "cni.log");
    await writeFile(file, "x".repeat(MB));
    rotateLogFile(file, { maxSize: 1, maxBackups: 0, maxAge: 0, compress: false }, NOW);
    expect(await readdir(dir)).toEqual(["cni-2025-01-31T10-20-30.123.log"]);
  });
});
