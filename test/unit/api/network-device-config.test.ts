// NetworkDeviceConfig validation: each field's limits, each error naming its field, unknown fields named,
// and what a valid config parses to.
import { describe, expect, it } from "vitest";
import { errorCodeOf } from "../../../src/common/errors.ts";
import {
  ifNameProblem,
  macProblem,
  networkDeviceConfigProblems,
  parseNetworkDeviceConfig,
} from "../../../src/api/network-device-config.ts";

const head = { apiVersion: "netclaim.dev/v1alpha1", kind: "NetworkDeviceConfig" };

describe("networkDeviceConfigProblems: every field error is named", () => {
  const cases: { name: string; input: unknown; want: string[] }[] = [
    { name: "not an object", input: "driver: kernel", want: ["expected an object, got string"] },
    { name: "an array", input: [head], want: ["expected an object, got array"] },
    {
      name: "apiVersion and kind missing",
      input: { mtu: 1500 },
      want: [
        'field "apiVersion": required (expected one of "netclaim.dev/v1alpha1")',
        'field "kind": required (expected one of "NetworkDeviceConfig")',
      ],
    },
    {
      name: "another apiVersion",
      input: { ...head, apiVersion: "netclaim.dev/v1" },
      want: ['field "apiVersion": expected one of "netclaim.dev/v1alpha1", got string "netclaim.dev/v1"'],
    },
    {
      name: "another kind",
      input: { ...head, kind: "VfConfig" },
      want: ['field "kind": expected one of "NetworkDeviceConfig", got string "VfConfig"'],
    },
    {
      name: "unknown driver",
      input: { ...head, driver: "igb_uio" },
      want: ['field "driver": expected one of "kernel", "vfio-pci", got string "igb_uio"'],
    },
    {
      name: "mtu below 68",
      input: { ...head, mtu: 67 },
      want: ['field "mtu": must be at least 68, got number 67'],
    },
    {
      name: "mtu above 65535",
      input: { ...head, mtu: 65536 },
      want: ['field "mtu": must be at most 65535, got number 65536'],
    },
    {
      name: "mtu not an integer",
      input: { ...head, mtu: 1500.5 },
      want: ['field "mtu": expected integer, got 1500.5'],
    },
    {
      name: "mtu as a string",
      input: { ...head, mtu: "9000" },
      want: ['field "mtu": expected number, got string'],
    },
    {
      name: "mac malformed",
      input: { ...head, mac: "02-00-00-00-00-01" },
      want: ['field "mac": expected a MAC address like "02:00:00:00:00:01", got "02-00-00-00-00-01"'],
    },
    {
      name: "mac multicast",
      input: { ...head, mac: "03:00:00:00:00:01" },
      want: ['field "mac": 03:00:00:00:00:01 is a multicast address (the first octet is odd)'],
    },
    {
      name: "mac all zero",
      input: { ...head, mac: "00:00:00:00:00:00" },
      want: ['field "mac": the all-zero address is not usable'],
    },
    {
      name: "vlan negative",
      input: { ...head, vlan: -1 },
      want: ['field "vlan": must be at least 0, got number -1'],
    },
    {
      name: "vlan 4095 (reserved)",
      input: { ...head, vlan: 4095 },
      want: ['field "vlan": must be at most 4094, got number 4095'],
    },
    {
      name: "trust as a string",
      input: { ...head, trust: "on" },
      want: ['field "trust": expected boolean, got string'],
    },
    {
      name: "spoofChk as a number",
      input: { ...head, spoofChk: 1 },
      want: ['field "spoofChk": expected boolean, got number'],
    },
    {
      name: "ifName too long",
      input: { ...head, ifName: "net0123456789abc" },
      want: ['field "ifName": "net0123456789abc" is longer than 15 bytes'],
    },
    {
      name: "ifName with a slash",
      input: { ...head, ifName: "net/1" },
      want: ['field "ifName": "net/1" contains "/"'],
    },
    { name: "ifName empty", input: { ...head, ifName: "" }, want: ['field "ifName": must not be empty'] },
    {
      name: "ipPool not a DNS subdomain",
      input: { ...head, ipPool: "Pool_A" },
      want: ['field "ipPool": "Pool_A" is not a valid IPPool name (a DNS subdomain)'],
    },
    { name: "one unknown field", input: { ...head, vf: 3 }, want: ['unknown field "vf"'] },
    {
      name: "two unknown fields",
      input: { ...head, vf: 3, netAttachDefName: "x" },
      want: ['unknown fields "vf", "netAttachDefName"'],
    },
    {
      name: "several problems at once",
      input: { ...head, mtu: 1, vlan: 5000 },
      want: [
        'field "mtu": must be at least 68, got number 1',
        'field "vlan": must be at most 4094, got number 5000',
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(networkDeviceConfigProblems(c.input)).toEqual(c.want);
    });
  }
});

