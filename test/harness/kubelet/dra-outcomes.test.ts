import { describe, expect, it } from "vitest";
import { prepareOutcomes, unprepareOutcomes } from "./dra-outcomes.ts";
import type { StandInClaim } from "./types.ts";

const c = (name: string): StandInClaim => ({ podClaimName: name, name, uid: `u-${name}`, drivers: ["d"] });
const device = { request_names: ["r"], pool_name: "p", device_name: "x", cdi_device_ids: ["v/c=x"] };

describe("prepareOutcomes", () => {
  it.each([
    {
      name: "devices for a claim without error",
      answer: { "u-a": { devices: [device], error: "" } },
      want: [
        {
          claim: c("a"),
          driver: "d",
          ok: true,
          devices: [{ requestNames: ["r"], poolName: "p", deviceName: "x", cdiDeviceIds: ["v/c=x"] }],
        },
      ],
      errors: [],
    },
    {
      name: "error set: devices ignored",
      answer: { "u-a": { devices: [device], error: "boom" } },
      want: [
        {
          claim: c("a"),
          driver: "d",
          ok: false,
          error: "NodePrepareResources failed for ResourceClaim a: boom",
        },
      ],
      errors: [],
    },
    {
      name: "missing claim",
      answer: {},
      want: [
        { claim: c("a"), driver: "d", ok: false, error: "NodePrepareResources skipped ResourceClaim a" },
      ],
      errors: [],
    },
    {
      name: "an answer for a claim nobody asked about is an error of the call",
      answer: { "u-a": { devices: [], error: "" }, "u-zzz": { devices: [], error: "" } },
      want: [{ claim: c("a"), driver: "d", ok: true, devices: [] }],
      errors: ["NodePrepareResources returned result for unknown claim UID u-zzz"],
    },
  ])("$name", ({ answer, want, errors }) => {
    expect(prepareOutcomes("d", [c("a")], answer)).toEqual({ outcomes: want, errors });
  });

  it("keeps share_id when the device has one", () => {
    const { outcomes } = prepareOutcomes("d", [c("a")], {
      "u-a": { devices: [{ ...device, share_id: "s" }], error: "" },
    });
    expect(outcomes[0]).toMatchObject({ devices: [{ shareId: "s" }] });
  });
});

describe("unprepareOutcomes", () => {
  it.each([
    { name: "empty entry is success", answer: { "u-a": { error: "" } }, want: { ok: true } },
    {
      name: "error",
      answer: { "u-a": { error: "busy" } },
      want: { ok: false, error: "NodeUnprepareResources failed for ResourceClaim a: busy" },
    },
    {
      name: "missing entry",
      answer: {},
      want: { ok: false, error: "NodeUnprepareResources skipped ResourceClaim a" },
    },
  ])("$name", ({ answer, want }) => {
    expect(unprepareOutcomes("d", [c("a")], answer).outcomes[0]).toMatchObject(want);
  });
});
