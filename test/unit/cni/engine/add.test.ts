// ADD through the engine: which delegates run, in which order, with which interface names and CNI_ARGS;
// the cache entry written before the first delegate and updated after each; rollback of a failing ADD;
// networks from NADs, confDir files, defaultNetworks, the default-network annotation, static delegates.
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AttachmentCacheEntry } from "../../../../src/cni/cache/entry-schema.ts";
import { pluginError } from "../../../fakes/cni-delegates.ts";
import { CONF_DIR, CONTAINER_ID, POD_UID, invoke, macvlan, nad, parsed, pod } from "./support.ts";
import type { World } from "./support.ts";
import { makeWorld } from "./support.ts";

let world: World;
beforeEach(async () => {
  world = await makeWorld();
});
afterEach(async () => {
  await world.cleanup();
});

const KEY = { containerID: CONTAINER_ID, ifname: "eth0" };

async function cachedEntry(): Promise<AttachmentCacheEntry> {
  const read = await world.cache.read(KEY);
  if (read.kind !== "found") throw new Error(`cache entry ${read.kind}`);
  return read.entry;
}

describe("ADD of a default network and three secondaries", () => {
  beforeEach(() => {
    world.cluster.addPod(pod({ networks: "net-a@data0, ns2/net-b@storage, net-c" }));
    world.cluster
      .addNad(nad("ns1", "net-a", macvlan("net-a")))
      .addNad(
        nad("ns2", "net-b", {
          cniVersion: "1.0.0",
          name: "net-b",
          plugins: [{ type: "host-device", device: "eth7" }, { type: "tuning" }],
        }),
      )
      .addNad(nad("ns1", "net-c", macvlan("net-c")));
  });

  it("runs every delegate in order with its own interface name", async () => {
    const reply = await invoke(world, "ADD");
    expect(reply.exitCode).toBe(0);
    expect(world.delegates.summary()).toEqual([
      "ADD bridge eth0",
      "ADD portmap eth0",
      "ADD macvlan data0",
      "ADD host-device storage",
      "ADD tuning storage",
      "ADD macvlan net3",
    ]);
    // plugins of one conflist chain their results
    const tuning = world.delegates.runs[4];
    expect(tuning?.stdin.prevResult).toMatchObject({ interfaces: [{ name: "storage" }] });
    expect(new Set(world.delegates.runs.map((r) => r.netns))).toEqual(
      new Set(["/var/run/netns/cni-test-pod"]),
    );
    expect(world.delegates.binDirs[0]).toEqual(["/opt/cni/bin", "/usr/lib/cni"]);
  });

  it("passes Multus's CNI_ARGS followed by the runtime's", async () => {
    await invoke(world, "ADD", {
      cniArgs: `K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=pod-a;K8S_POD_UID=${POD_UID};EXTRA=x=y`,
    });
    const args = world.delegates.runs.find((r) => r.ifName === "data0")?.cniArgs;
    expect(args).toBe(
      `IgnoreUnknown=true;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=pod-a;K8S_POD_INFRA_CONTAINER_ID=;K8S_POD_UID=${POD_UID};EXTRA=x=y`,
    );
  });

  it("answers the default network's result carrying every interface, and writes network-status", async () => {
    const result = parsed(await invoke(world, "ADD"));
    expect((result.interfaces as { name: string }[]).map((i) => i.name)).toEqual([
      "eth0",
      "data0",
      "storage",
      "net3",
    ]);
    expect(result.ips).toEqual([{ interface: 0, address: "10.1.0.5/24", gateway: "10.1.0.1" }]);
    expect(world.writer.writes).toHaveLength(1);
    const statuses = JSON.parse(world.writer.writes[0]?.value ?? "") as {
      name: string;
      interface: string;
      default?: boolean;
    }[];
    expect(statuses.map((s) => [s.name, s.interface, s.default ?? false])).toEqual([
      ["cluster", "eth0", true],
      ["ns1/net-a", "data0", false],
      ["ns2/net-b", "storage", false],
      ["ns1/net-c", "net3", false],
    ]);
  });

  it("writes the cache entry before the first delegate runs, and the results after each", async () => {
    const seenAtFirstRun: string[] = [];
    world.delegates.on({ command: "ADD", type: "bridge" }, () => {
      const entry = JSON.parse(readFileSync(world.cache.pathFor(KEY), "utf8")) as AttachmentCacheEntry;
      seenAtFirstRun.push(...entry.networks.map((n) => `${n.name} ${n.ifName} ${n.status}`));
      return undefined;
    });
    await invoke(world, "ADD");
    expect(seenAtFirstRun).toEqual([
      "cluster eth0 pending",
      "ns1/net-a data0 pending",
      "ns2/net-b storage pending",
      "ns1/net-c net3 pending",
    ]);
    const entry = await cachedEntry();
    expect(entry.pod).toEqual({ namespace: "ns1", name: "pod-a", uid: POD_UID });
    expect(entry.networks.map((n) => n.status)).toEqual(["added", "added", "added", "added"]);
    expect(entry.networks[0]?.default).toBe(true);
    // the config exactly as run: the conflist with every plugin key, the name injected where missing
    expect(entry.networks[2]?.config).toEqual({
      cniVersion: "1.0.0",
      name: "net-b",
      plugins: [{ type: "host-device", device: "eth7" }, { type: "tuning" }],
    });
    expect(entry.networks[1]?.result).toMatchObject({ interfaces: [{ name: "data0" }] });
  });
});

