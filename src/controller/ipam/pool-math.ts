// Pure pool arithmetic: which addresses of an IPPool may be handed out, how many, where a given address
// sits, and the first free one from a cursor — all on bigint intervals, so a /64 costs what a /24 costs.
//
// Usable addresses of one family, per cidr:
//   the cidr, less its reserved addresses — IPv4 up to /30: the network and broadcast addresses; IPv4 /31
//   and /32: none (RFC 3021 point-to-point); IPv6 up to /126: the Subnet-Router anycast address (the
//   all-zero host, RFC 4291 2.6.1); IPv6 /127 and /128: none (RFC 6164);
//   ∩ the family's ranges when the pool has ranges of that family (else the whole cidr);
//   − every exclude network − the gateway.
// Each usable interval keeps the prefix length of its cidr: an address is handed out as "a.b.c.d/prefix".
// Offsets number the usable addresses of a family 0..size-1 in address order.
//
// `findFree` walks from a cursor offset, wrapping around, and stops after min(size, takenCount + 1)
// probes: among takenCount + 1 distinct addresses at least one is free unless the pool is full, so the
// search is bounded by what is taken, never by the pool's size.
//
// Public API: `Slot`, `FamilyLayout`, `PoolLayout`, `buildPoolLayout`, `poolSize`, `offsetOf`,
// `containsAddress`, `addressAt`, `walkFrom`, `findFree`, `FreeSearch`.
import { FAMILY_BITS, lastAddress, parseCidr, parseIp } from "../../api/ip-address.ts";
import type { IpFamily, IpNetwork, IpValue } from "../../api/ip-address.ts";
import { poolFamilies } from "../../api/ip-pool.ts";
import type { IPPoolSpec } from "../../api/ip-pool.ts";
import { intersectIntervals, intervalsSize, normalizeIntervals, subtractIntervals } from "./intervals.ts";
import type { Interval } from "./intervals.ts";

/** One usable address: its value, its offset in the family, the prefix length of its cidr. */
export interface Slot {
  value: bigint;
  offset: bigint;
  prefix: number;
}

interface Segment extends Interval {
  prefix: number;
  /** Offset of `start` among the family's usable addresses. */
  offset: bigint;
}

export interface FamilyLayout {
  family: IpFamily;
  segments: readonly Segment[];
  size: bigint;
}

export interface PoolLayout {
  /** IPv4 first. */
  families: readonly FamilyLayout[];
}

function reserved(net: IpNetwork): Interval[] {
  const bits = FAMILY_BITS[net.family];
  const last = lastAddress(net);
  if (net.family === "IPv4" && net.prefix <= bits - 2) {
    return [
      { start: net.value, end: net.value },
      { start: last, end: last },
    ];
  }
  if (net.family === "IPv6" && net.prefix <= bits - 2) return [{ start: net.value, end: net.value }];
  return [];
}

function ofFamily<T extends { family: IpFamily }>(items: readonly T[], family: IpFamily): T[] {
  return items.filter((i) => i.family === family);
}

function familyLayout(spec: IPPoolSpec, family: IpFamily): FamilyLayout {
  const nets = ofFamily(
    spec.cidrs.map((c) => parseCidr(c) as IpNetwork),
    family,
  );
  const ranges = (spec.ranges ?? [])
    .map((r) => ({ start: parseIp(r.start)!, end: parseIp(r.end)! }))
    .filter((r) => r.start.family === family)
    .map((r) => ({ start: r.start.value, end: r.end.value }));
  const excluded = ofFamily(
    (spec.exclude ?? []).map((c) => parseCidr(c) as IpNetwork),
    family,
  ).map((n) => ({ start: n.value, end: lastAddress(n) }));
  const gateway = spec.gateway === undefined ? undefined : parseIp(spec.gateway);
  if (gateway?.family === family) excluded.push({ start: gateway.value, end: gateway.value });
  const cut = normalizeIntervals(excluded);
  const allowed = ranges.length > 0 ? normalizeIntervals(ranges) : undefined;

  const segments: Segment[] = [];
  for (const net of [...nets].sort((a, b) => (a.value < b.value ? -1 : 1))) {
    let usable = subtractIntervals(
      [{ start: net.value, end: lastAddress(net) }],
      normalizeIntervals(reserved(net)),
    );
    if (allowed !== undefined) usable = intersectIntervals(usable, allowed);
    for (const piece of subtractIntervals(usable, cut))
      segments.push({ ...piece, prefix: net.prefix, offset: 0n });
  }
  let offset = 0n;
  for (const segment of segments) {
    segment.offset = offset;
    offset += segment.end - segment.start + 1n;
  }
  return { family, segments, size: intervalsSize(segments) };
}