describe("parseNetworkDeviceConfig", () => {
  const cases: { name: string; input: unknown; want: object }[] = [
    { name: "only apiVersion and kind", input: head, want: {} },
    {
      name: "every field, bounds included",
      input: {
        ...head,
        driver: "kernel",
        mtu: 68,
        mac: "02:AB:cd:00:00:01",
        vlan: 4094,
        trust: true,
        spoofChk: false,
        ifName: "net1",
        ipPool: "pool-a.example",
      },
      want: {
        driver: "kernel",
        mtu: 68,
        mac: "02:ab:cd:00:00:01",
        vlan: 4094,
        trust: true,
        spoofChk: false,
        ifName: "net1",
        ipPool: "pool-a.example",
      },
    },
    {
      name: "vlan 0 (untagged) and the largest mtu",
      input: { ...head, vlan: 0, mtu: 65535 },
      want: { vlan: 0, mtu: 65535 },
    },
    { name: "vfio-pci", input: { ...head, driver: "vfio-pci" }, want: { driver: "vfio-pci" } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(parseNetworkDeviceConfig(c.input)).toEqual(c.want);
    });
  }

  it("throws INVALID_CONFIG with every problem", () => {
    let caught: unknown;
    try {
      parseNetworkDeviceConfig({ ...head, mtu: 1, extra: true });
    } catch (err) {
      caught = err;
    }
    expect(errorCodeOf(caught)).toBe("INVALID_CONFIG");
    expect((caught as Error).message).toBe(
      'field "mtu": must be at least 68, got number 1; unknown field "extra"',
    );
  });
});

describe("field checks", () => {
  const macs: { mac: string; ok: boolean }[] = [
    { mac: "02:00:00:00:00:01", ok: true },
    { mac: "AA:BB:CC:DD:EE:FE", ok: true },
    { mac: "ff:ff:ff:ff:ff:ff", ok: false },
    { mac: "02:00:00:00:00", ok: false },
    { mac: "02:00:00:00:00:0g", ok: false },
  ];
  for (const c of macs) {
    it(`mac ${c.mac} is ${c.ok ? "usable" : "rejected"}`, () => {
      expect(macProblem(c.mac) === undefined).toBe(c.ok);
    });
  }
  const names: { name: string; ok: boolean }[] = [
    { name: "eth0", ok: true },
    { name: "a", ok: true },
    { name: "abcdefghijklmno", ok: true },
    { name: "abcdefghijklmnop", ok: false },
    { name: ".", ok: false },
    { name: "..", ok: false },
    { name: "net 1", ok: false },
    { name: "net:1", ok: false },
    { name: "net%d", ok: false },
    { name: "nét1234567890ab", ok: false },
  ];
  for (const c of names) {
    it(`ifName ${JSON.stringify(c.name)} is ${c.ok ? "valid" : "rejected"}`, () => {
      expect(ifNameProblem(c.name) === undefined).toBe(c.ok);
    });
  }
});
