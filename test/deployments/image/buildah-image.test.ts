// The image, built for real without a registry: scripts/build-image.sh lays out the rootfs the
// Dockerfile copies (here `--base scratch`: with the pinned Node binary at /nodejs/bin/node, where the
// distroless base has its Node, and the libraries `ldd` names, since scratch has no glibc), buildah
// commits it onto `scratch` with the Dockerfile's own entry point, user and PATH, and podman runs it:
// `netclaim --version` prints package.json's version, the default user is 65532, `netclaim cni` answers
// VERSION, /opt/netclaim/node is that Node, the tools the kubelet plugin runs (ip, nsenter, chroot,
// iptables nft and legacy) start on a base with nothing else, the optional reference plugins answer, and
// `netclaim install-cni` run from the image (as root, the host's CNI dirs mounted at their paths) puts a
// shim on the "host" that runs there. Images, containers, the store and what buildah/podman create
// outside it are removed afterwards; leftovers fail the suite.
//
// Gate: root, buildah, podman, runc, and the tools build-image.sh copies (scripts/bootstrap.sh installs
// them). Without them the suite skips with the reason, except under CI=true, where it fails.
import { readFileSync } from "node:fs";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ProcessExec } from "../../../src/common/exec.ts";
import { describePrivileged, findCniPluginDir } from "../../harness/privileged.ts";
import { describeWithGate, findProgram } from "../../integration/kubelet-plugin/podman-support.ts";
import { parseDockerfile } from "./dockerfile.ts";
import type { ImageSandbox } from "./image-sandbox.ts";
import { createImageSandbox, IMAGE_TIMEOUT_MS } from "./image-sandbox.ts";
import { buildahSteps, decideToolGate, runtimeImageConfig } from "./image-support.ts";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string };
const NODE_VERSION = readFileSync(join(REPO, ".nvmrc"), "utf8").trim();
const IMAGE = `localhost/netclaim-image-test:v${PACKAGE.version}`;
const SETUP_TIMEOUT_MS = 4 * IMAGE_TIMEOUT_MS;
const exec = new ProcessExec();

const TOOL_NAMES = ["buildah", "podman", "runc", "ldd", "ip", "nsenter", "chroot", "xtables-nft-multi"];
const tools = Object.fromEntries(TOOL_NAMES.map((t) => [t, findProgram(t)]));
const gate = decideToolGate({
  ci: process.env.CI === "true",
  root: process.getuid?.() === 0,
  needsRoot: true,
  tools,
});

