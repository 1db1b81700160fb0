// correlate(): which device goes to which network — DESIGN.md's three rules, one device per network,
// rules served strongest first, attach order within a rule, and the messages of a missing device.
import { describe, expect, it } from "vitest";
import { correlate } from "../../../../src/cni/correlation/correlate.ts";
import type { CandidateDevice, DeviceNeed } from "../../../../src/cni/correlation/types.ts";
import { claimDevice, pluginDevice } from "../../../fakes/cni-devices.ts";

const POD = { namespace: "ns1", name: "pod-a" };

/** Networks ns1/net-0, ns1/net-1, ... asking for the given resourceNames, in attach order 1, 2, ... */
function needs(...resourceNames: string[]): DeviceNeed[] {
  return resourceNames.map((resourceName, i) => ({ index: i + 1, network: `ns1/net-${i}`, resourceName }));
}

/** `network <- device (rule)` or `network: missing`. */
function summary(resourceNames: string[], candidates: CandidateDevice[]): string[] {
  return correlate({ pod: POD, needs: needs(...resourceNames), candidates }).map((o) =>
    o.kind === "device"
      ? `${o.need.network} <- ${o.device.device} (${o.rule})`
      : `${o.need.network}: missing`,
  );
}

interface Case {
  name: string;
  resourceNames: string[];
  candidates: CandidateDevice[];
  want: string[];
}

const d = claimDevice;

const CASES: Case[] = [
  {
    name: "the device attribute k8s.cni.cncf.io/resourceName",
    resourceNames: ["sf-pool-1"],
    candidates: [d({ device: "sf-1", resourceNameAttr: "sf-pool-1" })],
    want: ["ns1/net-0 <- sf-1 (attribute)"],
  },
  {
    name: "the request's DeviceClass",
    resourceNames: ["sf-pool-1"],
    candidates: [d({ device: "sf-1", className: "sf-pool-1" })],
    want: ["ns1/net-0 <- sf-1 (claim-request)"],
  },
  {
    name: "the pod claim reference name",
    resourceNames: ["uplink"],
    candidates: [d({ device: "vf-1", podClaimName: "uplink", claimName: "pod-a-uplink-x7k2p" })],
    want: ["ns1/net-0 <- vf-1 (claim-request)"],
  },
  {
    name: "the claim name",
    resourceNames: ["claim-a"],
    candidates: [d({ device: "vf-1" })],
    want: ["ns1/net-0 <- vf-1 (claim-request)"],
  },
  {
    name: "claim/request",
    resourceNames: ["claim-a/req-1"],
    candidates: [
      d({ device: "vf-0", requestNames: ["req-0"] }),
      d({ device: "vf-1", requestNames: ["req-1"] }),
    ],
    want: ["ns1/net-0 <- vf-1 (claim-request)"],
  },
  {
    name: "pod claim name/request",
    resourceNames: ["uplink/req-1"],
    candidates: [
      d({ device: "vf-0", podClaimName: "uplink", requestNames: ["req-0"] }),
      d({ device: "vf-1", podClaimName: "uplink", requestNames: ["req-1"] }),
    ],
    want: ["ns1/net-0 <- vf-1 (claim-request)"],
  },
  {
    name: "a subrequest matches as req/sub and as req",
    resourceNames: ["claim-a/nic", "claim-a/nic/fast"],
    candidates: [
      d({ device: "vf-0", requestNames: ["nic/fast"] }),
      d({ device: "vf-1", requestNames: ["nic/fast"] }),
    ],
    want: ["ns1/net-0 <- vf-0 (claim-request)", "ns1/net-1 <- vf-1 (claim-request)"],
  },
  {
    name: "a device-plugin device of the resource",
    resourceNames: ["intel.com/sriov_net"],
    candidates: [pluginDevice("intel.com/sriov_net", "0000:3b:02.1")],
    want: ["ns1/net-0 <- 0000:3b:02.1 (device-plugin)"],
  },
  {
    name: "the attribute beats the DeviceClass, whatever the order",
    resourceNames: ["pool"],
    candidates: [
      d({ device: "by-class", className: "pool" }),
      d({ device: "by-attr", resourceNameAttr: "pool" }),
    ],
    want: ["ns1/net-0 <- by-attr (attribute)"],
  },
  {
    name: "a claim beats a device-plugin resource of the same name",
    resourceNames: ["net"],
    candidates: [pluginDevice("net", "0000:3b:02.1"), d({ device: "vf-9", claimName: "net" })],
    want: ["ns1/net-0 <- vf-9 (claim-request)"],
  },
  {
    name: "a device-plugin device's resource name is not a claim attribute",
    resourceNames: ["net"],
    candidates: [pluginDevice("net", "a"), pluginDevice("net", "b")],
    want: ["ns1/net-0 <- a (device-plugin)"],
  },
  {
    name: "two networks of one resourceName get two devices, in attach order",
    resourceNames: ["pool", "pool"],
    candidates: [
      d({ device: "sf-1", resourceNameAttr: "pool" }),
      d({ device: "sf-2", resourceNameAttr: "pool" }),
    ],
    want: ["ns1/net-0 <- sf-1 (attribute)", "ns1/net-1 <- sf-2 (attribute)"],
  },
  {
    name: "one device is never given to two networks",
    resourceNames: ["pool", "pool"],
    candidates: [d({ device: "sf-1", resourceNameAttr: "pool" })],
    want: ["ns1/net-0 <- sf-1 (attribute)", "ns1/net-1: missing"],
  },
  {
    name: "nothing matches",
    resourceNames: ["pool"],
    candidates: [d({ device: "sf-1", resourceNameAttr: "other" }), pluginDevice("other", "x")],
    want: ["ns1/net-0: missing"],
  },
  {
    name: "rule 1 networks choose first: naming a whole claim does not take another network's device",
    resourceNames: ["claim-a", "pool"],
    candidates: [
      d({ device: "d1", resourceNameAttr: "pool" }),
      d({ device: "d2", resourceNameAttr: "other" }),
    ],
    want: ["ns1/net-0 <- d2 (claim-request)", "ns1/net-1 <- d1 (attribute)"],
  },
  {
    name: "the claim network loses when its only device went to an attribute network",
    resourceNames: ["claim-a", "x"],
    candidates: [d({ device: "d1", resourceNameAttr: "x" })],
    want: ["ns1/net-0: missing", "ns1/net-1 <- d1 (attribute)"],
  },
  {
    name: "the rule is decided by any match: taken attribute devices do not fall back to the class",
    resourceNames: ["pool", "pool"],
    candidates: [d({ device: "d1", resourceNameAttr: "pool" }), d({ device: "d2", className: "pool" })],
    want: ["ns1/net-0 <- d1 (attribute)", "ns1/net-1: missing"],
  },
  {
    name: "resourceNames are case-sensitive",
    resourceNames: ["SF-Pool-1"],
    candidates: [d({ device: "sf-1", resourceNameAttr: "sf-pool-1", className: "sf-pool-1" })],
    want: ["ns1/net-0: missing"],
  },
  {
    name: "device-plugin devices in the order listed",
    resourceNames: ["net", "net", "net"],
    candidates: [pluginDevice("net", "b"), pluginDevice("net", "a")],
    want: ["ns1/net-0 <- b (device-plugin)", "ns1/net-1 <- a (device-plugin)", "ns1/net-2: missing"],
  },
  {
    name: "each network by its own claim",
    resourceNames: ["claim-b", "claim-a"],
    candidates: [d({ device: "a1" }), d({ device: "b1", claimName: "claim-b" })],
    want: ["ns1/net-0 <- b1 (claim-request)", "ns1/net-1 <- a1 (claim-request)"],
  },
  {
    name: "mixed rules in one pod",
    resourceNames: ["intel.com/vf", "sf-pool-1", "claim-c"],
    candidates: [
      pluginDevice("intel.com/vf", "0000:3b:02.4"),
      d({ device: "sf-3", resourceNameAttr: "sf-pool-1" }),
      d({ device: "vf-c", claimName: "claim-c", resourceNameAttr: "vf-pool" }),
    ],
    want: [
      "ns1/net-0 <- 0000:3b:02.4 (device-plugin)",
      "ns1/net-1 <- sf-3 (attribute)",
      "ns1/net-2 <- vf-c (claim-request)",
    ],
  },
  {
    name: "a claim device of another driver counts like ours",
    resourceNames: ["sriov"],
    candidates: [
      d({ device: "vf-5", driver: "sriovnetwork.k8snetworkplumbingwg.io", resourceNameAttr: "sriov" }),
    ],
    want: ["ns1/net-0 <- vf-5 (attribute)"],
  },
  {
    name: "no networks, no outcomes",
    resourceNames: [],
    candidates: [d({ device: "sf-1", resourceNameAttr: "pool" })],
    want: [],
  },
];

