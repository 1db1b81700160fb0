import { describe, expect, it } from "vitest";
import { CniError } from "../../../../src/cni/protocol/errors.ts";
import { delegateBinDirs, findPlugin, pluginTypeProblem } from "../../../../src/cni/delegate/find-plugin.ts";
import { fakeStat } from "./support.ts";

describe("delegateBinDirs", () => {
  it.each([
    {
      name: "binDir first, then CNI_PATH in order",
      binDir: "/b",
      cniPath: ["/x", "/y"],
      want: ["/b", "/x", "/y"],
    },
    { name: "no binDir", binDir: undefined, cniPath: ["/x"], want: ["/x"] },
    { name: "empty entries dropped", binDir: "", cniPath: ["", "/x", ""], want: ["/x"] },
    { name: "repeats dropped, first place kept", binDir: "/x", cniPath: ["/y", "/x"], want: ["/x", "/y"] },
    { name: "nothing at all", binDir: undefined, cniPath: [], want: [] },
  ])("$name", ({ binDir, cniPath, want }) => {
    expect(delegateBinDirs(binDir, cniPath)).toEqual(want);
  });
});

describe("pluginTypeProblem", () => {
  it.each([
    { type: "bridge", want: undefined },
    { type: "my-plugin_2.0", want: undefined },
    { type: "", want: "the config has no plugin type" },
    { type: undefined, want: "the config has no plugin type" },
    { type: 7, want: "the config has no plugin type" },
    { type: "../bridge", want: `plugin type "../bridge" contains '/'` },
    { type: "/usr/bin/bridge", want: `plugin type "/usr/bin/bridge" contains '/'` },
    { type: "..", want: `plugin type ".." is not a file name` },
    { type: ".", want: `plugin type "." is not a file name` },
    { type: "a\0b", want: `plugin type "a\\u0000b" contains a NUL character` },
  ])("$type", ({ type, want }) => {
    expect(pluginTypeProblem(type)).toBe(want);
  });
});

describe("findPlugin", () => {
  const dirs = ["/opt/cni/bin", "/usr/lib/cni"];

  const found: { name: string; files: Record<string, number>; want: string; mtime: number }[] = [
    {
      name: "found in the first dir",
      files: { "/opt/cni/bin/bridge": 5, "/usr/lib/cni/bridge": 6 },
      want: "/opt/cni/bin/bridge",
      mtime: 5,
    },
    {
      name: "found in a later dir",
      files: { "/usr/lib/cni/bridge": 6 },
      want: "/usr/lib/cni/bridge",
      mtime: 6,
    },
  ];
  it.each(found)("$name", async ({ files, want, mtime }) => {
    await expect(findPlugin("bridge", dirs, fakeStat(files))).resolves.toEqual({
      type: "bridge",
      path: want,
      mtimeMs: mtime,
    });
  });

  it("skips a directory named like the plugin", async () => {
    const stat = fakeStat({ "/usr/lib/cni/bridge": 1 }, ["/opt/cni/bin/bridge"]);
    await expect(findPlugin("bridge", dirs, stat)).resolves.toMatchObject({ path: "/usr/lib/cni/bridge" });
  });

  it.each([
    {
      name: "not found",
      type: "macvlan",
      dirs,
      code: "DELEGATE_NOT_FOUND",
      msg: `no executable for plugin type "macvlan" in /opt/cni/bin, /usr/lib/cni`,
    },
    {
      name: "no dirs",
      type: "macvlan",
      dirs: [],
      code: "DELEGATE_NOT_FOUND",
      msg: `no executable for plugin type "macvlan" in no directory (binDir and CNI_PATH are empty)`,
    },
    {
      name: "a path as type",
      type: "../../bin/sh",
      dirs,
      code: "INVALID_NETWORK_CONFIG",
      msg: `invalid delegate: plugin type "../../bin/sh" contains '/'`,
    },
  ])("$name", async ({ type, dirs: searched, code, msg }) => {
    const err = await findPlugin(type, searched, fakeStat({})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CniError);
    expect(err).toMatchObject({ code, message: msg });
  });
});
