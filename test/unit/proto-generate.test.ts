// scripts/generate.ts: the generator flags follow the runtime loader options, and the drift check
// reports missing, changed and extra files.
import { describe, expect, it } from "vitest";
import { LOADER_OPTIONS } from "../../src/k8s/kubelet-grpc.ts";
import { compareTrees, generatorFlags } from "../../scripts/generate.ts";

describe("generatorFlags", () => {
  it("maps LOADER_OPTIONS onto proto-loader-gen-types flags", () => {
    expect(generatorFlags(LOADER_OPTIONS)).toEqual([
      "--longs=String",
      "--enums=String",
      "--keepCase",
      "--defaults",
      "--oneofs",
      "--grpcLib=@grpc/grpc-js",
      "--importFileExtension=.ts",
      "--targetFileExtension=.ts",
    ]);
  });

  it("follows a change of the options", () => {
    const flags = generatorFlags({
      ...LOADER_OPTIONS,
      keepCase: false,
      longs: Number,
    } as unknown as typeof LOADER_OPTIONS);
    expect(flags).toContain("--longs=Number");
    expect(flags).not.toContain("--keepCase");
  });
});

describe("compareTrees", () => {
  const tree = (entries: Record<string, string>) => new Map(Object.entries(entries));
  it.each<{ name: string; want: Record<string, string>; have: Record<string, string>; lines: string[] }>([
    { name: "identical", want: { "a.ts": "x\n" }, have: { "a.ts": "x\n" }, lines: [] },
    { name: "missing", want: { "a.ts": "x\n" }, have: {}, lines: ["missing:  src/generated/a.ts"] },
    { name: "extra", want: {}, have: { "b.ts": "y\n" }, lines: ["extra:    src/generated/b.ts"] },
    {
      name: "changed, with the first differing line",
      want: { "a.ts": "one\ntwo\n" },
      have: { "a.ts": "one\nTWO\n" },
      lines: [
        'changed:  src/generated/a.ts\n            line 2: want "two"\n                     have "TWO"',
      ],
    },
  ])("$name", ({ want, have, lines }) => {
    expect(compareTrees(tree(want), tree(have))).toEqual(lines);
  });
});