describe("ADD with a failing delegate", () => {
  beforeEach(() => {
    world.cluster.addPod(pod({ networks: "net-a,net-b" }));
    world.cluster.addNad(nad("ns1", "net-a", macvlan("net-a"))).addNad(nad("ns1", "net-b", macvlan("net-b")));
    world.delegates.on(
      { command: "ADD", ifName: "net2" },
      pluginError("macvlan", "ADD", 11, "device busy", "eth9 is in use"),
    );
  });

  it("rolls back the failed network and those before it, last first, and removes the cache entry", async () => {
    const reply = await invoke(world, "ADD");
    expect(reply.exitCode).toBe(1);
    expect(world.delegates.summary(["DEL"])).toEqual([
      "DEL macvlan net2",
      "DEL macvlan net1",
      "DEL portmap eth0",
      "DEL bridge eth0",
    ]);
    // the rolled-back networks get their ADD result as prevResult
    expect(world.delegates.runsOf("DEL")[1]?.stdin.prevResult).toMatchObject({
      interfaces: [{ name: "net1" }],
    });
    expect((await world.cache.read(KEY)).kind).toBe("missing");
    expect(world.writer.writes).toHaveLength(0);
  });

  it("fails naming the pod, the network and the delegate's own error", async () => {
    const error = parsed(await invoke(world, "ADD"));
    expect(error).toEqual({
      cniVersion: "1.0.0",
      code: 101,
      msg: 'pod ns1/pod-a: network "ns1/net-b" (net2): plugin macvlan failed (add): [code 11] device busy; eth9 is in use',
      details: "eth9 is in use",
    });
  });

  it("ignores a failing DEL of the network whose ADD failed (macvlan: master gone) and removes the entry", async () => {
    world.delegates.on(
      { command: "DEL", ifName: "net2" },
      pluginError("macvlan", "DEL", 999, "Link not found"),
    );
    await invoke(world, "ADD");
    expect(world.delegates.summary(["DEL"])).toHaveLength(4);
    expect((await world.cache.read(KEY)).kind).toBe("missing");
    expect(world.log.lines().map((l) => l.msg)).toContain(
      "delegate DEL failed for a network that may never have been attached: ignored",
    );
  });

  it("keeps the cache entry when the rollback DEL of an attached network fails", async () => {
    world.delegates.on({ command: "DEL", ifName: "net1" }, pluginError("macvlan", "DEL", 999, "stuck"));
    await invoke(world, "ADD");
    expect(world.delegates.summary(["DEL"])).toHaveLength(4);
    const entry = await cachedEntry();
    expect(entry.networks.map((n) => n.status)).toEqual(["added", "added", "pending"]);
  });
});

