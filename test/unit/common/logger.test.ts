// The logger writes JSON lines with ISO time and string levels, redacts secrets wherever the known paths
// put them, writes files append-only with mode 0600, and never writes to stdout.
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger, LOG_LEVELS, silentLogger } from "../../../src/common/logger.ts";
import type { LogLevel } from "../../../src/common/logger.ts";
import { captureLogger } from "../../fakes/logger.ts";

const SECRET = "s3cr3t-VALUE-never-logged";

describe("redaction", () => {
  const cases: { name: string; log: (logger: ReturnType<typeof captureLogger>["logger"]) => void }[] = [
    { name: "top-level token", log: (l) => l.info({ token: SECRET }, "m") },
    { name: "top-level password", log: (l) => l.info({ password: SECRET }, "m") },
    { name: "nested token", log: (l) => l.info({ auth: { token: SECRET } }, "m") },
    { name: "two levels deep", log: (l) => l.info({ a: { b: { bearerToken: SECRET } } }, "m") },
    {
      name: "authorization header",
      log: (l) => l.info({ headers: { authorization: `Bearer ${SECRET}` } }, "m"),
    },
    { name: "request headers", log: (l) => l.info({ req: { headers: { Authorization: SECRET } } }, "m") },
    { name: "cookie header", log: (l) => l.info({ headers: { cookie: SECRET } }, "m") },
    { name: "client key data", log: (l) => l.info({ user: { "client-key-data": SECRET } }, "m") },
    {
      name: "kubeconfig user token",
      log: (l) => l.info({ kubeconfig: { users: [{ name: "u", user: { token: SECRET } }] } }, "m"),
    },
    {
      name: "kubeconfig user client key",
      log: (l) =>
        l.info({ kubeconfig: { users: [{ name: "u", user: { "client-key-data": SECRET } }] } }, "m"),
    },
    { name: "child binding", log: (l) => l.child({ token: SECRET }).info("m") },
    { name: "extra path from options", log: (l) => l.info({ custom: { field: SECRET } }, "m") },
  ];
  it.each(cases)("$name never reaches the output", ({ log }) => {
    const captured = captureLogger({ redact: ["custom.field"] });
    log(captured.logger);
    const raw = captured.rawLines().join("\n");
    expect(captured.rawLines()).toHaveLength(1);
    expect(raw).not.toContain(SECRET);
    expect(raw).toContain("<redacted>");
  });

  it("leaves other fields alone", () => {
    const captured = captureLogger();
    captured.logger.info({ claim: "ns/a", tokenFile: "/var/run/token" }, "m");
    expect(captured.lines()[0]).toMatchObject({ claim: "ns/a", tokenFile: "/var/run/token" });
  });
});

describe("line format", () => {
  it("JSON with ISO time, level label, base and child bindings, error causes", () => {
    const captured = captureLogger({ base: { node: "n1" } });
    const dra = captured.logger.child({ component: "dra" });
    dra.child({ pod: "ns/p", claim: "ns/c", device: "vf0" }).warn("prepared");
    dra.error({ err: new Error("prepare claim ns/c", { cause: new Error("EACCES") }) }, "failed");
    const [first, second] = captured.lines();
    expect(first).toMatchObject({
      level: "warn",
      node: "n1",
      component: "dra",
      pod: "ns/p",
      claim: "ns/c",
      device: "vf0",
      msg: "prepared",
    });
    expect(first?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(first).not.toHaveProperty("pid");
    expect(second).toMatchObject({ level: "error", err: { message: "prepare claim ns/c: EACCES" } });
  });

  const levelCases: { level: LogLevel; want: string[] }[] = [
    { level: "trace", want: ["trace", "debug", "info", "warn", "error", "fatal"] },
    { level: "info", want: ["info", "warn", "error", "fatal"] },
    { level: "error", want: ["error", "fatal"] },
    { level: "silent", want: [] },
  ];
  it.each(levelCases)("level $level filters lines", ({ level, want }) => {
    const captured = captureLogger({ level });
    for (const l of LOG_LEVELS.filter((x) => x !== "silent")) captured.logger[l]("m");
    expect(captured.lines().map((line) => line.level)).toEqual(want);
  });

  it("rejects an unknown level", () => {
    expect(() =>
      createLogger({ level: "verbose" as LogLevel, destination: { write: () => undefined } }),
    ).toThrow(/Invalid option/);
  });

  it("silentLogger writes nothing and accepts every call", () => {
    const logger = silentLogger();
    expect(logger.level).toBe("silent");
    expect(() => logger.child({ component: "x" }).error("m")).not.toThrow();
  });
});

describe("destinations", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "netclaim-logger-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("a log file is created 0600 and appended to", async () => {
    const path = join(dir, "netclaim.log");
    await writeFile(path, '{"old":true}\n', { mode: 0o600 });
    const logger = createLogger({ destination: path });
    logger.info({ n: 1 }, "one");
    logger.info({ n: 2 }, "two");
    const lines = (await readFile(path, "utf8")).trim().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { msg?: string }).msg)).toEqual([undefined, "one", "two"]);

    const fresh = join(dir, "fresh.log");
    createLogger({ destination: fresh }).info("x");
    expect((await stat(fresh)).mode & 0o777).toBe(0o600);
  });

  it.each(["/dev/stdout", "/proc/self/fd/1"])("refuses %s as a destination", (path) => {
    expect(() => createLogger({ destination: path })).toThrow("reserved for command results");
  });

  it("the default destination is stderr, and nothing goes to stdout", () => {
    const script = [
      `import { createLogger } from ${JSON.stringify(new URL("../../../src/common/logger.ts", import.meta.url).href)};`,
      `createLogger({ level: "debug" }).info({ k: "v" }, "to stderr");`,
    ].join("\n");
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(child.status).toBe(0);
    expect(child.stdout).toBe("");
    expect(JSON.parse(child.stderr.trim())).toMatchObject({ level: "info", k: "v", msg: "to stderr" });
  });
});
