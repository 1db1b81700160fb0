// What scripts/build-image.sh lays out for the Dockerfile's runtime stage (`--base distroless`), checked
// file by file: only /opt and /usr (a real /lib, /bin or /sbin would replace the base's usr-merge
// links), the bundle's entry point where the Dockerfile's ENTRYPOINT runs it, the kubelet protos where
// the bundle's chunks look for them, /opt/netclaim/node pointing at the entry point's Node, every
// library the copied programs and xtables modules need either copied or glibc's (which the base has),
// and everything readable by the image's non-root user. Misuse of the script fails it.
//
// Gate: the programs it copies (ip, nsenter, chroot, iptables; scripts/bootstrap.sh installs them) and
// ldd; without them the suite skips with the reason, except under CI=true, where it fails.
import { lstat, mkdtemp, readdir, readFile, readlink, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ProcessExec } from "../../../src/common/exec.ts";
import { KUBELET_PROTOS, findProtoDir } from "../../../src/k8s/kubelet-grpc.ts";
import { describeWithGate, findProgram } from "../../integration/kubelet-plugin/podman-support.ts";
import { parseDockerfile } from "./dockerfile.ts";
import { IMAGE_TIMEOUT_MS } from "./image-sandbox.ts";
import { decideToolGate, parseLdd, runtimeImageConfig, usrMergedPath } from "./image-support.ts";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const SCRIPT = join(REPO, "scripts", "build-image.sh");
const GLIBC = new Set(["ld-linux-x86-64.so.2", "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0"]);
const exec = new ProcessExec();
const CONFIG = runtimeImageConfig(parseDockerfile(readFileSync(join(REPO, "Dockerfile"), "utf8")));

const TOOL_NAMES = ["ldd", "ip", "nsenter", "chroot", "xtables-nft-multi", "xtables-legacy-multi"];
const gate = decideToolGate({
  ci: process.env.CI === "true",
  root: process.getuid?.() === 0,
  needsRoot: false,
  tools: Object.fromEntries(TOOL_NAMES.map((t) => [t, findProgram(t)])),
});

async function filesUnder(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await filesUnder(join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

async function isElf(path: string): Promise<boolean> {
  const info = await lstat(path);
  if (!info.isFile()) return false;
  const head = (await readFile(path)).subarray(0, 4);
  return head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
}

describeWithGate("scripts/build-image.sh rootfs (the Dockerfile's /rootfs)", gate, () => {
  let work = "";
  let rootfs = "";
  let files: string[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "netclaim-rootfs-"));
    rootfs = join(work, "rootfs");
    const result = await exec.run(SCRIPT, ["rootfs", rootfs], { timeoutMs: IMAGE_TIMEOUT_MS });
    if (result.code !== 0) throw new Error(`build-image.sh: ${result.stderr}`);
    files = await filesUnder(rootfs);
  }, IMAGE_TIMEOUT_MS);

  afterAll(async () => {
    if (work !== "") await rm(work, { recursive: true, force: true });
  });

  it("writes only under /opt and /usr", async () => {
    expect((await readdir(rootfs)).sort()).toEqual(["opt", "usr"]);
  });

  it("puts the bundle where the entry point runs it, and the host runtime link", async () => {
    const entry = CONFIG.entrypoint[1] ?? "";
    expect(files).toContain(entry.slice(1));
    expect(files).toContain("opt/netclaim/shim/package.json");
    expect(await readlink(join(rootfs, "opt/netclaim/node"))).toBe(CONFIG.entrypoint[0]);
  });

  it("carries the kubelet protos in the bundle, where its code finds them (findProtoDir)", () => {
    for (const proto of Object.values(KUBELET_PROTOS))
      expect(files).toContain(`opt/netclaim/shim/proto/${proto.file}`);
    const chunk = files.find((f) => f.startsWith("opt/netclaim/shim/chunks/") && f.endsWith(".mjs"));
    expect(chunk).toBeDefined();
    expect(findProtoDir(pathToFileURL(join(rootfs, chunk ?? "")).href)).toBe(
      join(rootfs, "opt/netclaim/shim/proto/"),
    );
  });

  it("copies every library the programs and modules need (glibc is the base's)", async () => {
    const elves = [];
    for (const f of files) if (await isElf(join(rootfs, f))) elves.push(f);
    expect(elves).toEqual(expect.arrayContaining(["usr/sbin/ip", "usr/sbin/nsenter", "usr/sbin/chroot"]));
    expect(elves.some((f) => f.includes("/xtables/libxt_"))).toBe(true);
    const problems: string[] = [];
    for (const elf of elves) {
      const { libraries, missing } = parseLdd((await exec.run("ldd", [join(rootfs, elf)])).stdout);
      problems.push(...missing.map((m) => `${elf}: ${m} not found`));
      for (const lib of libraries) {
        if (GLIBC.has(basename(lib))) continue;
        if (!files.includes(usrMergedPath(lib).slice(1))) problems.push(`${elf}: ${lib} not copied`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("names iptables after the nft backend and iptables-legacy after the legacy one", async () => {
    expect(await readlink(join(rootfs, "usr/sbin/iptables"))).toBe("xtables-nft-multi");
    expect(await readlink(join(rootfs, "usr/sbin/ip6tables-restore"))).toBe("xtables-nft-multi");
    expect(await readlink(join(rootfs, "usr/sbin/iptables-legacy"))).toBe("xtables-legacy-multi");
  });

  it("leaves everything readable (and programs executable) for user 65532", async () => {
    const problems: string[] = [];
    for (const f of files) {
      const info = await lstat(join(rootfs, f));
      if (info.isSymbolicLink()) continue;
      if ((info.mode & 0o004) === 0) problems.push(`${f} not world-readable`);
      if (f.startsWith("usr/sbin/") && (info.mode & 0o001) === 0) problems.push(`${f} not executable`);
    }
    expect(problems).toEqual([]);
  });

  it.each([
    { name: "no command", args: [] },
    { name: "an unknown base", args: ["rootfs", "/tmp/x", "--base", "alpine"] },
    { name: "an unknown option", args: ["rootfs", "/tmp/x", "--plugins", "/usr/lib/cni"] },
  ])("refuses $name", async ({ args }) => {
    const result = await exec.run(SCRIPT, args);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("usage:");
  });

  it("refuses a directory that is not empty", async () => {
    const result = await exec.run(SCRIPT, ["rootfs", rootfs]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is not empty");
  });
});
