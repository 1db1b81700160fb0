// runDelegate and the network-level ADD/CHECK/DEL/GC/STATUS with the real reference plugins (bridge, ptp,
// host-local, tuning from /usr/lib/cni) inside a fake host netns. The delegate runner knows nothing of
// netns: its Exec is wrapped (PrefixedExec) so every plugin runs as `ip netns exec <host> <plugin>`, the
// way the meta-plugin itself will run inside the fake host in the engine's tests.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import {
  CNI_1_0_VERSIONS,
  DEFAULT_PATH_ENV,
  commandInNetns,
  createRuntimeHarness,
  writeRecordingPlugins,
} from "../../harness/runtime/index.ts";
import type { PodSandbox, RuntimeHarness } from "../../harness/runtime/index.ts";
import { describePrivileged, findCniPluginDir } from "../../harness/privileged.ts";
import { addConflist, checkConflist, delConflist } from "../../../src/cni/delegate/conflist.ts";
import { DelegateError } from "../../../src/cni/delegate/delegate-error.ts";
import { PluginVersions, gcConflist, statusConflist } from "../../../src/cni/delegate/gc-status.ts";
import type { JsonObject } from "../../../src/cni/delegate/json.ts";
import { toDelegateNetwork } from "../../../src/cni/delegate/plugin-config.ts";
import { PrefixedExec } from "../../../src/cni/delegate/prefixed-exec.ts";
import { DelegateRunner } from "../../../src/cni/delegate/run-delegate.ts";
import type { DelegateRunnerOptions } from "../../../src/cni/delegate/run-delegate.ts";

const pluginDir = findCniPluginDir() ?? "/usr/lib/cni";

function runnerIn(
  h: RuntimeHarness,
  binDirs: readonly string[],
  options: Partial<DelegateRunnerOptions> = {},
) {
  const { file, args } = commandInNetns(h.host.netns, [], h.netns.tools);
  return new DelegateRunner({
    exec: new PrefixedExec(h.exec, [file, ...args]),
    binDirs,
    baseEnv: { PATH: DEFAULT_PATH_ENV, NC_MARKER: "inherited" },
    ...options,
  });
}

function attachmentOf(sandbox: PodSandbox, ifName: string) {
  const { namespace, name, uid } = sandbox.config;
  const cniArgs = `IgnoreUnknown=1;K8S_POD_NAMESPACE=${namespace};K8S_POD_NAME=${name};K8S_POD_INFRA_CONTAINER_ID=${sandbox.id};K8S_POD_UID=${uid}`;
  return { containerID: sandbox.id, netns: sandbox.netns.path, ifName, cniArgs };
}

function bridgeTuning(cniVersion: string, dataDir: string): JsonObject {
  return {
    cniVersion,
    name: "nc-bt",
    plugins: [
      {
        type: "bridge",
        bridge: "ncbr5",
        isGateway: true,
        ipam: { type: "host-local", ranges: [[{ subnet: "10.250.5.0/24" }]], dataDir },
      },
      { type: "tuning", mtu: 1400, capabilities: { mac: true } },
    ],
  };
}

async function allocations(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f !== "lock" && !f.startsWith("last_reserved_ip"));
}

