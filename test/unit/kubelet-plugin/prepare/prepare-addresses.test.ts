// The controller's addresses at prepare: a device whose claim status shows them (AddressesAllocated True)
// records them in its checkpoint record; a device whose config names an ipPool and has no complete set
// fails the claim with a retriable "waiting for addresses" error that names the claim and the pool, before
// anything on the host is touched — and the kubelet's next attempt, after the controller wrote them,
// prepares it with them.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StatusDeviceEntry } from "../../../../src/api/claim-addresses.ts";
import { DirCdiStore } from "../../../../src/kubelet-plugin/prepare/adapters.ts";
import { CheckpointJournal } from "../../../../src/kubelet-plugin/prepare/checkpoint-journal.ts";
import { planClaimPrepare } from "../../../../src/kubelet-plugin/prepare/plan.ts";
import type { ResourceClaim } from "../../../../src/kubelet-plugin/prepare/plan-types.ts";
import { Preparer } from "../../../../src/kubelet-plugin/prepare/preparer.ts";
import {
  DRIVER,
  FakeClaimReader,
  MemoryCheckpointer,
  POOL,
  RecordingBinder,
  StaticDeviceSource,
  allocatedClaim,
  deviceMap,
  vf,
} from "../../../fakes/prepare-deps.ts";

const DEVICE = "pci-0000-03-02-0";
const requested = { namespace: "default", name: "net-a", uid: "uid-a" };

function controllerEntry(status: "True" | "False", ips: string[], reason = "Allocated"): StatusDeviceEntry {
  return {
    driver: DRIVER,
    pool: POOL,
    device: DEVICE,
    conditions: [{ type: "AddressesAllocated", status, reason, message: `${reason} message` }],
    ...(ips.length === 0 ? {} : { networkData: { ips } }),
  };
}

const nodeSideEntry: StatusDeviceEntry = {
  driver: DRIVER,
  pool: POOL,
  device: DEVICE,
  conditions: [{ type: "Ready", status: "True" }],
  networkData: { ips: ["192.0.2.9/24"] },
};

function claimWith(config: Record<string, unknown> | undefined, entries: StatusDeviceEntry[]): ResourceClaim {
  const claim = allocatedClaim({
    name: "net-a",
    uid: "uid-a",
    results: { net: DEVICE },
    pods: ["pod-1"],
    ...(config === undefined ? {} : { config }),
  });
  claim.status = { ...claim.status, devices: entries };
  return claim;
}

describe("planClaimPrepare: the controller's addresses", () => {
  it.each<{
    name: string;
    config?: Record<string, unknown>;
    entries: StatusDeviceEntry[];
    want: { ips: string[] | undefined } | { error: string };
  }>([
    {
      name: "allocated: recorded, IPv4 first as the controller wrote them",
      config: { ipPool: "pool-a" },
      // one entry, both managers' fields (the node side's Ready condition, the controller's)
      entries: [
        {
          ...controllerEntry("True", ["10.10.0.10/24", "fd00:10::a/64"]),
          conditions: [
            ...(nodeSideEntry.conditions ?? []),
            ...(controllerEntry("True", []).conditions ?? []),
          ],
        },
      ],
      want: { ips: ["10.10.0.10/24", "fd00:10::a/64"] },
    },
    {
      name: "a pool named by a NAD only (no ipPool in the config): recorded all the same",
      entries: [controllerEntry("True", ["10.10.0.11/24"])],
      want: { ips: ["10.10.0.11/24"] },
    },
    {
      name: "no pool and no controller entry: prepared without addresses",
      entries: [nodeSideEntry],
      want: { ips: undefined },
    },
    {
      name: "ipPool, and the controller has not written yet",
      config: { ipPool: "pool-a" },
      entries: [nodeSideEntry],
      want: {
        error: `claim default/net-a: waiting for addresses from the netclaim controller: IPPool pool-a, none allocated yet (device node-a/${DEVICE} (request net))`,
      },
    },
    {
      name: "ipPool, and the pool is exhausted (a partial set is not enough)",
      config: { ipPool: "pool-a" },
      entries: [controllerEntry("False", ["10.10.0.12/24"], "PoolExhausted")],
      want: {
        error: `claim default/net-a: waiting for addresses from the netclaim controller: IPPool pool-a, PoolExhausted: PoolExhausted message (device node-a/${DEVICE} (request net))`,
      },
    },
  ])("$name", ({ config, entries, want }) => {
    const plan = planClaimPrepare({
      claim: claimWith(config, entries),
      requested,
      driverName: DRIVER,
      nodeDevices: deviceMap([vf(0)]),
    });
    if ("error" in want) {
      expect(plan).toEqual({
        ok: false,
        claim: requested,
        code: "WAITING_FOR_ADDRESSES",
        message: want.error,
      });
      return;
    }
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(plan.devices.map((d) => d.ips)).toEqual([want.ips]);
  });
});

describe("Preparer: waiting for addresses", () => {
  let dir: string;
  let claims: FakeClaimReader;
  let binder: RecordingBinder;
  let checkpointer: MemoryCheckpointer;
  let preparer: Preparer;
  const signal = new AbortController().signal;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "netclaim-prepare-ips-"));
    claims = new FakeClaimReader();
    binder = new RecordingBinder();
    checkpointer = new MemoryCheckpointer();
    preparer = new Preparer({
      driverName: DRIVER,
      claims,
      devices: new StaticDeviceSource([vf(0)]),
      binder,
      cdi: new DirCdiStore(dir, DRIVER),
      journal: new CheckpointJournal(checkpointer, { claims: {} }),
      clock: { now: () => Date.parse("2026-01-01T00:00:00Z") } as never,
    });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("fails the claim without touching anything, then prepares it with the addresses once they are there", async () => {
    claims.add(claimWith({ ipPool: "pool-a" }, []));
    const first = await preparer.prepare(requested, signal);
    expect(first).toEqual({
      error: expect.stringContaining(
        "claim default/net-a: waiting for addresses from the netclaim controller: IPPool pool-a",
      ) as string,
    });
    expect(checkpointer.writes).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
    expect(binder.binds).toEqual([]);

    // the controller writes its entry; the kubelet retries
    claims.add(claimWith({ ipPool: "pool-a" }, [controllerEntry("True", ["10.10.0.10/24"])]));
    const second = await preparer.prepare(requested, signal);
    expect("devices" in second).toBe(true);
    expect(checkpointer.last?.claims["uid-a"]).toMatchObject({
      state: "prepared",
      devices: [{ deviceName: DEVICE, ips: ["10.10.0.10/24"] }],
    });
    expect(await readdir(dir)).toHaveLength(1);
  });
});
