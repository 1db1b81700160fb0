// planClaim: release on deletion and deallocation; keep one address per family a device holds
// (persistent), want what its pool has and it lacks; release duplicates, other pools' and vanished
// devices' allocations, families the pool dropped; keep what is held when the pool is missing or
// invalid; repair a missing finalizer.
import { describe, expect, it } from "vitest";
import type { IPAllocation } from "../../../../src/api/ip-address.ts";
import { planClaim } from "../../../../src/controller/ipam/decide.ts";
import type { ClaimPlan, PoolState } from "../../../../src/controller/ipam/decide.ts";
import { resolveDevicePools } from "../../../../src/controller/ipam/device-pools.ts";
import { IP_ALLOCATION_FINALIZER } from "../../../../src/controller/ipam/types.ts";
import type { ResourceClaim } from "../../../../src/controller/ipam/types.ts";
import { allocation, claim, DRIVER, NOW, readyPool } from "./support.ts";

const DUAL = readyPool("pool-a", { cidrs: ["10.10.0.0/24", "fd00:10::/64"] });
const V4 = readyPool("pool-a", { cidrs: ["10.10.0.0/24"] });
const V4_B = readyPool("pool-b", { cidrs: ["10.20.0.0/24"] });
const F = [IP_ALLOCATION_FINALIZER];
const ours = (ips: string[]) => [
  {
    driver: DRIVER,
    pool: "node-1",
    device: "vf0",
    networkData: { ips },
    conditions: [
      {
        type: "AddressesAllocated",
        status: "True" as const,
        reason: "Allocated",
        message: "",
        lastTransitionTime: NOW,
      },
    ],
  },
];

function plan(c: ResourceClaim, allocations: IPAllocation[], pools: PoolState[]): ClaimPlan {
  const needs = resolveDevicePools({
    claim: c,
    driverName: DRIVER,
    nads: [],
    deviceResourceNames: new Map(),
  });
  return planClaim({ claim: c, needs, allocations, pools: new Map(pools.map((p) => [p.name, p])) });
}

interface Summary {
  kind: string;
  release: string[];
  devices?: { device: string; held: string[]; wanted: string[]; problem?: string }[];
  ensureFinalizer?: boolean;
  removeFinalizer?: boolean;
  clearStatus?: boolean;
}

function summary(p: ClaimPlan): Summary {
  const release = p.release.map((a) => a.spec.address).sort();
  if (p.kind === "release") {
    return { kind: p.kind, release, removeFinalizer: p.removeFinalizer, clearStatus: p.clearStatus };
  }
  return {
    kind: p.kind,
    release,
    ensureFinalizer: p.ensureFinalizer,
    devices: p.devices.map((d) => ({
      device: d.need.ref.device,
      held: d.held.map((h) => h.address),
      wanted: d.wanted,
      ...(d.problem === undefined ? {} : { problem: d.problem.reason }),
    })),
  };
}

