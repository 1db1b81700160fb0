// The checkpoint transitions of Prepare and Unprepare: states, timestamps, immutability, idempotent
// removal, and refusals for claims that are not there.
import { describe, expect, it } from "vitest";
import {
  beginPrepare,
  beginUnprepare,
  markPrepared,
  removeClaim,
  setPodUIDs,
} from "../../../../src/kubelet-plugin/checkpoint/checkpoint-updates.ts";
import type { Checkpoint, PreparedDeviceRecord } from "../../../../src/api/checkpoint.ts";

const t0 = new Date("2026-11-30T10:00:00.000Z");
const t1 = new Date("2026-11-30T10:00:05.000Z");
const t2 = new Date("2026-11-30T10:01:00.000Z");

const planned: PreparedDeviceRecord = {
  requestNames: ["vf"],
  poolName: "node-a",
  deviceName: "vf-1",
  kind: "sriov-vf",
  pciAddress: "0000:3b:02.1",
  cdiDeviceIDs: ["netclaim.dev/net=uid-1-vf-1"],
  rebind: { from: "vfio-pci", to: "kernel" },
  config: { driver: "kernel" },
};
const claim = { uid: "uid-1", namespace: "ns", name: "c", podUIDs: ["pod-1"], devices: [planned] };

describe("Prepare transitions", () => {
  it("beginPrepare records the plan as preparing, markPrepared completes it with the final records", () => {
    const empty: Checkpoint = { claims: {} };
    const preparing = beginPrepare(empty, claim, t0);
    expect(empty).toEqual({ claims: {} });
    expect(preparing.claims["uid-1"]).toEqual({
      namespace: "ns",
      name: "c",
      state: "preparing",
      podUIDs: ["pod-1"],
      devices: [planned],
      createdAt: t0.toISOString(),
      updatedAt: t0.toISOString(),
    });
    const final = { ...planned, ifName: "ens1f0v1" };
    const prepared = markPrepared(preparing, "uid-1", t1, [final]);
    expect(prepared.claims["uid-1"]).toMatchObject({
      state: "prepared",
      devices: [final],
      createdAt: t0.toISOString(),
      updatedAt: t1.toISOString(),
    });
    expect(preparing.claims["uid-1"]?.state).toBe("preparing");
  });

  it("markPrepared without devices keeps the planned ones", () => {
    const prepared = markPrepared(beginPrepare({ claims: {} }, claim, t0), "uid-1", t1);
    expect(prepared.claims["uid-1"]?.devices).toEqual([planned]);
  });

  it("a repeated beginPrepare keeps the first createdAt", () => {
    const again = beginPrepare(beginPrepare({ claims: {} }, claim, t0), claim, t2);
    expect(again.claims["uid-1"]).toMatchObject({ createdAt: t0.toISOString(), updatedAt: t2.toISOString() });
  });
});

describe("Unprepare transitions", () => {
  const prepared = markPrepared(beginPrepare({ claims: {} }, claim, t0), "uid-1", t1);

  it("beginUnprepare marks it unpreparing, removeClaim drops it", () => {
    const unpreparing = beginUnprepare(prepared, "uid-1", t2);
    expect(unpreparing.claims["uid-1"]).toMatchObject({ state: "unpreparing", updatedAt: t2.toISOString() });
    expect(removeClaim(unpreparing, "uid-1")).toEqual({ claims: {} });
  });

  it("removing an unknown claim is a no-op", () => {
    expect(removeClaim(prepared, "uid-unknown")).toBe(prepared);
  });
});

describe("setPodUIDs and refusals", () => {
  const prepared = markPrepared(beginPrepare({ claims: {} }, claim, t0), "uid-1", t1);

  it("updates the pods only when they changed", () => {
    expect(setPodUIDs(prepared, "uid-1", ["pod-1"], t2)).toBe(prepared);
    expect(setPodUIDs(prepared, "uid-1", ["pod-1", "pod-2"], t2).claims["uid-1"]).toMatchObject({
      podUIDs: ["pod-1", "pod-2"],
      updatedAt: t2.toISOString(),
    });
  });

  const refusals: { name: string; run: () => unknown; want: string }[] = [
    {
      name: "markPrepared",
      run: () => markPrepared({ claims: {} }, "x", t0),
      want: "mark prepared: claim x is not in the checkpoint",
    },
    {
      name: "beginUnprepare",
      run: () => beginUnprepare({ claims: {} }, "x", t0),
      want: "begin unprepare: claim x",
    },
    { name: "setPodUIDs", run: () => setPodUIDs({ claims: {} }, "x", [], t0), want: "set pod UIDs: claim x" },
  ];
  for (const c of refusals) {
    it(`${c.name} of an unknown claim throws`, () => {
      expect(c.run).toThrow(c.want);
    });
  }
});
