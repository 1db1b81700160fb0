// Pool arithmetic case tables: usable addresses per family (reserved network/broadcast and anycast
// addresses, ranges, exclusions, gateway), offsets, the walk with wrap-around, and the bounded search
// for a free address — IPv4, IPv6, exhaustion, and the /31 /32 /127 /128 edges.
import { describe, expect, it } from "vitest";
import { formatIp, parseIp } from "../../../../src/api/ip-address.ts";
import type { IpFamily } from "../../../../src/api/ip-address.ts";
import {
  addressAt,
  containsAddress,
  findFree,
  offsetOf,
  poolSize,
  walkFrom,
} from "../../../../src/controller/ipam/pool-math.ts";
import type { FamilyLayout, PoolLayout } from "../../../../src/controller/ipam/pool-math.ts";
import { layoutOf } from "./support.ts";

function family(layout: PoolLayout, f: IpFamily): FamilyLayout {
  const found = layout.families.find((x) => x.family === f);
  if (found === undefined) throw new Error(`no ${f}`);
  return found;
}

const text = (f: IpFamily, value: bigint) => formatIp({ family: f, value });
const value = (ip: string) => parseIp(ip)!.value;

describe("usable addresses", () => {
  const cases: {
    name: string;
    spec: unknown;
    family: IpFamily;
    size: bigint;
    first: string;
    last: string;
  }[] = [
    {
      name: "/24: no network, no broadcast",
      spec: { cidrs: ["10.0.0.0/24"] },
      family: "IPv4",
      size: 254n,
      first: "10.0.0.1",
      last: "10.0.0.254",
    },
    {
      name: "/30",
      spec: { cidrs: ["10.0.0.0/30"] },
      family: "IPv4",
      size: 2n,
      first: "10.0.0.1",
      last: "10.0.0.2",
    },
    {
      name: "/31: both (RFC 3021)",
      spec: { cidrs: ["10.0.0.4/31"] },
      family: "IPv4",
      size: 2n,
      first: "10.0.0.4",
      last: "10.0.0.5",
    },
    {
      name: "/32",
      spec: { cidrs: ["10.0.0.7/32"] },
      family: "IPv4",
      size: 1n,
      first: "10.0.0.7",
      last: "10.0.0.7",
    },
    {
      name: "IPv6 /64: all but the anycast address",
      spec: { cidrs: ["fd00::/64"] },
      family: "IPv6",
      size: (1n << 64n) - 1n,
      first: "fd00::1",
      last: "fd00::ffff:ffff:ffff:ffff",
    },
    {
      name: "IPv6 /126",
      spec: { cidrs: ["fd00::/126"] },
      family: "IPv6",
      size: 3n,
      first: "fd00::1",
      last: "fd00::3",
    },
    {
      name: "IPv6 /127: both (RFC 6164)",
      spec: { cidrs: ["fd00::/127"] },
      family: "IPv6",
      size: 2n,
      first: "fd00::",
      last: "fd00::1",
    },
    {
      name: "IPv6 /128",
      spec: { cidrs: ["fd00::9/128"] },
      family: "IPv6",
      size: 1n,
      first: "fd00::9",
      last: "fd00::9",
    },
    {
      name: "DESIGN.md's pool, IPv4: the range",
      spec: {
        cidrs: ["10.10.0.0/24", "fd00:10::/64"],
        ranges: [{ start: "10.10.0.10", end: "10.10.0.200" }],
        exclude: ["10.10.0.1/32"],
        gateway: "10.10.0.1",
      },
      family: "IPv4",
      size: 191n,
      first: "10.10.0.10",
      last: "10.10.0.200",
    },
    {
      name: "DESIGN.md's pool, IPv6: no range of its family, so the whole cidr",
      spec: {
        cidrs: ["10.10.0.0/24", "fd00:10::/64"],
        ranges: [{ start: "10.10.0.10", end: "10.10.0.200" }],
      },
      family: "IPv6",
      size: (1n << 64n) - 1n,
      first: "fd00:10::1",
      last: "fd00:10::ffff:ffff:ffff:ffff",
    },
    {
      name: "exclusions cut holes",
      spec: { cidrs: ["10.0.0.0/29"], exclude: ["10.0.0.2/31", "10.0.0.6/32"] },
      family: "IPv4",
      size: 3n,
      first: "10.0.0.1",
      last: "10.0.0.5",
    },
    {
      name: "gateway is not handed out",
      spec: { cidrs: ["10.0.0.0/29"], gateway: "10.0.0.1" },
      family: "IPv4",
      size: 5n,
      first: "10.0.0.2",
      last: "10.0.0.6",
    },
    {
      name: "a range including the network address still skips it",
      spec: { cidrs: ["10.0.0.0/29"], ranges: [{ start: "10.0.0.0", end: "10.0.0.3" }] },
      family: "IPv4",
      size: 3n,
      first: "10.0.0.1",
      last: "10.0.0.3",
    },
    {
      name: "two cidrs, ranges in each, in address order",
      spec: {
        cidrs: ["10.0.2.0/24", "10.0.1.0/24"],
        ranges: [
          { start: "10.0.2.5", end: "10.0.2.6" },
          { start: "10.0.1.250", end: "10.0.1.255" },
        ],
      },
      family: "IPv4",
      size: 7n,
      first: "10.0.1.250",
      last: "10.0.2.6",
    },
    {
      name: "an exclusion larger than the cidr",
      spec: { cidrs: ["10.0.0.0/28", "10.1.0.0/30"], exclude: ["10.0.0.0/8"] },
      family: "IPv4",
      size: 0n,
      first: "",
      last: "",
    },
  ];
  it.each(cases)("$name", ({ spec, family: f, size, first, last }) => {
    const fl = family(layoutOf(spec), f);
    expect(fl.size).toBe(size);
    if (size === 0n) {
      expect(addressAt(fl, 0n)).toBeUndefined();
      return;
    }
    expect(text(f, addressAt(fl, 0n)!.value)).toBe(first);
    expect(text(f, addressAt(fl, size - 1n)!.value)).toBe(last);
  });

  it("sums the families", () => {
    expect(poolSize(layoutOf({ cidrs: ["10.0.0.0/30", "fd00::/127"] }))).toBe(4n);
  });

  it("keeps each cidr's prefix length", () => {
    const fl = family(layoutOf({ cidrs: ["10.0.0.0/30", "10.0.1.0/24"] }), "IPv4");
    expect([addressAt(fl, 0n)!.prefix, addressAt(fl, 2n)!.prefix]).toEqual([30, 24]);
  });
});

