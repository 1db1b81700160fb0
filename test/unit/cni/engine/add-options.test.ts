// ADD with the JSON options of a selection (static IP, MAC, cni-args, portMappings, bandwidth,
// default-route), the runtime's own runtimeConfig, the result in every caller version, and the exact
// network-status value.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DelegateRun } from "../../../fakes/cni-delegates.ts";
import { invoke, macvlan, nad, parsed, pod } from "./support.ts";
import type { World } from "./support.ts";
import { makeWorld } from "./support.ts";

let world: World;
beforeEach(async () => {
  world = await makeWorld();
});
afterEach(async () => {
  await world.cleanup();
});

function runOn(ifName: string, type?: string): DelegateRun {
  const run = world.delegates.runs.find(
    (r) => r.command === "ADD" && r.ifName === ifName && (type === undefined || r.type === type),
  );
  if (run === undefined) throw new Error(`no ADD on ${ifName}`);
  return run;
}

const CAPABLE = {
  cniVersion: "1.0.0",
  name: "net-a",
  type: "macvlan",
  master: "eth9",
  capabilities: {
    ips: true,
    mac: true,
    portMappings: true,
    bandwidth: true,
    infinibandGUID: true,
    deviceID: true,
  },
  args: { cni: { keep: 1, foo: "old" } },
};

