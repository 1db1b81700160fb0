// Result conversion between every pair of supported versions, what each direction keeps and drops,
// conversions the target cannot express, and properties over generated results.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CniError } from "../../../../src/cni/protocol/errors.ts";
import { convertResult, toCanonicalResult } from "../../../../src/cni/protocol/result-convert.ts";
import { resultToJson } from "../../../../src/cni/protocol/result-json.ts";
import { parseResult, RESULT_SHAPE_OF } from "../../../../src/cni/protocol/result.ts";
import type { CniInterface, CniIpConfig, CniRoute, Result100 } from "../../../../src/cni/protocol/result.ts";
import { SUPPORTED_VERSIONS } from "../../../../src/cni/protocol/version.ts";
import type { CniVersion } from "../../../../src/cni/protocol/version.ts";

const fixtureJson = (name: string): Record<string, unknown> =>
  JSON.parse(
    readFileSync(new URL(`../../../fixtures/cni-protocol/${name}`, import.meta.url), "utf8"),
  ) as Record<string, unknown>;

/** The bridge dual-stack result as written in each version's shape (fixtures named after the shape). */
const BRIDGE: Record<"020" | "040" | "100", Record<string, unknown>> = {
  "020": fixtureJson("result-bridge-dual-stack.0.2.0.json"),
  "040": fixtureJson("result-bridge-dual-stack.0.4.0.json"),
  "100": fixtureJson("result-bridge-dual-stack.1.0.0.json"),
};
/** What a 0.2.0 result becomes in the richer shapes: no interfaces, no interface indexes. */
const FROM_020: Record<"040" | "100", Record<string, unknown>> = {
  "040": fixtureJson("result-bridge-dual-stack.from-0.2.0.0.4.0.json"),
  "100": fixtureJson("result-bridge-dual-stack.from-0.2.0.1.0.0.json"),
};

function inVersion(json: Record<string, unknown>, cniVersion: string): string {
  return JSON.stringify({ ...json, cniVersion });
}

describe("convertResult: every pair of versions (bridge, dual stack)", () => {
  const pairs = SUPPORTED_VERSIONS.flatMap((from) => SUPPORTED_VERSIONS.map((to) => ({ from, to })));
  it.each(pairs)("$from → $to", ({ from, to }) => {
    const fromShape = RESULT_SHAPE_OF[from];
    const toShape = RESULT_SHAPE_OF[to];
    const input = parseResult(inVersion(BRIDGE[fromShape], from), from);
    const want = fromShape === "020" && toShape !== "020" ? FROM_020[toShape] : BRIDGE[toShape];
    expect(JSON.stringify(resultToJson(convertResult(input, to)))).toBe(inVersion(want, to));
  });

  it("does not change its input", () => {
    const input = parseResult(JSON.stringify(BRIDGE["100"]), "1.0.0");
    const before = structuredClone(input);
    convertResult(input, "0.2.0");
    convertResult(input, "0.3.0");
    expect(input).toEqual(before);
  });
});

describe("convertResult: the 1.1.0 fields", () => {
  const sriov = parseResult(fixtureJson("result-sriov-1.1-fields.1.1.0.json"), "1.1.0");

  it("1.1.0 → 1.0.0 keeps interface mtu/socketPath/pciID and route attributes (one type in libcni)", () => {
    expect(resultToJson(convertResult(sriov, "1.0.0"))).toEqual({
      ...fixtureJson("result-sriov-1.1-fields.1.1.0.json"),
      cniVersion: "1.0.0",
    });
  });

  it("1.1.0 → 0.4.0 drops the interface's 1.1.0 fields, keeps route attributes, adds ips[].version", () => {
    expect(resultToJson(convertResult(sriov, "0.4.0"))).toEqual({
      cniVersion: "0.4.0",
      interfaces: [{ name: "net1", mac: "02:00:00:00:00:01", sandbox: "/var/run/netns/cni-77" }],
      ips: [{ version: "4", interface: 0, address: "192.168.50.10/24" }],
      routes: [
        {
          dst: "192.168.60.0/24",
          gw: "192.168.50.1",
          mtu: 8900,
          advmss: 8860,
          priority: 10,
          table: 100,
          scope: 0,
        },
      ],
      dns: {},
    });
  });

  it("1.1.0 → 0.2.0 keeps dst and gw of routes only", () => {
    expect(resultToJson(convertResult(sriov, "0.2.0"))).toEqual({
      cniVersion: "0.2.0",
      ip4: { ip: "192.168.50.10/24", routes: [{ dst: "192.168.60.0/24", gw: "192.168.50.1" }] },
      dns: {},
    });
  });
});

