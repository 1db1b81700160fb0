// The pure half of ADD: delegate configs as run, capability args, CNI_ARGS, and the attachment plan.
import { describe, expect, it } from "vitest";
import { parseDelegateConfig } from "../../../../src/api/netconf-delegate.ts";
import type { JsonObject } from "../../../../src/cni/delegate/json.ts";
import {
  delegateCniArgs,
  delegateConfigToRun,
  runtimeConfigForNetwork,
} from "../../../../src/cni/engine/delegate-input.ts";
import { planAttachments } from "../../../../src/cni/engine/plan-attachments.ts";
import type { PlanInput } from "../../../../src/cni/engine/plan-attachments.ts";
import type { NetworkSlot } from "../../../../src/cni/engine/resolve-networks.ts";
import { parseCniArgs } from "../../../../src/cni/protocol/env.ts";
import type { NetworkSelection } from "../../../../src/cni/selection/types.ts";

describe("delegateConfigToRun", () => {
  const cases: { name: string; input: Parameters<typeof delegateConfigToRun>[0]; want: JsonObject }[] = [
    {
      name: "a config without name gets the network's",
      input: {
        raw: { cniVersion: "1.0.0", type: "macvlan" },
        kind: "conf",
        name: "net-a",
        metaCniVersion: "1.1.0",
      },
      want: { cniVersion: "1.0.0", type: "macvlan", name: "net-a" },
    },
    {
      name: "a conflist without cniVersion gets the meta-plugin's",
      input: {
        raw: { name: "l", plugins: [{ type: "a" }] },
        kind: "conflist",
        name: "l",
        metaCniVersion: "1.1.0",
      },
      want: { name: "l", plugins: [{ type: "a" }], cniVersion: "1.1.0" },
    },
    {
      name: "a single plugin without cniVersion stays without (libcni: 0.1.0)",
      input: { raw: { name: "c", type: "a" }, kind: "conf", name: "c", metaCniVersion: "1.1.0" },
      want: { name: "c", type: "a" },
    },
    {
      name: "cni-args merge over existing args.cni, other args kept",
      input: {
        raw: { name: "c", type: "a", args: { other: 1, cni: { keep: true, foo: "old" } } },
        kind: "conf",
        name: "c",
        metaCniVersion: "1.0.0",
        cniArgs: { foo: "new", bar: 2 },
      },
      want: { name: "c", type: "a", args: { other: 1, cni: { keep: true, foo: "new", bar: 2 } } },
    },
    {
      name: "cni-args into every plugin of a conflist",
      input: {
        raw: {
          cniVersion: "1.0.0",
          name: "l",
          plugins: [{ type: "a" }, { type: "b", args: { cni: { x: 1 } } }],
        },
        kind: "conflist",
        name: "l",
        metaCniVersion: "1.0.0",
        cniArgs: { y: 2 },
      },
      want: {
        cniVersion: "1.0.0",
        name: "l",
        plugins: [
          { type: "a", args: { cni: { y: 2 } } },
          { type: "b", args: { cni: { x: 1, y: 2 } } },
        ],
      },
    },
    {
      name: "args that are not an object are replaced",
      input: {
        raw: { name: "c", type: "a", args: "junk" },
        kind: "conf",
        name: "c",
        metaCniVersion: "",
        cniArgs: { y: 2 },
      },
      want: { name: "c", type: "a", args: { cni: { y: 2 } } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(delegateConfigToRun(c.input)).toEqual(c.want);
    });
  }

  it("keeps a __proto__ key of cni-args as an ordinary key", () => {
    const cniArgs = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const out = delegateConfigToRun({
      raw: { name: "c", type: "a" },
      kind: "conf",
      name: "c",
      metaCniVersion: "",
      cniArgs,
    });
    const cni = (out.args as { cni: Record<string, unknown> }).cni;
    expect(Object.keys(cni)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(cni)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe(
      '{"name":"c","type":"a","args":{"cni":{"__proto__":{"polluted":true}}}}',
    );
  });
});

describe("delegateCniArgs", () => {
  const pod = { namespace: "ns1", name: "p", uid: "u1" };
  const cases: { name: string; runtime: string; selection?: NetworkSelection; want: string }[] = [
    {
      name: "Multus's keys first, the runtime's after, nothing twice",
      runtime:
        "IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=p;K8S_POD_INFRA_CONTAINER_ID=sb1;K8S_POD_UID=u1;X=1",
      want: "IgnoreUnknown=true;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=p;K8S_POD_INFRA_CONTAINER_ID=sb1;K8S_POD_UID=u1;X=1",
    },
    {
      name: "an empty key is filled from the runtime's",
      runtime: "K8S_POD_UID=",
      want: "IgnoreUnknown=true;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=p;K8S_POD_INFRA_CONTAINER_ID=;K8S_POD_UID=u1",
    },
    {
      name: "legacy MAC and IP of the selection",
      runtime: "",
      selection: {
        namespace: "ns1",
        name: "n",
        mac: "02:00:00:00:00:09",
        ips: ["10.0.0.9/24", "fd00::9/64"],
      },
      want: "IgnoreUnknown=true;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=p;K8S_POD_INFRA_CONTAINER_ID=;K8S_POD_UID=u1;MAC=02:00:00:00:00:09;IP=10.0.0.9/24,fd00::9/64",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(delegateCniArgs(pod, parseCniArgs(c.runtime), c.selection)).toBe(c.want);
    });
  }
});

