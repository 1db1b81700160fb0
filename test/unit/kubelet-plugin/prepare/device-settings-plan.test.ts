// The pure settings plan: what each config field reads and records, the exact `ip` arguments that apply
// it and those that restore it, and the configs that cannot apply to a device as it is.
import { describe, expect, it } from "vitest";
import type { PreparedDeviceRecord } from "../../../../src/api/checkpoint.ts";
import {
  applyCommands,
  planDeviceSettings,
  restoreCommands,
  settingsTargets,
} from "../../../../src/kubelet-plugin/prepare/device-settings-plan.ts";
import type { HostSettingsState } from "../../../../src/kubelet-plugin/prepare/device-settings-plan.ts";

function record(over: Partial<PreparedDeviceRecord>): PreparedDeviceRecord {
  return {
    requestNames: ["net"],
    poolName: "node-a",
    deviceName: "dev",
    kind: "sriov-vf",
    cdiDeviceIDs: ["netclaim.dev/net=uid-dev"],
    config: {},
    ...over,
  };
}

const vf0 = (config: PreparedDeviceRecord["config"], extra: Partial<PreparedDeviceRecord> = {}) =>
  record({ kind: "sriov-vf", ifName: "ens1f0v0", pfName: "ens1f0", vfIndex: 0, config, ...extra });
const hostNic = (config: PreparedDeviceRecord["config"]) =>
  record({ kind: "netdev", ifName: "eth1", config });
const sf = (config: PreparedDeviceRecord["config"]) =>
  record({ kind: "subfunction", ifName: "enp3s0f0s1", config });

const untaggedVf: HostSettingsState["vf"] = {
  vf: 0,
  mac: "00:00:00:00:00:00",
  vlan: 0,
  qos: 0,
  spoofChk: true,
  trust: false,
};
const netdev1500 = (ifName: string): HostSettingsState["netdev"] => ({
  ifName,
  mtu: 1500,
  mac: "7a:3f:1c:22:90:b0",
});

