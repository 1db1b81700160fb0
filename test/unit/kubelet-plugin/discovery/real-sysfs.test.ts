// Discovery over a real kernel sysfs: a network namespace of our own with a veth pair, its /sys mounted
// by `ip netns exec`, read by the same code the plugin runs against /sys.
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ProcessExec } from "../../../../src/common/exec.ts";
import type { DiscoveryResult } from "../../../../src/kubelet-plugin/discovery/discover.ts";
import { netdevDeviceName } from "../../../../src/kubelet-plugin/discovery/names.ts";
import { describePrivileged } from "../../../harness/privileged.ts";
import { Cleanup, createNetnsManager, newRunPrefix } from "../../../harness/runtime/index.ts";
import type { IpLink, Netns, NetnsManager } from "../../../harness/runtime/index.ts";

const NODE = process.execPath;
const CHILD = join(import.meta.dirname, "../../../fixtures/sysfs/discover-child.ts");
const CHILD_TIMEOUT_MS = 20_000;

const config = {
  apiVersion: "netclaim.dev/v1alpha1",
  kind: "DeviceConfig",
  resources: [
    {
      resourceName: "veths",
      kind: "netdev",
      selectors: { ifNames: ["nc-veth.*"] },
      attributes: { zone: "a" },
    },
    { resourceName: "vfs", kind: "sriov-vf" },
    { resourceName: "sfs", kind: "subfunction" },
  ],
};

describePrivileged("discovery on a real sysfs (veth pair in its own netns)", () => {
  const cleanup = new Cleanup();
  let manager: NetnsManager;
  let netns: Netns;

  beforeAll(async () => {
    manager = await createNetnsManager({ exec: new ProcessExec() });
    netns = await manager.create(`${newRunPrefix()}-disc`);
    cleanup.add(`netns ${netns.name}`, () => manager.delete(netns));
    await manager.ip(netns, ["link", "add", "nc-veth-a", "type", "veth", "peer", "name", "nc-vethB"]);
    await manager.ip(netns, ["link", "set", "nc-vethB", "mtu", "9000"]);
  });
  afterAll(() => cleanup.run());

  it("finds both veth ends as virtual netdevs with their kernel MAC, MTU and type, and nothing else", async () => {
    const run = await manager.run(netns, [NODE, CHILD, JSON.stringify(config)], {
      timeoutMs: CHILD_TIMEOUT_MS,
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as DiscoveryResult;
    const links = await manager.ipJson<IpLink>(netns, ["link", "show"]);
    const mac = (ifName: string) => links.find((l) => l.ifname === ifName)?.address;

    expect(result.problems).toEqual([]);
    expect(result.devices.map((d) => [d.name, d.ifName, d.mac, d.mtu, d.linkType, d.virtual])).toEqual([
      ["nc-veth-a", "nc-veth-a", mac("nc-veth-a"), 1500, "ether", true],
      [netdevDeviceName("nc-vethB"), "nc-vethB", mac("nc-vethB"), 9000, "ether", true],
    ]);
    expect(result.devices[0]?.attributes).toEqual({
      type: { string: "netdev" },
      ifName: { string: "nc-veth-a" },
      rdma: { bool: false },
      linkType: { string: "ether" },
      mac: { string: mac("nc-veth-a") },
      mtu: { int: 1500 },
      virtual: { bool: true },
      zone: { string: "a" },
      "k8s.cni.cncf.io/resourceName": { string: "veths" },
      "k8s.cni.cncf.io/deviceID": { string: "nc-veth-a" },
    });
  });
});
