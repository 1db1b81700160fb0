// Network namespaces and the fake host: made and removed for real, in iproute2's directory and in a
// custom one, with veth uplinks that carry traffic.
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ProcessExec } from "../../../src/common/exec.ts";
import {
  Cleanup,
  commandInNetns,
  createFakeHost,
  createNetnsManager,
  newRunPrefix,
  probeTcp,
} from "../../harness/runtime/index.ts";
import type { Netns, NetnsManager } from "../../harness/runtime/index.ts";
import { describePrivileged } from "../../harness/privileged.ts";

describe("commandInNetns", () => {
  const cases = [
    {
      name: "a netns in iproute2's dir is entered with ip netns exec",
      netns: { name: "a", path: "/run/netns/a", viaIp: true },
      want: { file: "ip", args: ["netns", "exec", "a", "ip", "link"] },
    },
    {
      name: "a netns elsewhere is entered with nsenter --net=<path>",
      netns: { name: "b", path: "/var/lib/x/b", viaIp: false },
      want: { file: "nsenter", args: ["--net=/var/lib/x/b", "--", "ip", "link"] },
    },
  ];
  it.each(cases)("$name", ({ netns, want }) => {
    expect(commandInNetns(netns, ["ip", "link"])).toEqual(want);
  });
});

describePrivileged("netns helpers", () => {
  const exec = new ProcessExec();
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  async function customDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `${newRunPrefix()}-netns-`));
    cleanup.add(`dir ${dir}`, () => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  const dirs = [
    { name: "iproute2's directory (/run/netns)", custom: false },
    { name: "a custom netns directory", custom: true },
  ];
  it.each(dirs)("creates, lists, enters and deletes a netns in $name", async ({ custom }) => {
    const manager = await createNetnsManager({ exec, netnsDir: custom ? await customDir() : undefined });
    expect(manager.viaIp).toBe(!custom);
    const name = `${newRunPrefix()}-t`;
    const netns = await manager.create(name);
    cleanup.add(`netns ${name}`, () => manager.delete(netns));

    expect(await manager.list()).toContain(name);
    expect((await stat(netns.path)).isFile()).toBe(true);
    const links = await manager.links(netns);
    expect(links.map((l) => l.ifname)).toEqual(["lo"]);
    const inside = await manager.run(netns, ["readlink", "/proc/self/ns/net"]);
    expect(inside.stdout.trim()).toBe(`net:[${(await stat(netns.path)).ino}]`);

    await manager.delete(netns);
    expect(await manager.list()).not.toContain(name);
    await expect(manager.delete(netns)).resolves.toBeUndefined();
  });

  it("makes a veth pair between two netns that carries TCP", async () => {
    const manager = await createNetnsManager({ exec });
    const prefix = newRunPrefix();
    const made: Netns[] = [];
    for (const role of ["a", "b"]) {
      const ns = await manager.create(`${prefix}-${role}`);
      cleanup.add(`netns ${ns.name}`, () => manager.delete(ns));
      made.push(ns);
    }
    const [a, b] = made as [Netns, Netns];
    await manager.addVethPair({ netns: a, name: "va" }, { netns: b, name: "vb" });
    for (const [ns, dev, addr] of [
      [a, "va", "192.168.77.1/30"],
      [b, "vb", "192.168.77.2/30"],
    ] as const) {
      await manager.ip(ns, ["addr", "add", addr, "dev", dev]);
      await manager.setLinkUp(ns, dev);
      await manager.setLinkUp(ns, "lo");
    }
    const inB = await manager.addresses(b);
    expect(inB.find((l) => l.ifname === "vb")?.addr_info).toContainEqual(
      expect.objectContaining({ family: "inet", local: "192.168.77.2", prefixlen: 30 }),
    );
    await probeTcp({ netns: manager, from: a, to: b, address: "192.168.77.2" });
  });
});

describePrivileged("fake host", () => {
  const exec = new ProcessExec();
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  async function linkStates(manager: NetnsManager, netns: Netns): Promise<Record<string, string[]>> {
    const links = await manager.links(netns);
    return Object.fromEntries(links.map((l) => [l.ifname, l.flags]));
  }

  const cases = [
    { name: "with a switch netns", withSwitch: true, wantPeers: { eth1: "eth1", eth2: "eth2" } },
    {
      name: "with dangling peers in the host",
      withSwitch: false,
      wantPeers: { eth1: "eth1-sw", eth2: "eth2-sw" },
    },
  ];
  it.each(cases)("has up veth uplinks eth1 and eth2 $name", async ({ withSwitch, wantPeers }) => {
    const manager = await createNetnsManager({ exec });
    const host = await createFakeHost({
      netns: manager,
      cleanup,
      runPrefix: newRunPrefix(),
      uplinks: ["eth1", "eth2"],
      withSwitch,
    });
    expect(host.uplinks.map((u) => [u.name, u.peer])).toEqual(Object.entries(wantPeers));
    const inHost = await linkStates(manager, host.netns);
    for (const uplink of host.uplinks) {
      expect(inHost[uplink.name]).toEqual(expect.arrayContaining(["UP", "LOWER_UP"]));
      const peerSide = await linkStates(manager, uplink.peerNetns);
      expect(peerSide[uplink.peer]).toEqual(expect.arrayContaining(["UP", "LOWER_UP"]));
    }
    expect(inHost.lo).toContain("UP");
    expect(host.switchNetns !== undefined).toBe(withSwitch);

    const names = [host.netns.name, ...(host.switchNetns ? [host.switchNetns.name] : [])];
    await cleanup.run();
    const left = await manager.list();
    expect(names.filter((n) => left.includes(n))).toEqual([]);
  });

  it("refuses an uplink name that cannot be an interface name", async () => {
    const manager = await createNetnsManager({ exec });
    await expect(
      createFakeHost({ netns: manager, cleanup, runPrefix: newRunPrefix(), uplinks: ["a-very-long-ifname"] }),
    ).rejects.toThrow(/invalid uplink name/);
  });
});
