// A real CDI consumer reads our spec: podman injects netclaim CDI devices into a container and the
// container's environment has the devices' variables. The spec is the plugin's own: renderCdiSpec for a
// claim, written with writeCdiSpec under its claim-UID file name (unique per run), removed afterwards —
// also when a test fails.
//
// Gate: rootful podman and runc (scripts/bootstrap.sh installs both as root). Without them the suite
// skips with a printed reason, except under CI=true, where it fails instead.
// Debian's podman 4.3 loads cdiVersion up to 0.5.0; the claim UID here starts with a digit, so the spec
// is exactly 0.5.0 — the highest version that runtime takes. It has no --cdi-spec-dir, so the spec goes
// into /var/run/cdi. Everything else podman writes stays in a temp dir (podman-sandbox.ts, with the
// decisions in podman-support.ts), and the cleanup fails the suite if it leaves a mount, a cgroup, the
// temp dir or the spec behind.
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cdiDeviceId, cdiSpecFileName } from "../../../src/kubelet-plugin/cdi/cdi-names.ts";
import { renderCdiSpec } from "../../../src/kubelet-plugin/cdi/render.ts";
import type { CdiInputDevice } from "../../../src/kubelet-plugin/cdi/render.ts";
import { removeCdiSpec, writeCdiSpec } from "../../../src/kubelet-plugin/cdi/spec-files.ts";
import type { PodmanSandbox } from "./podman-sandbox.ts";
import { createPodmanSandbox, PODMAN_TIMEOUT_MS } from "./podman-sandbox.ts";
import type { PodmanFeatures, PodmanGate } from "./podman-support.ts";
import {
  containerUlimits,
  decidePodmanGate,
  describeWithGate,
  findProgram,
  mountPointsUnder,
  podmanFeatures,
  podmanGlobalFlags,
  renderContainersConf,
} from "./podman-support.ts";

const DRIVER = "netclaim.dev";
const SUITE_TIMEOUT_MS = 2 * PODMAN_TIMEOUT_MS;

const tools = { podman: findProgram("podman"), runc: findProgram("runc") };
const gate = decidePodmanGate({
  ci: process.env.CI === "true",
  root: process.getuid?.() === 0,
  ...tools,
});

describe("podman sandbox decisions", () => {
  const found = { podman: "/usr/bin/podman", runc: "/usr/sbin/runc" };
  it.each<{ name: string; facts: Parameters<typeof decidePodmanGate>[0]; want: PodmanGate }>([
    { name: "all there", facts: { ci: true, root: true, ...found }, want: { action: "run" } },
    {
      name: "no podman on a dev machine",
      facts: { ci: false, root: true, ...found, podman: undefined },
      want: { action: "skip", reason: "needs podman (apt-get install podman)" },
    },
    {
      name: "no podman under CI",
      facts: { ci: true, root: true, ...found, podman: undefined },
      want: { action: "fail", reason: "needs podman (apt-get install podman)" },
    },
    {
      name: "not root, no runc",
      facts: { ci: false, root: false, ...found, runc: undefined },
      want: { action: "skip", reason: "needs root (rootful podman), runc (apt-get install runc)" },
    },
  ])("gate: $name", ({ facts, want }) => {
    expect(decidePodmanGate(facts)).toEqual(want);
  });

  it.each([
    {
      name: "Debian 4.3",
      version: "podman version 4.3.1\n",
      help: "  --cgroup-manager string",
      want: { major: 4, cdiSpecDirFlag: false, networkBackend: "cni" },
    },
    {
      name: "5 with --cdi-spec-dir",
      version: "podman version 5.4.2",
      help: "  --cdi-spec-dir stringArray",
      want: { major: 5, cdiSpecDirFlag: true, networkBackend: "netavark" },
    },
  ])("features: $name", ({ version, help, want }) => {
    expect(podmanFeatures(version, help)).toEqual(want);
  });

  it.each<{ name: string; features: PodmanFeatures; cdiDir: string; wantCdiFlag: string[] }>([
    {
      name: "Debian 4.3: specs in /var/run/cdi, CNI",
      features: { major: 4, cdiSpecDirFlag: false, networkBackend: "cni" },
      cdiDir: "/var/run/cdi",
      wantCdiFlag: [],
    },
    {
      name: "podman 5: specs in the temp dir, netavark",
      features: { major: 5, cdiSpecDirFlag: true, networkBackend: "netavark" },
      cdiDir: "/w/cdi",
      wantCdiFlag: ["--cdi-spec-dir", "/w/cdi"],
    },
  ])("configs keep podman's paths in the temp dir: $name", ({ features, cdiDir, wantCdiFlag }) => {
    const flags = podmanGlobalFlags({ work: "/w", runc: "/usr/sbin/runc", cdiDir, features });
    expect(flags).toEqual([
      ...["--root", "/w/root", "--runroot", "/w/run", "--tmpdir", "/w/tmp", "--storage-driver", "vfs"],
      ...["--runtime", "/usr/sbin/runc", "--cgroup-manager", "cgroupfs", "--events-backend", "file"],
      ...wantCdiFlag,
    ]);
    const conf = renderContainersConf({ work: "/w", features, ulimits: { nofile: 1024, nproc: 512 } });
    expect(conf.split("\n")).toEqual(
      expect.arrayContaining([
        'default_ulimits = ["nofile=1024:1024", "nproc=512:512"]',
        `network_backend = "${features.networkBackend}"`,
        'network_config_dir = "/w/net.d"',
        'events_logfile_path = "/w/events.log"',
        'lock_type = "file"',
      ]),
    );
  });

  it("mount points under a dir, deepest first, with escapes", () => {
    const mountinfo = [
      "22 1 8:1 / / rw - ext4 /dev/vda rw",
      "30 22 8:1 /x /tmp/p-1/root rw - ext4 /dev/vda rw",
      "31 30 0:5 / /tmp/p-1/root/a\\040b rw shared:1 - tmpfs tmpfs rw",
      "32 22 0:6 / /tmp/p-10 rw - tmpfs tmpfs rw",
    ].join("\n");
    expect(mountPointsUnder(mountinfo, "/tmp/p-1")).toEqual(["/tmp/p-1/root/a b", "/tmp/p-1/root"]);
  });

  it.each([
    {
      name: "high limits are lowered",
      limits: "Max processes  96364  96364  processes\nMax open files  20000  20000  files",
      want: { nofile: 1024, nproc: 1024 },
    },
    {
      name: "low soft limits are kept",
      limits: "Max processes  512  512  processes\nMax open files  256  4096  files",
      want: { nofile: 256, nproc: 512 },
    },
    {
      name: "unlimited or absent",
      limits: "Max processes  unlimited  unlimited  processes",
      want: { nofile: 1024, nproc: 1024 },
    },
  ])("ulimits: $name", ({ limits, want }) => {
    expect(containerUlimits(limits)).toEqual(want);
  });
});

