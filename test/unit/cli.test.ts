import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const cli = new URL("../../src/cli/main.ts", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
  engines: { node: string };
};

describe("netclaim executable", () => {
  it.each([["--version"], ["-v"]])("%s prints the package version", async (flag) => {
    const { stdout } = await run(process.execPath, [cli, flag]);
    expect(stdout.trim()).toBe(pkg.version);
  });

  it("rejects an unknown subcommand with a non-zero exit", async () => {
    await expect(run(process.execPath, [cli, "no-such-command"])).rejects.toMatchObject({ code: 1 });
  });

  it("runs on the pinned Node major", () => {
    const pinned = readFileSync(new URL("../../.nvmrc", import.meta.url), "utf8").trim();
    expect(process.versions.node.split(".")[0]).toBe(pinned.split(".")[0]);
    expect(pkg.engines.node).toBe(`>=${pinned.split(".")[0]}`);
  });
});
