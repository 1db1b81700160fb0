// The Dockerfile cannot be built here (no Docker daemon, no registry), so this reads it: two stages,
// the build on the Node that .nvmrc pins, the runtime on distroless Node 24 (same major), non-root
// (65532) by default, the CLI bundle as exec-form entry point at the path scripts/build-image.sh lays it
// out, nothing but /rootfs copied into the runtime and no RUN there (no shell in distroless), the
// version label equal to package.json's. The build context is enough: every COPY source exists and
// .dockerignore keeps none of them out, and every file esbuild bundles for the CLI lies under a copied
// path (or node_modules, which `npm ci` makes). Each check also fails on a Dockerfile broken its way.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { SHIM_ENTRY_FILE } from "../../../scripts/build-shim.ts";
import {
  copySources,
  dockerfileProblems,
  execForm,
  lastOf,
  parseDockerfile,
  substituteArgs,
} from "./dockerfile.ts";
import type { DockerfileExpectations } from "./dockerfile.ts";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const DOCKERFILE_TEXT = readFileSync(join(REPO, "Dockerfile"), "utf8");
const NODE_VERSION = readFileSync(join(REPO, ".nvmrc"), "utf8").trim();
const PACKAGE = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string };
const NODE_MAJOR = NODE_VERSION.split(".")[0] ?? "";

const EXPECT: DockerfileExpectations = {
  nodeVersion: NODE_VERSION,
  version: PACKAGE.version,
  buildImage: `node:${NODE_VERSION}-bookworm-slim`,
  runtimeImage: new RegExp(
    `^gcr\\.io/distroless/nodejs${NODE_MAJOR}-debian12(:[A-Za-z0-9._-]+)?(@sha256:[0-9a-f]{64})?$`,
  ),
  user: "65532:65532",
  entrypoint: ["/nodejs/bin/node", `/opt/netclaim/shim/${SHIM_ENTRY_FILE}`],
  rootfsCommand: "scripts/build-image.sh rootfs /rootfs --base distroless",
  runtimeCopy: "--from=build /rootfs/ /",
};

