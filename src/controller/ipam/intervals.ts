// Sets of addresses as sorted, disjoint, inclusive [start, end] intervals of bigints: the arithmetic
// under pool layouts (cidrs ∩ ranges − exclude − gateway) without listing a single address.
//
// Public API: `Interval`, `normalizeIntervals`, `subtractIntervals`, `intersectIntervals`, `intervalsSize`.

/** Inclusive on both ends; start <= end. */
export interface Interval {
  start: bigint;
  end: bigint;
}

/** Sorted by start, overlapping and adjacent intervals merged. */
export function normalizeIntervals(list: readonly Interval[]): Interval[] {
  const sorted = list
    .filter((i) => i.start <= i.end)
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Interval[] = [];
  for (const next of sorted) {
    const last = out.at(-1);
    if (last !== undefined && next.start <= last.end + 1n) {
      if (next.end > last.end) last.end = next.end;
    } else {
      out.push({ start: next.start, end: next.end });
    }
  }
  return out;
}

/** `from` without any address of `remove`; both normalized (the result is too). */
export function subtractIntervals(from: readonly Interval[], remove: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let j = 0;
  for (const piece of from) {
    let start = piece.start;
    while (j < remove.length && remove[j]!.end < start) j++;
    let k = j;
    while (k < remove.length && remove[k]!.start <= piece.end) {
      const cut = remove[k]!;
      if (cut.start > start) out.push({ start, end: cut.start - 1n });
      start = cut.end + 1n;
      if (start > piece.end) break;
      k++;
    }
    if (start <= piece.end) out.push({ start, end: piece.end });
  }
  return out;
}

/** The addresses in both; both normalized (the result is too). */
export function intersectIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const start = x.start > y.start ? x.start : y.start;
    const end = x.end < y.end ? x.end : y.end;
    if (start <= end) out.push({ start, end });
    if (x.end < y.end) i++;
    else j++;
  }
  return out;
}

export function intervalsSize(list: readonly Interval[]): bigint {
  return list.reduce((sum, i) => sum + (i.end - i.start + 1n), 0n);
}