describe("correlate", () => {
  it.each(CASES)("$name", ({ resourceNames, candidates, want }) => {
    expect(summary(resourceNames, candidates)).toEqual(want);
  });

  it("keeps each outcome's need (attach position, network, resourceName)", () => {
    const [outcome] = correlate({
      pod: POD,
      needs: [{ index: 3, network: "ns1/sf", resourceName: "pool" }],
      candidates: [d({ device: "sf-1", resourceNameAttr: "pool" })],
    });
    expect(outcome).toMatchObject({
      kind: "device",
      need: { index: 3, network: "ns1/sf", resourceName: "pool" },
    });
  });

  it("names the pod, the network, the resourceName and the sources when nothing matches", () => {
    const [outcome] = correlate({
      pod: POD,
      needs: needs("sf-pool-1"),
      candidates: [],
      consulted: ["checkpoint", "podresources", "api"],
    });
    expect(outcome).toEqual({
      kind: "missing",
      need: { index: 1, network: "ns1/net-0", resourceName: "sf-pool-1" },
      message:
        'pod ns1/pod-a: network "ns1/net-0" needs a device of resourceName "sf-pool-1" and the pod was given none ' +
        '(no device of its claims has the attribute k8s.cni.cncf.io/resourceName "sf-pool-1" or comes from a ' +
        "DeviceClass, claim or request of that name, and it has no device-plugin device of that resource; " +
        "looked in: checkpoint, podresources, api)",
    });
  });

  it("names the networks that took the devices when none is left", () => {
    const outcomes = correlate({
      pod: POD,
      needs: needs("pool", "pool", "pool"),
      candidates: [
        d({ device: "sf-1", resourceNameAttr: "pool" }),
        d({ device: "sf-2", resourceNameAttr: "pool" }),
      ],
    });
    expect(outcomes[2]).toMatchObject({
      kind: "missing",
      message:
        'pod ns1/pod-a: network "ns1/net-2" needs a device of resourceName "pool" and none is left: ' +
        'the pod\'s 2 matching devices went to network "ns1/net-0", "ns1/net-1"',
    });
  });
});
