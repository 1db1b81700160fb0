import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { addConflist, checkConflist, delConflist } from "../../../../src/cni/delegate/conflist.ts";
import { DelegateError } from "../../../../src/cni/delegate/delegate-error.ts";
import { toDelegateNetwork } from "../../../../src/cni/delegate/plugin-config.ts";
import { cniFailure, commandOf, ok, plugin, stdinOf, testRunner } from "./support.ts";
import type { ExecCall } from "../../../fakes/exec.ts";

const attachment = { containerID: "c1", netns: "/run/netns/p1", ifName: "net1", cniArgs: "K8S_POD_NAME=p1" };
const conflist = (cniVersion: string, extra: Record<string, unknown> = {}) =>
  toDelegateNetwork({
    cniVersion,
    name: "chain",
    ...extra,
    plugins: [
      { type: "bridge", bridge: "br0", ipam: { type: "host-local", dataDir: "/x" } },
      { type: "tuning", mtu: 1400, capabilities: { mac: true } },
      { type: "portmap", capabilities: { portMappings: true } },
    ],
  });
const order = (calls: ExecCall[]) => calls.map((c) => `${commandOf(c) ?? "?"} ${basename(c.cmd)}`);
const bridgeResult = {
  cniVersion: "1.0.0",
  interfaces: [{ name: "br0" }],
  ips: [{ address: "10.0.0.2/24" }],
};
const tuningResult = {
  ...bridgeResult,
  interfaces: [{ name: "br0" }, { name: "net1", mac: "02:00:00:00:00:01" }],
};
const runtimeConfig = {
  mac: "02:00:00:00:00:01",
  portMappings: [{ hostPort: 80, containerPort: 8080, protocol: "tcp" }],
};

describe("addConflist", () => {
  it("runs the plugins in order, chaining each result into the next one's prevResult", async () => {
    const { exec, runner } = testRunner(["bridge", "tuning", "portmap"]);
    exec
      .on(plugin("bridge"), ok(bridgeResult))
      .on(plugin("tuning"), ok(tuningResult))
      .on(plugin("portmap"), ok(tuningResult));
    const seen: string[] = [];
    const result = await addConflist(runner, {
      network: conflist("1.0.0"),
      attachment,
      runtimeConfig,
      onRun: (e) => seen.push(`${e.command} ${e.type}`),
    });
    expect(result).toEqual(tuningResult);
    expect(order(exec.calls)).toEqual(["ADD bridge", "ADD tuning", "ADD portmap"]);
    expect(seen).toEqual(["ADD bridge", "ADD tuning", "ADD portmap"]);
    const [bridge, tuning, portmap] = exec.calls.map(stdinOf);
    expect(bridge).toEqual({
      bridge: "br0",
      cniVersion: "1.0.0",
      ipam: { dataDir: "/x", type: "host-local" },
      name: "chain",
      type: "bridge",
    });
    expect(tuning).toMatchObject({ prevResult: bridgeResult, runtimeConfig: { mac: runtimeConfig.mac } });
    expect(portmap).toMatchObject({
      prevResult: tuningResult,
      runtimeConfig: { portMappings: runtimeConfig.portMappings },
    });
    for (const call of exec.calls)
      expect(call.options.env).toMatchObject({
        CNI_IFNAME: "net1",
        CNI_CONTAINERID: "c1",
        CNI_ARGS: "K8S_POD_NAME=p1",
      });
  });

  it("stops at a failing plugin and does not undo the ones before it (libcni)", async () => {
    const { exec, runner } = testRunner(["bridge", "tuning", "portmap"]);
    exec.on(plugin("bridge"), ok(bridgeResult)).on(plugin("tuning"), cniFailure(7, "bad sysctl"));
    const err = await addConflist(runner, { network: conflist("1.0.0"), attachment }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DelegateError);
    expect((err as DelegateError).message).toBe("plugin tuning failed (add): [code 7] bad sysctl");
    expect(order(exec.calls)).toEqual(["ADD bridge", "ADD tuning"]);
  });

  it.each([{ name: "" }, { name: "ns/a" }, { name: "-x" }])(
    "refuses network name $name before running anything",
    async ({ name }) => {
      const { exec, runner } = testRunner(["macvlan"]);
      const network = toDelegateNetwork({ cniVersion: "1.0.0", name, type: "macvlan" });
      await expect(addConflist(runner, { network, attachment })).rejects.toMatchObject({
        code: "INVALID_NETWORK_CONFIG",
      });
      expect(exec.calls).toEqual([]);
    },
  );
});

