// devicesForPod: the CNI side's lookup of a pod's prepared devices — prepared claims only, every device
// of each, claims in namespace/name order.
import { describe, expect, it } from "vitest";
import { claimsForPod, devicesForPod } from "../../../src/api/checkpoint-index.ts";
import type { Checkpoint, PreparedClaimEntry, PreparedDeviceRecord } from "../../../src/api/checkpoint.ts";

function device(name: string): PreparedDeviceRecord {
  return {
    requestNames: ["r"],
    poolName: "node-a",
    deviceName: name,
    kind: "netdev",
    cdiDeviceIDs: [`x/net=${name}`],
    config: {},
  };
}

function claim(
  name: string,
  state: PreparedClaimEntry["state"],
  pods: string[],
  devices: string[],
): PreparedClaimEntry {
  const at = "2026-11-30T10:00:00.000Z";
  return {
    namespace: "ns",
    name,
    state,
    podUIDs: pods,
    devices: devices.map(device),
    createdAt: at,
    updatedAt: at,
  };
}

const checkpoint: Checkpoint = {
  claims: {
    "uid-b": claim("b", "prepared", ["pod-1"], ["d3"]),
    "uid-a": claim("a", "prepared", ["pod-1", "pod-2"], ["d1", "d2"]),
    "uid-c": claim("c", "preparing", ["pod-1"], ["d4"]),
    "uid-d": claim("d", "unpreparing", ["pod-1"], ["d5"]),
    "uid-e": claim("e", "prepared", ["pod-3"], ["d6"]),
  },
};

describe("devicesForPod", () => {
  const cases: { pod: string; want: [string, string][] }[] = [
    {
      pod: "pod-1",
      want: [
        ["uid-a", "d1"],
        ["uid-a", "d2"],
        ["uid-b", "d3"],
      ],
    },
    {
      pod: "pod-2",
      want: [
        ["uid-a", "d1"],
        ["uid-a", "d2"],
      ],
    },
    { pod: "pod-3", want: [["uid-e", "d6"]] },
    { pod: "pod-unknown", want: [] },
  ];
  for (const c of cases) {
    it(c.pod, () => {
      expect(devicesForPod(checkpoint, c.pod).map((d) => [d.claim.uid, d.device.deviceName])).toEqual(c.want);
    });
  }

  it("names the claim of each device", () => {
    expect(devicesForPod(checkpoint, "pod-3")[0]?.claim).toEqual({
      uid: "uid-e",
      namespace: "ns",
      name: "e",
    });
    expect(claimsForPod(checkpoint, "pod-1").map(([uid]) => uid)).toEqual(["uid-a", "uid-b"]);
  });
});