function ignoredNames(): string[] {
  return readFileSync(join(REPO, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

function buildCopySources(): string[] {
  const buildStage = parseDockerfile(DOCKERFILE_TEXT).stages[0];
  return (buildStage?.instructions ?? [])
    .filter((i) => i.keyword === "COPY" && !i.args.includes("--from="))
    .flatMap(copySources)
    .map((s) => s.replace(/\/$/, ""));
}

describe("Dockerfile", () => {
  it("has the expected stages, bases, user, entry point and copies", () => {
    expect(dockerfileProblems(parseDockerfile(DOCKERFILE_TEXT), EXPECT)).toEqual([]);
  });

  it.each([
    { name: "a root user", edit: (t: string) => t.replace("USER 65532:65532", "USER 0"), want: "USER 0" },
    {
      name: "another Node in the build",
      edit: (t: string) => t.replace(`ARG NODE_VERSION=${NODE_VERSION}`, "ARG NODE_VERSION=22.1.0"),
      want: "ARG NODE_VERSION=22.1.0",
    },
    {
      name: "a non-distroless runtime",
      edit: (t: string) => t.replace(/ARG RUNTIME_IMAGE=\S+/, "ARG RUNTIME_IMAGE=node:24-bookworm-slim"),
      want: "runtime stage: FROM node:24-bookworm-slim",
    },
    {
      name: "a shell-form entry point",
      edit: (t: string) => t.replace(/ENTRYPOINT \[.*\]/, "ENTRYPOINT node /opt/netclaim/shim/netclaim.mjs"),
      want: "runtime stage: ENTRYPOINT node",
    },
    {
      name: "a RUN in the runtime stage",
      edit: (t: string) => t.replace("USER 65532:65532", "RUN ls\nUSER 65532:65532"),
      want: "runtime stage: RUN",
    },
    {
      name: "a second copy into the runtime",
      edit: (t: string) =>
        t.replace("COPY --from=build /rootfs/ /", "COPY --from=build /rootfs/ /\nCOPY src/ /src/"),
      want: "runtime stage: copies",
    },
    {
      name: "no npm ci",
      edit: (t: string) => t.replace("RUN npm ci", "RUN npm install"),
      want: "build stage: no `npm ci`",
    },
    {
      name: "a stale version label",
      edit: (t: string) => t.replace(`image.version="${PACKAGE.version}"`, 'image.version="0.0.0"'),
      want: `no org.opencontainers.image.version="${PACKAGE.version}" label`,
    },
    {
      name: "one stage",
      edit: (t: string) => t.replace(/FROM \$\{BUILD_IMAGE\} AS build/, "FROM x"),
      want: "stages",
    },
  ])("fails on $name", ({ edit, want }) => {
    const edited = edit(DOCKERFILE_TEXT);
    expect(edited).not.toBe(DOCKERFILE_TEXT);
    expect(dockerfileProblems(parseDockerfile(edited), EXPECT).join("\n")).toContain(want);
  });

  it("copies only what exists and what .dockerignore lets in", () => {
    const sources = buildCopySources();
    expect(sources).toEqual(
      expect.arrayContaining(["package.json", "package-lock.json", "src", "scripts", "proto"]),
    );
    const ignored = new Set(ignoredNames());
    for (const source of sources) {
      expect(existsSync(join(REPO, source)), source).toBe(true);
      expect(ignored.has(source.split("/")[0] ?? ""), `${source} is in .dockerignore`).toBe(false);
    }
    expect([...ignored]).toEqual(expect.arrayContaining(["node_modules", ".git", "dist"]));
  });

  describe("the bundle's inputs", () => {
    let outdir: string | undefined;
    afterAll(async () => {
      if (outdir !== undefined) await rm(outdir, { recursive: true, force: true });
    });

    it("all come from copied paths or node_modules", async () => {
      outdir = await mkdtemp(join(tmpdir(), "netclaim-dockerfile-"));
      const result = await build({
        entryPoints: [join(REPO, "src", "cli", "main.ts")],
        bundle: true,
        splitting: true,
        format: "esm",
        platform: "node",
        target: "node24",
        outdir,
        write: false,
        metafile: true,
        logLevel: "silent",
        absWorkingDir: REPO,
      });
      const copied = [...buildCopySources(), "node_modules"];
      const outside = Object.keys(result.metafile.inputs)
        .map((input) => relative(REPO, join(REPO, input)))
        .filter((input) => !copied.some((c) => input === c || input.startsWith(`${c}/`)));
      expect(outside).toEqual([]);
    });
  });
});

describe("Dockerfile parsing", () => {
  it.each<{ name: string; text: string; args: Record<string, string>; want: string }>([
    { name: "braces", text: "${A}:${B}", args: { A: "node", B: "24" }, want: "node:24" },
    { name: "bare", text: "$A-slim", args: { A: "x" }, want: "x-slim" },
    { name: "unknown", text: "${NOPE}", args: {}, want: "" },
  ])("substitutes ARGs: $name", ({ text, args, want }) => {
    expect(substituteArgs(text, args)).toBe(want);
  });

  it("joins continuations, drops comments, names stages and resolves global ARGs", () => {
    const file = parseDockerfile(
      [
        "# header",
        "ARG V=1.2",
        "ARG IMG=base:${V}",
        "FROM ${IMG} AS one",
        "RUN a \\",
        "    # inside",
        "    b",
        'ENTRYPOINT ["/x", "y"]',
        "FROM scratch",
        "USER 1",
        "USER 2",
      ].join("\n"),
    );
    expect(file.args).toEqual({ V: "1.2", IMG: "base:1.2" });
    expect(file.stages.map((s) => [s.name, s.from])).toEqual([
      ["one", "base:1.2"],
      [undefined, "scratch"],
    ]);
    expect(file.stages[0]?.instructions[0]).toEqual({ keyword: "RUN", args: "a b", line: 5 });
    expect(execForm(lastOf(file.stages[0]!, "ENTRYPOINT")?.args ?? "")).toEqual(["/x", "y"]);
    expect(lastOf(file.stages[1]!, "USER")?.args).toBe("2");
    expect(execForm("node x.js")).toBeUndefined();
  });
});
