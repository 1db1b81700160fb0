// Properties of the pool arithmetic against brute force over small pools (every address listed and
// checked against the spec by hand): the usable set is exactly cidrs ∩ ranges − exclude − reserved −
// gateway, offsets and addresses round-trip, and findFree never returns a taken, excluded or out-of-range
// address and reports exhaustion exactly when every usable address is taken. Large IPv6 pools: the same
// guarantees and the probe bound, without listing the pool.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatCidr, formatIp, lastAddress, parseCidr } from "../../../../src/api/ip-address.ts";
import type { IpFamily, IpNetwork } from "../../../../src/api/ip-address.ts";
import { parseIpPool } from "../../../../src/api/ip-pool.ts";
import {
  intersectIntervals,
  normalizeIntervals,
  subtractIntervals,
} from "../../../../src/controller/ipam/intervals.ts";
import type { Interval } from "../../../../src/controller/ipam/intervals.ts";
import { addressAt, buildPoolLayout, findFree, offsetOf } from "../../../../src/controller/ipam/pool-math.ts";
import type { FamilyLayout } from "../../../../src/controller/ipam/pool-math.ts";

interface SmallPool {
  family: IpFamily;
  spec: { cidrs: string[]; ranges?: { start: string; end: string }[]; exclude?: string[]; gateway?: string };
}

const BASE: Record<IpFamily, bigint> = { IPv4: 0x0a000000n, IPv6: 0xfd00n << 112n };
const BITS: Record<IpFamily, number> = { IPv4: 32, IPv6: 128 };

/** A pool inside a 256-address block: 1-2 cidrs, maybe ranges, exclusions and a gateway. */
function smallPool(family: IpFamily): fc.Arbitrary<SmallPool> {
  const bits = BITS[family];
  const ip = (offset: number) => formatIp({ family, value: BASE[family] + BigInt(offset) });
  const net = fc.integer({ min: bits - 8, max: bits }).chain((prefix) => {
    const size = 1 << (bits - prefix);
    return fc.integer({ min: 0, max: 256 / size - 1 }).map((i) => `${ip(i * size)}/${prefix}`);
  });
  const range = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }));
  return fc
    .record({
      cidrs: fc.uniqueArray(net, { minLength: 1, maxLength: 2 }),
      ranges: fc.array(range, { maxLength: 3 }),
      exclude: fc.array(net, { maxLength: 3 }),
      gateway: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
    })
    .map(({ cidrs, ranges, exclude, gateway }) => {
      const nets = cidrs.map((c) => parseCidr(c) as IpNetwork);
      const overlaps = nets.some((a, i) =>
        nets.some((b, j) => i < j && a.value <= lastAddress(b) && b.value <= lastAddress(a)),
      );
      const kept = overlaps ? [cidrs[0]!] : cidrs;
      const inside = (offset: number) => {
        const v = BASE[family] + BigInt(offset);
        return kept.map((c) => parseCidr(c) as IpNetwork).find((n) => v >= n.value && v <= lastAddress(n));
      };
      const spec: SmallPool["spec"] = { cidrs: kept, exclude };
      const validRanges = ranges
        .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const)
        .filter(([a, b]) => inside(a) !== undefined && inside(a) === inside(b));
      if (validRanges.length > 0) spec.ranges = validRanges.map(([a, b]) => ({ start: ip(a), end: ip(b) }));
      if (gateway !== undefined && inside(gateway) !== undefined) spec.gateway = ip(gateway);
      return { family, spec };
    });
}

/** Every usable address, by checking each address of the block against the rules one by one. */
function bruteForce(pool: SmallPool): bigint[] {
  const { family, spec } = pool;
  const bits = BITS[family];
  const nets = spec.cidrs.map((c) => parseCidr(c) as IpNetwork);
  const excluded = (spec.exclude ?? []).map((c) => parseCidr(c) as IpNetwork);
  const out: bigint[] = [];
  for (let i = 0n; i < 256n; i++) {
    const v = BASE[family] + i;
    const net = nets.find((n) => v >= n.value && v <= lastAddress(n));
    if (net === undefined) continue;
    const reserved =
      net.prefix <= bits - 2 && (v === net.value || (family === "IPv4" && v === lastAddress(net)));
    const inRanges =
      spec.ranges === undefined ||
      spec.ranges.some((r) => v >= toValue(family, r.start) && v <= toValue(family, r.end));
    const isExcluded = excluded.some((n) => v >= n.value && v <= lastAddress(n));
    const isGateway = spec.gateway !== undefined && toValue(family, spec.gateway) === v;
    if (!reserved && inRanges && !isExcluded && !isGateway) out.push(v);
  }
  return out;
}

function toValue(family: IpFamily, ip: string): bigint {
  return (parseCidr(`${ip}/${BITS[family]}`) as IpNetwork).value;
}

function layout(pool: SmallPool): FamilyLayout | undefined {
  const parsed = parseIpPool({ metadata: { name: "p" }, spec: pool.spec });
  if (!parsed.ok) throw new Error(`generated an invalid pool: ${parsed.problems.join("; ")}`);
  return buildPoolLayout(parsed.spec).families.find((f) => f.family === pool.family);
}

