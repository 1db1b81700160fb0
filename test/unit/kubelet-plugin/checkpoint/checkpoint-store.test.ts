// The checkpoint file on a real filesystem: missing, written (0600 in a 0700 directory) and read back,
// corrupt reported with its path and moved aside, stale temp files of a killed write removed.
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileCheckpointer } from "../../../../src/kubelet-plugin/checkpoint/checkpoint-store.ts";
import type { Checkpoint } from "../../../../src/api/checkpoint.ts";

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "netclaim-checkpoint-"));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const checkpoint: Checkpoint = {
  claims: {
    "uid-1": {
      namespace: "ns",
      name: "c",
      state: "prepared",
      podUIDs: ["pod-1"],
      devices: [
        {
          requestNames: ["r"],
          poolName: "p",
          deviceName: "d",
          kind: "netdev",
          cdiDeviceIDs: ["netclaim.dev/net=uid-1-d"],
          config: {},
        },
      ],
      createdAt: "2026-11-30T10:00:00.000Z",
      updatedAt: "2026-11-30T10:00:00.000Z",
    },
  },
};

describe("FileCheckpointer", () => {
  it("reports a missing file as missing", async () => {
    expect(await new FileCheckpointer(join(root, "state")).read()).toEqual({ status: "missing" });
  });

  it("writes 0600 into a new 0700 directory and reads it back", async () => {
    const dir = join(root, "state");
    const store = new FileCheckpointer(dir);
    await store.write(checkpoint);
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700 & ~process.umask());
    expect(await store.read()).toEqual({ status: "ok", checkpoint, apiVersion: "netclaim.dev/v1alpha1" });
  });

  it("reports a corrupt file with its path, and moves it aside", async () => {
    const store = new FileCheckpointer(root);
    await store.write(checkpoint);
    await writeFile(store.path, "{ torn");
    const read = await store.read();
    expect(read).toMatchObject({ status: "corrupt", reason: "bad-json", path: store.path });
    if (read.status === "corrupt") expect(read.message).toContain(`checkpoint ${store.path} is corrupt`);
    expect(await store.preserveCorrupt()).toBe(`${store.path}.corrupt`);
    expect(await store.read()).toEqual({ status: "missing" });
    expect(await store.preserveCorrupt()).toBeUndefined();
  });

  it("removes temp files a killed write left behind", async () => {
    const store = new FileCheckpointer(root);
    const stale = join(root, ".checkpoint.json.tmp-99999-abcdef");
    await writeFile(stale, "{");
    expect(await store.removeStaleTempFiles()).toEqual([stale]);
    expect(await readdir(root)).toEqual([]);
  });
});
