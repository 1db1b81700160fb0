// The node world's stand-in scheduler (support/scheduler.ts), pure parts: the class selectors it understands
// (and refuses), and the allocation it writes — first free matching device per request, class and claim
// config carried, the node selector and reservedFor — or why it cannot allocate.
import { describe, expect, it } from "vitest";
import { selectorExpression } from "../../src/controller/classes/device-class.ts";
import type { KubeObject } from "../harness/api-server/index.ts";
import { allocateClaim, heldDevices, parseClassSelector } from "./support/scheduler.ts";
import { deviceClass, resourceClaim } from "./support/scenario.ts";

describe("parseClassSelector", () => {
  it.each([
    {
      name: "the controller's own selector",
      expression: selectorExpression("netclaim.dev", "sf-pool-1"),
      want: { driver: "netclaim.dev", resourceName: "sf-pool-1" },
    },
    { name: "a driver alone", expression: 'device.driver == "x.dev"', want: { driver: "x.dev" } },
    {
      name: "an escaped quote in the name",
      expression: 'device.attributes["k8s.cni.cncf.io"].resourceName == "a\\"b"',
      want: { resourceName: 'a"b' },
    },
    {
      name: "another attribute",
      expression: 'device.attributes["netclaim.dev"].ifName == "nic0"',
      want: undefined,
    },
    { name: "an or", expression: 'device.driver == "a" || device.driver == "b"', want: undefined },
  ])("$name", ({ expression, want }) => {
    expect(parseClassSelector(expression)).toEqual(want);
  });
});

function slice(node: string, driver: string, devices: Record<string, string>): KubeObject {
  return {
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceSlice",
    metadata: { name: `${node}-${driver}` },
    spec: {
      driver,
      nodeName: node,
      pool: { name: node, generation: 1, resourceSliceCount: 1 },
      devices: Object.entries(devices).map(([name, resourceName]) => ({
        name,
        attributes: { "k8s.cni.cncf.io/resourceName": { string: resourceName } },
      })),
    },
  };
}

const classes = new Map([
  ["sf-pool-1", deviceClass("sf-pool-1")],
  ["sf-pool-2", deviceClass("sf-pool-2")],
  [
    "weird",
    { ...deviceClass("weird"), spec: { selectors: [{ cel: { expression: "device.capacity.x > 1" } }] } },
  ],
]);
const slices = [
  slice("node-2", "netclaim.dev", { other0: "sf-pool-1" }),
  slice("node-1", "other.dev", { foreign0: "sf-pool-1" }),
  slice("node-1", "netclaim.dev", { nic0: "sf-pool-1", nic1: "sf-pool-1", nic2: "sf-pool-2" }),
];
const pod = { name: "p", uid: "u-1" };

interface AllocCase {
  name: string;
  requests: Record<string, string>;
  held: string[];
  want: Record<string, string>[];
}

describe("allocateClaim", () => {
  it.each<AllocCase>([
    {
      name: "first matching device of this node and driver",
      requests: { nic: "sf-pool-1" },
      held: [],
      want: [{ request: "nic", driver: "netclaim.dev", pool: "node-1", device: "nic0" }],
    },
    {
      name: "a held device is skipped",
      requests: { nic: "sf-pool-1" },
      held: ["netclaim.dev/node-1/nic0"],
      want: [{ request: "nic", driver: "netclaim.dev", pool: "node-1", device: "nic1" }],
    },
    {
      name: "two requests never get one device",
      requests: { a: "sf-pool-1", b: "sf-pool-1" },
      held: [],
      want: [
        { request: "a", driver: "netclaim.dev", pool: "node-1", device: "nic0" },
        { request: "b", driver: "netclaim.dev", pool: "node-1", device: "nic1" },
      ],
    },
    {
      name: "each class its devices",
      requests: { a: "sf-pool-2", b: "sf-pool-1" },
      held: [],
      want: [
        { request: "a", driver: "netclaim.dev", pool: "node-1", device: "nic2" },
        { request: "b", driver: "netclaim.dev", pool: "node-1", device: "nic0" },
      ],
    },
  ])("$name", ({ requests, held, want }) => {
    const got = allocateClaim({
      claim: resourceClaim("c", requests),
      classes,
      slices,
      held: new Set(held),
      nodeName: "node-1",
      pod,
    });
    expect(got).toEqual({
      ok: true,
      status: {
        allocation: {
          devices: { results: want, config: [] },
          nodeSelector: {
            nodeSelectorTerms: [
              { matchFields: [{ key: "metadata.name", operator: "In", values: ["node-1"] }] },
            ],
          },
        },
        reservedFor: [{ resource: "pods", name: "p", uid: "u-1" }],
      },
    });
  });

  it.each([
    {
      name: "no free device",
      requests: { nic: "sf-pool-2" },
      held: ["netclaim.dev/node-1/nic2"],
      want: /no free device of class sf-pool-2/,
    },
    { name: "no such class", requests: { nic: "nope" }, held: [], want: /no DeviceClass nope/ },
    {
      name: "a selector it does not understand",
      requests: { nic: "weird" },
      held: [],
      want: /not understood/,
    },
  ])("refuses: $name", ({ requests, held, want }) => {
    const got = allocateClaim({
      claim: resourceClaim("c", requests),
      classes,
      slices,
      held: new Set(held),
      nodeName: "node-1",
      pod,
    });
    expect(got.ok).toBe(false);
    expect(got.ok ? "" : got.problem).toMatch(want);
  });

  it("carries the class's config for its request and the claim's config", () => {
    const cls = {
      ...deviceClass("sf-pool-1"),
      spec: {
        ...(deviceClass("sf-pool-1").spec as object),
        config: [{ opaque: { driver: "netclaim.dev", parameters: { mtu: 9000 } } }],
      },
    };
    const claim = resourceClaim("c", { nic: "sf-pool-1" });
    const claimConfig = { requests: ["nic"], opaque: { driver: "netclaim.dev", parameters: { mtu: 1400 } } };
    (claim.spec as { devices: { config?: unknown[] } }).devices.config = [claimConfig];
    const got = allocateClaim({
      claim,
      classes: new Map([["sf-pool-1", cls]]),
      slices,
      held: new Set(),
      nodeName: "node-1",
      pod,
    });
    expect(got.ok && (got.status.allocation as { devices: { config: unknown[] } }).devices.config).toEqual([
      {
        source: "FromClass",
        requests: ["nic"],
        opaque: { driver: "netclaim.dev", parameters: { mtu: 9000 } },
      },
      { source: "FromClaim", ...claimConfig },
    ]);
  });
});

describe("heldDevices", () => {
  it("lists every allocated result of every claim", () => {
    const allocated = (device: string): KubeObject => ({
      ...resourceClaim(device, { nic: "sf-pool-1" }),
      status: { allocation: { devices: { results: [{ request: "nic", driver: "d", pool: "p", device }] } } },
    });
    const held = heldDevices([allocated("a"), resourceClaim("free", { nic: "x" }), allocated("b")]);
    expect([...held].sort()).toEqual(["d/p/a", "d/p/b"]);
  });
});
