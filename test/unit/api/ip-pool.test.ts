// IPPool and IPAllocation schemas: strict address text, canonical output, CIDR networks without host
// bits, the pool's cross-field checks (overlaps, ranges, gateway, routes) each naming its field, and
// allocation names that are valid object names and never collide.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  allocationName,
  formatIp,
  parseCidr,
  parseInterfaceAddress,
  parseIp,
  parseIpAllocation,
} from "../../../src/api/ip-address.ts";
import type { IpValue } from "../../../src/api/ip-address.ts";
import { parseIpPool, poolFamilies } from "../../../src/api/ip-pool.ts";

describe("parseIp / formatIp", () => {
  const cases: { text: string; want?: string; family?: string }[] = [
    { text: "10.0.0.1", want: "10.0.0.1", family: "IPv4" },
    { text: "255.255.255.255", want: "255.255.255.255", family: "IPv4" },
    { text: "FD00:10:0:0::A", want: "fd00:10::a", family: "IPv6" },
    { text: "2001:db8:0:0:1:0:0:1", want: "2001:db8::1:0:0:1", family: "IPv6" },
    { text: "::", want: "::", family: "IPv6" },
    { text: "010.0.0.1" },
    { text: "10.0.0" },
    { text: "10.0.0.256" },
    { text: "0x0a.0.0.1" },
    { text: "::ffff:10.0.0.1" },
    { text: "fe80::1%eth0" },
    { text: "" },
    { text: "10.0.0.1/24" },
  ];
  it.each(cases)("$text", ({ text, want, family }) => {
    const ip = parseIp(text);
    if (want === undefined) {
      expect(ip).toBeUndefined();
      return;
    }
    expect(ip?.family).toBe(family);
    expect(formatIp(ip!)).toBe(want);
  });

  it("round-trips every IPv4 and IPv6 value", () => {
    const v4 = fc
      .bigInt({ min: 0n, max: (1n << 32n) - 1n })
      .map((value): IpValue => ({ family: "IPv4", value }));
    const v6 = fc
      .bigInt({ min: 0n, max: (1n << 128n) - 1n })
      .map((value): IpValue => ({ family: "IPv6", value }));
    fc.assert(
      fc.property(fc.oneof(v4, v6), (ip) => {
        if (ip.family === "IPv6" && ip.value >> 32n === 0xffffn) return; // IPv4-mapped: refused on input
        expect(parseIp(formatIp(ip))).toEqual(ip);
      }),
    );
  });
});

describe("parseCidr", () => {
  const cases: { text: string; want?: { family: string; prefix: number }; problem?: RegExp }[] = [
    { text: "10.10.0.0/24", want: { family: "IPv4", prefix: 24 } },
    { text: "0.0.0.0/0", want: { family: "IPv4", prefix: 0 } },
    { text: "fd00:10::/64", want: { family: "IPv6", prefix: 64 } },
    { text: "10.10.0.1/32", want: { family: "IPv4", prefix: 32 } },
    { text: "10.10.0.5/24", problem: /host bits set \(the network is 10\.10\.0\.0\/24\)/ },
    { text: "10.10.0.0/33", problem: /prefix length must be 0 to 32/ },
    { text: "10.10.0.0/024", problem: /prefix length/ },
    { text: "10.10.0.0", problem: /not in CIDR form/ },
    { text: "nope/8", problem: /is not an IP address/ },
  ];
  it.each(cases)("$text", ({ text, want, problem }) => {
    const parsed = parseCidr(text);
    if (problem !== undefined) expect(parsed).toMatch(problem);
    else expect(parsed).toMatchObject(want!);
  });

  it("keeps host bits for interface addresses", () => {
    const parsed = parseInterfaceAddress("10.10.0.5/24");
    expect(typeof parsed === "string" ? parsed : formatIp(parsed.ip)).toBe("10.10.0.5");
  });
});

function pool(spec: unknown) {
  return parseIpPool({ metadata: { name: "pool-a" }, spec });
}

