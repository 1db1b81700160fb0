// `netclaim cni` standalone with the JSON form of the networks annotation (a static IP, a MAC and the
// default route on a secondary network, checked inside the pod), a NAD without spec whose config is the
// file of that name in confDir, secondaries attached at once (attachConcurrency), and namespace isolation
// refusing and allowing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describePrivileged } from "../../harness/privileged.ts";
import type { JsonObject, PodSandbox } from "../../harness/runtime/index.ts";
import { CniPluginError } from "../../harness/runtime/index.ts";
import { createWorld, NETWORKS_ANNOTATION } from "./support/standalone-world.ts";
import type { World } from "./support/standalone-world.ts";

function macvlanHostLocal(w: World, subnet: string): JsonObject {
  return {
    cniVersion: "1.0.0",
    type: "macvlan",
    master: "eth1",
    mode: "bridge",
    ipam: { type: "host-local", ranges: [[{ subnet }]], dataDir: w.ipamDir },
  };
}

describePrivileged("netclaim cni standalone: annotation options, confDir NADs, namespace isolation", () => {
  let w: World;

  beforeAll(async () => {
    w = await createWorld();
    w.seedNad("ns1", "mvs", {
      cniVersion: "1.0.0",
      type: "macvlan",
      master: "eth1",
      mode: "bridge",
      capabilities: { ips: true, mac: true },
      ipam: { type: "static" },
    });
    w.seedNad("ns1", "fromfile"); // no spec: the config is the confDir file named "fromfile"
    await w.writeConfFile("50-fromfile.conflist", {
      cniVersion: "1.0.0",
      name: "fromfile",
      plugins: [
        {
          type: "ptp",
          ipam: { type: "host-local", ranges: [[{ subnet: "10.246.0.0/24" }]], dataDir: w.ipamDir },
        },
      ],
    });
    await w.writeConfFile("40-decoy.conf", { cniVersion: "1.0.0", name: "decoy", type: "bridge" });
    w.seedNad("ns2", "other", macvlanHostLocal(w, "10.247.0.0/24"));
    w.seedNad("default", "shared", macvlanHostLocal(w, "10.248.0.0/24"));
  }, 60_000);

  afterAll(async () => {
    await w?.dispose();
  });

  describe("JSON options: static IP, MAC and the default route on a secondary network", () => {
    let sandbox: PodSandbox;
    beforeAll(async () => {
      const networks = [
        {
          name: "mvs",
          interface: "data0",
          ips: ["10.245.0.7/24"],
          mac: "02:00:00:aa:bb:07",
          "default-route": ["10.245.0.1"],
        },
      ];
      sandbox = await w.newPod("ns1", { [NETWORKS_ANNOTATION]: JSON.stringify(networks) });
      await w.h.runtime.setUpPodNetwork(sandbox, w.netconf());
    });

    it("gives data0 the requested address and MAC", async () => {
      const data0 = (await w.links(sandbox)).find((l) => l.ifname === "data0");
      expect(data0?.address).toBe("02:00:00:aa:bb:07");
      expect((await w.addresses(sandbox)).get("data0")).toEqual(["10.245.0.7/24"]);
    });

    it("moves the pod's default route to data0: eth0 keeps none", async () => {
      const defaults = (await w.routes(sandbox)).filter((r) => r.dst === "default");
      expect(defaults).toEqual([expect.objectContaining({ gateway: "10.245.0.1", dev: "data0" })]);
      const eth0Routes = (await w.routes(sandbox)).filter((r) => r.dev === "eth0").map((r) => r.dst);
      expect(eth0Routes).toEqual(["10.241.0.0/24"]);
    });

    it("reports data0 as carrying the gateway in network-status", () => {
      const status = w.writtenNetworkStatus(sandbox) as {
        name: string;
        interface: string;
        mac?: string;
        ips?: string[];
      }[];
      expect(status.find((s) => s.name === "ns1/mvs")).toMatchObject({
        interface: "data0",
        ips: ["10.245.0.7"],
        mac: "02:00:00:aa:bb:07",
      });
    });

    it("tears down cleanly", async () => {
      await w.h.runtime.tearDownPodNetwork(sandbox, w.netconf());
      expect([...(await w.addresses(sandbox)).keys()]).toEqual(["lo"]);
    });
  });

  it("attaches secondaries at once with attachConcurrency: two macvlans on one master and a ptp", async () => {
    const sandbox = await w.newPod("ns1", { [NETWORKS_ANNOTATION]: "default/shared, fromfile, ns2/other" });
    const conf = w.netconf({ attachConcurrency: 3 });
    await w.h.runtime.setUpPodNetwork(sandbox, conf);
    const addrs = await w.addresses(sandbox);
    expect([...addrs.keys()].sort()).toEqual(["eth0", "lo", "net1", "net2", "net3"]);
    expect(addrs.get("net1")).toEqual([expect.stringMatching(/^10\.248\.0\.\d+\/24$/)]);
    expect(addrs.get("net2")).toEqual([expect.stringMatching(/^10\.246\.0\.\d+\/24$/)]);
    expect(addrs.get("net3")).toEqual([expect.stringMatching(/^10\.247\.0\.\d+\/24$/)]);
    const status = w.writtenNetworkStatus(sandbox) as { interface: string; name: string }[];
    expect(status.map((x) => `${x.name} ${x.interface}`)).toEqual([
      expect.stringMatching(/ eth0$/),
      "default/shared net1",
      "ns1/fromfile net2",
      "ns2/other net3",
    ]);
    await w.h.runtime.tearDownPodNetwork(sandbox, conf);
    expect([...(await w.addresses(sandbox)).keys()]).toEqual(["lo"]);
    expect(await w.allocations()).toEqual([]);
  });

  it("attaches a NAD without spec from the confDir file of its name", async () => {
    const sandbox = await w.newPod("ns1", { [NETWORKS_ANNOTATION]: "fromfile" });
    await w.h.runtime.setUpPodNetwork(sandbox, w.netconf());
    expect((await w.addresses(sandbox)).get("net1")).toEqual([
      expect.stringMatching(/^10\.246\.0\.\d+\/24$/),
    ]);
    await w.h.runtime.tearDownPodNetwork(sandbox, w.netconf());
    expect(await w.allocations()).toEqual([]);
  });

  describe("namespace isolation", () => {
    const cases: { name: string; globalNamespaces?: string; network: string; allowed: boolean }[] = [
      { name: "refuses a NAD of another namespace", network: "ns2/other", allowed: false },
      {
        name: "allows a NAD in default (global unless the list is given)",
        network: "default/shared",
        allowed: true,
      },
      { name: "allows a NAD of its own namespace", network: "mvs", allowed: true },
      {
        name: "allows a namespace in globalNamespaces",
        globalNamespaces: "ns2",
        network: "ns2/other",
        allowed: true,
      },
      {
        name: "no longer treats default as global once the list is given",
        globalNamespaces: " ns2 , ns3",
        network: "default/shared",
        allowed: false,
      },
    ];

    it.each(cases)("$name", async ({ globalNamespaces, network, allowed }) => {
      const extra: JsonObject = {
        namespaceIsolation: true,
        ...(globalNamespaces === undefined ? {} : { globalNamespaces }),
      };
      const annotation =
        network === "mvs" ? JSON.stringify([{ name: "mvs", ips: ["10.245.0.9/24"] }]) : network;
      const sandbox = await w.newPod("ns1", { [NETWORKS_ANNOTATION]: annotation });
      const outcome = await w.h.runtime.setUpPodNetwork(sandbox, w.netconf(extra)).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (allowed) {
        expect(outcome).toBeUndefined();
        expect((await w.addresses(sandbox)).has("net1")).toBe(true);
        await w.h.runtime.tearDownPodNetwork(sandbox, w.netconf(extra));
      } else {
        expect(outcome).toBeInstanceOf(CniPluginError);
        const err = outcome as CniPluginError;
        expect(err.plugin).toBe("netclaim");
        expect(err.msg).toContain("ns1");
        expect(err.msg).toContain(network);
        expect(err.msg).toMatch(/isolation/i);
        expect([...(await w.addresses(sandbox)).keys()]).toEqual(["lo"]);
      }
      expect(await w.allocations()).toEqual([]);
      await w.h.runtime.removePodSandbox(sandbox);
    });
  });
});