const anyFamily = fc.constantFrom<IpFamily>("IPv4", "IPv6").chain(smallPool);

describe("usable set = brute force", () => {
  it("size, order and offsets", () => {
    fc.assert(
      fc.property(anyFamily, (pool) => {
        const fl = layout(pool)!;
        const want = bruteForce(pool);
        expect(fl.size).toBe(BigInt(want.length));
        want.forEach((v, i) => {
          expect(addressAt(fl, BigInt(i))?.value).toBe(v);
          expect(offsetOf(fl, v)).toBe(BigInt(i));
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe("findFree against brute force", () => {
  it("never returns a taken or unusable address; undefined exactly when all are taken", () => {
    const input = anyFamily.chain((pool) =>
      fc.record({
        pool: fc.constant(pool),
        takenOffsets: fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 256 }),
        cursor: fc.bigInt({ min: 0n, max: 600n }),
      }),
    );
    fc.assert(
      fc.property(input, ({ pool, takenOffsets, cursor }) => {
        const fl = layout(pool)!;
        const usable = new Set(bruteForce(pool));
        const taken = new Set(takenOffsets.map((o) => BASE[pool.family] + BigInt(o)));
        const slot = findFree(fl, { cursor, isTaken: (v) => taken.has(v), takenCount: taken.size });
        const free = [...usable].filter((v) => !taken.has(v));
        if (free.length === 0) {
          expect(slot).toBeUndefined();
          return;
        }
        expect(slot).toBeDefined();
        expect(usable.has(slot!.value)).toBe(true);
        expect(taken.has(slot!.value)).toBe(false);
        // next-fit: the first free one at or after the cursor, wrapping
        const ordered = [...usable].sort((a, b) => (a < b ? -1 : 1));
        const start = Number(cursor % BigInt(ordered.length));
        const rotated = [...ordered.slice(start), ...ordered.slice(0, start)];
        expect(slot!.value).toBe(rotated.find((v) => !taken.has(v)));
      }),
      { numRuns: 300 },
    );
  });
});

describe("large IPv6 pools", () => {
  it("finds a free, usable address within takenCount + 1 probes", () => {
    const input = fc.record({
      prefix: fc.integer({ min: 48, max: 96 }),
      excludeOffsets: fc.array(fc.bigInt({ min: 0n, max: 2000n }), { maxLength: 5 }),
      taken: fc.uniqueArray(fc.bigInt({ min: 0n, max: 3000n }), { maxLength: 400 }),
      cursor: fc.bigInt({ min: 0n, max: 1n << 40n }),
    });
    fc.assert(
      fc.property(input, ({ prefix, excludeOffsets, taken, cursor }) => {
        const base = BASE.IPv6;
        const exclude = excludeOffsets.map((o) =>
          formatCidr({ family: "IPv6", value: base + o * 4n, prefix: 126 }),
        );
        const fl = layout({ family: "IPv6", spec: { cidrs: [`fd00::/${prefix}`], exclude } })!;
        const start = addressAt(fl, cursor)!.value;
        const takenSet = new Set(taken.map((o) => start + o));
        let probes = 0;
        const slot = findFree(fl, {
          cursor,
          isTaken: (v) => (probes++, takenSet.has(v)),
          takenCount: takenSet.size,
        });
        expect(slot).toBeDefined();
        expect(takenSet.has(slot!.value)).toBe(false);
        expect(offsetOf(fl, slot!.value)).toBe(slot!.offset);
        const excluded = exclude.map((c) => parseCidr(c) as IpNetwork);
        expect(excluded.some((n) => slot!.value >= n.value && slot!.value <= lastAddress(n))).toBe(false);
        expect(probes).toBeLessThanOrEqual(takenSet.size + 1);
      }),
      { numRuns: 100 },
    );
  });
});

describe("interval operations = set operations", () => {
  const intervals = fc.array(
    fc
      .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 8 }))
      .map(([s, n]): Interval => ({ start: BigInt(s), end: BigInt(s + n) })),
    { maxLength: 6 },
  );
  const members = (list: readonly Interval[]) => {
    const out = new Set<number>();
    for (const i of list) for (let v = i.start; v <= i.end; v++) out.add(Number(v));
    return out;
  };
  it("normalize, subtract and intersect", () => {
    fc.assert(
      fc.property(intervals, intervals, (a, b) => {
        const [na, nb] = [normalizeIntervals(a), normalizeIntervals(b)];
        const [sa, sb] = [members(a), members(b)];
        expect(members(na)).toEqual(sa);
        na.slice(1).forEach((x, i) => expect(x.start > na[i]!.end + 1n).toBe(true));
        expect(members(subtractIntervals(na, nb))).toEqual(new Set([...sa].filter((v) => !sb.has(v))));
        expect(members(intersectIntervals(na, nb))).toEqual(new Set([...sa].filter((v) => sb.has(v))));
      }),
      { numRuns: 500 },
    );
  });
});
