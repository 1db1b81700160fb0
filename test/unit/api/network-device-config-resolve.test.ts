// Config resolution from a claim's allocation result: class under claim, later over earlier, field by
// field; the requests filter (subrequests included); other drivers ignored; bad entries fail the claim
// with the claim, the entry and the field named.
import { describe, expect, it } from "vitest";
import { errorCodeOf } from "../../../src/common/errors.ts";
import {
  configForRequest,
  parseClaimDeviceConfigs,
  requestMatches,
  resolveDeviceConfig,
} from "../../../src/api/network-device-config.ts";
import type { AllocationConfigEntry, ClaimConfigView } from "../../../src/api/network-device-config.ts";

const DRIVER = "netclaim.dev";
const head = { apiVersion: "netclaim.dev/v1alpha1", kind: "NetworkDeviceConfig" };

function entry(
  source: string,
  parameters: object,
  requests?: string[],
  driver = DRIVER,
): AllocationConfigEntry {
  return { source, ...(requests === undefined ? {} : { requests }), opaque: { driver, parameters } };
}

function claimWith(config: AllocationConfigEntry[]): ClaimConfigView {
  return {
    metadata: { namespace: "team-a", name: "net-a" },
    status: { allocation: { devices: { config } } },
  };
}

describe("resolveDeviceConfig: precedence", () => {
  const cases: {
    name: string;
    config: AllocationConfigEntry[];
    request: string;
    want: object;
    from: number[];
  }[] = [
    { name: "no config at all", config: [], request: "vf", want: {}, from: [] },
    {
      name: "class only",
      config: [entry("FromClass", { ...head, driver: "vfio-pci" }, ["vf"])],
      request: "vf",
      want: { driver: "vfio-pci" },
      from: [0],
    },
    {
      name: "claim overrides class, whatever their order in the list",
      config: [
        entry("FromClaim", { ...head, mtu: 9000 }),
        entry("FromClass", { ...head, mtu: 1500, vlan: 7 }),
      ],
      request: "vf",
      want: { mtu: 9000, vlan: 7 },
      from: [1, 0],
    },
    {
      name: "later claim entry over earlier one, fields merged",
      config: [
        entry("FromClaim", { ...head, mtu: 9000, trust: true }),
        entry("FromClaim", { ...head, mtu: 1400 }),
      ],
      request: "vf",
      want: { mtu: 1400, trust: true },
      from: [0, 1],
    },
    {
      name: "later class entry over earlier class entry",
      config: [entry("FromClass", { ...head, ifName: "a1" }), entry("FromClass", { ...head, ifName: "b1" })],
      request: "vf",
      want: { ifName: "b1" },
      from: [0, 1],
    },
    {
      name: "an entry for another request does not apply",
      config: [
        entry("FromClaim", { ...head, mtu: 9000 }, ["other"]),
        entry("FromClaim", { ...head, vlan: 3 }, ["vf"]),
      ],
      request: "vf",
      want: { vlan: 3 },
      from: [1],
    },
    {
      name: "the main request's entry applies to its subrequests",
      config: [entry("FromClaim", { ...head, mtu: 9000 }, ["vf"])],
      request: "vf/fast",
      want: { mtu: 9000 },
      from: [0],
    },
    {
      name: "a subrequest's entry applies to that subrequest only",
      config: [
        entry("FromClaim", { ...head, mtu: 9000 }, ["vf/fast"]),
        entry("FromClaim", { ...head, vlan: 9 }, ["vf/slow"]),
      ],
      request: "vf/fast",
      want: { mtu: 9000 },
      from: [0],
    },
    {
      name: "entries of other drivers are ignored, even invalid ones",
      config: [
        entry("FromClaim", { anything: [1, 2] }, [], "gpu.example.com"),
        entry("FromClass", { ...head, mtu: 2000 }),
      ],
      request: "vf",
      want: { mtu: 2000 },
      from: [1],
    },
    {
      name: "entries without opaque config are ignored",
      config: [{ source: "FromClaim", requests: ["vf"] }, entry("FromClaim", { ...head, vlan: 1 })],
      request: "vf",
      want: { vlan: 1 },
      from: [1],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = resolveDeviceConfig(claimWith(c.config), DRIVER, c.request);
      expect(got.ok).toBe(true);
      if (!got.ok) return;
      expect(got.config).toEqual(c.want);
      expect(got.sources.map((s) => s.index)).toEqual(c.from);
    });
  }
});

