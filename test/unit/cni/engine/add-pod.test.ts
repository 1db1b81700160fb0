// ADD before any delegate runs: the readiness indicator file, the pod lookup (retries, missing pod, UID
// check) and namespace isolation.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POD_UID, invoke, logsAt, macvlan, nad, parsed, pod } from "./support.ts";
import type { World } from "./support.ts";
import { makeWorld } from "./support.ts";

let world: World;
beforeEach(async () => {
  world = await makeWorld();
});
afterEach(async () => {
  await world.cleanup();
});

describe("the readiness indicator file", () => {
  it("is waited for, bounded, before anything else", async () => {
    const error = parsed(
      await invoke(world, "ADD", { conf: { readinessindicatorfile: "/run/cluster-net-ready" } }),
    );
    expect({ code: error.code, msg: error.msg }).toEqual({
      code: 11,
      msg: "pod ns1/pod-a: the default network is not ready (readinessindicatorfile /run/cluster-net-ready): /run/cluster-net-ready did not appear within 5000ms",
    });
    expect(world.cluster.calls).toEqual([]);
    expect(world.delegates.runs).toEqual([]);
  });

  it("lets the ADD go on once present", async () => {
    world.readiness.present.add("/run/cluster-net-ready");
    world.cluster.addPod(pod());
    const reply = await invoke(world, "ADD", { conf: { readinessindicatorfile: "/run/cluster-net-ready" } });
    expect(reply.exitCode).toBe(0);
    expect(world.readiness.waits).toEqual([{ path: "/run/cluster-net-ready", timeoutMs: 5_000 }]);
  });
});

describe("the pod lookup", () => {
  it("retries while the API does not have the pod yet, then attaches its networks", async () => {
    world.cluster.podAnswers.push(new Error("connect ECONNREFUSED 10.96.0.1:443"), undefined);
    world.cluster.addPod(pod({ networks: "net-a" })).addNad(nad("ns1", "net-a", macvlan("net-a")));
    const reply = await invoke(world, "ADD");
    expect(reply.exitCode, reply.stdout).toBe(0);
    expect(world.cluster.callsOf("getPod")).toHaveLength(3);
    expect(world.delegates.summary()).toEqual(["ADD bridge eth0", "ADD portmap eth0", "ADD macvlan net1"]);
  });

  it("a pod still missing after the retries gets the cluster network only, with a warning", async () => {
    const reply = await invoke(world, "ADD", { conf: { defaultNetworks: ["extra"] } });
    expect(reply.exitCode, reply.stdout).toBe(0);
    expect(world.cluster.callsOf("getPod")).toHaveLength(3);
    expect(world.delegates.summary()).toEqual(["ADD bridge eth0", "ADD portmap eth0"]);
    expect(world.writer.writes).toEqual([]);
    expect(logsAt(world, "warn").map((l) => l.msg)).toContain(
      "pod not found in the API: attaching the cluster network only",
    );
  });

  it("an API that keeps failing fails the ADD", async () => {
    world.cluster.failWith = new Error("connect ECONNREFUSED 10.96.0.1:443");
    const error = parsed(await invoke(world, "ADD"));
    expect({ code: error.code, msg: error.msg }).toEqual({
      code: 103,
      msg: "pod ns1/pod-a: get pod: connect ECONNREFUSED 10.96.0.1:443",
    });
    expect(world.cluster.callsOf("getPod")).toHaveLength(3);
    expect(world.delegates.runs).toEqual([]);
  });

  it("no pod named in CNI_ARGS: no lookup, the cluster network only", async () => {
    const reply = await invoke(world, "ADD", { cniArgs: "IgnoreUnknown=1" });
    expect(reply.exitCode).toBe(0);
    expect(world.cluster.callsOf("getPod")).toEqual([]);
    expect(world.delegates.summary()).toEqual(["ADD bridge eth0", "ADD portmap eth0"]);
  });

  const uidCases: { name: string; annotations: Record<string, string>; wantOk: boolean }[] = [
    { name: "a K8S_POD_UID that is not the API pod's fails the ADD", annotations: {}, wantOk: false },
    {
      name: "a mirror pod (config.source api) is checked too",
      annotations: { "kubernetes.io/config.source": "api" },
      wantOk: false,
    },
    {
      name: "a static pod's mirror is tolerated",
      annotations: { "kubernetes.io/config.source": "file" },
      wantOk: true,
    },
  ];
  for (const c of uidCases) {
    it(c.name, async () => {
      world.cluster.addPod(pod({ uid: "11111111-2222-3333-4444-555555555555", annotations: c.annotations }));
      const reply = await invoke(world, "ADD");
      if (c.wantOk) {
        expect(reply.exitCode).toBe(0);
        return;
      }
      expect(parsed(reply)).toMatchObject({
        code: 104,
        msg: `pod ns1/pod-a: expected pod UID "${POD_UID}" (K8S_POD_UID) but the API has "11111111-2222-3333-4444-555555555555"`,
      });
      expect(world.delegates.runs).toEqual([]);
    });
  }
});

