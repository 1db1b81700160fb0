// Delegate results: accepted shapes per version, Go-decoder tolerance (null, unknown keys), and garbage
// refused with the field named.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CniError } from "../../../../src/cni/protocol/errors.ts";
import { resultToJson } from "../../../../src/cni/protocol/result-json.ts";
import { parseResult } from "../../../../src/cni/protocol/result.ts";

const fixture = (name: string): string =>
  readFileSync(new URL(`../../../fixtures/cni-protocol/${name}`, import.meta.url), "utf8");

function parseError(input: unknown, configVersion = "1.0.0"): { code: number; msg: string } | string {
  try {
    parseResult(input, configVersion);
  } catch (err) {
    if (err instanceof CniError) return { code: err.cniCode, msg: err.msg };
    throw err;
  }
  return "no error";
}

describe("parseResult: accepted results", () => {
  const files = [
    "result-bridge-dual-stack.1.0.0.json",
    "result-bridge-dual-stack.0.4.0.json",
    "result-bridge-dual-stack.0.2.0.json",
    "result-sriov-1.1-fields.1.1.0.json",
  ];
  it.each(files)("%s parses and prints back exactly, key order included", (file) => {
    const text = fixture(file);
    const result = parseResult(text, "0.1.0");
    expect(JSON.stringify(resultToJson(result))).toBe(JSON.stringify(JSON.parse(text)));
  });

  it("takes the config's version when the result has none (libcni's fixup)", () => {
    const result = parseResult({ ips: [{ version: "4", address: "10.0.0.2/24" }] }, "0.3.1");
    expect(result.cniVersion).toBe("0.3.1");
  });

  it("the result's own version wins over the config's", () => {
    expect(parseResult({ cniVersion: "1.0.0" }, "0.4.0").cniVersion).toBe("1.0.0");
  });

  it("an empty result is valid (a plugin that set up nothing)", () => {
    expect(parseResult({ cniVersion: "1.0.0" }, "1.0.0")).toEqual({
      cniVersion: "1.0.0",
      interfaces: [],
      ips: [],
      routes: [],
      dns: {},
    });
  });

  it("null counts as absent, like Go's decoder", () => {
    const result = parseResult(
      {
        cniVersion: "1.0.0",
        interfaces: null,
        ips: [{ address: "10.0.0.2/24", gateway: null }],
        routes: null,
        dns: null,
      },
      "1.0.0",
    );
    expect(result).toEqual({
      cniVersion: "1.0.0",
      interfaces: [],
      ips: [{ address: "10.0.0.2/24" }],
      routes: [],
      dns: {},
    });
  });

  it("drops keys a version does not know (a 0.4.0 interface has no mtu; unknown top-level keys)", () => {
    const result = parseResult(
      { cniVersion: "0.4.0", interfaces: [{ name: "eth0", mtu: 1400, extra: 1 }], custom: true },
      "0.4.0",
    );
    expect(resultToJson(result)).toEqual({ cniVersion: "0.4.0", interfaces: [{ name: "eth0" }], dns: {} });
  });

  it("accepts JSON bytes", () => {
    const text = fixture("result-bridge-dual-stack.1.0.0.json");
    expect(parseResult(Buffer.from(text), "1.0.0")).toEqual(parseResult(text, "1.0.0"));
  });

  const addresses: { name: string; address: string }[] = [
    { name: "IPv4 host address in a subnet", address: "10.1.2.3/8" },
    { name: "IPv4 /32", address: "10.1.2.3/32" },
    { name: "IPv6 /128", address: "2001:db8::1/128" },
    { name: "IPv4-mapped IPv6", address: "::ffff:10.0.0.1/120" },
    { name: "prefix 0", address: "0.0.0.0/0" },
  ];
  it.each(addresses)("accepts the address $name", ({ address }) => {
    expect(parseResult({ cniVersion: "1.0.0", ips: [{ address }] }, "1.0.0").cniVersion).toBe("1.0.0");
  });
});

