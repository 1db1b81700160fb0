// Parsing network-status back (a round trip through serializeNetworkStatuses) and device-info files,
// with encoding/json's leniency and exact messages for what it refuses.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { serializeNetworkStatuses } from "../../../../src/cni/selection/network-status.ts";
import type { NetworkStatus } from "../../../../src/cni/selection/network-status.ts";
import { parseDeviceInfo, parseNetworkStatuses } from "../../../../src/cni/selection/network-status-parse.ts";
import { jsonSyntax } from "./selection-test-helpers.ts";

describe("parseNetworkStatuses", () => {
  const status: fc.Arbitrary<NetworkStatus> = fc.record(
    {
      name: fc.string(),
      interface: fc.string({ minLength: 1 }),
      ips: fc.array(fc.ipV4(), { minLength: 1, maxLength: 3 }),
      mac: fc.string({ minLength: 1 }),
      mtu: fc.integer({ min: 1, max: 65535 }),
      default: fc.constant(true),
      dns: fc.record(
        {
          nameservers: fc.array(fc.ipV6(), { minLength: 1, maxLength: 2 }),
          domain: fc.string({ minLength: 1 }),
        },
        { requiredKeys: [] },
      ),
      "device-info": fc.record(
        {
          type: fc.constantFrom("pci", "vdpa"),
          version: fc.constant("1.1.0"),
          pci: fc.record(
            { "pci-address": fc.string({ minLength: 1 }), "representor-device": fc.string({ minLength: 1 }) },
            { requiredKeys: [] },
          ),
          vdpa: fc.record({ driver: fc.string({ minLength: 1 }) }, { requiredKeys: [] }),
        },
        { requiredKeys: [] },
      ),
      gateway: fc.array(fc.ipV4(), { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: ["name", "dns"] },
  );

  it("round-trips what serializeNetworkStatuses writes", () => {
    fc.assert(
      fc.property(fc.array(status, { maxLength: 4 }), (statuses) => {
        const text = serializeNetworkStatuses(statuses);
        const parsed = parseNetworkStatuses(text);
        expect(parsed.ok && serializeNetworkStatuses(parsed.value)).toBe(text);
        expect(parsed.ok && parsed.value).toEqual(
          statuses.map((s) => JSON.parse(JSON.stringify(s)) as NetworkStatus),
        );
      }),
      { numRuns: 300 },
    );
  });

  const bad: { name: string; input: string; want: string }[] = [
    { name: "not JSON", input: "[", want: `invalid JSON: ${jsonSyntax("[")}` },
    { name: "not an array", input: '{"name":"a"}', want: "value must be an array, got object" },
    { name: "element not an object", input: "[1]", want: "entry 1: must be an object, got number" },
    {
      name: "ips of numbers",
      input: '[{"name":"a","ips":[1]}]',
      want: "entry 1: ips[0] must be a string, got number",
    },
    {
      name: "default not a boolean",
      input: '[{"name":"a","default":"yes"}]',
      want: "entry 1: default must be a boolean, got string",
    },
    {
      name: "mtu not an integer",
      input: '[{"name":"a","mtu":1.5}]',
      want: "entry 1: mtu must be an integer, got 1.5",
    },
    {
      name: "device-info section not an object",
      input: '[{"name":"a","device-info":{"pci":"x"}}]',
      want: "entry 1: device-info.pci must be an object, got string",
    },
  ];
  it.each(bad)("$name", ({ input, want }) => {
    const got = parseNetworkStatuses(input);
    expect(!got.ok && [got.error.code, got.error.message]).toEqual([
      "INVALID_NETWORK_STATUS",
      `k8s.v1.cni.cncf.io/network-status: ${want}`,
    ]);
  });

  it("reads keys case-insensitively and null as absent, like Go", () => {
    const got = parseNetworkStatuses(
      '[{"Name":"a","Interface":"eth0","ips":null,"DNS":null,"default":false}]',
    );
    expect(got.ok && got.value).toEqual([{ name: "a", interface: "eth0", dns: {} }]);
  });

  it("reads null as an empty list", () => {
    expect(parseNetworkStatuses("null")).toEqual({ ok: true, value: [] });
  });
});

describe("parseDeviceInfo", () => {
  it("keeps the known keys in Go's order and drops the rest", () => {
    const got = parseDeviceInfo({
      version: "1.1.0",
      type: "vhost-user",
      "vhost-user": { path: "/var/run/sock", mode: "server", extra: 1 },
      vendor: "x",
    });
    expect(got.ok && JSON.stringify(got.value)).toBe(
      '{"type":"vhost-user","version":"1.1.0","vhost-user":{"mode":"server","path":"/var/run/sock"}}',
    );
  });

  it("refuses a document that is not an object", () => {
    const got = parseDeviceInfo(["pci"]);
    expect(!got.ok && got.error.message).toBe("device-info: must be an object, got array");
  });

  it("refuses a field of the wrong type", () => {
    const got = parseDeviceInfo({ pci: { "pci-address": 3 } });
    expect(!got.ok && got.error.message).toBe("device-info: pci.pci-address must be a string, got number");
  });
});