describe("namespace isolation", () => {
  beforeEach(() => {
    for (const [ns, name] of [
      ["ns1", "net-a"],
      ["default", "net-d"],
      ["shared", "net-s"],
      ["other", "net-x"],
      ["kube-system", "alt"],
    ] as const) {
      world.cluster.addNad(nad(ns, name, macvlan(name)));
    }
  });

  const cases: {
    name: string;
    conf: Record<string, unknown>;
    spec: Parameters<typeof pod>[0];
    refused?: string;
  }[] = [
    {
      name: "the pod's own namespace is allowed",
      conf: { namespaceIsolation: true },
      spec: { networks: "net-a" },
    },
    {
      name: "default is global unless a list is given",
      conf: { namespaceIsolation: true },
      spec: { networks: "default/net-d" },
    },
    {
      name: "another namespace is refused",
      conf: { namespaceIsolation: true },
      spec: { networks: "net-a,other/net-x" },
      refused:
        'pod ns1/pod-a: k8s.v1.cni.cncf.io/networks: namespace isolation: a pod in namespace "ns1" may not use network-attachment-definition "other/net-x" (allowed namespaces: "ns1", "default")',
    },
    {
      name: "globalNamespaces replaces default",
      conf: { namespaceIsolation: true, globalNamespaces: "shared" },
      spec: { networks: "shared/net-s,default/net-d" },
      refused:
        'pod ns1/pod-a: k8s.v1.cni.cncf.io/networks: namespace isolation: a pod in namespace "ns1" may not use network-attachment-definition "default/net-d" (allowed namespaces: "ns1", "shared")',
    },
    { name: "isolation off allows anything", conf: {}, spec: { networks: "other/net-x" } },
    {
      name: "the default-network annotation may use multusNamespace",
      conf: { namespaceIsolation: true },
      spec: { defaultNetwork: "alt" },
    },
    {
      name: "the default-network annotation may not use another namespace",
      conf: { namespaceIsolation: true },
      spec: { defaultNetwork: "other/net-x" },
      refused:
        'pod ns1/pod-a: v1.multus-cni.io/default-network: namespace isolation: a pod in namespace "ns1" may not use network-attachment-definition "other/net-x" (allowed namespaces: "ns1", "default", "kube-system")',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      world.cluster.addPod(pod(c.spec));
      const reply = await invoke(world, "ADD", { conf: c.conf });
      if (c.refused === undefined) {
        expect(reply.exitCode, reply.stdout).toBe(0);
        return;
      }
      expect(parsed(reply)).toMatchObject({ code: 107, msg: c.refused });
      expect(world.delegates.runs).toEqual([]);
      // refused before any NAD of the annotation is fetched
      expect(
        world.cluster.callsOf("getNetworkAttachmentDefinition").map((call) => call.namespace),
      ).not.toContain("other");
    });
  }
});
