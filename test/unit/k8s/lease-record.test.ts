import { describe, expect, it } from "vitest";
import {
  formatMicroTime,
  heldByOther,
  nextRecord,
  recordOf,
  releasedRecord,
} from "../../../src/k8s/lease-record.ts";
import type { ElectionRecord } from "../../../src/k8s/lease-record.ts";

const T0 = Date.UTC(2025, 0, 1);
const record = (over: Partial<ElectionRecord> = {}): ElectionRecord => ({
  holderIdentity: "a",
  leaseDurationSeconds: 15,
  acquireTime: "2025-01-01T00:00:00.000000Z",
  renewTime: "2025-01-01T00:00:00.000000Z",
  leaseTransitions: 0,
  ...over,
});

describe("formatMicroTime", () => {
  it.each([
    { ms: T0, want: "2025-01-01T00:00:00.000000Z" },
    { ms: T0 + 1_234, want: "2025-01-01T00:00:01.234000Z" },
  ])("$ms → $want", ({ ms, want }) => {
    expect(formatMicroTime(ms)).toBe(want);
  });
});

describe("heldByOther", () => {
  it.each([
    {
      name: "other holder within its term",
      rec: record({ holderIdentity: "b" }),
      observedAt: T0,
      now: T0 + 14_999,
      want: true,
    },
    {
      name: "other holder, term over",
      rec: record({ holderIdentity: "b" }),
      observedAt: T0,
      now: T0 + 15_000,
      want: false,
    },
    {
      name: "the record's own duration counts",
      rec: record({ holderIdentity: "b", leaseDurationSeconds: 60 }),
      observedAt: T0,
      now: T0 + 59_000,
      want: true,
    },
    {
      name: "released (1s term, no holder)",
      rec: record({ holderIdentity: "", leaseDurationSeconds: 1 }),
      observedAt: T0,
      now: T0,
      want: false,
    },
    { name: "ourselves", rec: record({ holderIdentity: "me" }), observedAt: T0, now: T0, want: false },
    {
      name: "renewTime is ignored: only when we observed it",
      rec: record({ holderIdentity: "b", renewTime: "2000-01-01T00:00:00.000000Z" }),
      observedAt: T0,
      now: T0 + 1_000,
      want: true,
    },
  ])("$name", ({ rec, observedAt, now, want }) => {
    expect(heldByOther({ record: rec, observedAtMs: observedAt }, "me", now)).toBe(want);
  });
});

describe("nextRecord and releasedRecord", () => {
  const who = { identity: "me", leaseDurationSeconds: 15, nowMs: T0 + 5_000 };
  const now = "2025-01-01T00:00:05.000000Z";
  it.each([
    { name: "no lease yet", current: undefined, want: { acquireTime: now, leaseTransitions: 0 } },
    {
      name: "renewal keeps acquireTime and count",
      current: record({ holderIdentity: "me", leaseTransitions: 3 }),
      want: { acquireTime: "2025-01-01T00:00:00.000000Z", leaseTransitions: 3 },
    },
    {
      name: "takeover counts a transition",
      current: record({ holderIdentity: "b", leaseTransitions: 3 }),
      want: { acquireTime: now, leaseTransitions: 4 },
    },
    {
      name: "taking a released lease counts one too",
      current: record({ holderIdentity: "", leaseTransitions: 3 }),
      want: { acquireTime: now, leaseTransitions: 4 },
    },
  ])("$name", ({ current, want }) => {
    expect(nextRecord(current, who)).toEqual({
      holderIdentity: "me",
      leaseDurationSeconds: 15,
      renewTime: now,
      ...want,
    });
  });

  it("release clears the holder, sets a 1s term and keeps the transition count", () => {
    expect(releasedRecord(record({ leaseTransitions: 7 }), T0 + 5_000)).toEqual({
      holderIdentity: "",
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 7,
    });
  });

  it("reads a Lease with missing fields as empty", () => {
    expect(recordOf({ spec: { holderIdentity: null } })).toEqual({
      holderIdentity: "",
      leaseDurationSeconds: 0,
      acquireTime: "",
      renewTime: "",
      leaseTransitions: 0,
    });
  });
});
