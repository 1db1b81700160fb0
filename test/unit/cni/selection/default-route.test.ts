// default-route planning: Multus's CheckGatewayConfig rules (one gateway per family, everyone else loses
// default routes once the feature is on) and the pure rewrite of a result's routes.
import { describe, expect, it } from "vitest";
import {
  applyDefaultRouteInstruction,
  changesRoutes,
  instructionForResult,
  planDefaultRoutes,
} from "../../../../src/cni/selection/default-route.ts";
import type {
  DefaultRouteInstruction,
  DefaultRouteRequest,
} from "../../../../src/cni/selection/default-route.ts";
import type { CniResultLike } from "../../../../src/cni/selection/cni-result.ts";

const KEEP = { kind: "keep" } as const;
const REMOVE = { kind: "remove" } as const;
const via = (gateway: string) => ({ kind: "replace", gateway }) as const;

function req(network: string, interfaceName: string, gateways?: string[]): DefaultRouteRequest {
  return { network, interfaceName, ...(gateways !== undefined ? { gateways } : {}) };
}

describe("planDefaultRoutes", () => {
  const ok: { name: string; input: DefaultRouteRequest[]; active: boolean; want: [unknown, unknown][] }[] = [
    {
      name: "no default-route key anywhere: everything kept",
      input: [req("cluster", "eth0"), req("ns/a", "net1")],
      active: false,
      want: [
        [KEEP, KEEP],
        [KEEP, KEEP],
      ],
    },
    {
      name: "IPv4 gateway on a secondary: it gets the v4 route, all other default routes go",
      input: [req("cluster", "eth0"), req("ns/a", "net1", ["10.1.0.1"]), req("ns/b", "net2")],
      active: true,
      want: [
        [REMOVE, REMOVE],
        [via("10.1.0.1"), REMOVE],
        [REMOVE, REMOVE],
      ],
    },
    {
      name: "one gateway per family on different networks",
      input: [req("cluster", "eth0", ["fd00::1"]), req("ns/a", "net1", ["10.1.0.1"])],
      active: true,
      want: [
        [REMOVE, via("fd00::1")],
        [via("10.1.0.1"), REMOVE],
      ],
    },
    {
      name: "both families on one network",
      input: [req("cluster", "eth0"), req("ns/a", "net1", ["10.1.0.1", "FD00:0:0::1"])],
      active: true,
      want: [
        [REMOVE, REMOVE],
        [via("10.1.0.1"), via("fd00::1")],
      ],
    },
    {
      name: "an empty list switches the feature on and removes every default route",
      input: [req("cluster", "eth0"), req("ns/a", "net1", [])],
      active: true,
      want: [
        [REMOVE, REMOVE],
        [REMOVE, REMOVE],
      ],
    },
    {
      name: "an IPv4-mapped IPv6 gateway counts as IPv4",
      input: [req("cluster", "eth0"), req("ns/a", "net1", ["::ffff:10.1.0.1"])],
      active: true,
      want: [
        [REMOVE, REMOVE],
        [via("10.1.0.1"), REMOVE],
      ],
    },
  ];
  it.each(ok)("$name", ({ input, active, want }) => {
    const got = planDefaultRoutes(input);
    expect(got.ok).toBe(true);
    if (!got.ok) return;
    expect(got.value.active).toBe(active);
    expect(got.value.instructions.map((i) => [i.ipv4, i.ipv6])).toEqual(want);
    expect(got.value.instructions.map((i) => i.interfaceName)).toEqual(input.map((r) => r.interfaceName));
  });

  const bad: { name: string; input: DefaultRouteRequest[]; want: string }[] = [
    {
      name: "two IPv4 gateways on two networks",
      input: [req("cluster", "eth0"), req("ns/a", "net1", ["10.1.0.1"]), req("ns/b", "net2", ["10.2.0.1"])],
      want:
        'default-route: more than one IPv4 default route requested: 10.1.0.1 by network "ns/a" (net1), ' +
        '10.2.0.1 by network "ns/b" (net2); at most one gateway per IP family is supported',
    },
    {
      name: "two IPv6 gateways on one network",
      input: [req("cluster", "eth0"), req("ns/a", "net1", ["fd00::1", "fd00::2"])],
      want:
        'default-route: more than one IPv6 default route requested: fd00::1 by network "ns/a" (net1), ' +
        'fd00::2 by network "ns/a" (net1); at most one gateway per IP family is supported',
    },
    {
      name: "the same gateway twice still counts twice, as in Multus",
      input: [req("ns/a", "net1", ["10.1.0.1"]), req("ns/b", "net2", ["10.1.0.1"])],
      want:
        'default-route: more than one IPv4 default route requested: 10.1.0.1 by network "ns/a" (net1), ' +
        '10.1.0.1 by network "ns/b" (net2); at most one gateway per IP family is supported',
    },
    {
      name: "not an IP",
      input: [req("ns/a", "net1", ["gw"])],
      want: 'default-route: network "ns/a" (net1): "gw" is not an IP address',
    },
  ];
  it.each(bad)("$name", ({ input, want }) => {
    const got = planDefaultRoutes(input);
    expect(!got.ok && [got.error.code, got.error.message]).toEqual(["DEFAULT_ROUTE_CONFLICT", want]);
  });
});

