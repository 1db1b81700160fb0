// Where the kubelet's .proto files are found: next to the code, else one or two levels up — the
// repository's proto/ from src/k8s, a bundle's own proto/ from its entry file or from its chunks/ — so a
// host shim, whose bundle is all it has, loads PodResources too. The closest wins.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PROTO_DIR, KUBELET_PROTOS, findProtoDir } from "../../../src/k8s/kubelet-grpc.ts";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "nc-proto-dir-"));
  for (const dir of ["repo/proto", "bundle/proto", "both/proto", "both/b/proto"]) {
    const file = join(root, dir, KUBELET_PROTOS.podResourcesV1.file);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, 'syntax = "proto3";\n');
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("findProtoDir", () => {
  it.each([
    { module: "repo/src/k8s/kubelet-grpc.ts", want: "repo/proto/" },
    { module: "bundle/netclaim.mjs", want: "bundle/proto/" },
    { module: "bundle/chunks/chunk-x.mjs", want: "bundle/proto/" },
    { module: "both/b/chunks/chunk-x.mjs", want: "both/b/proto/" },
    // nowhere: the repository layout's place, so the error names a path
    { module: "none/src/k8s/kubelet-grpc.ts", want: "none/proto/" },
  ])("$module → $want", ({ module, want }) => {
    expect(findProtoDir(pathToFileURL(join(root, module)).href)).toBe(join(root, want));
  });

  it("finds the repository's from this checkout", () => {
    expect(DEFAULT_PROTO_DIR).toBe(new URL("../../../proto/", import.meta.url).pathname);
  });
});
