// A real CDI consumer reads our spec: podman injects a netclaim CDI device into a container and the
// container's environment has the device's variables. Optional — podman is a consumer we may not have:
// without it (or without a way to build a rootfs) the suite skips with a printed reason, CI or not.
//
// Debian's podman 4.3 loads cdiVersion up to 0.5.0; the claim UID here starts with a digit, so the spec
// is exactly 0.5.0 — the highest version that runtime takes. Everything podman writes goes under a temp
// dir (--root/--runroot/--tmpdir), with CONTAINERS_CONF lowering the default ulimits (raising them is
// not permitted here). The spec goes into a temp dir when podman has --cdi-spec-dir (newer releases),
// else into /var/run/cdi under a unique name, removed afterwards. podman itself may leave
// /run/containers, /run/runc and /dev/shm/libpod_lock behind, as every podman run does.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cdiDeviceId } from "../../../src/kubelet-plugin/cdi/cdi-names.ts";
import { renderCdiSpec } from "../../../src/kubelet-plugin/cdi/render.ts";
import type { CdiInputDevice } from "../../../src/kubelet-plugin/cdi/render.ts";
import { removeCdiSpec, writeCdiSpec } from "../../../src/kubelet-plugin/cdi/spec-files.ts";

const DRIVER = "netclaim.dev";
const SYSTEM_CDI_DIR = "/var/run/cdi";
const PODMAN_TIMEOUT_MS = 60_000;

function which(program: string): string | undefined {
  const found = spawnSync("sh", ["-c", `command -v ${program}`], { encoding: "utf8" });
  const path = found.stdout.trim();
  return found.status === 0 && path !== "" ? path : undefined;
}

/** The shared libraries `ldd` names for a dynamically linked program. */
function sharedLibraries(program: string): string[] | undefined {
  const ldd = spawnSync("ldd", [program], { encoding: "utf8" });
  if (ldd.status !== 0) return ldd.stdout.includes("not a dynamic executable") ? [] : undefined;
  return [...ldd.stdout.matchAll(/(\/[^\s)]+)/g)].map((m) => m[1] ?? "").filter((p) => p !== "");
}

/** A rootfs with an `env` program: busybox when installed, else env and its libraries. */
function buildRootfs(root: string): string | undefined {
  for (const dir of ["bin", "proc", "sys", "dev", "tmp", "etc"])
    mkdirSync(join(root, dir), { recursive: true });
  const busybox = which("busybox");
  if (busybox !== undefined) {
    copyFileSync(busybox, join(root, "bin", "busybox"));
    symlinkSync("busybox", join(root, "bin", "env"));
    return undefined;
  }
  const env = which("env");
  const libraries = env === undefined ? undefined : sharedLibraries(env);
  if (env === undefined || libraries === undefined)
    return "neither busybox nor a usable env to build a rootfs from";
  for (const file of [env, ...libraries]) {
    const target = join(root, file === env ? "bin/env" : file);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
  }
  return undefined;
}

function skipReason(): string | undefined {
  if (which("podman") === undefined) return "podman is not installed (an optional CDI consumer)";
  return undefined;
}

const reason = skipReason();
if (reason !== undefined) process.stderr.write(`skipping CDI-with-podman tests: ${reason}\n`);

describe.skipIf(reason !== undefined)("CDI spec consumed by podman", () => {
  let work = "";
  const claim = { uid: `9${randomUUID().slice(1)}`, namespace: "team-a", name: "net-a" };
  const devices: CdiInputDevice[] = [
    {
      requestNames: ["vf"],
      poolName: "node-a",
      deviceName: "vf-0000-3b-02-1",
      kind: "sriov-vf",
      pciAddress: "0000:3b:02.1",
      ifName: "ens1f0v1",
      resourceName: "sf-pool-1",
      config: { ifName: "net1" },
    },
    {
      requestNames: ["uplink"],
      poolName: "node-a",
      deviceName: "veth-host0",
      kind: "netdev",
      ifName: "veth-host0",
      config: {},
    },
  ];
  let cdiDir = SYSTEM_CDI_DIR;
  let createdSystemDir = false;
  let rootfsProblem: string | undefined;

  function podman(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const global = [
      "--root",
      join(work, "root"),
      "--runroot",
      join(work, "run"),
      "--tmpdir",
      join(work, "tmp"),
    ];
    const specDir = cdiDir === SYSTEM_CDI_DIR ? [] : ["--cdi-spec-dir", cdiDir];
    const run = spawnSync("podman", [...global, ...specDir, ...args], {
      encoding: "utf8",
      timeout: PODMAN_TIMEOUT_MS,
      env: { ...process.env, CONTAINERS_CONF: join(work, "containers.conf") },
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "netclaim-podman-"));
    writeFileSync(
      join(work, "containers.conf"),
      '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n',
    );
    rootfsProblem = buildRootfs(join(work, "rootfs"));
    const help = spawnSync("podman", ["--help"], { encoding: "utf8" });
    if (help.stdout.includes("--cdi-spec-dir")) cdiDir = join(work, "cdi");
    else createdSystemDir = !existsSync(SYSTEM_CDI_DIR);
    await writeCdiSpec(cdiDir, claim.uid, renderCdiSpec({ driver: DRIVER, claim, devices }));
  });

  afterAll(async () => {
    await removeCdiSpec(cdiDir, DRIVER, claim.uid);
    if (createdSystemDir) rmSync(SYSTEM_CDI_DIR, { recursive: true, force: true });
    if (work !== "") rmSync(work, { recursive: true, force: true });
  });

  it("the spec is the version podman 4.3 still loads", () => {
    expect(renderCdiSpec({ driver: DRIVER, claim, devices }).cdiVersion).toBe("0.5.0");
  });

  it("injects both devices' environments into the container", (ctx) => {
    if (rootfsProblem !== undefined) {
      process.stderr.write(`skipping the podman run: ${rootfsProblem}\n`);
      ctx.skip();
    }
    const run = podman([
      "run",
      "--rm",
      "--network",
      "none",
      "--device",
      cdiDeviceId(DRIVER, claim.uid, "vf-0000-3b-02-1"),
      "--device",
      cdiDeviceId(DRIVER, claim.uid, "veth-host0"),
      "--rootfs",
      join(work, "rootfs"),
      "/bin/env",
    ]);
    expect(run.status, `podman failed: ${run.stderr}`).toBe(0);
    const env = run.stdout.split("\n");
    expect(env).toEqual(
      expect.arrayContaining([
        "NETCLAIM_VF_CLAIM=team-a/net-a",
        "NETCLAIM_VF_PCI_ADDRESS=0000:3b:02.1",
        "NETCLAIM_VF_IFNAME=ens1f0v1",
        "NETCLAIM_VF_POD_IFNAME=net1",
        "PCIDEVICE_NETCLAIM_DEV_SF_POOL_1=0000:3b:02.1",
        "NETCLAIM_UPLINK_IFNAME=veth-host0",
        "NETCLAIM_UPLINK_KIND=netdev",
      ]),
    );
  });

  it("refuses a device the spec does not have", (ctx) => {
    if (rootfsProblem !== undefined) ctx.skip();
    const run = podman([
      "run",
      "--rm",
      "--network",
      "none",
      "--device",
      cdiDeviceId(DRIVER, claim.uid, "nope"),
      "--rootfs",
      join(work, "rootfs"),
      "/bin/env",
    ]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("unresolvable CDI devices");
  });
});