describe("instructionForResult", () => {
  const instruction: DefaultRouteInstruction = {
    network: "ns/a",
    interfaceName: "net1",
    ipv4: REMOVE,
    ipv6: REMOVE,
  };
  it("leaves a result without interfaces and IPs alone", () => {
    const got = instructionForResult(instruction, { interfaces: [], ips: [] });
    expect([got.ipv4, got.ipv6, changesRoutes(got)]).toEqual([KEEP, KEEP, false]);
  });
  it("keeps the instruction when the result has an interface", () => {
    const got = instructionForResult(instruction, { interfaces: [{ name: "net1", sandbox: "/ns" }] });
    expect(changesRoutes(got)).toBe(true);
  });
});

describe("applyDefaultRouteInstruction", () => {
  const result: CniResultLike = {
    cniVersion: "1.0.0",
    interfaces: [{ name: "net1", sandbox: "/ns" }],
    routes: [
      { dst: "0.0.0.0/0", gw: "10.1.0.254" },
      { dst: "10.9.0.0/16", gw: "10.1.0.254" },
      { dst: "::/0", gw: "fd00::fe" },
      { dst: "::0/0", gw: "fd00::fd" },
    ],
  };
  const cases: {
    name: string;
    ipv4: DefaultRouteInstruction["ipv4"];
    ipv6: DefaultRouteInstruction["ipv6"];
    want: unknown;
  }[] = [
    { name: "keep: unchanged", ipv4: KEEP, ipv6: KEEP, want: result.routes },
    {
      name: "remove both families, other routes stay",
      ipv4: REMOVE,
      ipv6: REMOVE,
      want: [{ dst: "10.9.0.0/16", gw: "10.1.0.254" }],
    },
    {
      name: "replace IPv4, keep IPv6",
      ipv4: via("10.1.0.1"),
      ipv6: KEEP,
      want: [
        { dst: "10.9.0.0/16", gw: "10.1.0.254" },
        { dst: "::/0", gw: "fd00::fe" },
        { dst: "::0/0", gw: "fd00::fd" },
        { dst: "0.0.0.0/0", gw: "10.1.0.1" },
      ],
    },
    {
      name: "replace IPv6, remove IPv4",
      ipv4: REMOVE,
      ipv6: via("fd00::1"),
      want: [
        { dst: "10.9.0.0/16", gw: "10.1.0.254" },
        { dst: "::/0", gw: "fd00::1" },
      ],
    },
  ];
  it.each(cases)("$name", ({ ipv4, ipv6, want }) => {
    const got = applyDefaultRouteInstruction(result, { network: "ns/a", interfaceName: "net1", ipv4, ipv6 });
    expect(got.routes).toEqual(want);
    expect(got.interfaces).toBe(result.interfaces);
  });

  it("adds routes to a result that had none", () => {
    const got = applyDefaultRouteInstruction(
      { cniVersion: "1.0.0" },
      {
        network: "ns/a",
        interfaceName: "net1",
        ipv4: via("10.1.0.1"),
        ipv6: REMOVE,
      },
    );
    expect(got).toEqual({ cniVersion: "1.0.0", routes: [{ dst: "0.0.0.0/0", gw: "10.1.0.1" }] });
  });
});
