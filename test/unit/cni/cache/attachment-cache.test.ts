import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AttachmentCache } from "../../../../src/cni/cache/attachment-cache.ts";
import { markNetworkAdded } from "../../../../src/cni/cache/entry.ts";
import { CONTAINER_ID, fixture, sampleEntry } from "./support.ts";

const KEY = { containerID: CONTAINER_ID, ifname: "eth0" };

describe("AttachmentCache", () => {
  let root: string;
  let dir: string;
  let cache: AttachmentCache;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "nc-cache-test-"));
    dir = join(root, "var", "lib", "cni", "multus");
    cache = new AttachmentCache(dir);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("round-trips an entry, file 0600 in a directory 0700", async () => {
    const entry = markNetworkAdded(sampleEntry(), 0, { cniVersion: "1.0.0", ips: [] });
    await cache.write(entry);
    const read = await cache.read(KEY);
    expect(read).toEqual({ kind: "found", entry, file: join(dir, `${CONTAINER_ID}@eth0`) });
    expect((await stat(join(dir, `${CONTAINER_ID}@eth0`))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it("narrows a directory that was world-accessible", async () => {
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o755);
    await cache.write(sampleEntry());
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it("replaces the entry on update, leaving no temp files", async () => {
    await cache.write(sampleEntry());
    const updated = markNetworkAdded(sampleEntry(), 1, { cniVersion: "0.3.1", interfaces: [] });
    await cache.write(updated);
    expect(await cache.read(KEY)).toMatchObject({ kind: "found", entry: updated });
    expect(await readdir(dir)).toEqual([`${CONTAINER_ID}@eth0`]);
  });

  it("refuses to write an invalid entry, and writes nothing", async () => {
    const bad = { ...sampleEntry(), networks: [{ ...sampleEntry().networks[0], status: "added" }] } as never;
    await expect(cache.write(bad)).rejects.toMatchObject({
      code: "CACHE_FAILURE",
      message: `refusing to cache an invalid entry for ${CONTAINER_ID} eth0`,
    });
    expect(await cache.read(KEY)).toMatchObject({ kind: "missing" });
  });

  it("reports a missing entry as missing", async () => {
    expect(await cache.read(KEY)).toEqual({ kind: "missing", file: join(dir, `${CONTAINER_ID}@eth0`) });
  });

  const good = JSON.stringify(sampleEntry());
  it.each([
    { name: "truncated JSON", text: good.slice(0, good.length / 2), problem: "corrupt JSON in" },
    { name: "empty file", text: "", problem: "corrupt JSON in" },
    {
      name: "wrong kind",
      text: JSON.stringify({ ...sampleEntry(), kind: "Other" }),
      problem: 'kind is "Other"',
    },
    {
      name: "missing fields",
      text: JSON.stringify({ ...sampleEntry(), netns: undefined, networks: undefined }),
      problem: "netns: Invalid input",
    },
    {
      name: "another attachment's entry",
      text: JSON.stringify({ ...sampleEntry(), ifname: "eth1" }),
      problem: `holds the entry of ${CONTAINER_ID} eth1, not of ${CONTAINER_ID} eth0`,
    },
  ])("reports $name as corrupt, naming the file and the problem", async ({ text, problem }) => {
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${CONTAINER_ID}@eth0`);
    await writeFile(file, text);
    const read = await cache.read(KEY);
    expect(read.kind).toBe("corrupt");
    if (read.kind !== "corrupt") return;
    expect(read.file).toBe(file);
    expect(read.error.code).toBe("CORRUPT");
    expect(read.error.message).toContain(problem);
    if (!problem.startsWith("holds")) expect(read.error.message).toContain(file);
  });

  it("removes an entry (true), then again (false), and the temp files a crashed write left", async () => {
    await cache.write(sampleEntry());
    await writeFile(join(dir, `.${CONTAINER_ID}@eth0.tmp-99999-abcdef012345`), "{");
    expect(await cache.remove(KEY)).toBe(true);
    expect(await cache.remove(KEY)).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it("lists entries and corrupt files, leaving other tools' files alone", async () => {
    const other = { ...sampleEntry(), containerID: "b".repeat(64) };
    await cache.write(sampleEntry());
    await cache.write(other);
    await writeFile(join(dir, "c".repeat(64)), "[]"); // a Multus scratch file
    await mkdir(join(dir, "results")); // libcni's cache
    await writeFile(join(dir, `${"d".repeat(64)}@net1`), "{broken");
    await writeFile(join(dir, `.${"e".repeat(64)}@eth0.tmp-1-aa`), "{");
    const listing = await cache.list();
    expect(listing.entries.map((e) => e.entry.containerID)).toEqual([CONTAINER_ID, "b".repeat(64)]);
    expect(listing.corrupt).toEqual([
      expect.objectContaining({
        containerID: "d".repeat(64),
        ifname: "net1",
        file: join(dir, `${"d".repeat(64)}@net1`),
      }),
    ]);
    expect(listing.ignored).toEqual(["c".repeat(64), "results"]);
    expect(await readFile(join(dir, "c".repeat(64)), "utf8")).toBe("[]");
  });

  it("lists nothing when the directory does not exist", async () => {
    expect(await cache.list()).toEqual({ entries: [], corrupt: [], ignored: [] });
  });

  it("reads the committed v1alpha1 fixture from disk", async () => {
    const raw = fixture("v1alpha1-entry.json");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${CONTAINER_ID}@eth0`), JSON.stringify(raw));
    expect(await cache.read(KEY)).toMatchObject({ kind: "found", entry: raw });
  });

  it("refuses keys that would escape the directory", async () => {
    await expect(cache.read({ containerID: "../../etc", ifname: "eth0" })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    await expect(cache.remove({ containerID: "x", ifname: "../../y" })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });
});
