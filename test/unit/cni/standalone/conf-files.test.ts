import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FsConfFiles } from "../../../../src/cni/standalone/conf-files.ts";
import { errorCodeOf } from "../../../../src/common/errors.ts";

const DIR = "<directory>";
const bridge = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ cniVersion: "1.0.0", name, type: "bridge", ...extra });
const conflist = (name: string) =>
  JSON.stringify({ cniVersion: "1.0.0", name, plugins: [{ type: "ptp" }, { type: "tuning" }] });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "nc-conf-files-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** File contents by name; the value DIR makes a directory. */
async function files(entries: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(entries)) {
    if (content === DIR) await mkdir(join(dir, name));
    else await writeFile(join(dir, name), content);
  }
}

describe("FsConfFiles.findByNetworkName", () => {
  const cases: {
    name: string;
    files: Record<string, string>;
    network: string;
    want: { file: string; kind: "conf" | "conflist"; marker?: string } | undefined;
  }[] = [
    {
      name: "a .conf",
      files: { "10-a.conf": bridge("net-a") },
      network: "net-a",
      want: { file: "10-a.conf", kind: "conf" },
    },
    {
      name: "a .conflist",
      files: { "20-b.conflist": conflist("net-b") },
      network: "net-b",
      want: { file: "20-b.conflist", kind: "conflist" },
    },
    {
      name: "a .json",
      files: { "c.json": bridge("net-c") },
      network: "net-c",
      want: { file: "c.json", kind: "conf" },
    },
    {
      name: "the first by file name when two have the name",
      files: {
        "20-x.conf": bridge("dup", { marker: "second" }),
        "10-x.conflist": conflist("other"),
        "15-x.json": bridge("dup", { marker: "first" }),
      },
      network: "dup",
      want: { file: "15-x.json", kind: "conf", marker: "first" },
    },
    {
      name: "other extensions are not read",
      files: { "a.yaml": bridge("n"), "a.conf.bak": bridge("n") },
      network: "n",
      want: undefined,
    },
    {
      name: "a directory named like a config is skipped",
      files: { "a.conf": DIR, "b.conf": bridge("n") },
      network: "n",
      want: { file: "b.conf", kind: "conf" },
    },
    {
      name: "a conflist saved as .conf is classified by content",
      files: { "a.conf": conflist("n") },
      network: "n",
      want: { file: "a.conf", kind: "conflist" },
    },
    {
      name: "a broken file before the match does not stop the search",
      files: { "00-broken.conf": "{not json", "10-ok.conf": bridge("n") },
      network: "n",
      want: { file: "10-ok.conf", kind: "conf" },
    },
    { name: "no file has the name", files: { "a.conf": bridge("other") }, network: "n", want: undefined },
    {
      name: "names are compared exactly",
      files: { "a.conf": bridge("Net") },
      network: "net",
      want: undefined,
    },
  ];

  it.each(cases)("$name", async ({ files: entries, network, want }) => {
    await files(entries);
    const found = await new FsConfFiles().findByNetworkName(dir, network);
    if (want === undefined) {
      expect(found).toBeUndefined();
      return;
    }
    expect(found).toMatchObject({
      kind: want.kind,
      name: network,
      source: `CNI config file ${join(dir, want.file)}`,
    });
    if (want.marker !== undefined) expect(found?.raw.marker).toBe(want.marker);
  });

  it("is undefined for a directory that does not exist", async () => {
    await expect(new FsConfFiles().findByNetworkName(join(dir, "nope"), "n")).resolves.toBeUndefined();
  });

  it("names the broken files when nothing matches", async () => {
    await files({ "00-broken.conf": "{not json", "10-array.json": "[1]", "20-ok.conf": bridge("other") });
    await expect(new FsConfFiles().findByNetworkName(dir, "n")).rejects.toThrow(
      new RegExp(
        `no CNI config named "n" in ${dir}, and these files could not be read: ${join(dir, "00-broken.conf")} .*; ${join(dir, "10-array.json")} \\(not a JSON object\\)`,
      ),
    );
  });

  it("fails naming the file when the matching file is not a valid config", async () => {
    await files({ "a.conflist": JSON.stringify({ name: "n", plugins: [{ type: "" }] }) });
    const err = await new FsConfFiles().findByNetworkName(dir, "n").catch((e: unknown) => e);
    expect(errorCodeOf(err)).toBe("INVALID_NETWORK_CONFIG");
    expect((err as Error).message).toContain(
      `CNI config file ${join(dir, "a.conflist")}: field "plugins[0].type"`,
    );
  });
});

describe("FsConfFiles.load", () => {
  it("loads a file by path, every key kept", async () => {
    await files({ "x.conf": bridge("x", { bridge: "br9", ipam: { type: "host-local" } }) });
    const config = await new FsConfFiles().load(join(dir, "x.conf"));
    expect(config).toMatchObject({ kind: "conf", name: "x", cniVersion: "1.0.0" });
    expect(config.plugins[0]).toMatchObject({ type: "bridge", bridge: "br9", ipam: { type: "host-local" } });
  });

  it("loads the first .conf or .conflist of a directory, by name, ignoring .json", async () => {
    await files({ "00-a.json": bridge("json"), "20-b.conf": bridge("b"), "10-c.conflist": conflist("c") });
    await expect(new FsConfFiles().load(dir)).resolves.toMatchObject({ name: "c", kind: "conflist" });
  });

  it("fails for a directory without configs", async () => {
    await files({ "a.json": bridge("a") });
    await expect(new FsConfFiles().load(dir)).rejects.toThrow(
      `CNI config directory ${dir} has no .conf or .conflist file`,
    );
  });

  it("fails with NETWORK_NOT_FOUND naming a missing file", async () => {
    const path = join(dir, "missing.conf");
    const err = await new FsConfFiles().load(path).catch((e: unknown) => e);
    expect(errorCodeOf(err)).toBe("NETWORK_NOT_FOUND");
    expect((err as Error).message).toBe(`CNI config ${path} does not exist`);
  });

  it.each([
    ["not JSON", "{", "DECODE_FAILURE", "not valid JSON"],
    ["neither type nor plugins", JSON.stringify({ name: "n" }), "INVALID_NETWORK_CONFIG", 'expected "type"'],
    ["no name", JSON.stringify({ type: "bridge" }), "INVALID_NETWORK_CONFIG", 'field "name"'],
  ])("fails naming the file when it is %s", async (_label, content, code, text) => {
    await files({ "bad.conf": content });
    const err = await new FsConfFiles().load(join(dir, "bad.conf")).catch((e: unknown) => e);
    expect(errorCodeOf(err)).toBe(code);
    expect((err as Error).message).toContain(`CNI config file ${join(dir, "bad.conf")}`);
    expect((err as Error).message).toContain(text);
  });
});
