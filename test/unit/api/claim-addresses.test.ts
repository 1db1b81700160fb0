// controllerAddresses(): what the controller recorded for one device in a claim's status.devices[] —
// complete only with AddressesAllocated True; the entry found by its whole list-map key; other managers'
// conditions ignored. sameAddresses(): the same interface addresses in any order and spelling.
import { describe, expect, it } from "vitest";
import { controllerAddresses, sameAddresses } from "../../../src/api/claim-addresses.ts";
import type { StatusDeviceEntry } from "../../../src/api/claim-addresses.ts";

const KEY = { driver: "netclaim.dev", pool: "node-1", device: "nic0" };

function entry(fields: Partial<StatusDeviceEntry> = {}): StatusDeviceEntry {
  return { ...KEY, ...fields };
}

const allocated = (status: string, reason = "Allocated", message = "10.10.0.10/24 from IPPool pool-a") => ({
  type: "AddressesAllocated",
  status,
  reason,
  message,
});

describe("controllerAddresses", () => {
  it.each<{ name: string; entries: StatusDeviceEntry[] | undefined; key?: object; want: unknown }>([
    { name: "no status.devices", entries: undefined, want: { state: "none" } },
    {
      name: "only the node side's entry (Ready, its own ips)",
      entries: [
        entry({
          conditions: [{ type: "Ready", status: "True" }],
          networkData: { ips: ["192.0.2.9/24"] },
        }),
      ],
      want: { state: "none" },
    },
    {
      name: "AddressesAllocated True",
      entries: [
        entry({
          conditions: [{ type: "Ready", status: "True" }, allocated("True")],
          networkData: { ips: ["10.10.0.10/24", "fd00:10::a/64"] },
        }),
      ],
      want: { state: "allocated", ips: ["10.10.0.10/24", "fd00:10::a/64"] },
    },
    {
      name: "False PoolExhausted: what it holds is partial",
      entries: [
        entry({
          conditions: [allocated("False", "PoolExhausted", "IPPool pool-a has no free IPv6 address")],
          networkData: { ips: ["10.10.0.10/24"] },
        }),
      ],
      want: {
        state: "pending",
        reason: "PoolExhausted",
        message: "IPPool pool-a has no free IPv6 address",
      },
    },
    {
      name: "True without ips",
      entries: [entry({ conditions: [allocated("True")] })],
      want: { state: "pending", reason: "Allocated", message: "10.10.0.10/24 from IPPool pool-a" },
    },
    {
      name: "another device's entry",
      entries: [
        entry({ device: "nic1", conditions: [allocated("True")], networkData: { ips: ["10.1.0.1/24"] } }),
      ],
      want: { state: "none" },
    },
    {
      name: "the entry of another share of the device",
      entries: [
        entry({ shareID: "s-2", conditions: [allocated("True")], networkData: { ips: ["10.1.0.2/24"] } }),
        entry({ shareID: "s-1", conditions: [allocated("True")], networkData: { ips: ["10.1.0.1/24"] } }),
      ],
      key: { shareID: "s-1" },
      want: { state: "allocated", ips: ["10.1.0.1/24"] },
    },
    {
      name: "another driver's entry with the same pool and device",
      entries: [
        entry({
          driver: "other.dev",
          conditions: [allocated("True")],
          networkData: { ips: ["10.1.0.1/24"] },
        }),
      ],
      want: { state: "none" },
    },
  ])("$name", ({ entries, key, want }) => {
    expect(controllerAddresses(entries, { ...KEY, ...key })).toEqual(want);
  });
});

describe("sameAddresses", () => {
  it.each([
    { name: "equal", a: ["10.0.0.5/24"], b: ["10.0.0.5/24"], want: true },
    { name: "other order", a: ["fd00::5/64", "10.0.0.5/24"], b: ["10.0.0.5/24", "fd00::5/64"], want: true },
    { name: "other IPv6 spelling", a: ["FD00:0:0::5/64"], b: ["fd00::5/64"], want: true },
    { name: "another prefix length", a: ["10.0.0.5/24"], b: ["10.0.0.5/16"], want: false },
    { name: "one more", a: ["10.0.0.5/24"], b: ["10.0.0.5/24", "10.0.0.6/24"], want: false },
    { name: "not CIDR", a: ["10.0.0.5"], b: ["10.0.0.5"], want: false },
    { name: "both empty", a: [], b: [], want: true },
  ])("$name", ({ a, b, want }) => {
    expect(sameAddresses(a, b)).toBe(want);
  });
});