describe("settingsTargets", () => {
  const cases = [
    { name: "no settings in the config", input: vf0({ ifName: "net1", ipPool: "pool-a" }), want: undefined },
    { name: "driver only", input: vf0({ driver: "vfio-pci" }), want: undefined },
    { name: "VF mtu reads the VF netdev", input: vf0({ mtu: 9000 }), want: { netdev: "ens1f0v0" } },
    {
      name: "VF mac and vlan read the PF",
      input: vf0({ mac: "02:00:00:00:00:01", vlan: 5 }),
      want: { vf: { pfName: "ens1f0", vfIndex: 0 } },
    },
    {
      name: "VF mtu and trust read both",
      input: vf0({ mtu: 9000, trust: true }),
      want: { netdev: "ens1f0v0", vf: { pfName: "ens1f0", vfIndex: 0 } },
    },
    {
      name: "host netdev mac reads the netdev",
      input: hostNic({ mac: "02:00:00:00:00:01" }),
      want: { netdev: "eth1" },
    },
    { name: "subfunction mtu reads its netdev", input: sf({ mtu: 1400 }), want: { netdev: "enp3s0f0s1" } },
  ];
  it.each(cases)("$name", ({ input, want }) => {
    expect(settingsTargets(input)).toEqual({ ok: true, targets: want });
  });

  const problems = [
    {
      name: "VF mtu without a netdev (moved into a pod, or on vfio-pci)",
      input: vf0({ mtu: 9000 }, { ifName: undefined }),
      want: /^mtu need the VF's netdev \(a kernel driver\), which is not in the host network namespace$/,
    },
    {
      name: "subfunction without a netdev",
      input: record({ kind: "subfunction", config: { mtu: 1400, mac: "02:00:00:00:00:01" } }),
      want: /^mac, mtu need the subfunction's netdev/,
    },
    {
      name: "VF settings without PF or index",
      input: vf0({ vlan: 7, spoofChk: false }, { pfName: undefined }),
      want: /^vlan, spoofChk need the VF's PF and index, which are unknown$/,
    },
  ];
  it.each(problems)("problem: $name", ({ input, want }) => {
    const result = settingsTargets(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(want);
  });
});

describe("planDeviceSettings", () => {
  const cases = [
    {
      name: "every VF field plus the VF netdev's MTU",
      input: vf0({ mtu: 9000, mac: "02:00:00:00:00:01", vlan: 100, spoofChk: false, trust: true }),
      state: { netdev: netdev1500("ens1f0v0"), vf: untaggedVf },
      want: {
        original: {
          netdev: { ifName: "ens1f0v0", mtu: 1500 },
          vf: {
            pfName: "ens1f0",
            vfIndex: 0,
            mac: "00:00:00:00:00:00",
            vlan: 0,
            qos: 0,
            spoofChk: true,
            trust: false,
          },
        },
        apply: [
          "link set dev ens1f0 vf 0 mac 02:00:00:00:00:01",
          "link set dev ens1f0 vf 0 vlan 100",
          "link set dev ens1f0 vf 0 spoofchk off",
          "link set dev ens1f0 vf 0 trust on",
          "link set dev ens1f0v0 mtu 9000",
        ],
        restore: [
          "link set dev ens1f0v0 mtu 1500",
          "link set dev ens1f0 vf 0 trust off",
          "link set dev ens1f0 vf 0 spoofchk on",
          "link set dev ens1f0 vf 0 vlan 0",
          "link set dev ens1f0 vf 0 mac 00:00:00:00:00:00",
        ],
      },
    },
    {
      name: "a VF's mac goes through the PF, never to its netdev",
      input: vf0({ mac: "02:00:00:00:00:01" }),
      state: { vf: untaggedVf },
      want: {
        original: { vf: { pfName: "ens1f0", vfIndex: 0, mac: "00:00:00:00:00:00" } },
        apply: ["link set dev ens1f0 vf 0 mac 02:00:00:00:00:01"],
        restore: ["link set dev ens1f0 vf 0 mac 00:00:00:00:00:00"],
      },
    },
    {
      name: "vlan with a qos before: restored with its qos; same vlan is set again to clear the qos",
      input: vf0({ vlan: 100 }),
      state: { vf: { ...untaggedVf, vlan: 100, qos: 2 } },
      want: {
        original: { vf: { pfName: "ens1f0", vfIndex: 0, vlan: 100, qos: 2 } },
        apply: ["link set dev ens1f0 vf 0 vlan 100"],
        restore: ["link set dev ens1f0 vf 0 vlan 100 qos 2"],
      },
    },
    {
      name: "fields already right are recorded but not set",
      input: vf0({ spoofChk: true, trust: false, mtu: 1500 }),
      state: { netdev: netdev1500("ens1f0v0"), vf: untaggedVf },
      want: {
        original: {
          netdev: { ifName: "ens1f0v0", mtu: 1500 },
          vf: { pfName: "ens1f0", vfIndex: 0, spoofChk: true, trust: false },
        },
        apply: [],
        restore: [
          "link set dev ens1f0v0 mtu 1500",
          "link set dev ens1f0 vf 0 trust off",
          "link set dev ens1f0 vf 0 spoofchk on",
        ],
      },
    },
    {
      name: "spoofchk and trust the driver does not report: the kernel defaults are recorded",
      input: vf0({ spoofChk: false, trust: true }),
      state: { vf: { vf: 0, mac: "00:00:00:00:00:00", vlan: 0, qos: 0 } },
      want: {
        original: { vf: { pfName: "ens1f0", vfIndex: 0, spoofChk: true, trust: false } },
        apply: ["link set dev ens1f0 vf 0 spoofchk off", "link set dev ens1f0 vf 0 trust on"],
        restore: ["link set dev ens1f0 vf 0 trust off", "link set dev ens1f0 vf 0 spoofchk on"],
      },
    },
    {
      name: "host netdev: address first, then MTU; restored the other way",
      input: hostNic({ mtu: 1400, mac: "02:00:00:00:00:09" }),
      state: { netdev: netdev1500("eth1") },
      want: {
        original: { netdev: { ifName: "eth1", mtu: 1500, mac: "7a:3f:1c:22:90:b0" } },
        apply: ["link set dev eth1 address 02:00:00:00:00:09", "link set dev eth1 mtu 1400"],
        restore: ["link set dev eth1 mtu 1500", "link set dev eth1 address 7a:3f:1c:22:90:b0"],
      },
    },
    {
      name: "subfunction: MTU on its netdev",
      input: sf({ mtu: 1400 }),
      state: { netdev: netdev1500("enp3s0f0s1") },
      want: {
        original: { netdev: { ifName: "enp3s0f0s1", mtu: 1500 } },
        apply: ["link set dev enp3s0f0s1 mtu 1400"],
        restore: ["link set dev enp3s0f0s1 mtu 1500"],
      },
    },
  ];
  it.each(cases)("$name", ({ input, state, want }) => {
    const plan = planDeviceSettings(input, state);
    expect(plan?.original).toEqual(want.original);
    expect(plan?.apply.map((c) => c.args.join(" "))).toEqual(want.apply);
    expect(plan?.restore.map((c) => c.args.join(" "))).toEqual(want.restore);
  });

  it("changes nothing for a config without settings", () => {
    expect(planDeviceSettings(vf0({ ifName: "net1" }), {})).toBeUndefined();
  });

  it("throws when the state lacks what the targets ask for", () => {
    expect(() => planDeviceSettings(vf0({ vlan: 3 }), {})).toThrow("no state read for VF 0 of ens1f0");
  });

  it("names what each command does and the link it addresses", () => {
    const plan = planDeviceSettings(vf0({ trust: true, mtu: 9000 }), {
      netdev: netdev1500("ens1f0v0"),
      vf: untaggedVf,
    });
    expect(plan?.apply.map(({ what, device }) => ({ what, device }))).toEqual([
      { what: "VF 0 of ens1f0: turn trust on", device: "ens1f0" },
      { what: "ens1f0v0: set the MTU to 9000", device: "ens1f0v0" },
    ]);
  });
});

describe("applyCommands / restoreCommands", () => {
  it("apply without recorded originals does nothing (nothing was read, so nothing may change)", () => {
    expect(applyCommands(vf0({ mtu: 9000, vlan: 4 }))).toEqual([]);
  });

  it("restore of no originals is empty", () => {
    expect(restoreCommands(undefined)).toEqual([]);
  });

  it("restore is the same every time (idempotent by construction)", () => {
    const original = { netdev: { ifName: "eth1", mtu: 1500 } };
    expect(restoreCommands(original)).toEqual(restoreCommands(structuredClone(original)));
  });
});