describe("delConflist", () => {
  it.each([
    { cniVersion: "1.0.0", prevResult: tuningResult, want: tuningResult },
    { cniVersion: "0.4.0", prevResult: tuningResult, want: tuningResult },
    { cniVersion: "0.3.1", prevResult: tuningResult, want: undefined },
    { cniVersion: "1.0.0", prevResult: undefined, want: undefined },
  ])(
    "runs the plugins last first; cniVersion $cniVersion gets prevResult $want",
    async ({ cniVersion, prevResult, want }) => {
      const { exec, runner } = testRunner(["bridge", "tuning", "portmap"]);
      exec.on(() => true, ok());
      await delConflist(runner, { network: conflist(cniVersion), attachment, prevResult, runtimeConfig });
      expect(order(exec.calls)).toEqual(["DEL portmap", "DEL tuning", "DEL bridge"]);
      for (const stdin of exec.calls.map(stdinOf)) expect(stdin.prevResult).toEqual(want);
      expect(stdinOf(exec.calls[0] as ExecCall).runtimeConfig).toEqual({
        portMappings: runtimeConfig.portMappings,
      });
    },
  );

  it("converts the cached result to the config's version when asked", async () => {
    const { exec, runner } = testRunner(["bridge", "tuning", "portmap"]);
    exec.on(() => true, ok());
    await delConflist(runner, {
      network: conflist("0.4.0"),
      attachment,
      prevResult: tuningResult,
      convertResult: (r, v) => ({ ...r, cniVersion: v }),
    });
    expect(stdinOf(exec.calls[0] as ExecCall).prevResult).toEqual({ ...tuningResult, cniVersion: "0.4.0" });
  });

  it("stops at the first failing DEL", async () => {
    const { exec, runner } = testRunner(["bridge", "tuning", "portmap"]);
    exec.on(plugin("portmap"), ok()).on(plugin("tuning"), cniFailure(11, "busy"));
    await expect(delConflist(runner, { network: conflist("1.0.0"), attachment })).rejects.toThrow(
      "plugin tuning failed (del): [code 11] busy",
    );
    expect(order(exec.calls)).toEqual(["DEL portmap", "DEL tuning"]);
  });
});

describe("checkConflist", () => {
  it("runs the plugins in order with the prevResult", async () => {
    const { exec, runner } = testRunner(["bridge", "tuning", "portmap"]);
    exec.on(() => true, ok());
    await checkConflist(runner, { network: conflist("1.0.0"), attachment, prevResult: tuningResult });
    expect(order(exec.calls)).toEqual(["CHECK bridge", "CHECK tuning", "CHECK portmap"]);
    for (const stdin of exec.calls.map(stdinOf)) expect(stdin.prevResult).toEqual(tuningResult);
  });

  it.each([{ cniVersion: "0.3.1" }, { cniVersion: "" }])(
    "refuses cniVersion '$cniVersion' with code 1",
    async ({ cniVersion }) => {
      const { exec, runner } = testRunner(["bridge", "tuning", "portmap"]);
      await expect(
        checkConflist(runner, { network: conflist(cniVersion), attachment }),
      ).rejects.toMatchObject({
        code: "INCOMPATIBLE_VERSION",
        message: "config version does not allow CHECK",
      });
      expect(exec.calls).toEqual([]);
    },
  );

  it("does nothing when disableCheck is set", async () => {
    const { exec, runner } = testRunner(["bridge", "tuning", "portmap"]);
    await checkConflist(runner, { network: conflist("1.0.0", { disableCheck: true }), attachment });
    expect(exec.calls).toEqual([]);
  });
});
