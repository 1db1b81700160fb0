import { describe, expect, it } from "vitest";
import { cacheFileName, parseCacheFileName } from "../../../../src/cni/cache/cache-key.ts";

const HEX_ID = "a".repeat(64);

describe("cacheFileName", () => {
  it.each([
    { name: "containerd sandbox id", key: { containerID: HEX_ID, ifname: "eth0" }, want: `${HEX_ID}@eth0` },
    { name: "id with _ . -", key: { containerID: "pod_1.a-b", ifname: "net1" }, want: "pod_1.a-b@net1" },
    { name: "ifname with @ and %", key: { containerID: "c", ifname: "a@b%c" }, want: "c@a%40b%25c" },
    { name: "ifname with unicode", key: { containerID: "c", ifname: "ü1" }, want: "c@%C3%BC1" },
    { name: "ifname with a control character", key: { containerID: "c", ifname: "a\u0001" }, want: "c@a%01" },
    { name: "ifname '...'", key: { containerID: "c", ifname: "..." }, want: "c@..." },
  ])("$name", ({ key, want }) => {
    expect(cacheFileName(key)).toBe(want);
    expect(parseCacheFileName(want)).toEqual(key);
  });

  it("gives keys that differ only where '-' would be ambiguous different files", () => {
    expect(cacheFileName({ containerID: "a-b", ifname: "c" })).not.toBe(
      cacheFileName({ containerID: "a", ifname: "b-c" }),
    );
  });

  it.each([
    {
      name: "empty container ID",
      key: { containerID: "", ifname: "eth0" },
      problem: "the container ID is empty",
    },
    {
      name: "path traversal in the container ID",
      key: { containerID: "../../etc/passwd", ifname: "eth0" },
      problem: 'invalid container ID "../../etc/passwd"',
    },
    {
      name: "slash in the container ID",
      key: { containerID: "a/b", ifname: "eth0" },
      problem: 'invalid container ID "a/b"',
    },
    {
      name: "leading dot",
      key: { containerID: ".hidden", ifname: "eth0" },
      problem: 'invalid container ID ".hidden"',
    },
    {
      name: "@ in the container ID",
      key: { containerID: "a@b", ifname: "eth0" },
      problem: 'invalid container ID "a@b"',
    },
    { name: "empty ifname", key: { containerID: "c", ifname: "" }, problem: "the interface name is empty" },
    {
      name: "ifname ..",
      key: { containerID: "c", ifname: ".." },
      problem: 'interface name ".." is not allowed',
    },
    {
      name: "ifname with a slash",
      key: { containerID: "c", ifname: "../x" },
      problem: "contains '/', ':' or whitespace",
    },
    {
      name: "ifname with a colon",
      key: { containerID: "c", ifname: "eth0:1" },
      problem: "contains '/', ':' or whitespace",
    },
    {
      name: "ifname with a space",
      key: { containerID: "c", ifname: "eth 0" },
      problem: "contains '/', ':' or whitespace",
    },
    {
      name: "ifname of 16 bytes",
      key: { containerID: "c", ifname: "x".repeat(16) },
      problem: "is longer than 15 bytes",
    },
    {
      name: "ifname of 8 two-byte characters",
      key: { containerID: "c", ifname: "é".repeat(8) },
      problem: "is longer than 15 bytes",
    },
    {
      name: "container ID too long for a file name",
      key: { containerID: "c".repeat(220), ifname: "eth0" },
      problem: "is too long for a file name",
    },
  ])("refuses $name", ({ key, problem }) => {
    expect(() => cacheFileName(key)).toThrow(
      expect.objectContaining({
        code: "INVALID_ARGUMENT",
        message: expect.stringContaining(problem) as string,
      }),
    );
  });
});

describe("parseCacheFileName", () => {
  it.each([
    { name: "a Multus scratch file (container ID only)", file: HEX_ID },
    { name: "no container ID", file: "@eth0" },
    { name: "non-canonical encoding", file: "c@%65th0" },
    { name: "broken encoding", file: "c@%zz" },
    { name: "encoded slash", file: "c@a%2Fb" },
    { name: "a temp file", file: `.${HEX_ID}@eth0.tmp-1-abc` },
    { name: "libcni results dir", file: "results" },
  ])("$name is not a cache file", ({ file }) => {
    expect(parseCacheFileName(file)).toBeUndefined();
  });
});
