// Which IPPool a claim's device takes addresses from: the opaque config's ipPool (class under claim,
// per request), else a NAD of the namespace whose resourceName is the request's DeviceClass or the
// device's resourceName attribute; other drivers and admin access ignored; ambiguity and bad config
// reported.
import { describe, expect, it } from "vitest";
import { requestDeviceClass, resolveDevicePools } from "../../../../src/controller/ipam/device-pools.ts";
import type { NadView, ResourceClaim } from "../../../../src/controller/ipam/types.ts";
import { claim, configEntry, DRIVER } from "./support.ts";

const nad = (name: string, resourceName: string | undefined, ipPool: string | undefined): NadView => ({
  namespace: "team-a",
  name,
  ...(resourceName === undefined ? {} : { resourceName }),
  ...(ipPool === undefined ? {} : { ipPool }),
});

describe("resolveDevicePools", () => {
  const cases: {
    name: string;
    claim: ResourceClaim;
    nads?: NadView[];
    attributes?: Record<string, string>;
    want: { device: string; pool?: string; source?: string; reason?: string }[];
  }[] = [
    { name: "no config, no NAD: no addresses", claim: claim(), want: [] },
    {
      name: "config ipPool",
      claim: claim({ pool: "pool-a" }),
      want: [{ device: "vf0", pool: "pool-a", source: "config" }],
    },
    {
      name: "claim entry overrides the class's",
      claim: claim({
        config: [configEntry({ ipPool: "pool-b" }), configEntry({ ipPool: "pool-a" }, "FromClass")],
      }),
      want: [{ device: "vf0", pool: "pool-b", source: "config" }],
    },
    {
      name: "per request",
      claim: claim({
        results: [{ request: "a" }, { request: "b" }],
        config: [configEntry({ ipPool: "pool-a" }, "FromClaim", ["a"])],
      }),
      want: [{ device: "vf0", pool: "pool-a", source: "config" }],
    },
    {
      name: "other drivers are not ours",
      claim: claim({ pool: "pool-a", results: [{ driver: "gpu.example.com" }] }),
      want: [],
    },
    {
      name: "admin access gets no address",
      claim: claim({ pool: "pool-a", results: [{ adminAccess: true }] }),
      want: [],
    },
    {
      name: "NAD by the request's DeviceClass",
      claim: claim({ deviceClass: "sf-pool-1" }),
      nads: [nad("net1", "sf-pool-1", "pool-n"), nad("other", "sf-pool-2", "pool-x")],
      want: [{ device: "vf0", pool: "pool-n", source: "nad" }],
    },
    {
      name: "NAD by the device's resourceName attribute",
      claim: claim({ deviceClass: "generic" }),
      nads: [nad("net1", "sriov-a", "pool-n")],
      attributes: { [`${DRIVER}/node-1/vf0/`]: "sriov-a" },
      want: [{ device: "vf0", pool: "pool-n", source: "nad" }],
    },
    {
      name: "NAD without the pool annotation",
      claim: claim(),
      nads: [nad("net1", "sf-pool-1", undefined)],
      want: [],
    },
    {
      name: "config wins over a NAD",
      claim: claim({ pool: "pool-a" }),
      nads: [nad("net1", "sf-pool-1", "pool-n")],
      want: [{ device: "vf0", pool: "pool-a", source: "config" }],
    },
    {
      name: "two NADs, same pool: fine",
      claim: claim(),
      nads: [nad("a", "sf-pool-1", "pool-n"), nad("b", "sf-pool-1", "pool-n")],
      want: [{ device: "vf0", pool: "pool-n", source: "nad" }],
    },
    {
      name: "two NADs, different pools: ambiguous",
      claim: claim(),
      nads: [nad("a", "sf-pool-1", "pool-n"), nad("b", "sf-pool-1", "pool-m")],
      want: [{ device: "vf0", reason: "AmbiguousPool" }],
    },
    {
      name: "a bad config entry fails every device",
      claim: claim({ results: [{}, {}], config: [configEntry({ mtu: 1 })] }),
      want: [
        { device: "vf0", reason: "InvalidConfig" },
        { device: "vf1", reason: "InvalidConfig" },
      ],
    },
  ];
  it.each(cases)("$name", ({ claim: c, nads = [], attributes = {}, want }) => {
    const needs = resolveDevicePools({
      claim: c,
      driverName: DRIVER,
      nads,
      deviceResourceNames: new Map(Object.entries(attributes)),
    });
    expect(
      needs.map((n) => ({
        device: n.ref.device,
        ...(n.pool === undefined ? {} : { pool: n.pool }),
        ...(n.source === undefined ? {} : { source: n.source }),
        ...(n.problem === undefined ? {} : { reason: n.problem.reason }),
      })),
    ).toEqual(want);
  });

  it("names the NADs when ambiguous", () => {
    const [need] = resolveDevicePools({
      claim: claim(),
      driverName: DRIVER,
      nads: [nad("a", "sf-pool-1", "pool-n"), nad("b", "sf-pool-1", "pool-m")],
      deviceResourceNames: new Map(),
    });
    expect(need?.problem?.message).toBe(
      "NetworkAttachmentDefinitions name different IP pools: team-a/a (pool-n), team-a/b (pool-m)",
    );
  });
});

describe("requestDeviceClass", () => {
  const c: ResourceClaim = {
    spec: {
      devices: {
        requests: [
          { name: "v1", exactly: { deviceClassName: "class-v1" } },
          { name: "beta", deviceClassName: "class-beta" },
          {
            name: "prio",
            firstAvailable: [
              { name: "fast", deviceClassName: "class-fast" },
              { name: "slow", deviceClassName: "class-slow" },
            ],
          },
        ],
      },
    },
  };
  const cases = [
    { request: "v1", want: "class-v1" },
    { request: "beta", want: "class-beta" },
    { request: "prio/slow", want: "class-slow" },
    { request: "prio", want: undefined },
    { request: "missing", want: undefined },
  ];
  it.each(cases)("$request", ({ request, want }) => expect(requestDeviceClass(c, request)).toBe(want));
});