describe("parseIpPool", () => {
  const valid: { name: string; spec: unknown; families: string[] }[] = [
    {
      name: "DESIGN.md's example",
      spec: {
        cidrs: ["10.10.0.0/24", "fd00:10::/64"],
        ranges: [{ start: "10.10.0.10", end: "10.10.0.200" }],
        exclude: ["10.10.0.1/32"],
        gateway: "10.10.0.1",
        routes: [{ dst: "0.0.0.0/0" }],
      },
      families: ["IPv4", "IPv6"],
    },
    { name: "IPv6 only", spec: { cidrs: ["fd00::/120"] }, families: ["IPv6"] },
    { name: "two IPv4 networks", spec: { cidrs: ["10.0.1.0/24", "10.0.0.0/24"] }, families: ["IPv4"] },
    {
      name: "route with a gateway",
      spec: { cidrs: ["10.0.0.0/24"], routes: [{ dst: "10.1.0.0/16", gw: "10.0.0.1" }] },
      families: ["IPv4"],
    },
  ];
  it.each(valid)("valid: $name", ({ spec, families }) => {
    const parsed = pool(spec);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(poolFamilies(parsed.spec)).toEqual(families);
  });

  const invalid: { name: string; spec: unknown; problem: RegExp }[] = [
    { name: "no spec", spec: undefined, problem: /^spec: / },
    { name: "no cidrs", spec: { cidrs: [] }, problem: /^cidrs: / },
    { name: "host bits", spec: { cidrs: ["10.0.0.1/24"] }, problem: /^cidrs\[0\]: .*host bits/ },
    {
      name: "unknown field",
      spec: { cidrs: ["10.0.0.0/24"], gatway: "10.0.0.1" },
      problem: /^spec: unknown field gatway/,
    },
    {
      name: "overlapping cidrs",
      spec: { cidrs: ["10.0.0.0/16", "10.0.1.0/24"] },
      problem: /cidrs: 10\.0\.0\.0\/16 and 10\.0\.1\.0\/24 overlap/,
    },
    {
      name: "range across families",
      spec: { cidrs: ["10.0.0.0/24", "fd00::/64"], ranges: [{ start: "10.0.0.1", end: "fd00::1" }] },
      problem: /ranges\[0\]: .*different families/,
    },
    {
      name: "range reversed",
      spec: { cidrs: ["10.0.0.0/24"], ranges: [{ start: "10.0.0.9", end: "10.0.0.2" }] },
      problem: /ranges\[0\]: start 10\.0\.0\.9 is after end/,
    },
    {
      name: "range outside",
      spec: { cidrs: ["10.0.0.0/24"], ranges: [{ start: "10.0.0.9", end: "10.0.1.2" }] },
      problem: /ranges\[0\]: .*not inside one of the cidrs/,
    },
    {
      name: "range not an address",
      spec: { cidrs: ["10.0.0.0/24"], ranges: [{ start: "x", end: "10.0.0.2" }] },
      problem: /^ranges\[0\]\.start: "x" is not an IP address/,
    },
    {
      name: "gateway outside",
      spec: { cidrs: ["10.0.0.0/24"], gateway: "10.0.1.1" },
      problem: /gateway: 10\.0\.1\.1 is not inside/,
    },
    {
      name: "route gw family",
      spec: { cidrs: ["10.0.0.0/24"], routes: [{ dst: "::/0", gw: "10.0.0.1" }] },
      problem: /routes\[0\]: gw 10\.0\.0\.1 is not of the family/,
    },
    {
      name: "exclude with host bits",
      spec: { cidrs: ["10.0.0.0/24"], exclude: ["10.0.0.3/30"] },
      problem: /^exclude\[0\]: .*host bits/,
    },
  ];
  it("refuses a name too long for its IPAllocation names", () => {
    const parsed = parseIpPool({ metadata: { name: "p".repeat(211) }, spec: { cidrs: ["10.0.0.0/24"] } });
    expect(parsed.ok ? "" : parsed.problems.join("\n")).toMatch(
      /^metadata\.name: longer than 210 characters/,
    );
    expect(parseIpPool({ metadata: { name: "p".repeat(210) }, spec: { cidrs: ["10.0.0.0/24"] } }).ok).toBe(
      true,
    );
  });

  it.each(invalid)("invalid: $name", ({ spec, problem }) => {
    const parsed = pool(spec);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.join("\n")).toMatch(problem);
  });
});

describe("allocationName", () => {
  const cases: { pool: string; ip: string; want: string }[] = [
    { pool: "pool-a", ip: "10.10.0.10", want: "pool-a-v4-10-10-0-10" },
    { pool: "pool-a", ip: "fd00:10::a", want: "pool-a-v6-fd00-10-0-0-0-0-0-a" },
    { pool: "p.x", ip: "::", want: "p.x-v6-0-0-0-0-0-0-0-0" },
  ];
  it.each(cases)("$pool $ip", ({ pool, ip, want }) => {
    expect(allocationName(pool, parseIp(ip)!)).toBe(want);
  });

  it("is a DNS subdomain and injective over pool names with dashes and both families", () => {
    const poolName = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
    const ip = fc.oneof(
      fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }).map((value): IpValue => ({ family: "IPv4", value })),
      fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((value): IpValue => ({ family: "IPv6", value })),
    );
    const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
    fc.assert(
      fc.property(poolName, ip, poolName, ip, (p1, a1, p2, a2) => {
        const [n1, n2] = [allocationName(p1, a1), allocationName(p2, a2)];
        expect(n1).toMatch(subdomain);
        const same = p1 === p2 && a1.family === a2.family && a1.value === a2.value;
        expect(n1 === n2).toBe(same);
      }),
    );
  });

  it("collides neither for the contrived pool/IPv4 vs pool/IPv6 split", () => {
    const v4 = allocationName("a-1-2-3-4", parseIp("5.6.7.8")!);
    const v6 = allocationName("a", parseIp("1:2:3:4:5:6:7:8")!);
    expect(v4).not.toBe(v6);
  });
});

describe("parseIpAllocation", () => {
  const object = (over: { name?: string; address?: string } = {}) => ({
    apiVersion: "netclaim.dev/v1alpha1",
    kind: "IPAllocation",
    metadata: { name: over.name ?? "pool-a-v4-10-10-0-10" },
    spec: {
      pool: "pool-a",
      address: over.address ?? "10.10.0.10/24",
      claim: { namespace: "ns", name: "c", uid: "u1" },
      device: { driver: "netclaim.dev", pool: "node-1", device: "vf0" },
    },
  });
  const cases: { name: string; raw: unknown; problem?: RegExp }[] = [
    { name: "valid", raw: object() },
    {
      name: "name does not match",
      raw: object({ name: "pool-a-v4-10-10-0-11" }),
      problem: /does not match pool and address/,
    },
    {
      name: "not canonical",
      raw: object({ name: "pool-a-v6-fd00-0-0-0-0-0-0-a", address: "FD00::A/64" }),
      problem: /not canonical \(fd00::a\/64\)/,
    },
    { name: "not an object", raw: "x", problem: /\(root\)/ },
  ];
  it.each(cases)("$name", ({ raw, problem }) => {
    const parsed = parseIpAllocation(raw);
    if (problem === undefined) expect(parsed.ok).toBe(true);
    else expect(parsed.ok ? "" : parsed.problem).toMatch(problem);
  });
});