describe("parseResult: garbage refused, naming the field", () => {
  const v1 = (extra: Record<string, unknown>) => ({ cniVersion: "1.0.0", ...extra });
  const v04 = (extra: Record<string, unknown>) => ({ cniVersion: "0.4.0", ...extra });
  const prefix1 = "invalid CNI result (cniVersion 1.0.0): ";
  const prefix04 = "invalid CNI result (cniVersion 0.4.0): ";
  const cases: { name: string; input: unknown; want: { code: number; msg: unknown } }[] = [
    {
      name: "not JSON",
      input: "{",
      want: { code: 6, msg: expect.stringMatching(/^invalid CNI result: not JSON: /) },
    },
    {
      name: "an array",
      input: "[]",
      want: { code: 6, msg: "invalid CNI result: expected a JSON object, got array" },
    },
    {
      name: "cniVersion a number",
      input: { cniVersion: 1 },
      want: { code: 6, msg: 'invalid CNI result: field "cniVersion": expected string, got number' },
    },
    {
      name: "an unsupported cniVersion",
      input: { cniVersion: "9.9.9" },
      want: { code: 1, msg: "invalid CNI result: incompatible CNI versions" },
    },
    {
      name: "an address without prefix",
      input: v1({ ips: [{ address: "10.0.0.2" }] }),
      want: {
        code: 6,
        msg: `${prefix1}field "ips[0].address": expected an address with prefix length (CIDR), got "10.0.0.2"`,
      },
    },
    {
      name: "an IPv4 prefix over 32",
      input: v1({ ips: [{ address: "10.0.0.2/33" }] }),
      want: {
        code: 6,
        msg: `${prefix1}field "ips[0].address": expected an address with prefix length (CIDR), got "10.0.0.2/33"`,
      },
    },
    {
      name: "a two-part IPv4 address",
      input: v1({ ips: [{ address: "10.2/24" }] }),
      want: {
        code: 6,
        msg: `${prefix1}field "ips[0].address": expected an address with prefix length (CIDR), got "10.2/24"`,
      },
    },
    {
      name: "an IPv6 zone",
      input: v1({ ips: [{ address: "fe80::1%eth0/64" }] }),
      want: {
        code: 6,
        msg: `${prefix1}field "ips[0].address": expected an address with prefix length (CIDR), got "fe80::1%eth0/64"`,
      },
    },
    {
      name: "a gateway that is not an IP",
      input: v1({ ips: [{ address: "10.0.0.2/24", gateway: "router" }] }),
      want: { code: 6, msg: `${prefix1}field "ips[0].gateway": expected an IP address, got "router"` },
    },
    {
      name: "an interface index out of range",
      input: v1({ interfaces: [{ name: "eth0" }], ips: [{ interface: 1, address: "10.0.0.2/24" }] }),
      want: {
        code: 6,
        msg: `${prefix1}field "ips[0].interface": index 1 is out of range: the result has 1 interface(s)`,
      },
    },
    {
      name: "a negative interface index",
      input: v1({ interfaces: [{ name: "eth0" }], ips: [{ interface: -1, address: "10.0.0.2/24" }] }),
      want: { code: 6, msg: `${prefix1}field "ips[0].interface": must be at least 0, got number -1` },
    },
    {
      name: "a fractional interface index",
      input: v1({ interfaces: [{ name: "eth0" }], ips: [{ interface: 0.5, address: "10.0.0.2/24" }] }),
      want: { code: 6, msg: `${prefix1}field "ips[0].interface": expected integer, got 0.5` },
    },
    {
      name: "an interface without a name",
      input: v1({ interfaces: [{ mac: "02:00:00:00:00:01" }] }),
      want: { code: 6, msg: `${prefix1}field "interfaces[0].name": required (expected string)` },
    },
    {
      name: "ips not a list",
      input: v1({ ips: { address: "10.0.0.2/24" } }),
      want: { code: 6, msg: `${prefix1}field "ips": expected array, got object` },
    },
    {
      name: "a route without a CIDR destination",
      input: v1({ routes: [{ dst: "default" }] }),
      want: {
        code: 6,
        msg: `${prefix1}field "routes[0].dst": expected an address with prefix length (CIDR), got "default"`,
      },
    },
    {
      name: "a route table as a string",
      input: v1({ routes: [{ dst: "0.0.0.0/0", table: "main" }] }),
      want: { code: 6, msg: `${prefix1}field "routes[0].table": expected number, got string` },
    },
    {
      name: "dns nameservers as a string",
      input: v1({ dns: { nameservers: "10.96.0.10" } }),
      want: { code: 6, msg: `${prefix1}field "dns.nameservers": expected array, got string` },
    },
    {
      name: "a 0.4.0 IP without version",
      input: v04({ ips: [{ address: "10.0.0.2/24" }] }),
      want: { code: 6, msg: `${prefix04}field "ips[0].version": required (expected one of "4", "6")` },
    },
    {
      name: 'a 0.4.0 IP with version "5"',
      input: v04({ ips: [{ version: "5", address: "10.0.0.2/24" }] }),
      want: { code: 6, msg: `${prefix04}field "ips[0].version": expected one of "4", "6", got string "5"` },
    },
    {
      name: "a 0.4.0 version that does not match the address",
      input: v04({ ips: [{ version: "6", address: "10.0.0.2/24" }] }),
      want: {
        code: 6,
        msg: `${prefix04}field "ips[0].version": "6" does not match the IPv4 address 10.0.0.2/24`,
      },
    },
    {
      name: "a 0.2.0 ip4 holding an IPv6 address",
      input: { cniVersion: "0.2.0", ip4: { ip: "fd00::5/64" } },
      want: {
        code: 6,
        msg: 'invalid CNI result (cniVersion 0.2.0): field "ip4.ip": expected an IPv4 address, got "fd00::5/64"',
      },
    },
    {
      name: "a 0.2.0 ip6 route to an IPv4 destination",
      input: { cniVersion: "0.2.0", ip6: { ip: "fd00::5/64", routes: [{ dst: "0.0.0.0/0" }] } },
      want: {
        code: 6,
        msg: 'invalid CNI result (cniVersion 0.2.0): field "ip6.routes[0].dst": expected an IPv6 destination, got "0.0.0.0/0"',
      },
    },
  ];
  it.each(cases)("$name", ({ input, want }) => {
    expect(parseError(input)).toEqual(want);
  });
});