describe("offsets and membership", () => {
  const layout = layoutOf({
    cidrs: ["10.0.0.0/29", "fd00::/64"],
    exclude: ["10.0.0.3/32"],
    gateway: "10.0.0.1",
  });
  const cases: { ip: string; offset?: bigint }[] = [
    { ip: "10.0.0.2", offset: 0n },
    { ip: "10.0.0.4", offset: 1n },
    { ip: "10.0.0.6", offset: 3n },
    { ip: "10.0.0.1" },
    { ip: "10.0.0.3" },
    { ip: "10.0.0.7" },
    { ip: "10.0.0.0" },
    { ip: "10.0.1.2" },
    { ip: "fd00::", offset: undefined },
    { ip: "fd00::ffff:ffff:ffff:ffff", offset: (1n << 64n) - 2n },
  ];
  it.each(cases)("$ip", ({ ip, offset }) => {
    const parsed = parseIp(ip)!;
    const fl = family(layout, parsed.family);
    expect(offsetOf(fl, parsed.value)).toBe(offset);
    expect(containsAddress(layout, parsed)).toBe(offset !== undefined);
    if (offset !== undefined) expect(addressAt(fl, offset)!.value).toBe(parsed.value);
  });

  it("takes offsets modulo the size", () => {
    const fl = family(layout, "IPv4");
    expect(text("IPv4", addressAt(fl, 4n)!.value)).toBe("10.0.0.2");
    expect(text("IPv4", addressAt(fl, -1n)!.value)).toBe("10.0.0.6");
  });
});