/** The usable addresses of a validated spec (see parseIpPool), per family. */
export function buildPoolLayout(spec: IPPoolSpec): PoolLayout {
  return { families: poolFamilies(spec).map((family) => familyLayout(spec, family)) };
}

/** Usable addresses of one family, or of all families. */
export function poolSize(layout: PoolLayout, family?: IpFamily): bigint {
  return layout.families
    .filter((f) => family === undefined || f.family === family)
    .reduce((n, f) => n + f.size, 0n);
}

function segmentIndexOfValue(fl: FamilyLayout, value: bigint): number {
  let lo = 0;
  let hi = fl.segments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = fl.segments[mid]!;
    if (value < s.start) hi = mid - 1;
    else if (value > s.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** The address's offset among the family's usable addresses, or undefined when it is not usable. */
export function offsetOf(fl: FamilyLayout, value: bigint): bigint | undefined {
  const index = segmentIndexOfValue(fl, value);
  if (index < 0) return undefined;
  const s = fl.segments[index]!;
  return s.offset + (value - s.start);
}

/** Whether the pool would hand out this address (in a cidr, in range, not excluded, not reserved). */
export function containsAddress(layout: PoolLayout, ip: IpValue): boolean {
  const fl = layout.families.find((f) => f.family === ip.family);
  return fl !== undefined && offsetOf(fl, ip.value) !== undefined;
}

function segmentIndexOfOffset(fl: FamilyLayout, offset: bigint): number {
  let lo = 0;
  let hi = fl.segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (fl.segments[mid]!.offset <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The usable address at `offset` (taken modulo the size); undefined for an empty family. */
export function addressAt(fl: FamilyLayout, offset: bigint): Slot | undefined {
  if (fl.size === 0n) return undefined;
  const at = ((offset % fl.size) + fl.size) % fl.size;
  const s = fl.segments[segmentIndexOfOffset(fl, at)]!;
  return { value: s.start + (at - s.offset), offset: at, prefix: s.prefix };
}

/** Every usable address once, from `offset` (modulo size) to the end, then from the start. */
export function* walkFrom(fl: FamilyLayout, offset: bigint): Generator<Slot, void, undefined> {
  const first = addressAt(fl, offset);
  if (first === undefined) return;
  const startIndex = segmentIndexOfOffset(fl, first.offset);
  const count = fl.segments.length;
  for (let step = 0; step <= count; step++) {
    const s = fl.segments[(startIndex + step) % count]!;
    const wrapped = step === count;
    const from = step === 0 ? first.value : s.start;
    const to = wrapped ? first.value - 1n : s.end;
    for (let value = from; value <= to; value++) {
      yield { value, offset: s.offset + (value - s.start), prefix: s.prefix };
    }
  }
}

export interface FreeSearch {
  /** Offset to start from (wraps). */
  cursor: bigint;
  isTaken(value: bigint): boolean;
  /** An upper bound of how many of the family's usable addresses are taken. */
  takenCount: number;
}

/** The first usable address from the cursor that is not taken, or undefined when all are. */
export function findFree(fl: FamilyLayout, search: FreeSearch): Slot | undefined {
  const bound = BigInt(search.takenCount) + 1n;
  const probes = fl.size < bound ? fl.size : bound;
  let probed = 0n;
  for (const slot of walkFrom(fl, search.cursor)) {
    if (probed >= probes) break;
    probed++;
    if (!search.isTaken(slot.value)) return slot;
  }
  return undefined;
}
