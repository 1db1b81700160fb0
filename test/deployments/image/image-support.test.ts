// The image tests' pure decisions (image-support.ts): the tool gate, the image config taken from the
// Dockerfile, the buildah steps, ldd parsing, usr-merged paths and where a bundle looks for its protos.
import { describe, expect, it } from "vitest";
import type { PodmanGate } from "../../integration/kubelet-plugin/podman-support.ts";
import { parseDockerfile } from "./dockerfile.ts";
import {
  buildahSteps,
  decideToolGate,
  parseLdd,
  runtimeImageConfig,
  usrMergedPath,
} from "./image-support.ts";

describe("image test decisions", () => {
  const all = { buildah: "/usr/bin/buildah", ip: "/usr/sbin/ip" };
  it.each<{ name: string; facts: Parameters<typeof decideToolGate>[0]; want: PodmanGate }>([
    {
      name: "all there",
      facts: { ci: true, root: true, needsRoot: true, tools: all },
      want: { action: "run" },
    },
    {
      name: "no buildah on a dev machine",
      facts: { ci: false, root: true, needsRoot: true, tools: { ...all, buildah: undefined } },
      want: { action: "skip", reason: "needs buildah (apt-get install buildah)" },
    },
    {
      name: "no iptables under CI",
      facts: { ci: true, root: true, needsRoot: false, tools: { ...all, "xtables-nft-multi": undefined } },
      want: { action: "fail", reason: "needs xtables-nft-multi (apt-get install iptables)" },
    },
    {
      name: "not root when it is needed",
      facts: { ci: false, root: false, needsRoot: true, tools: all },
      want: { action: "skip", reason: "needs root" },
    },
    {
      name: "not root when it is not needed",
      facts: { ci: false, root: false, needsRoot: false, tools: all },
      want: { action: "run" },
    },
  ])("gate: $name", ({ facts, want }) => {
    expect(decideToolGate(facts)).toEqual(want);
  });

  it("takes the image config from the runtime stage", () => {
    const file = parseDockerfile(
      [
        "FROM a AS build",
        "USER 1",
        "FROM b AS runtime",
        "ENV PATH=/usr/bin:/bin",
        "ENV TWO WORDS",
        "USER 65532:65532",
        'ENTRYPOINT ["/n", "/e.mjs"]',
      ].join("\n"),
    );
    expect(runtimeImageConfig(file)).toEqual({
      entrypoint: ["/n", "/e.mjs"],
      user: "65532:65532",
      env: ["PATH=/usr/bin:/bin"],
    });
    expect(() => runtimeImageConfig(parseDockerfile("FROM b\nENTRYPOINT node x"))).toThrow(/exec-form/);
  });

  it("commits the rootfs onto scratch with that config", () => {
    const steps = buildahSteps({
      container: "c",
      rootfs: "/w/rootfs",
      image: "localhost/x:v1",
      config: { entrypoint: ["/n", "/e.mjs"], user: "65532:65532", env: ["PATH=/bin"] },
    });
    expect(steps).toEqual([
      ["from", "--name", "c", "scratch"],
      ["copy", "c", "/w/rootfs/", "/"],
      [
        "config",
        "--entrypoint",
        '["/n","/e.mjs"]',
        "--cmd",
        "",
        "--user",
        "65532:65532",
        "--env",
        "PATH=/bin",
        "c",
      ],
      ["commit", "--rm", "--quiet", "--format", "oci", "c", "localhost/x:v1"],
    ]);
  });

  it.each([
    {
      name: "resolved, the loader, the vDSO",
      output: [
        "\tlinux-vdso.so.1 (0x00007ffd)",
        "\tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x00007f)",
        "\t/lib64/ld-linux-x86-64.so.2 (0x00007f)",
      ].join("\n"),
      want: { libraries: ["/lib/x86_64-linux-gnu/libz.so.1", "/lib64/ld-linux-x86-64.so.2"], missing: [] },
    },
    {
      name: "not found",
      output: "\tlibfoo.so.3 => not found\n",
      want: { libraries: [], missing: ["libfoo.so.3"] },
    },
    { name: "static", output: "\tnot a dynamic executable\n", want: { libraries: [], missing: [] } },
  ])("parses ldd: $name", ({ output, want }) => {
    expect(parseLdd(output)).toEqual(want);
  });

  it.each([
    { path: "/lib/x86_64-linux-gnu/libz.so.1", want: "/usr/lib/x86_64-linux-gnu/libz.so.1" },
    { path: "/lib64/ld-linux-x86-64.so.2", want: "/usr/lib64/ld-linux-x86-64.so.2" },
    {
      path: "/usr/lib/x86_64-linux-gnu/xtables/libxt_tcp.so",
      want: "/usr/lib/x86_64-linux-gnu/xtables/libxt_tcp.so",
    },
  ])("usr-merged path of $path", ({ path, want }) => {
    expect(usrMergedPath(path)).toBe(want);
  });
});
