// Exactly what a plugin receives from the stand-in runtime (env, stdin, the netns it runs in), recorded
// by a tiny plugin and compared with what containerd passes (libcni Args.AsEnv + go-cni + CRI
// cniNamespaceOpts): CNI_COMMAND, CNI_CONTAINERID (the sandbox id), CNI_NETNS (the pod netns file),
// CNI_ARGS "IgnoreUnknown=1;K8S_POD_NAMESPACE=..;K8S_POD_NAME=..;K8S_POD_INFRA_CONTAINER_ID=..;K8S_POD_UID=..",
// CNI_IFNAME=eth0, CNI_PATH (the bin dirs), plus the runtime's own environment.
import { readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { DEFAULT_PATH_ENV, newRunPrefix } from "../../harness/runtime/index.ts";
import type { RuntimeFlavor } from "../../harness/runtime/index.ts";
import { describePrivileged } from "../../harness/privileged.ts";
import { netnsId, POD, recordingHarness } from "./support.ts";
import type { RecordingHarness } from "./support.ts";

describePrivileged("what the runtime stand-in passes to a plugin", () => {
  let current: RecordingHarness | undefined;
  afterEach(async () => {
    await current?.harness.dispose();
    current = undefined;
  });

  it("runs the plugin inside the fake host netns with containerd's CNI_* env and nothing else", async () => {
    current = await recordingHarness({ names: ["rec"] });
    const { harness, plugins, binDir } = current;
    const sandbox = await harness.runtime.runPodSandbox(POD);
    await harness.runtime.setUpPodNetwork(sandbox, { cniVersion: "1.0.0", name: "recnet", type: "rec" });

    const [call] = await plugins.read();
    expect(call?.env).toEqual({
      PATH: DEFAULT_PATH_ENV,
      CNI_COMMAND: "ADD",
      CNI_CONTAINERID: sandbox.id,
      CNI_NETNS: sandbox.netns.path,
      CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=pod1;K8S_POD_INFRA_CONTAINER_ID=${sandbox.id};K8S_POD_UID=${POD.uid}`,
      CNI_IFNAME: "eth0",
      CNI_PATH: binDir,
    });
    expect(sandbox.id).toMatch(/^[0-9a-f]{64}$/);
    expect(sandbox.netns.path).toMatch(new RegExp(`^/run/netns/${harness.runPrefix}-cni-[0-9a-f-]{36}$`));
    expect(call?.netns).toBe(await netnsId(harness.host.netns.path));
    expect(call?.netns).not.toBe(await readlink("/proc/self/ns/net"));
  });

  it("passes the runtime's base environment through, with the CNI_* values winning", async () => {
    current = await recordingHarness({
      names: ["rec"],
      baseEnv: { PATH: DEFAULT_PATH_ENV, RUNTIME_VAR: "x", CNI_COMMAND: "BOGUS" },
    });
    const { harness, plugins } = current;
    const sandbox = await harness.runtime.runPodSandbox(POD);
    await harness.runtime.setUpPodNetwork(sandbox, { cniVersion: "1.0.0", name: "recnet", type: "rec" });
    const [call] = await plugins.read();
    expect(call?.env).toMatchObject({ RUNTIME_VAR: "x", CNI_COMMAND: "ADD" });
  });

  it("injects name and cniVersion into a conflist's plugin and sorts the keys", async () => {
    current = await recordingHarness({ names: ["rec"] });
    const { harness, plugins } = current;
    const sandbox = await harness.runtime.runPodSandbox(POD);
    await harness.runtime.setUpPodNetwork(sandbox, {
      cniVersion: "0.4.0",
      name: "listnet",
      plugins: [{ type: "rec", zzz: true, mtu: 1400 }],
    });
    const [call] = await plugins.read();
    expect(call?.stdinText).toBe(
      '{"cniVersion":"0.4.0","mtu":1400,"name":"listnet","type":"rec","zzz":true}',
    );
  });

  const flavors: { flavor: RuntimeFlavor; wantRuntimeConfig: Record<string, unknown> }[] = [
    {
      flavor: "containerd",
      wantRuntimeConfig: {
        "io.kubernetes.cri.pod-annotations": { team: "blue" },
        portMappings: [{ HostPort: 8080, ContainerPort: 80, Protocol: "tcp", HostIP: "" }],
      },
    },
    {
      flavor: "cri-o",
      wantRuntimeConfig: {
        "io.kubernetes.cri.pod-annotations": { team: "blue" },
        portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "tcp", hostIP: "" }],
      },
    },
  ];
  it.each(flavors)("$flavor: runtimeConfig holds just the capabilities the plugin declares", async (row) => {
    current = await recordingHarness({ names: ["rec"], flavor: row.flavor });
    const { harness, plugins } = current;
    const sandbox = await harness.runtime.runPodSandbox({
      ...POD,
      annotations: { team: "blue" },
      portMappings: [{ containerPort: 80, hostPort: 8080, protocol: "TCP" }],
      cgroupParent: "/kubepods/besteffort/pod1",
    });
    await harness.runtime.setUpPodNetwork(sandbox, {
      cniVersion: "1.0.0",
      name: "capnet",
      type: "rec",
      capabilities: {
        portMappings: true,
        "io.kubernetes.cri.pod-annotations": true,
        bandwidth: true,
        cgroupPath: false,
      },
    });
    const [call] = await plugins.read();
    expect(call?.stdin?.runtimeConfig).toEqual(row.wantRuntimeConfig);
  });

  it("keeps the plugin's stderr out of its result", async () => {
    const stderr: string[] = [];
    current = await recordingHarness({ names: ["rec"], onPluginRun: (e) => stderr.push(e.stderr) });
    const { harness } = current;
    const sandbox = await harness.runtime.runPodSandbox(POD);
    const result = await harness.runtime.setUpPodNetwork(sandbox, {
      cniVersion: "1.0.0",
      name: "recnet",
      type: "rec",
      record: { address: "10.9.9.9/24" },
    });
    expect(result).toEqual({
      cniVersion: "1.0.0",
      interfaces: [{ name: "eth0", sandbox: sandbox.netns.path }],
      ips: [{ address: "10.9.9.9/24", interface: 0 }],
      dns: {},
    });
    expect(stderr).toEqual(["recording plugin rec ADD\n"]);
  });

  it("gives pods a netns in a custom netns directory and passes that path as CNI_NETNS", async () => {
    const podNetnsDir = join(tmpdir(), `${newRunPrefix()}-podns`);
    try {
      current = await recordingHarness({ names: ["rec"], podNetnsDir });
      const { harness, plugins } = current;
      const sandbox = await harness.runtime.runPodSandbox(POD);
      expect(sandbox.netns.path.startsWith(`${podNetnsDir}/`)).toBe(true);
      await harness.runtime.setUpPodNetwork(sandbox, { cniVersion: "1.0.0", name: "recnet", type: "rec" });
      const [call] = await plugins.read();
      expect(call?.env.CNI_NETNS).toBe(sandbox.netns.path);
      expect(
        (await harness.podNetns.links(sandbox.netns)).map((l) => [l.ifname, l.flags.includes("UP")]),
      ).toEqual([["lo", true]]);
      await harness.dispose();
      current = undefined;
      expect(await harness.podNetns.list()).toEqual([]);
    } finally {
      await rm(podNetnsDir, { recursive: true, force: true });
    }
  });
});