describePrivileged("delegates: the reference plugins through runDelegate", () => {
  let harness: RuntimeHarness | undefined;
  afterEach(async () => {
    await harness?.dispose();
    harness = undefined;
  });

  it("bridge + tuning conflist: ADD chains prevResult and runtimeConfig, CHECK passes, DEL undoes, twice", async () => {
    const h = (harness = await createRuntimeHarness({ binDirs: [pluginDir] }));
    const dataDir = await h.makeDir("ipam");
    const sandbox = await h.runtime.runPodSandbox({ namespace: "ns1", name: "web", uid: "uid-web" });
    const runner = runnerIn(h, [pluginDir]);
    const call = {
      network: toDelegateNetwork(bridgeTuning("1.0.0", dataDir)),
      attachment: attachmentOf(sandbox, "net1"),
      runtimeConfig: { mac: "02:42:0a:fa:05:63", portMappings: [] },
    };

    const result = await addConflist(runner, call);
    expect(result.cniVersion).toBe("1.0.0");
    const net1 = (await h.podNetns.addresses(sandbox.netns)).find((l) => l.ifname === "net1");
    expect(net1).toMatchObject({ address: "02:42:0a:fa:05:63", mtu: 1400 });
    const ip = (result.ips as { address: string }[])[0]?.address ?? "";
    expect(net1?.addr_info).toContainEqual(
      expect.objectContaining({ local: ip.split("/")[0], family: "inet" }),
    );
    expect(await allocations(join(dataDir, "nc-bt"))).toEqual([ip.split("/")[0]]);

    await checkConflist(runner, { ...call, prevResult: result });

    await delConflist(runner, { ...call, prevResult: result });
    expect((await h.podNetns.links(sandbox.netns)).map((l) => l.ifname)).toEqual(["lo"]);
    expect(await allocations(join(dataDir, "nc-bt"))).toEqual([]);
    await delConflist(runner, { ...call, prevResult: result });
  });

  it("ptp + host-local single config at 0.4.0 as a secondary interface", async () => {
    const h = (harness = await createRuntimeHarness({ binDirs: [pluginDir] }));
    const dataDir = await h.makeDir("ipam");
    const sandbox = await h.runtime.runPodSandbox({ namespace: "ns1", name: "p2p", uid: "uid-p2p" });
    const runner = runnerIn(h, [pluginDir]);
    const network = toDelegateNetwork({
      cniVersion: "0.4.0",
      name: "nc-ptp",
      type: "ptp",
      ipam: { type: "host-local", ranges: [[{ subnet: "10.250.6.0/24" }]], dataDir },
    });
    const call = { network, attachment: attachmentOf(sandbox, "net2") };
    const result = await addConflist(runner, call);
    expect(result.cniVersion).toBe("0.4.0");
    expect((await h.podNetns.links(sandbox.netns)).map((l) => l.ifname).sort()).toEqual(["lo", "net2"]);
    await checkConflist(runner, { ...call, prevResult: result });
    await delConflist(runner, { ...call, prevResult: result });
    expect(await allocations(join(dataDir, "nc-ptp"))).toEqual([]);
  });

  it("a plugin's own CNI error comes back as a DelegateError with its code", async () => {
    const h = (harness = await createRuntimeHarness({ binDirs: [pluginDir] }));
    const sandbox = await h.runtime.runPodSandbox({ namespace: "ns1", name: "bad", uid: "uid-bad" });
    const runner = runnerIn(h, [pluginDir]);
    const network = toDelegateNetwork({
      cniVersion: "1.0.0",
      name: "nc-bad",
      type: "bridge",
      ipam: { type: "no-such-ipam" },
    });
    const err = await addConflist(runner, { network, attachment: attachmentOf(sandbox, "net1") }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DelegateError);
    const failure = err as DelegateError;
    expect(failure.failure).toBe("plugin-error");
    expect(failure.exitCode).toBe(1);
    expect(failure.pluginError?.msg).toContain("no-such-ipam");
    expect(failure.message).toMatch(/^plugin bridge failed \(add\): \[code \d+\] .*no-such-ipam/);
  });

  it("a type found in no bin dir names the type and the dirs", async () => {
    const h = (harness = await createRuntimeHarness({ binDirs: [pluginDir] }));
    const sandbox = await h.runtime.runPodSandbox({ namespace: "ns1", name: "nf", uid: "uid-nf" });
    const network = toDelegateNetwork({ cniVersion: "1.0.0", name: "nc-nf", type: "macvlan-ng" });
    const runner = runnerIn(h, ["/nonexistent/bin", pluginDir]);
    await expect(
      addConflist(runner, { network, attachment: attachmentOf(sandbox, "net1") }),
    ).rejects.toMatchObject({
      code: "DELEGATE_NOT_FOUND",
      message: `no executable for plugin type "macvlan-ng" in /nonexistent/bin, ${pluginDir}`,
    });
  });

  it("GC and STATUS skip the v1.1.x reference plugins, which do not list 1.1.0, without running them", async () => {
    const h = (harness = await createRuntimeHarness({ binDirs: [pluginDir] }));
    const inner = runnerIn(h, [pluginDir]);
    const commands: string[] = [];
    const runner = {
      locate: (type: string) => inner.locate(type),
      run: (...args: Parameters<DelegateRunner["run"]>) => {
        commands.push(`${args[0].command} ${args[0].type}`);
        return inner.run(...args);
      },
    };
    const versions = new PluginVersions(runner);
    const bridgeVersions = await versions.supportedVersions("bridge");
    expect(bridgeVersions).toContain("1.0.0");
    expect(bridgeVersions).not.toContain("1.1.0");
    const network = toDelegateNetwork({ ...bridgeTuning("1.1.0", await h.makeDir("ipam")) });
    const gc = await gcConflist(runner, versions, { network, validAttachments: [] });
    expect(gc.plugins.map((p) => `${p.type} ${p.outcome}`)).toEqual([
      "bridge unsupported",
      "tuning unsupported",
    ]);
    const status = await statusConflist(runner, versions, { network });
    expect(status.plugins.map((p) => `${p.type} ${p.outcome}`)).toEqual([
      "bridge unsupported",
      "tuning unsupported",
    ]);
    // Each executable was asked VERSION once; nothing else ran.
    expect(commands).toEqual(["VERSION bridge", "VERSION tuning"]);
  });

  it("plugins inherit the base environment, get the CNI variables and run in the fake host netns", async () => {
    const h = (harness = await createRuntimeHarness({ binDirs: [pluginDir] }));
    const binDir = await h.makeDir("bin");
    const plugins = await writeRecordingPlugins({
      binDir,
      names: ["rec"],
      supportedVersions: CNI_1_0_VERSIONS,
    });
    const sandbox = await h.runtime.runPodSandbox({ namespace: "ns1", name: "rec", uid: "uid-rec" });
    const runner = runnerIn(h, [binDir, pluginDir]);
    const network = toDelegateNetwork({
      cniVersion: "1.0.0",
      name: "nc-rec",
      type: "rec",
      record: { address: "10.9.9.9/24" },
    });
    const attachment = attachmentOf(sandbox, "net3");
    await addConflist(runner, { network, attachment });
    const [call] = await plugins.read();
    expect(call?.env).toMatchObject({
      NC_MARKER: "inherited",
      PATH: DEFAULT_PATH_ENV,
      CNI_COMMAND: "ADD",
      CNI_CONTAINERID: sandbox.id,
      CNI_NETNS: sandbox.netns.path,
      CNI_IFNAME: "net3",
      CNI_ARGS: attachment.cniArgs,
      CNI_PATH: `${binDir}:${pluginDir}`,
    });
    const hostNetnsId = (await h.netns.run(h.host.netns, ["readlink", "/proc/self/ns/net"])).stdout.trim();
    expect(call?.netns).toBe(hostNetnsId);
    expect(call?.stdin).toEqual({
      cniVersion: "1.0.0",
      name: "nc-rec",
      record: { address: "10.9.9.9/24" },
      type: "rec",
    });
  });

  it("a plugin that outlives the timeout is killed and reported as timed out", async () => {
    const h = (harness = await createRuntimeHarness({ binDirs: [pluginDir] }));
    const binDir = await h.makeDir("bin");
    await writeRecordingPlugins({ binDir, names: ["slow"] });
    const sandbox = await h.runtime.runPodSandbox({ namespace: "ns1", name: "slow", uid: "uid-slow" });
    const runner = runnerIn(h, [binDir], { timeoutMs: 300 });
    const network = toDelegateNetwork({
      cniVersion: "1.0.0",
      name: "nc-slow",
      type: "slow",
      record: { sleepMs: 20_000 },
    });
    const err = await addConflist(runner, { network, attachment: attachmentOf(sandbox, "net1") }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DelegateError);
    expect(err).toMatchObject({
      failure: "timeout",
      message: "plugin slow failed (add): timed out after 300ms and was killed",
    });
  });
});