describe("ADD: where networks come from", () => {
  const cases: {
    name: string;
    setup: (w: World) => void;
    conf?: Record<string, unknown>;
    want: string[];
    wantMaster?: string;
  }[] = [
    {
      name: "a NAD without spec.config is the confDir file named after the network",
      setup: (w) => {
        w.cluster.addPod(pod({ networks: "net-a" })).addNad(nad("ns1", "net-a"));
        w.confFiles.add(CONF_DIR, "20-net-a.conf", macvlan("net-a", { master: "eth5" }));
      },
      want: ["ADD bridge eth0", "ADD portmap eth0", "ADD macvlan net1"],
      wantMaster: "eth5",
    },
    {
      name: "clusterNetwork naming a NAD in multusNamespace wins over the file",
      setup: (w) => {
        w.cluster
          .addPod(pod())
          .addNad(nad("kube-system", "cluster", { cniVersion: "1.0.0", name: "cluster", type: "ptp" }));
      },
      want: ["ADD ptp eth0"],
    },
    {
      name: "clusterNetwork given as ns/name and as a path",
      setup: (w) => {
        w.cluster
          .addPod(pod({ networks: "net-a" }))
          .addNad(nad("infra", "calico", { cniVersion: "1.0.0", name: "k8s-pod-network", type: "calico" }));
        w.cluster.addNad(nad("ns1", "net-a", macvlan("net-a")));
      },
      conf: { clusterNetwork: "infra/calico" },
      want: ["ADD calico eth0", "ADD macvlan net1"],
    },
    {
      name: "defaultNetworks come before the annotation's networks",
      setup: (w) => {
        w.cluster.addPod(pod({ networks: "net-a" })).addNad(nad("ns1", "net-a", macvlan("net-a")));
        w.cluster.addNad(nad("kube-system", "extra", macvlan("extra")));
      },
      conf: { defaultNetworks: ["extra"] },
      want: ["ADD bridge eth0", "ADD portmap eth0", "ADD macvlan net1", "ADD macvlan net2"],
    },
    {
      name: "pods in systemNamespaces get no defaultNetworks",
      setup: (w) => {
        w.cluster
          .addPod(pod({ namespace: "kube-system" }))
          .addNad(nad("kube-system", "extra", macvlan("extra")));
      },
      conf: { defaultNetworks: ["extra"] },
      want: ["ADD bridge eth0", "ADD portmap eth0"],
    },
    {
      name: "the default-network annotation replaces the cluster network",
      setup: (w) => {
        w.cluster.addPod(pod({ defaultNetwork: "alt@eth5", networks: "net-a" }));
        w.cluster.addNad(nad("kube-system", "alt", { cniVersion: "1.0.0", name: "alt", type: "ptp" }));
        w.cluster.addNad(nad("ns1", "net-a", macvlan("net-a")));
      },
      want: ["ADD ptp eth5", "ADD macvlan net1"],
    },
    {
      name: "static delegates: the first is the default network, the others net1..",
      setup: (w) => {
        w.cluster.addPod(pod({ networks: "net-a" })).addNad(nad("ns1", "net-a", macvlan("net-a")));
      },
      conf: {
        clusterNetwork: undefined,
        delegates: [
          { cniVersion: "1.0.0", name: "primary", type: "ptp" },
          { cniVersion: "1.0.0", name: "second", type: "bridge" },
        ],
      },
      want: ["ADD ptp eth0", "ADD bridge net1", "ADD macvlan net2"],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      c.setup(world);
      const reply = await invoke(world, "ADD", { conf: c.conf });
      expect(reply.exitCode, reply.stdout).toBe(0);
      expect(world.delegates.summary()).toEqual(c.want);
      if (c.wantMaster !== undefined) {
        expect(world.delegates.runs.find((r) => r.type === "macvlan")?.stdin.master).toBe(c.wantMaster);
      }
    });
  }

  it("without Kubernetes only the static delegates run, and nothing is read or written", async () => {
    const w = await makeWorld({ noKubernetes: true });
    try {
      const conf = {
        clusterNetwork: undefined,
        delegates: [{ cniVersion: "1.0.0", name: "primary", type: "ptp" }],
      };
      const reply = await invoke(w, "ADD", { conf });
      expect(reply.exitCode).toBe(0);
      expect(w.delegates.summary()).toEqual(["ADD ptp eth0"]);
      expect(w.cluster.calls).toEqual([]);
      expect(w.writer.writes).toEqual([]);
    } finally {
      await w.cleanup();
    }
  });
});

