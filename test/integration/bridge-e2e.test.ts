// First end-to-end with real parts: the runtime stand-in runs the reference `bridge` plugin with
// host-local IPAM (dataDir in a temp dir) for a pod, inside a fake host netns. The pod gets eth0 with the
// address from the CNI result, a default route via the gateway, and the host reaches it; CHECK passes;
// DEL removes the interface and host-local's allocation (only its `lock` and `last_reserved_ip.0` stay),
// and a second DEL succeeds.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, expect, it, vi } from "vitest";
import { createRuntimeHarness, pingOnce, probeTcp } from "../harness/runtime/index.ts";
import type { JsonObject, PodSandbox, RuntimeHarness } from "../harness/runtime/index.ts";
import { describePrivileged, findCniPluginDir } from "../harness/privileged.ts";

const FIXTURES = join(import.meta.dirname, "../fixtures/netconf");

interface CniInterface {
  name: string;
  mac?: string;
  sandbox?: string;
}
interface CniIp {
  address: string;
  gateway?: string;
  interface?: number;
}

async function loadConf(file: string, cniVersion: string, dataDir: string): Promise<JsonObject> {
  const conf = JSON.parse(await readFile(join(FIXTURES, file), "utf8")) as JsonObject;
  conf.cniVersion = cniVersion;
  const plugins = (conf.plugins as JsonObject[] | undefined) ?? [conf];
  for (const plugin of plugins) {
    if (plugin.ipam) (plugin.ipam as JsonObject).dataDir = dataDir;
  }
  return conf;
}

/** The pod side of a bridge result: eth0 in the sandbox, and its IP entry. */
function podSide(
  result: JsonObject,
  sandbox: PodSandbox,
): { iface: CniInterface; ip: CniIp; hostVeth: string } {
  const interfaces = result.interfaces as CniInterface[];
  const index = interfaces.findIndex((i) => i.name === "eth0" && i.sandbox === sandbox.netns.path);
  const ip = (result.ips as CniIp[]).find((i) => i.interface === index);
  const hostVeth = interfaces.find((i) => i.sandbox === undefined && i.name.startsWith("veth"));
  if (index < 0 || ip === undefined || hostVeth === undefined) {
    throw new Error(`no eth0/veth in result ${JSON.stringify(result)}`);
  }
  return { iface: interfaces[index] as CniInterface, ip, hostVeth: hostVeth.name };
}

const cases = [
  {
    name: "bridge .conf at cniVersion 0.3.1",
    file: "bridge-host-local.json",
    cniVersion: "0.3.1",
    network: "nc-bridge",
  },
  {
    name: "bridge .conf at cniVersion 0.4.0",
    file: "bridge-host-local.json",
    cniVersion: "0.4.0",
    network: "nc-bridge",
  },
  {
    name: "bridge .conf at cniVersion 1.0.0",
    file: "bridge-host-local.json",
    cniVersion: "1.0.0",
    network: "nc-bridge",
  },
  {
    name: "bridge + tuning conflist at cniVersion 1.0.0 (prevResult between real plugins)",
    file: "bridge-tuning.conflist.json",
    cniVersion: "1.0.0",
    network: "nc-bridge-tuning",
    mtu: 1400,
  },
];