async function mustRun(
  what: string,
  result: Promise<{ code: number | null; stdout: string; stderr: string }>,
) {
  const r = await result;
  if (r.code !== 0) throw new Error(`${what}: exit ${String(r.code)}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

describePrivileged("the netclaim image", () => {
  describeWithGate("built with buildah from scratch, run with podman", gate, () => {
    let sandbox: ImageSandbox | undefined;
    const cniPlugins = findCniPluginDir();

    beforeAll(async () => {
      sandbox = await createImageSandbox({
        buildah: tools.buildah ?? "buildah",
        podman: tools.podman ?? "podman",
        runc: tools.runc ?? "runc",
      });
      const rootfs = join(sandbox.work, "rootfs");
      const plugins = cniPlugins === undefined ? [] : ["--cni-plugins", cniPlugins];
      await mustRun(
        "build-image.sh",
        exec.run(
          join(REPO, "scripts", "build-image.sh"),
          ["rootfs", rootfs, "--base", "scratch", ...plugins],
          {
            timeoutMs: IMAGE_TIMEOUT_MS,
          },
        ),
      );
      const config = runtimeImageConfig(parseDockerfile(readFileSync(join(REPO, "Dockerfile"), "utf8")));
      for (const step of buildahSteps({ container: "netclaim-image-test", rootfs, image: IMAGE, config })) {
        await mustRun(`buildah ${step[0]}`, sandbox.buildah(step));
      }
    }, SETUP_TIMEOUT_MS);

    afterAll(async () => {
      const problems = (await sandbox?.cleanUp()) ?? [];
      expect(problems).toEqual([]);
    }, SETUP_TIMEOUT_MS);

    const box = (): ImageSandbox => {
      if (sandbox === undefined) throw new Error("no sandbox");
      return sandbox;
    };

    it("netclaim --version is package.json's", async () => {
      expect((await mustRun("run --version", box().run(IMAGE, ["--version"]))).trim()).toBe(PACKAGE.version);
    });

    it("runs as 65532 unless told otherwise, with the Dockerfile's PATH", async () => {
      const script = "process.stdout.write(`${process.getuid()}:${process.getgid()} ${process.env.PATH}`)";
      const out = await mustRun(
        "run getuid",
        box().run(IMAGE, ["-e", script], ["--entrypoint", "/nodejs/bin/node"]),
      );
      expect(out).toBe("65532:65532 /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    });

    it("netclaim cni answers VERSION", async () => {
      const out = await mustRun("run cni", box().run(IMAGE, ["cni"], ["--env", "CNI_COMMAND=VERSION"]));
      expect((JSON.parse(out) as { supportedVersions: string[] }).supportedVersions).toContain("1.1.0");
    });

    it("/opt/netclaim/node is the pinned Node", async () => {
      const out = await mustRun(
        "run node",
        box().run(IMAGE, ["--version"], ["--entrypoint", "/opt/netclaim/node"]),
      );
      expect(out.trim()).toBe(`v${NODE_VERSION}`);
    });

    it.each([
      { tool: "ip", args: ["-V"], want: "iproute2" },
      { tool: "nsenter", args: ["--version"], want: "util-linux" },
      { tool: "chroot", args: ["--version"], want: "coreutils" },
      { tool: "iptables", args: ["--version"], want: "(nf_tables)" },
      { tool: "ip6tables-save", args: ["--version"], want: "(nf_tables)" },
      { tool: "iptables-legacy", args: ["--version"], want: "(legacy)" },
    ])("$tool runs in the image", async ({ tool, args, want }) => {
      const out = await mustRun(tool, box().run(IMAGE, args, ["--entrypoint", `/usr/sbin/${tool}`]));
      expect(out).toContain(want);
    });

    it.skipIf(cniPlugins === undefined)(
      "carries the reference plugins at /opt/netclaim/cni-plugins",
      async () => {
        const flags = ["--entrypoint", "/opt/netclaim/cni-plugins/bridge", "--env", "CNI_COMMAND=VERSION"];
        const out = await mustRun("run bridge", box().run(IMAGE, [], flags));
        expect((JSON.parse(out) as { supportedVersions: string[] }).supportedVersions).toContain("1.0.0");
      },
    );

    it("install-cni from the image puts a shim on the host that runs there", async () => {
      const host = join(box().work, "host");
      const [binDir, confDir] = [join(host, "opt/cni/bin"), join(host, "etc/cni/net.d")];
      await mkdir(binDir, { recursive: true, mode: 0o755 });
      await mkdir(confDir, { recursive: true });
      const master = { cniVersion: "1.0.0", name: "cluster", plugins: [{ type: "bridge", bridge: "nc0" }] };
      await writeFile(join(confDir, "10-cluster.conflist"), JSON.stringify(master));
      const mounts = ["--volume", `${binDir}:/opt/cni/bin`, "--volume", `${confDir}:/etc/cni/net.d`];
      const args = [
        ...["install-cni", "--shim-bundle-dir=/opt/netclaim/shim", "--node-binary=/opt/netclaim/node"],
        ...["--write-kubeconfig=false", "--verify-shim=off", "--master-timeout=10s"],
      ];
      await mustRun("run install-cni", box().run(IMAGE, args, ["--user", "0:0", ...mounts]));
      expect((await readdir(confDir)).sort()).toEqual(["00-netclaim.conflist", "10-cluster.conflist"]);
      const installedNode = join(binDir, "netclaim.d", "node");
      expect((await stat(installedNode)).size).toBe(
        (await stat(join(box().work, "rootfs/nodejs/bin/node"))).size,
      );
      const conf = JSON.parse(await readFile(join(confDir, "00-netclaim.conflist"), "utf8")) as {
        plugins: { type: string }[];
      };
      expect(conf.plugins.map((p) => p.type)).toEqual(["netclaim"]);
      const env = { CNI_COMMAND: "VERSION", PATH: process.env.PATH ?? "/usr/bin:/bin" };
      const out = await mustRun(
        "the installed shim",
        exec.run(join(binDir, "netclaim"), [], { env, stdin: "" }),
      );
      expect((JSON.parse(out) as { supportedVersions?: string[] }).supportedVersions).toContain("1.1.0");
    });
  });
});