describe("convertResult: what a version cannot express (code 1)", () => {
  const v1 = (ips: CniIpConfig[], routes: CniRoute[] = []): Result100 => ({
    cniVersion: "1.0.0",
    interfaces: [],
    ips,
    routes,
    dns: {},
  });
  const cases: { name: string; result: Result100; to: string; want: string }[] = [
    {
      name: "two IPv4 addresses in 0.2.0",
      result: v1([{ address: "10.0.0.2/24" }, { address: "10.0.1.2/24" }]),
      to: "0.2.0",
      want: "cannot convert the result to CNI 0.2.0: it has 2 IPv4 addresses (10.0.0.2/24, 10.0.1.2/24) and 0.2.0 can carry one",
    },
    {
      name: "two IPv6 addresses in 0.1.0",
      result: v1([{ address: "fd00::2/64" }, { address: "fd01::2/64" }]),
      to: "0.1.0",
      want: "cannot convert the result to CNI 0.1.0: it has 2 IPv6 addresses (fd00::2/64, fd01::2/64) and 0.1.0 can carry one",
    },
    {
      name: "an IPv6 route without an IPv6 address in 0.2.0",
      result: v1([{ address: "10.0.0.2/24" }], [{ dst: "::/0" }]),
      to: "0.2.0",
      want: "cannot convert the result to CNI 0.2.0: IPv6 route(s) ::/0 but no IPv6 address to carry them",
    },
    {
      name: "no address at all in 0.2.0 (libcni refuses too)",
      result: v1([]),
      to: "0.2.0",
      want: "cannot convert the result to CNI 0.2.0: it has no IP address",
    },
    {
      name: "an unsupported version",
      result: v1([]),
      to: "0.5.0",
      want: "incompatible CNI versions",
    },
  ];
  it.each(cases)("$name", ({ result, to, want }) => {
    let thrown: unknown;
    try {
      convertResult(result, to);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(CniError);
    expect([(thrown as CniError).cniCode, (thrown as CniError).msg]).toEqual([1, want]);
  });
});

// ---- properties ----------------------------------------------------------------------------------

const mac = fc
  .array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 })
  .map((bytes) => bytes.map((b) => b.toString(16).padStart(2, "0")).join(":"));
const cidr4 = fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`);
const cidr6 = fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([a, p]) => `${a}/${p}`);
const cidr = fc.oneof(cidr4, cidr6);
const gateway = fc.oneof(fc.ipV4(), fc.ipV6());
const positive = fc.integer({ min: 1, max: 65535 });

const interfaceArb: fc.Arbitrary<CniInterface> = fc.record(
  {
    name: fc.stringMatching(/^[a-z][a-z0-9]{0,14}$/),
    mac,
    sandbox: fc.constantFrom("/var/run/netns/a", "/proc/42/ns/net"),
  },
  { requiredKeys: ["name"] },
);
const routeArb: fc.Arbitrary<CniRoute> = fc.record(
  {
    dst: cidr,
    gw: gateway,
    mtu: positive,
    advmss: positive,
    priority: positive,
    table: fc.nat(),
    scope: fc.nat(255),
  },
  { requiredKeys: ["dst"] },
);
const resultArb: fc.Arbitrary<Result100> = fc
  .tuple(
    fc.array(interfaceArb, { maxLength: 4 }),
    fc.array(fc.record({ interface: fc.nat(), address: cidr, gateway }, { requiredKeys: ["address"] }), {
      maxLength: 5,
    }),
    fc.array(routeArb, { maxLength: 5 }),
    fc.record(
      {
        nameservers: fc.array(gateway, { minLength: 1, maxLength: 3 }),
        domain: fc.domain(),
        search: fc.array(fc.domain(), { minLength: 1, maxLength: 3 }),
        options: fc.array(fc.constantFrom("ndots:5", "rotate", "edns0"), { minLength: 1, maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
  )
  .map(([interfaces, ips, routes, dns]) => ({
    cniVersion: "1.0.0" as const,
    interfaces,
    // an index must point into interfaces; without interfaces there is none
    ips: ips.map(({ interface: index, ...rest }) =>
      index === undefined || interfaces.length === 0
        ? rest
        : { interface: index % interfaces.length, ...rest },
    ),
    routes,
    dns,
  }));

describe("convertResult: properties", () => {
  it("1.0.0 → 0.4.0 → 1.0.0 preserves interfaces, addresses, routes and dns", () => {
    fc.assert(
      fc.property(resultArb, (result) => {
        expect(convertResult(convertResult(result, "0.4.0"), "1.0.0")).toEqual(result);
      }),
    );
  });

  // parseResult checks that each 0.x `version` matches its address, so this also proves the tags right
  it("what netclaim prints parses back to the same result in every 0.3.0+ version", () => {
    const versions = SUPPORTED_VERSIONS.filter((v) => RESULT_SHAPE_OF[v] !== "020");
    fc.assert(
      fc.property(resultArb, fc.constantFrom<CniVersion>(...versions), (result, to) => {
        const printed = JSON.stringify(resultToJson(convertResult(result, to)));
        const back = parseResult(printed, "0.1.0");
        expect(back.cniVersion).toBe(to);
        expect(toCanonicalResult(back)).toEqual(toCanonicalResult(convertResult(result, to)));
      }),
    );
  });

  it("converting to a result's own version changes nothing", () => {
    fc.assert(
      fc.property(resultArb, (result) => {
        expect(convertResult(result, "1.0.0")).toEqual(result);
      }),
    );
  });
});