describe("JSON options of a selection", () => {
  const cases: {
    name: string;
    selection: Record<string, unknown>;
    wantRuntimeConfig: Record<string, unknown> | undefined;
    wantArgsTail: string;
  }[] = [
    {
      name: "static IP",
      selection: { ips: ["10.10.0.7/24", "fd00::7/64"] },
      wantRuntimeConfig: { ips: ["10.10.0.7/24", "fd00::7/64"] },
      wantArgsTail: `;IP=10.10.0.7/24,fd00::7/64`,
    },
    {
      name: "MAC",
      selection: { mac: "02:11:22:33:44:55" },
      wantRuntimeConfig: { mac: "02:11:22:33:44:55" },
      wantArgsTail: ";MAC=02:11:22:33:44:55",
    },
    {
      name: "portMappings, bandwidth, deviceID, infiniband-guid",
      selection: {
        portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "tcp" }],
        bandwidth: { ingressRate: 1000, egressRate: 2000 },
        deviceID: "0000:03:00.1",
        "infiniband-guid": "c2:11:22:33:44:55:66:77",
      },
      wantRuntimeConfig: {
        portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "tcp" }],
        bandwidth: { ingressRate: 1000, ingressBurst: 0, egressRate: 2000, egressBurst: 0 },
        deviceID: "0000:03:00.1",
        infinibandGUID: "c2:11:22:33:44:55:66:77",
      },
      wantArgsTail: "K8S_POD_UID=0b9a4c3e-1111-4a2b-9c8d-7e6f5a4b3c2d",
    },
    {
      name: "nothing asked: no runtimeConfig at all",
      selection: {},
      wantRuntimeConfig: undefined,
      wantArgsTail: "K8S_POD_UID=0b9a4c3e-1111-4a2b-9c8d-7e6f5a4b3c2d",
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      world.cluster.addPod(pod({ networks: JSON.stringify([{ name: "net-a", ...c.selection }]) }));
      world.cluster.addNad(nad("ns1", "net-a", CAPABLE));
      const reply = await invoke(world, "ADD");
      expect(reply.exitCode, reply.stdout).toBe(0);
      const run = runOn("net1");
      expect(run.stdin.runtimeConfig).toEqual(c.wantRuntimeConfig);
      expect(run.cniArgs.endsWith(c.wantArgsTail), run.cniArgs).toBe(true);
    });
  }

  it("a plugin gets only the capabilities it declares", async () => {
    world.cluster.addPod(
      pod({
        networks:
          '[{"name":"net-a","ips":["10.10.0.7/24"],"portMappings":[{"hostPort":1,"containerPort":2}]}]',
      }),
    );
    world.cluster.addNad(nad("ns1", "net-a", macvlan("net-a", { capabilities: { ips: true } })));
    await invoke(world, "ADD");
    expect(runOn("net1").stdin.runtimeConfig).toEqual({ ips: ["10.10.0.7/24"] });
  });

  it("cni-args are merged into args.cni, the annotation winning, __proto__ an ordinary key", async () => {
    world.cluster.addPod(
      pod({ networks: '[{"name":"net-a","cni-args":{"foo":"new","__proto__":{"polluted":true}}}]' }),
    );
    world.cluster.addNad(nad("ns1", "net-a", CAPABLE));
    await invoke(world, "ADD");
    const cni = (runOn("net1").stdin.args as { cni: Record<string, unknown> }).cni;
    expect(cni.keep).toBe(1);
    expect(cni.foo).toBe("new");
    expect(Object.hasOwn(cni, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(cni)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("cni-args reach every plugin of a conflist", async () => {
    world.cluster.addPod(pod({ networks: '[{"name":"net-b","cni-args":{"vlan":"7"}}]' }));
    world.cluster.addNad(
      nad("ns1", "net-b", {
        cniVersion: "1.0.0",
        name: "net-b",
        plugins: [{ type: "host-device", device: "eth7" }, { type: "tuning" }],
      }),
    );
    await invoke(world, "ADD");
    expect(runOn("net1", "host-device").stdin.args).toEqual({ cni: { vlan: "7" } });
    expect(runOn("net1", "tuning").stdin.args).toEqual({ cni: { vlan: "7" } });
  });
});

describe("the runtime's runtimeConfig", () => {
  it("goes to the default network only", async () => {
    world.cluster.addPod(pod({ networks: "net-a" }));
    world.cluster.addNad(nad("ns1", "net-a", CAPABLE));
    const portMappings = [{ hostPort: 30080, containerPort: 80, protocol: "tcp" }];
    await invoke(world, "ADD", { conf: { runtimeConfig: { portMappings } } });
    expect(runOn("eth0", "portmap").stdin.runtimeConfig).toEqual({ portMappings });
    expect(runOn("eth0", "bridge").stdin.runtimeConfig).toBeUndefined();
    expect(runOn("net1").stdin.runtimeConfig).toBeUndefined();
  });
});

describe("default-route on a secondary", () => {
  beforeEach(() => {
    world.cluster.addPod(pod({ networks: '[{"name":"net-a","default-route":["10.2.0.1"]}]' }));
    world.cluster.addNad(nad("ns1", "net-a", macvlan("net-a")));
  });

  it("moves the pod's default route to that interface", async () => {
    const result = parsed(await invoke(world, "ADD"));
    expect(world.routes.applied).toEqual([
      {
        netns: "/var/run/netns/cni-test-pod",
        instruction: {
          network: "cluster",
          interfaceName: "eth0",
          ipv4: { kind: "remove" },
          ipv6: { kind: "remove" },
        },
      },
      {
        netns: "/var/run/netns/cni-test-pod",
        instruction: {
          network: "ns1/net-a",
          interfaceName: "net1",
          ipv4: { kind: "replace", gateway: "10.2.0.1" },
          ipv6: { kind: "remove" },
        },
      },
    ]);
    // the answer and the cache show the routes as they are in the pod
    expect(result.routes ?? []).toEqual([]);
    const read = await world.cache.read({ containerID: "3f6c1d2e9a8b7c6d5e4f3a2b1c0d9e8f", ifname: "eth0" });
    if (read.kind !== "found") throw new Error(read.kind);
    expect(read.entry.networks[0]?.result?.routes ?? []).toEqual([]);
    expect(read.entry.networks[1]?.result?.routes).toEqual([{ dst: "0.0.0.0/0", gw: "10.2.0.1" }]);
    const statuses = JSON.parse(world.writer.writes[0]?.value ?? "") as { gateway?: string[] }[];
    expect(statuses.map((s) => s.gateway)).toEqual([undefined, ["10.2.0.1"]]);
  });

  it("a failure to set the route rolls the ADD back", async () => {
    world.routes.failWith = new Error("nsenter: cannot open /var/run/netns/cni-test-pod");
    const error = parsed(await invoke(world, "ADD"));
    expect(error.msg).toBe(
      'pod ns1/pod-a: network "cluster" (eth0): nsenter: cannot open /var/run/netns/cni-test-pod',
    );
    expect(world.delegates.summary(["DEL"])).toEqual(["DEL portmap eth0", "DEL bridge eth0"]);
  });
});

describe("the result in the caller's version", () => {
  const cases: { version: string; want: Record<string, unknown> }[] = [
    {
      version: "0.2.0",
      want: {
        cniVersion: "0.2.0",
        ip4: { ip: "10.1.0.5/24", gateway: "10.1.0.1", routes: [{ dst: "0.0.0.0/0", gw: "10.1.0.1" }] },
        dns: {},
      },
    },
    {
      version: "0.3.1",
      want: {
        cniVersion: "0.3.1",
        interfaces: [
          { name: "eth0", mac: "02:00:00:00:00:01", sandbox: "/var/run/netns/cni-test-pod" },
          { name: "net1", mac: "02:00:00:00:00:02", sandbox: "/var/run/netns/cni-test-pod" },
        ],
        ips: [{ version: "4", interface: 0, address: "10.1.0.5/24", gateway: "10.1.0.1" }],
        routes: [{ dst: "0.0.0.0/0", gw: "10.1.0.1" }],
        dns: {},
      },
    },
    {
      version: "1.1.0",
      want: {
        cniVersion: "1.1.0",
        interfaces: [
          { name: "eth0", mac: "02:00:00:00:00:01", sandbox: "/var/run/netns/cni-test-pod" },
          { name: "net1", mac: "02:00:00:00:00:02", sandbox: "/var/run/netns/cni-test-pod" },
        ],
        ips: [{ interface: 0, address: "10.1.0.5/24", gateway: "10.1.0.1" }],
        routes: [{ dst: "0.0.0.0/0", gw: "10.1.0.1" }],
        dns: {},
      },
    },
  ];
  for (const c of cases) {
    it(`${c.version}, from delegates of 1.0.0 and 0.3.1`, async () => {
      world.cluster.addPod(pod({ networks: "net-a" }));
      world.cluster.addNad(nad("ns1", "net-a", macvlan("net-a", { cniVersion: "0.3.1" })));
      const reply = await invoke(world, "ADD", { conf: { cniVersion: c.version } });
      expect(reply.exitCode, reply.stdout).toBe(0);
      expect(parsed(reply)).toEqual(c.want);
    });
  }

  it("a result the caller's version cannot carry fails the ADD and rolls back", async () => {
    world.cluster.addPod(pod());
    world.delegates.on({ command: "ADD", type: "portmap" }, (run) => ({
      ...(run.stdin.prevResult as Record<string, unknown>),
      ips: [
        { address: "10.1.0.5/24", interface: 0 },
        { address: "10.1.0.6/24", interface: 0 },
      ],
    }));
    const error = parsed(await invoke(world, "ADD", { conf: { cniVersion: "0.2.0" } }));
    expect(error.code).toBe(1);
    expect(error.msg).toMatch(/^pod ns1\/pod-a: the result: cannot convert the result to CNI 0\.2\.0/);
    expect(world.delegates.summary(["DEL"])).toEqual(["DEL portmap eth0", "DEL bridge eth0"]);
  });
});

describe("network-status", () => {
  it("is the value Multus writes", async () => {
    world.cluster.addPod(pod({ networks: "net-a@data0" }));
    world.cluster.addNad(nad("ns1", "net-a", macvlan("net-a")));
    await invoke(world, "ADD");
    expect(world.writer.writes).toEqual([
      {
        pod: { namespace: "ns1", name: "pod-a", uid: "0b9a4c3e-1111-4a2b-9c8d-7e6f5a4b3c2d" },
        value: [
          "[{",
          '    "name": "cluster",',
          '    "interface": "eth0",',
          '    "ips": [',
          '        "10.1.0.5"',
          "    ],",
          '    "mac": "02:00:00:00:00:01",',
          '    "default": true,',
          '    "dns": {},',
          '    "gateway": [',
          '        "10.1.0.1"',
          "    ]",
          "},{",
          '    "name": "ns1/net-a",',
          '    "interface": "data0",',
          '    "ips": [',
          '        "10.2.0.5"',
          "    ],",
          '    "mac": "02:00:00:00:00:02",',
          '    "dns": {},',
          '    "gateway": [',
          '        "10.2.0.1"',
          "    ]",
          "}]",
        ].join("\n"),
      },
    ]);
  });

  it("is not written for pods in systemNamespaces (their namespace, not their name)", async () => {
    world.cluster.addPod(pod({ namespace: "kube-system", name: "coredns" }));
    const reply = await invoke(world, "ADD", {
      cniArgs: "K8S_POD_NAMESPACE=kube-system;K8S_POD_NAME=coredns",
    });
    expect(reply.exitCode).toBe(0);
    expect(world.writer.writes).toEqual([]);
  });

  it("a failure to write it fails the ADD and rolls back", async () => {
    world.cluster.addPod(pod());
    world.writer.failWith = new Error('pods "pod-a" is forbidden');
    const error = parsed(await invoke(world, "ADD"));
    expect({ code: error.code, msg: error.msg }).toEqual({
      code: 103,
      msg: 'pod ns1/pod-a: write the network-status annotation: pods "pod-a" is forbidden',
    });
    expect(world.delegates.summary(["DEL"])).toEqual(["DEL portmap eth0", "DEL bridge eth0"]);
    expect(
      (await world.cache.read({ containerID: "3f6c1d2e9a8b7c6d5e4f3a2b1c0d9e8f", ifname: "eth0" })).kind,
    ).toBe("missing");
  });

  it("a pod deleted meanwhile is tolerated", async () => {
    world.cluster.addPod(pod());
    world.writer.failWith = Object.assign(new Error('pods "pod-a" not found'), { status: 404 });
    const reply = await invoke(world, "ADD");
    expect(reply.exitCode).toBe(0);
    expect(world.delegates.summary(["DEL"])).toEqual([]);
  });
});
