// `netclaim cni` in standalone mode, executed by the runtime stand-in like a runtime executes Multus, with
// the reference plugins in real network namespaces and the stand-in API server: a pod with the cluster
// network (bridge + host-local) and three secondary networks under custom names — macvlan over the fake
// host's uplink (host-local), host-device moving a host veth into the pod (static IPAM), ptp + host-local
// with tuning in a conflist — then CHECK, the network-status annotation, the API requests per ADD and DEL,
// and a DEL that leaves nothing behind.
import { afterAll, beforeAll, expect, it } from "vitest";
import { describePrivileged } from "../../harness/privileged.ts";
import type { PodSandbox } from "../../harness/runtime/index.ts";
import { CniPluginError } from "../../harness/runtime/index.ts";
import { createWorld, NETWORKS_ANNOTATION } from "./support/standalone-world.ts";
import type { World } from "./support/standalone-world.ts";

describePrivileged("netclaim cni standalone: default + three secondary networks", () => {
  let w: World;
  let sandbox: PodSandbox;
  let addRequests: string[] = [];
  let addResult: Record<string, unknown>;

  beforeAll(async () => {
    w = await createWorld({ spareLinks: ["hd0"] });
    w.seedNad("ns1", "mv", {
      cniVersion: "1.0.0",
      type: "macvlan",
      master: "eth1",
      mode: "bridge",
      ipam: { type: "host-local", ranges: [[{ subnet: "10.242.0.0/24" }]], dataDir: w.ipamDir },
    });
    w.seedNad("ns1", "hd", {
      cniVersion: "1.0.0",
      type: "host-device",
      device: "hd0",
      ipam: { type: "static", addresses: [{ address: "10.243.0.5/24" }] },
    });
    w.seedNad("ns1", "side", {
      cniVersion: "1.0.0",
      plugins: [
        {
          type: "ptp",
          ipam: { type: "host-local", ranges: [[{ subnet: "10.244.0.0/24" }]], dataDir: w.ipamDir },
        },
        { type: "tuning", mtu: 1400, sysctl: { "net.ipv4.conf.side0.arp_notify": "1" } },
      ],
    });
    sandbox = await w.newPod("ns1", { [NETWORKS_ANNOTATION]: "mv@data0, ns1/hd@fast0, side@side0" });
    w.api.resetRequests();
    addResult = await w.h.runtime.setUpPodNetwork(sandbox, w.netconf());
    addRequests = w.api
      .requests()
      .map((r) => `${r.verb} ${r.resource}${r.subresource ? `/${r.subresource}` : ""}`);
  }, 60_000);

  afterAll(async () => {
    await w?.dispose();
  });

  it("creates every interface in the pod under its name, with its address", async () => {
    const addrs = await w.addresses(sandbox);
    expect([...addrs.keys()].sort()).toEqual(["data0", "eth0", "fast0", "lo", "side0"]);
    expect(addrs.get("eth0")).toEqual([expect.stringMatching(/^10\.241\.0\.\d+\/24$/)]);
    expect(addrs.get("data0")).toEqual([expect.stringMatching(/^10\.242\.0\.\d+\/24$/)]);
    expect(addrs.get("fast0")).toEqual(["10.243.0.5/24"]);
    expect(addrs.get("side0")).toEqual([expect.stringMatching(/^10\.244\.0\.\d+\/24$/)]);
    const side0 = (await w.links(sandbox)).find((l) => l.ifname === "side0");
    expect(side0?.mtu).toBe(1400); // tuning, the second plugin of the conflist, ran
  });

  it("returns the cluster network's result with its interface, in the config's version", () => {
    expect(addResult.cniVersion).toBe("1.1.0");
    const interfaces = addResult.interfaces as { name: string; sandbox?: string }[];
    expect(
      interfaces.filter((i) => i.sandbox !== undefined && i.sandbox !== "").map((i) => i.name),
    ).toContain("eth0");
    expect(addResult.ips).toEqual([
      expect.objectContaining({ address: expect.stringMatching(/^10\.241\.0\.\d+\/24$/) as unknown }),
    ]);
  });

  it("keeps the default route on eth0 (no network asked for it)", async () => {
    const defaults = (await w.routes(sandbox)).filter((r) => r.dst === "default");
    expect(defaults).toEqual([expect.objectContaining({ gateway: "10.241.0.1", dev: "eth0" })]);
  });

  it("writes network-status on the pod: every attachment, the cluster network as default", () => {
    const status = w.writtenNetworkStatus(sandbox) as {
      name: string;
      interface?: string;
      ips?: string[];
      default?: boolean;
    }[];
    expect(status.map((s) => [s.name, s.interface, s.default ?? false])).toEqual([
      ["cluster-net", "eth0", true],
      ["ns1/mv", "data0", false],
      ["ns1/hd", "fast0", false],
      ["ns1/side", "side0", false],
    ]);
    expect(status[2]?.ips).toEqual(["10.243.0.5"]);
  });

  it("asks the API server for the pod and the three NADs, and updates pods/status: 5 requests", () => {
    // GET pod, GET 3 NADs, PUT pods/status from the pod already read (the cluster network is a file)
    expect(addRequests).toEqual([
      "get pods",
      "get network-attachment-definitions",
      "get network-attachment-definitions",
      "get network-attachment-definitions",
      "update pods/status",
    ]);
  });

  it("passes CHECK while everything is in place, and fails naming the network once it is not", async () => {
    await w.h.runtime.checkPodNetwork(sandbox, w.netconf());
    await w.h.podNetns.ip(sandbox.netns, ["link", "del", "side0"]);
    const err = await w.h.runtime.checkPodNetwork(sandbox, w.netconf()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CniPluginError);
    expect((err as CniPluginError).msg).toContain("ns1/side");
  });

  it("DEL removes every interface and address, with no API request", async () => {
    w.api.resetRequests();
    await w.h.runtime.tearDownPodNetwork(sandbox, w.netconf());
    const delRequests = w.api.requestCount();
    expect([...(await w.addresses(sandbox)).keys()]).toEqual(["lo"]);
    expect(await w.allocations()).toEqual([]);
    expect(await w.cacheEntries()).toEqual([]);
    // host-device gave hd0 back to the host
    expect((await w.h.netns.links(w.h.host.netns)).map((l) => l.ifname)).toContain("hd0");
    expect(delRequests).toBe(0);
  });
});