describeWithGate("CDI spec consumed by podman", gate, () => {
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
  let sandbox: PodmanSandbox | undefined;
  let specPath = "";
  const made = (): PodmanSandbox => {
    if (sandbox === undefined) throw new Error("the podman sandbox was not set up");
    return sandbox;
  };

  beforeAll(async () => {
    const { podman, runc } = tools;
    if (podman === undefined || runc === undefined) throw new Error("gate let the suite run without podman");
    const created = await createPodmanSandbox({ podman, runc });
    sandbox = created;
    created.defer("remove the CDI spec", () => removeCdiSpec(created.cdiDir, DRIVER, claim.uid));
    const spec = renderCdiSpec({ driver: DRIVER, claim, devices });
    specPath = join(created.cdiDir, cdiSpecFileName(DRIVER, claim.uid));
    expect(await writeCdiSpec(created.cdiDir, claim.uid, spec)).toBe(specPath);
  }, SUITE_TIMEOUT_MS);

  afterAll(async () => {
    const problems = (await sandbox?.cleanUp()) ?? [];
    if (specPath !== "" && existsSync(specPath)) problems.push(`CDI spec left behind: ${specPath}`);
    if (problems.length > 0) throw new Error(`podman cleanup: ${problems.join("; ")}`);
  }, SUITE_TIMEOUT_MS);

  it("the spec is the version podman 4.3 still loads", () => {
    expect(renderCdiSpec({ driver: DRIVER, claim, devices }).cdiVersion).toBe("0.5.0");
  });

  it(
    "injects both devices' environments into the container",
    async () => {
      const run = await made().runContainer({
        cdiDevices: [
          cdiDeviceId(DRIVER, claim.uid, "vf-0000-3b-02-1"),
          cdiDeviceId(DRIVER, claim.uid, "veth-host0"),
        ],
        command: ["/bin/env"],
      });
      expect(run.code, `podman failed: ${run.stderr}`).toBe(0);
      expect(run.stdout.split("\n")).toEqual(
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
    },
    SUITE_TIMEOUT_MS,
  );

  it(
    "refuses a device the spec does not have",
    async () => {
      const run = await made().runContainer({
        cdiDevices: [cdiDeviceId(DRIVER, claim.uid, "nope")],
        command: ["/bin/env"],
      });
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain("unresolvable CDI devices");
    },
    SUITE_TIMEOUT_MS,
  );
});
