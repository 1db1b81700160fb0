// renderClaimStatus: the entries the controller owns (ips IPv4 first, one AddressesAllocated condition),
// no write when the claim shows them already, Events only on a change to False, lastTransitionTime
// kept while the status stays, entries of devices that no longer need addresses dropped.
import { describe, expect, it } from "vitest";
import type { WantOutcome } from "../../../../src/controller/ipam/claim-status.ts";
import { renderClaimStatus, wantKey } from "../../../../src/controller/ipam/claim-status.ts";
import { planClaim } from "../../../../src/controller/ipam/decide.ts";
import type { PoolState } from "../../../../src/controller/ipam/decide.ts";
import { resolveDevicePools } from "../../../../src/controller/ipam/device-pools.ts";
import type { DeviceStatusEntry, ResourceClaim } from "../../../../src/controller/ipam/types.ts";
import type { IPAllocation } from "../../../../src/api/ip-address.ts";
import { allocation, claim, DRIVER, NOW, readyPool } from "./support.ts";

const LATER = "2026-01-02T09:00:00Z";
const DUAL = readyPool("pool-a", { cidrs: ["10.10.0.0/24", "fd00:10::/64"] });
const REF = { driver: DRIVER, pool: "node-1", device: "vf0" };

function render(
  c: ResourceClaim,
  held: IPAllocation[],
  outcomes: Record<string, WantOutcome>,
  pools: PoolState[] = [DUAL],
) {
  const needs = resolveDevicePools({
    claim: c,
    driverName: DRIVER,
    nads: [],
    deviceResourceNames: new Map(),
  });
  const plan = planClaim({
    claim: c,
    needs,
    allocations: held,
    pools: new Map(pools.map((p) => [p.name, p])),
  });
  if (plan.kind !== "allocate") throw new Error("expected an allocate plan");
  return renderClaimStatus({
    claim: c,
    devices: plan.devices,
    outcomes: new Map(Object.entries(outcomes)),
    now: LATER,
  });
}

const ok = (address: string): WantOutcome => ({ ok: true, allocation: allocation(address) });
const exhausted = (family: string): WantOutcome => ({
  ok: false,
  reason: "PoolExhausted",
  message: `IPPool pool-a has no free ${family} address`,
});

function entry(
  ips: string[],
  status: "True" | "False",
  reason: string,
  message: string,
  time = NOW,
): DeviceStatusEntry {
  return {
    ...REF,
    ...(ips.length > 0 ? { networkData: { ips } } : {}),
    conditions: [{ type: "AddressesAllocated", status, reason, message, lastTransitionTime: time }],
  };
}

describe("renderClaimStatus", () => {
  it("a fresh allocation: IPv4 first, True, a write, no Event", () => {
    const r = render(claim({ pool: "pool-a" }), [], {
      [wantKey(REF, "IPv6")]: ok("fd00:10::1/64"),
      [wantKey(REF, "IPv4")]: ok("10.10.0.1/24"),
    });
    expect(r.entries).toEqual([
      entry(
        ["10.10.0.1/24", "fd00:10::1/64"],
        "True",
        "Allocated",
        "10.10.0.1/24, fd00:10::1/64 from IPPool pool-a",
        LATER,
      ),
    ]);
    expect([r.changed, r.events, r.waitingOn]).toEqual([true, [], []]);
  });

  it("the claim already shows it: no write", () => {
    const shown = entry(
      ["10.10.0.1/24", "fd00:10::1/64"],
      "True",
      "Allocated",
      "10.10.0.1/24, fd00:10::1/64 from IPPool pool-a",
    );
    const c = claim({
      pool: "pool-a",
      devicesStatus: [{ ...shown, networkData: { ...shown.networkData, interfaceName: "net1" } }],
    });
    const r = render(c, [allocation("10.10.0.1/24"), allocation("fd00:10::1/64")], {});
    expect(r.changed).toBe(false);
    expect(r.entries[0]?.conditions?.[0]?.lastTransitionTime).toBe(NOW);
  });

  it("exhausted IPv6: keeps the IPv4 address, False PoolExhausted, one Warning Event", () => {
    const r = render(claim({ pool: "pool-a" }), [allocation("10.10.0.1/24")], {
      [wantKey(REF, "IPv6")]: exhausted("IPv6"),
    });
    expect(r.entries).toEqual([
      entry(["10.10.0.1/24"], "False", "PoolExhausted", "IPPool pool-a has no free IPv6 address", LATER),
    ]);
    expect(r.events).toEqual([
      {
        type: "Warning",
        reason: "PoolExhausted",
        message: "device vf0: IPPool pool-a has no free IPv6 address",
      },
    ]);
    expect(r.waitingOn).toEqual(["pool-a"]);
  });

  it("still exhausted on the next pass: no second Event, the transition time stays", () => {
    const before = entry(
      [],
      "False",
      "PoolExhausted",
      "IPPool pool-a has no free IPv4 address; IPPool pool-a has no free IPv6 address",
    );
    const r = render(claim({ pool: "pool-a", devicesStatus: [before] }), [], {
      [wantKey(REF, "IPv4")]: exhausted("IPv4"),
      [wantKey(REF, "IPv6")]: exhausted("IPv6"),
    });
    expect([r.changed, r.events]).toEqual([false, []]);
  });

  it("a new reason while False: an Event, the transition time stays", () => {
    const before = entry([], "False", "PoolExhausted", "x");
    const r = render(claim({ pool: "pool-a", devicesStatus: [before] }), [], {}, [
      { state: "missing", name: "pool-a" },
    ]);
    expect(r.entries[0]?.conditions?.[0]).toMatchObject({ reason: "PoolNotFound", lastTransitionTime: NOW });
    expect(r.events.map((e) => e.reason)).toEqual(["PoolNotFound"]);
  });

  it("recovering: True with a new transition time", () => {
    const before = entry([], "False", "PoolExhausted", "x");
    const r = render(claim({ pool: "pool-a", devicesStatus: [before] }), [], {
      [wantKey(REF, "IPv4")]: ok("10.10.0.2/24"),
      [wantKey(REF, "IPv6")]: ok("fd00:10::2/64"),
    });
    expect(r.entries[0]?.conditions?.[0]).toMatchObject({ status: "True", lastTransitionTime: LATER });
    expect(r.events).toEqual([]);
  });

  it("a device that no longer needs addresses: its entry goes (a write of the rest)", () => {
    const stale = { ...entry(["10.10.0.1/24"], "True", "Allocated", "x"), device: "vf7" };
    const r = render(claim({ devicesStatus: [stale] }), [], {}, []);
    expect([r.entries, r.changed]).toEqual([[], true]);
  });

  it("other managers' entries are not ours", () => {
    const nodeSide: DeviceStatusEntry = {
      ...REF,
      device: "vf3",
      networkData: { interfaceName: "net1", ips: ["10.9.9.9/24"] },
    };
    const r = render(claim({ devicesStatus: [nodeSide] }), [], {}, []);
    expect([r.entries, r.changed]).toEqual([[], false]);
  });
});
