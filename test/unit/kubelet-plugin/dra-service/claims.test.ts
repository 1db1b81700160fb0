// Request validation and the wire answers of both DRA API versions (pure).
import { describe, expect, it } from "vitest";
import {
  checkClaims,
  prepareResponse,
  unprepareResponse,
  wireDevice,
} from "../../../../src/kubelet-plugin/dra-service/claims.ts";
import type { PreparedDevice } from "../../../../src/kubelet-plugin/dra-service/ports.ts";

const a = { namespace: "ns", name: "a", uid: "uid-a" };
const b = { namespace: "ns", name: "b", uid: "uid-b" };

describe("checkClaims", () => {
  it.each([
    { name: "no claims (a health probe)", input: [], want: { ok: true, claims: [] } },
    { name: "distinct claims in order", input: [b, a], want: { ok: true, claims: [b, a] } },
    { name: "the same claim twice, answered once", input: [a, b, a], want: { ok: true, claims: [a, b] } },
    {
      name: "missing fields",
      input: [a, { namespace: "", name: "x", uid: "" }],
      want: { ok: false, error: "claims[1] has no namespace, uid" },
    },
    {
      name: "one UID under two names",
      input: [a, { ...a, name: "other" }],
      want: { ok: false, error: "claim UID uid-a named twice: as ns/a and as ns/other" },
    },
  ])("$name", ({ input, want }) => {
    expect(checkClaims(input)).toEqual(want);
  });
});

const device: PreparedDevice = {
  requestNames: ["net"],
  poolName: "node-a",
  deviceName: "vf-0000-3b-02-1",
  cdiDeviceIds: ["netclaim.dev/net=uid-a"],
};

describe("wireDevice", () => {
  it.each([
    { name: "v1 without share ID", version: "v1", input: device, shareId: undefined },
    { name: "v1 with share ID", version: "v1", input: { ...device, shareId: "s1" }, shareId: "s1" },
    {
      name: "v1beta1 drops the share ID",
      version: "v1beta1",
      input: { ...device, shareId: "s1" },
      shareId: undefined,
    },
  ] as const)("$name", ({ version, input, shareId }) => {
    const wire = wireDevice(input, version);
    expect(wire).toMatchObject({
      request_names: ["net"],
      pool_name: "node-a",
      device_name: "vf-0000-3b-02-1",
      cdi_device_ids: ["netclaim.dev/net=uid-a"],
    });
    expect(wire.share_id).toBe(shareId);
    expect("share_id" in wire).toBe(shareId !== undefined);
  });
});

describe("responses", () => {
  it("prepare: devices with an empty error, or no devices and a non-empty error", () => {
    const outcomes = new Map([
      ["uid-a", { devices: [device] }],
      ["uid-b", { error: "bad config" }],
      ["uid-c", { error: "" }],
    ]);
    expect(prepareResponse(outcomes, "v1beta1")).toEqual({
      "uid-a": { devices: [wireDevice(device, "v1beta1")], error: "" },
      "uid-b": { devices: [], error: "bad config" },
      "uid-c": { devices: [], error: "unknown error" },
    });
  });

  it("unprepare: an entry for every claim", () => {
    const outcomes = new Map([
      ["uid-a", { ok: true } as const],
      ["uid-b", { error: "busy" }],
    ]);
    expect(unprepareResponse(outcomes)).toEqual({ "uid-a": { error: "" }, "uid-b": { error: "busy" } });
  });
});