describe("walkFrom", () => {
  const fl = family(layoutOf({ cidrs: ["10.0.0.0/30", "10.0.1.0/30"] }), "IPv4");
  const cases: { cursor: bigint; want: string[] }[] = [
    { cursor: 0n, want: ["10.0.0.1", "10.0.0.2", "10.0.1.1", "10.0.1.2"] },
    { cursor: 1n, want: ["10.0.0.2", "10.0.1.1", "10.0.1.2", "10.0.0.1"] },
    { cursor: 3n, want: ["10.0.1.2", "10.0.0.1", "10.0.0.2", "10.0.1.1"] },
    { cursor: 6n, want: ["10.0.1.1", "10.0.1.2", "10.0.0.1", "10.0.0.2"] },
  ];
  it.each(cases)("from offset $cursor: every address once, wrapping", ({ cursor, want }) => {
    expect([...walkFrom(fl, cursor)].map((s) => text("IPv4", s.value))).toEqual(want);
  });
});

describe("findFree", () => {
  const small = family(layoutOf({ cidrs: ["10.0.0.0/29"] }), "IPv4"); // .1 - .6
  const cases: { name: string; cursor: bigint; taken: string[]; want?: string }[] = [
    { name: "empty pool state: the cursor's address", cursor: 0n, taken: [], want: "10.0.0.1" },
    { name: "skips taken ones", cursor: 0n, taken: ["10.0.0.1", "10.0.0.2"], want: "10.0.0.3" },
    { name: "from the cursor", cursor: 4n, taken: [], want: "10.0.0.5" },
    { name: "wraps around", cursor: 4n, taken: ["10.0.0.5", "10.0.0.6"], want: "10.0.0.1" },
    {
      name: "the one hole",
      cursor: 2n,
      taken: ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.5", "10.0.0.6"],
      want: "10.0.0.4",
    },
    {
      name: "exhausted",
      cursor: 3n,
      taken: ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"],
    },
    {
      name: "addresses outside the pool do not block",
      cursor: 0n,
      taken: ["10.9.9.9", "10.0.0.1"],
      want: "10.0.0.2",
    },
  ];
  it.each(cases)("$name", ({ cursor, taken, want }) => {
    const set = new Set(taken.map(value));
    const slot = findFree(small, { cursor, isTaken: (v) => set.has(v), takenCount: set.size });
    expect(slot === undefined ? undefined : text("IPv4", slot.value)).toBe(want);
  });

  it("/32 and /128 pools: one address, then exhausted", () => {
    for (const cidr of ["10.0.0.7/32", "fd00::9/128"]) {
      const fl = layoutOf({ cidrs: [cidr] }).families[0]!;
      const first = findFree(fl, { cursor: 0n, isTaken: () => false, takenCount: 0 });
      expect(first?.prefix).toBe(fl.family === "IPv4" ? 32 : 128);
      const taken = new Set([first!.value]);
      expect(findFree(fl, { cursor: 0n, isTaken: (v) => taken.has(v), takenCount: 1 })).toBeUndefined();
    }
  });

  it("probes a /64 no more than what is taken, plus one", () => {
    const fl = family(layoutOf({ cidrs: ["fd00::/64"] }), "IPv6");
    const taken = new Set(Array.from({ length: 5000 }, (_, i) => value("fd00::1") + BigInt(i)));
    let probes = 0;
    const slot = findFree(fl, {
      cursor: 0n,
      isTaken: (v) => (probes++, taken.has(v)),
      takenCount: taken.size,
    });
    expect(text("IPv6", slot!.value)).toBe("fd00::1389"); // 0x1389 = 5001
    expect(probes).toBe(5001);
  });

  it("gives up after takenCount + 1 probes even when the count is wrong (the caller refreshes)", () => {
    const fl = family(layoutOf({ cidrs: ["10.0.0.0/24"] }), "IPv4");
    let probes = 0;
    const slot = findFree(fl, { cursor: 0n, isTaken: () => (probes++, true), takenCount: 9 });
    expect([slot, probes]).toEqual([undefined, 10]);
  });
});