describe("runtimeConfigForNetwork", () => {
  const runtime = {
    portMappings: [{ HostPort: 80, ContainerPort: 8080, Protocol: "tcp" }],
    dns: { Servers: ["1.1.1.1"] },
  };
  const selection: NetworkSelection = { namespace: "ns", name: "n", mac: "02:00:00:00:00:01", ips: [] };
  const cases: { name: string; isDefault: boolean; selection?: NetworkSelection; want: JsonObject }[] = [
    {
      name: "the default network gets the runtime's, in the conventions' spelling",
      isDefault: true,
      want: {
        portMappings: [{ hostPort: 80, containerPort: 8080, protocol: "tcp" }],
        dns: { servers: ["1.1.1.1"] },
      },
    },
    {
      name: "its selection's requests go over the runtime's",
      isDefault: true,
      selection,
      want: {
        portMappings: [{ hostPort: 80, containerPort: 8080, protocol: "tcp" }],
        dns: { servers: ["1.1.1.1"] },
        mac: "02:00:00:00:00:01",
      },
    },
    {
      name: "a secondary gets its selection's requests only (empty ips left out)",
      isDefault: false,
      selection,
      want: { mac: "02:00:00:00:00:01" },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(runtimeConfigForNetwork(c.isDefault, runtime, c.selection)).toEqual(c.want);
    });
  }
});

function resolved(name: string, selection?: NetworkSelection): NetworkSlot {
  const delegate = parseDelegateConfig({ cniVersion: "1.0.0", name, type: "macvlan" }, { source: name });
  return {
    name,
    delegate,
    origin: selection === undefined ? "cluster-network" : "networks-annotation",
    selection,
  };
}

function input(networks: NetworkSlot[]): PlanInput {
  return {
    networks,
    cniIfName: "eth0",
    pod: { namespace: "ns1", name: "p", uid: "" },
    runtimeArgs: parseCniArgs(""),
    netconf: { cniVersion: "1.0.0", runtimeConfig: {} },
  };
}

describe("planAttachments", () => {
  it("names, routes and configs every attachment", () => {
    const out = planAttachments(
      input([
        resolved("cluster"),
        resolved("ns1/a", { namespace: "ns1", name: "a", interfaceName: "data0" }),
        resolved("ns1/b", { namespace: "ns1", name: "b", defaultRoute: ["fd00::1"] }),
      ]),
    );
    if (!out.ok) throw out.error;
    expect(
      out.plan.attachments.map((a) => [
        a.index,
        a.name,
        a.ifName,
        a.isDefault,
        a.route.ipv4.kind,
        a.route.ipv6.kind,
      ]),
    ).toEqual([
      [0, "cluster", "eth0", true, "remove", "remove"],
      [1, "ns1/a", "data0", false, "remove", "remove"],
      [2, "ns1/b", "net2", false, "remove", "replace"],
    ]);
    expect(out.plan.attachments[2]?.network).toMatchObject({
      name: "ns1/b",
      cniVersion: "1.0.0",
      isList: false,
    });
  });

  it("keeps the numbering of unresolved networks (DEL rebuilt from the API)", () => {
    const gone: NetworkSlot = {
      name: "ns1/gone",
      origin: "networks-annotation",
      selection: { namespace: "ns1", name: "gone" },
      problem: new Error("not found"),
    };
    const out = planAttachments(
      input([resolved("cluster"), gone, resolved("ns1/b", { namespace: "ns1", name: "b" })]),
    );
    if (!out.ok) throw out.error;
    expect(out.plan.attachments.map((a) => a.ifName)).toEqual(["eth0", "net2"]);
    expect(out.plan.unresolved.map((u) => [u.name, u.ifName])).toEqual([["ns1/gone", "net1"]]);
  });

  const refusals: { name: string; networks: NetworkSlot[]; code: string; msg: string }[] = [
    {
      name: "an interface name the kernel refuses",
      networks: [
        resolved("cluster"),
        resolved("ns1/a", { namespace: "ns1", name: "a", interfaceName: "a-very-long-name0" }),
      ],
      code: "INVALID_ANNOTATION",
      msg: 'attachment 1 (network "ns1/a"): interface name "a-very-long-name0" must be at most 15 bytes long (it has 17)',
    },
    {
      name: "a gateway that is not an IP",
      networks: [
        resolved("cluster"),
        resolved("ns1/a", { namespace: "ns1", name: "a", defaultRoute: ["gw"] }),
      ],
      code: "INVALID_ANNOTATION",
      msg: 'default-route: network "ns1/a" (net1): "gw" is not an IP address',
    },
  ];
  for (const c of refusals) {
    it(`refuses ${c.name}`, () => {
      const out = planAttachments(input(c.networks));
      expect(out.ok).toBe(false);
      if (out.ok) return;
      expect({ code: out.error.code, msg: out.error.msg }).toEqual({ code: c.code, msg: c.msg });
    });
  }
});
