// Which IPAllocations of deleted pools may go: only after the pool stayed missing for the grace
// period, counted from the first pass that saw it missing; a pool that came back forgets its clock.
import { describe, expect, it } from "vitest";
import type { IPAllocation } from "../../../../src/api/ip-address.ts";
import { planAllocationGc } from "../../../../src/controller/gc/stale-allocations.ts";

const NOW = 1_000_000;
const GRACE = 60_000;

function allocation(pool: string, last: number): IPAllocation {
  return {
    apiVersion: "netclaim.dev/v1alpha1",
    kind: "IPAllocation",
    metadata: { name: `${pool}-v4-10-0-0-${last}`, uid: `u-${pool}-${last}` },
    spec: {
      pool,
      address: `10.0.0.${last}/24`,
      claim: { namespace: "ns", name: `c${last}`, uid: `claim-${last}` },
      device: { driver: "netclaim.dev", pool: "node-1", device: `d${last}` },
    },
  };
}

const ALL = [allocation("live", 1), allocation("gone", 2), allocation("gone", 3), allocation("late", 4)];

describe("planAllocationGc", () => {
  it.each([
    {
      name: "first sighting: every missing pool starts its grace period",
      missingSince: new Map<string, number>(),
      want: { remove: [], missingSince: { gone: NOW, late: NOW }, nextInMs: GRACE },
    },
    {
      name: "a pool missing for the whole grace period loses its allocations",
      missingSince: new Map([
        ["gone", NOW - GRACE],
        ["late", NOW - 10_000],
      ]),
      want: {
        remove: ["gone-v4-10-0-0-2", "gone-v4-10-0-0-3"],
        missingSince: { late: NOW - 10_000 },
        nextInMs: 50_000,
      },
    },
    {
      name: "a pool that came back forgets when it went missing",
      missingSince: new Map([["live", NOW - 10 * GRACE]]),
      want: { remove: [], missingSince: { gone: NOW, late: NOW }, nextInMs: GRACE },
    },
  ])("$name", ({ missingSince, want }) => {
    const plan = planAllocationGc({
      allocations: ALL,
      pools: new Set(["live"]),
      missingSince,
      nowMs: NOW,
      gracePeriodMs: GRACE,
    });
    expect({
      remove: plan.remove.map((a) => a.metadata.name),
      missingSince: Object.fromEntries(plan.missingSince),
      nextInMs: plan.nextInMs,
    }).toEqual(want);
  });

  it("waits for nothing when no allocation names a missing pool", () => {
    const plan = planAllocationGc({
      allocations: [allocation("live", 1)],
      pools: new Set(["live"]),
      missingSince: new Map([["gone", NOW - GRACE]]),
      nowMs: NOW,
      gracePeriodMs: GRACE,
    });
    expect(plan).toEqual({ remove: [], missingSince: new Map(), nextInMs: undefined });
  });
});