describe("planClaim", () => {
  const v4 = allocation("10.10.0.5/24");
  const v6 = allocation("fd00:10::5/64");
  const cases: {
    name: string;
    claim: ResourceClaim;
    allocations: IPAllocation[];
    pools: PoolState[];
    want: Summary;
  }[] = [
    {
      name: "deleted and deallocated: release everything, drop the finalizer",
      claim: claim({ allocated: false, deleting: true, finalizers: F }),
      allocations: [v4, v6],
      pools: [DUAL],
      want: {
        kind: "release",
        release: ["10.10.0.5/24", "fd00:10::5/64"],
        removeFinalizer: true,
        clearStatus: false,
      },
    },
    {
      name: "deleting but still allocated (its pods may use them): keeps what it holds, wants nothing new",
      claim: claim({ pool: "pool-a", deleting: true, finalizers: F }),
      allocations: [v4],
      pools: [DUAL],
      want: {
        kind: "allocate",
        release: [],
        ensureFinalizer: false,
        devices: [{ device: "vf0", held: ["10.10.0.5/24"], wanted: [] }],
      },
    },
    {
      name: "deallocated, alive: holds its addresses for the claim's life, clears our status entries",
      claim: claim({ allocated: false, finalizers: F, devicesStatus: ours(["10.10.0.5/24"]) }),
      allocations: [v4],
      pools: [],
      want: { kind: "release", release: [], removeFinalizer: false, clearStatus: true },
    },
    {
      name: "new claim, dual-stack pool: one address per family",
      claim: claim({ pool: "pool-a" }),
      allocations: [],
      pools: [DUAL],
      want: {
        kind: "allocate",
        release: [],
        ensureFinalizer: false,
        devices: [{ device: "vf0", held: [], wanted: ["IPv4", "IPv6"] }],
      },
    },
    {
      name: "holds IPv4: keeps it, wants IPv6",
      claim: claim({ pool: "pool-a", finalizers: F }),
      allocations: [v4],
      pools: [DUAL],
      want: {
        kind: "allocate",
        release: [],
        ensureFinalizer: false,
        devices: [{ device: "vf0", held: ["10.10.0.5/24"], wanted: ["IPv6"] }],
      },
    },
    {
      name: "holds everything: nothing to do",
      claim: claim({ pool: "pool-a", finalizers: F }),
      allocations: [v6, v4],
      pools: [DUAL],
      want: {
        kind: "allocate",
        release: [],
        ensureFinalizer: false,
        devices: [{ device: "vf0", held: ["10.10.0.5/24", "fd00:10::5/64"], wanted: [] }],
      },
    },
    {
      name: "two for one family: the one the status shows stays",
      claim: claim({ pool: "pool-a", finalizers: F, devicesStatus: ours(["10.10.0.9/24"]) }),
      allocations: [
        allocation("10.10.0.5/24"),
        allocation("10.10.0.9/24", { created: "2026-01-01T00:00:09Z" }),
      ],
      pools: [V4],
      want: {
        kind: "allocate",
        release: ["10.10.0.5/24"],
        ensureFinalizer: false,
        devices: [{ device: "vf0", held: ["10.10.0.9/24"], wanted: [] }],
      },
    },
    {
      name: "two for one family, none shown: the oldest stays",
      claim: claim({ pool: "pool-a", finalizers: F }),
      allocations: [
        allocation("10.10.0.5/24", { created: "2026-01-01T00:00:09Z" }),
        allocation("10.10.0.9/24", { created: "2026-01-01T00:00:01Z" }),
      ],
      pools: [V4],
      want: {
        kind: "allocate",
        release: ["10.10.0.5/24"],
        ensureFinalizer: false,
        devices: [{ device: "vf0", held: ["10.10.0.9/24"], wanted: [] }],
      },
    },
    {
      name: "the device now names another pool",
      claim: claim({ pool: "pool-b", finalizers: F }),
      allocations: [v4],
      pools: [V4_B],
      want: {
        kind: "allocate",
        release: ["10.10.0.5/24"],
        ensureFinalizer: false,
        devices: [{ device: "vf0", held: [], wanted: ["IPv4"] }],
      },
    },
    {
      name: "an allocation of a device no longer allocated",
      claim: claim({ pool: "pool-a", finalizers: F }),
      allocations: [v4, allocation("10.10.0.7/24", { device: "vf9" })],
      pools: [V4],
      want: {
        kind: "allocate",
        release: ["10.10.0.7/24"],
        ensureFinalizer: false,
        devices: [{ device: "vf0", held: ["10.10.0.5/24"], wanted: [] }],
      },
    },
    {
      name: "the pool dropped IPv6",
      claim: claim({ pool: "pool-a", finalizers: F }),
      allocations: [v6],
      pools: [V4],
      want: {
        kind: "allocate",
        release: ["fd00:10::5/64"],
        ensureFinalizer: false,
        devices: [{ device: "vf0", held: [], wanted: ["IPv4"] }],
      },
    },
    {
      name: "the pool is gone: what is held stays, nothing wanted",
      claim: claim({ pool: "pool-a", finalizers: F }),
      allocations: [v4],
      pools: [{ state: "missing", name: "pool-a" }],
      want: {
        kind: "allocate",
        release: [],
        ensureFinalizer: false,
        devices: [{ device: "vf0", held: ["10.10.0.5/24"], wanted: [], problem: "PoolNotFound" }],
      },
    },
    {
      name: "the pool is invalid",
      claim: claim({ pool: "pool-a" }),
      allocations: [],
      pools: [{ state: "invalid", name: "pool-a", problems: ["cidrs: x"] }],
      want: {
        kind: "allocate",
        release: [],
        ensureFinalizer: false,
        devices: [{ device: "vf0", held: [], wanted: [], problem: "InvalidPool" }],
      },
    },
    {
      name: "holds addresses without the finalizer: repair",
      claim: claim({ pool: "pool-a" }),
      allocations: [v4],
      pools: [V4],
      want: {
        kind: "allocate",
        release: [],
        ensureFinalizer: true,
        devices: [{ device: "vf0", held: ["10.10.0.5/24"], wanted: [] }],
      },
    },
    {
      name: "another claim's (uid) allocations are not ours to touch",
      claim: claim({ pool: "pool-a" }),
      allocations: [allocation("10.10.0.5/24", { claim: { uid: "other" } })],
      pools: [V4],
      want: {
        kind: "allocate",
        release: [],
        ensureFinalizer: false,
        devices: [{ device: "vf0", held: [], wanted: ["IPv4"] }],
      },
    },
    {
      name: "no device needs addresses any more: release",
      claim: claim({ finalizers: F }),
      allocations: [v4],
      pools: [],
      want: { kind: "allocate", release: ["10.10.0.5/24"], ensureFinalizer: false, devices: [] },
    },
  ];
  it.each(cases)("$name", ({ claim: c, allocations, pools, want }) => {
    expect(summary(plan(c, allocations, pools))).toEqual(want);
  });
});