describe("resolveDeviceConfig: a bad entry fails the claim, naming claim, entry and field", () => {
  const cases: { name: string; config: AllocationConfigEntry[]; want: string }[] = [
    {
      name: "a claim entry with a bad mtu",
      config: [entry("FromClass", head), entry("FromClaim", { ...head, mtu: 20 })],
      want: 'claim team-a/net-a: config entry 1 (FromClaim): field "mtu": must be at least 68, got number 20',
    },
    {
      name: "a class entry with an unknown field",
      config: [entry("FromClass", { ...head, numVfs: 4 })],
      want: 'claim team-a/net-a: config entry 0 (FromClass): unknown field "numVfs"',
    },
    {
      name: "an entry for a request we were not allocated is still checked",
      config: [entry("FromClaim", { ...head, mac: "01:00:5e:00:00:01" }, ["elsewhere"])],
      want: 'claim team-a/net-a: config entry 0 (FromClaim): field "mac": 01:00:5e:00:00:01 is a multicast address (the first octet is odd)',
    },
    {
      name: "parameters that are not an object",
      config: [{ source: "FromClaim", opaque: { driver: DRIVER, parameters: "mtu=9000" } }],
      want: "claim team-a/net-a: config entry 0 (FromClaim): expected an object, got string",
    },
    {
      name: "an unknown source",
      config: [{ source: "FromElsewhere", opaque: { driver: DRIVER, parameters: head } }],
      want: 'claim team-a/net-a: config entry 0 (FromElsewhere): field "source": expected one of "FromClass", "FromClaim", got "FromElsewhere"',
    },
    {
      name: "no source",
      config: [{ opaque: { driver: DRIVER, parameters: head } }],
      want: 'claim team-a/net-a: config entry 0 (no source): field "source": expected one of "FromClass", "FromClaim", got ""',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = resolveDeviceConfig(claimWith(c.config), DRIVER, "vf");
      expect(got.ok).toBe(false);
      if (got.ok) return;
      expect(errorCodeOf(got.error)).toBe("INVALID_CONFIG");
      expect(got.error.message).toBe(c.want);
    });
  }
});

describe("requestMatches", () => {
  const cases: { requests: string[]; request: string; want: boolean }[] = [
    { requests: [], request: "a", want: true },
    { requests: [], request: "a/b", want: true },
    { requests: ["a"], request: "a", want: true },
    { requests: ["a"], request: "a/b", want: true },
    { requests: ["a/b"], request: "a/b", want: true },
    { requests: ["a/b"], request: "a", want: false },
    { requests: ["a/b"], request: "a/c", want: false },
    { requests: ["ab"], request: "a", want: false },
    { requests: ["x", "a"], request: "a", want: true },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.requests)} vs ${c.request}: ${c.want}`, () => {
      expect(requestMatches(c.requests, c.request)).toBe(c.want);
    });
  }
});

describe("parseClaimDeviceConfigs + configForRequest", () => {
  it("orders class entries before claim entries, then by index, and parses once for many requests", () => {
    const claim = claimWith([
      entry("FromClaim", { ...head, mtu: 9000 }, ["a"]),
      entry("FromClass", { ...head, driver: "vfio-pci" }, ["b"]),
      entry("FromClass", { ...head, mtu: 1500 }, ["a"]),
    ]);
    const parsed = parseClaimDeviceConfigs(claim, DRIVER);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.entries.map((e) => [e.index, e.source])).toEqual([
      [1, "FromClass"],
      [2, "FromClass"],
      [0, "FromClaim"],
    ]);
    expect(configForRequest(parsed.entries, "a").config).toEqual({ mtu: 9000 });
    expect(configForRequest(parsed.entries, "b").config).toEqual({ driver: "vfio-pci" });
  });

  it("an unallocated claim has no entries", () => {
    expect(parseClaimDeviceConfigs({ metadata: { namespace: "n", name: "c" } }, DRIVER)).toEqual({
      ok: true,
      entries: [],
    });
  });
});