describePrivileged("bridge + host-local end to end", () => {
  const pluginDir = findCniPluginDir() ?? "/usr/lib/cni";
  let harness: RuntimeHarness | undefined;
  afterEach(async () => {
    await harness?.dispose();
    harness = undefined;
  });

  it.each(cases)("$name", async ({ file, cniVersion, network, mtu }) => {
    const h = (harness = await createRuntimeHarness({ binDirs: [pluginDir] }));
    const dataDir = await h.makeDir("ipam");
    const conf = await loadConf(file, cniVersion, dataDir);
    const sandbox = await h.runtime.runPodSandbox({ namespace: "default", name: "web", uid: "uid-web" });

    const result = await h.runtime.setUpPodNetwork(sandbox, conf);
    expect(result.cniVersion).toBe(cniVersion);
    const { iface, ip, hostVeth } = podSide(result, sandbox);
    const [address, prefix] = ip.address.split("/") as [string, string];
    expect(ip.gateway).toMatch(/^10\.244\.\d+\.1$/);

    // Inside the pod: eth0 carries the result's address and MAC; default route via the gateway.
    const eth0 = (await h.podNetns.addresses(sandbox.netns)).find((l) => l.ifname === "eth0");
    expect(eth0?.address).toBe(iface.mac);
    expect(eth0?.addr_info).toContainEqual(
      expect.objectContaining({ family: "inet", local: address, prefixlen: Number(prefix) }),
    );
    if (mtu !== undefined) expect(eth0?.mtu).toBe(mtu);
    expect(await h.podNetns.routes(sandbox.netns)).toContainEqual(
      expect.objectContaining({ dst: "default", gateway: ip.gateway, dev: "eth0" }),
    );

    // On the fake host: the veth is enslaved to the bridge; host-local recorded the allocation.
    const hostLinks = await h.netns.links(h.host.netns);
    const bridge = hostLinks.find((l) => l.ifname === hostLinks.find((v) => v.ifname === hostVeth)?.master);
    expect(bridge?.link_type).toBe("ether");
    expect((await readFile(join(dataDir, network, address), "utf8")).split(/\r?\n/)).toEqual([
      sandbox.id,
      "eth0",
    ]);

    // The host reaches the pod: TCP round trip, ping when installed, and the pod's MAC in the neighbour table.
    await probeTcp({ netns: h.netns, from: h.host.netns, to: sandbox.netns, address });
    expect(await pingOnce(h.netns, h.host.netns, address)).not.toBe(false);
    expect(await h.netns.neighbours(h.host.netns)).toContainEqual(
      expect.objectContaining({ dst: address, lladdr: iface.mac }),
    );

    if (cniVersion === "0.3.1") {
      await expect(h.runtime.checkPodNetwork(sandbox, conf)).rejects.toThrow(
        /does not support the CHECK command/,
      );
    } else {
      await h.runtime.checkPodNetwork(sandbox, conf);
    }

    await h.runtime.tearDownPodNetwork(sandbox, conf);
    expect((await readdir(join(dataDir, network))).sort()).toEqual(["last_reserved_ip.0", "lock"]);
    expect(await readFile(join(dataDir, network, "last_reserved_ip.0"), "utf8")).toBe(address);
    expect((await h.podNetns.links(sandbox.netns)).map((l) => l.ifname)).toEqual(["lo"]);
    expect((await h.netns.links(h.host.netns)).map((l) => l.ifname)).not.toContain(hostVeth);
    // libcni drops the cache entry only when DEL used a cached result (cniVersion >= 0.4.0).
    expect(await h.runtime.cachedAttachments(sandbox)).toHaveLength(cniVersion === "0.3.1" ? 1 : 0);

    await h.runtime.tearDownPodNetwork(sandbox, conf);
    expect((await readdir(join(dataDir, network))).sort()).toEqual(["last_reserved_ip.0", "lock"]);
  });

  it("DEL succeeds and frees the address when the pod netns is already gone", async () => {
    const h = (harness = await createRuntimeHarness({ binDirs: [pluginDir] }));
    const dataDir = await h.makeDir("ipam");
    const conf = await loadConf("bridge-host-local.json", "1.0.0", dataDir);
    const sandbox = await h.runtime.runPodSandbox({ namespace: "default", name: "gone", uid: "uid-gone" });
    const { hostVeth } = podSide(await h.runtime.setUpPodNetwork(sandbox, conf), sandbox);
    await h.podNetns.delete(sandbox.netns);

    await h.runtime.tearDownPodNetwork(sandbox, conf);
    expect((await readdir(join(dataDir, "nc-bridge"))).sort()).toEqual(["last_reserved_ip.0", "lock"]);
    // The kernel dismantles a deleted netns asynchronously; the host end of the veth goes with it.
    await vi.waitFor(
      async () => expect((await h.netns.links(h.host.netns)).map((l) => l.ifname)).not.toContain(hostVeth),
      { timeout: 10_000, interval: 50 },
    );
  });

  it("two pods on one bridge get different addresses and reach each other", async () => {
    const h = (harness = await createRuntimeHarness({ binDirs: [pluginDir] }));
    const conf = await loadConf("bridge-host-local.json", "1.0.0", await h.makeDir("ipam"));
    const pods = [];
    for (const name of ["a", "b"]) {
      const sandbox = await h.runtime.runPodSandbox({ namespace: "default", name, uid: `uid-${name}` });
      const { ip } = podSide(await h.runtime.setUpPodNetwork(sandbox, conf), sandbox);
      pods.push({ sandbox, address: ip.address.split("/")[0] as string });
    }
    const [a, b] = pods as [(typeof pods)[0], (typeof pods)[0]];
    expect(a.address).not.toBe(b.address);
    await probeTcp({ netns: h.netns, from: a.sandbox.netns, to: b.sandbox.netns, address: b.address });
  });
});