describe("ADD refused before anything is attached", () => {
  const cases: {
    name: string;
    setup: (w: World) => void;
    conf?: Record<string, unknown>;
    code: number;
    msg: string;
  }[] = [
    {
      name: "a NAD that does not exist",
      setup: (w) =>
        w.cluster.addPod(pod({ networks: "net-a,missing" })).addNad(nad("ns1", "net-a", macvlan("net-a"))),
      code: 105,
      msg: "pod ns1/pod-a: network-attachment-definition ns1/missing not found",
    },
    {
      name: "a NAD without spec.config and no such file in confDir",
      setup: (w) => w.cluster.addPod(pod({ networks: "net-a" })).addNad(nad("ns1", "net-a")),
      code: 105,
      msg: `pod ns1/pod-a: network-attachment-definition ns1/net-a has no spec.config and ${CONF_DIR} has no CNI config named "net-a"`,
    },
    {
      name: "two networks asking for one interface name",
      setup: (w) =>
        w.cluster.addPod(pod({ networks: "net-a@eth0" })).addNad(nad("ns1", "net-a", macvlan("net-a"))),
      code: 106,
      msg: 'pod ns1/pod-a: interface name "eth0" is used twice: given as CNI_IFNAME for network "cluster" (attachment 0) and requested by network "ns1/net-a" (attachment 1)',
    },
    {
      name: "two IPv4 default routes",
      setup: (w) => {
        w.cluster.addPod(
          pod({
            networks:
              '[{"name":"net-a","default-route":["10.2.0.1"]},{"name":"net-b","default-route":["10.3.0.1"]}]',
          }),
        );
        w.cluster.addNad(nad("ns1", "net-a", macvlan("net-a"))).addNad(nad("ns1", "net-b", macvlan("net-b")));
      },
      code: 106,
      msg: 'pod ns1/pod-a: default-route: more than one IPv4 default route requested: 10.2.0.1 by network "ns1/net-a" (net1), 10.3.0.1 by network "ns1/net-b" (net2); at most one gateway per IP family is supported',
    },
    {
      name: "an annotation that does not parse",
      setup: (w) => w.cluster.addPod(pod({ networks: "a/b/c" })),
      code: 106,
      msg: 'pod ns1/pod-a: k8s.v1.cni.cncf.io/networks: entry 1 ("a/b/c"): more than one "/"',
    },
    {
      name: "a clusterNetwork found nowhere",
      setup: (w) => w.cluster.addPod(pod()),
      conf: { clusterNetwork: "nowhere" },
      code: 105,
      msg: `pod ns1/pod-a: network "nowhere": no network-attachment-definition kube-system/nowhere and no CNI config of that name in ${CONF_DIR}`,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      c.setup(world);
      const error = parsed(await invoke(world, "ADD", { conf: c.conf }));
      expect({ code: error.code, msg: error.msg }).toEqual({ code: c.code, msg: c.msg });
      expect(world.delegates.runs).toEqual([]);
      expect((await world.cache.read(KEY)).kind).toBe("missing");
    });
  }
});
