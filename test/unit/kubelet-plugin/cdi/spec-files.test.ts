// CDI spec files on a real filesystem: written atomically with mode 0644 (the directory created 0755),
// read back, listed by our prefix only, corrupt ones reported, removal idempotent, and temp files of a
// killed write cleaned up.
import { mkdtemp, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderCdiSpec } from "../../../../src/kubelet-plugin/cdi/render.ts";
import {
  listCdiSpecs,
  removeCdiSpec,
  removeStaleCdiTempFiles,
  writeCdiSpec,
} from "../../../../src/kubelet-plugin/cdi/spec-files.ts";
import { DIGIT_UID, DRIVER, LETTER_UID, mixedClaim } from "./render-cases.ts";

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "netclaim-cdi-"));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("writeCdiSpec", () => {
  it("creates the directory 0755 and the spec 0644, named after the claim", async () => {
    const dir = join(root, "run", "cdi");
    const spec = renderCdiSpec(mixedClaim());
    const path = await writeCdiSpec(dir, DIGIT_UID, spec);
    expect(path).toBe(join(dir, `netclaim.dev-net_${DIGIT_UID}.json`));
    expect((await stat(path)).mode & 0o777).toBe(0o644);
    expect((await stat(dir)).mode & 0o777).toBe(0o755 & ~process.umask());
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual(spec);
    expect(await readdir(dir)).toEqual([`netclaim.dev-net_${DIGIT_UID}.json`]);
  });

  it("replaces an existing spec", async () => {
    await writeCdiSpec(root, DIGIT_UID, renderCdiSpec(mixedClaim()));
    const smaller = renderCdiSpec({ ...mixedClaim(), devices: mixedClaim().devices.slice(0, 1) });
    await writeCdiSpec(root, DIGIT_UID, smaller);
    const [file] = await listCdiSpecs(root, DRIVER);
    expect(file?.result).toEqual({ status: "ok", spec: smaller });
  });
});

describe("listCdiSpecs", () => {
  it("lists our specs only, sorted, with corrupt ones reported", async () => {
    await writeCdiSpec(root, LETTER_UID, renderCdiSpec(mixedClaim(LETTER_UID)));
    await writeCdiSpec(root, DIGIT_UID, renderCdiSpec(mixedClaim(DIGIT_UID)));
    await writeFile(join(root, "netclaim.dev-net_bad-uid.json"), "{ not json");
    await writeFile(join(root, "netclaim.dev-net_shape.json"), JSON.stringify({ kind: "netclaim.dev/net" }));
    await writeFile(join(root, "nvidia.com-gpu.json"), JSON.stringify({ cdiVersion: "0.5.0" }));
    await writeFile(join(root, `other.dev-net_${DIGIT_UID}.json`), "{}");
    await mkdir(join(root, "netclaim.dev-net_dir.json.d"));
    const files = await listCdiSpecs(root, DRIVER);
    expect(files.map((f) => [f.claimUID, f.result.status])).toEqual([
      [DIGIT_UID, "ok"],
      ["bad-uid", "corrupt"],
      [LETTER_UID, "ok"],
      ["shape", "corrupt"],
    ]);
  });

  it("is empty for a directory that does not exist", async () => {
    expect(await listCdiSpecs(join(root, "missing"), DRIVER)).toEqual([]);
  });
});

describe("removeCdiSpec", () => {
  it("removes the claim's spec, and succeeds when it is already gone", async () => {
    await writeCdiSpec(root, DIGIT_UID, renderCdiSpec(mixedClaim()));
    expect(await removeCdiSpec(root, DRIVER, DIGIT_UID)).toBe(true);
    expect(await removeCdiSpec(root, DRIVER, DIGIT_UID)).toBe(false);
    expect(await readdir(root)).toEqual([]);
  });
});

describe("removeStaleCdiTempFiles", () => {
  it("removes temp files our writes left behind, nothing else", async () => {
    const ours = `.netclaim.dev-net_${DIGIT_UID}.json.tmp-123-abcdef`;
    const theirs = `.nvidia.com-gpu.json.tmp-123-abcdef`;
    await writeFile(join(root, ours), "{");
    await writeFile(join(root, theirs), "{");
    await writeCdiSpec(root, LETTER_UID, renderCdiSpec(mixedClaim(LETTER_UID)));
    expect(await removeStaleCdiTempFiles(root, DRIVER)).toEqual([join(root, ours)]);
    expect((await readdir(root)).sort()).toEqual([theirs, `netclaim.dev-net_${LETTER_UID}.json`].sort());
  });
});
