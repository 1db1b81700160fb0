// Reading `ip -j link show dev <name>`: a PF's vfinfo_list as iproute2 6.1 prints it (fixture), the older
// field names, a plain netdev, and output that cannot be used.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseIpLinkShow, vfOf } from "../../../../src/kubelet-plugin/prepare/device-settings-ip-json.ts";

const PF_6_1 = readFileSync(
  new URL("../../../fixtures/iproute2/ip-j-link-show-ens1f0.iproute2-6.1.stdout", import.meta.url),
  "utf8",
);

describe("parseIpLinkShow", () => {
  it("reads the PF and each VF of iproute2 6.1's vfinfo_list", () => {
    const show = parseIpLinkShow(PF_6_1, "ens1f0");
    expect(show.netdev).toEqual({ ifName: "ens1f0", mtu: 1500, mac: "b4:96:91:a5:c7:e0" });
    expect(show.vfs).toEqual([
      { vf: 0, mac: "00:00:00:00:00:00", vlan: 0, qos: 0, spoofChk: true, trust: false },
      { vf: 1, mac: "7a:3f:1c:22:90:b1", vlan: 0, qos: 0, spoofChk: true, trust: false },
      { vf: 2, mac: "02:00:00:00:00:02", vlan: 100, qos: 2, spoofChk: false, trust: true },
      // The driver reports spoofchk and trust as -1: ip leaves them out.
      { vf: 3, mac: "00:00:00:00:00:00", vlan: 200, qos: 0 },
    ]);
  });

  const cases = [
    {
      name: 'iproute2 before 5.3: VF MAC as "mac", vlan and qos at the top level',
      stdout: JSON.stringify([
        {
          ifname: "p1p1",
          mtu: 9000,
          address: "A0:36:9F:00:00:01",
          vfinfo_list: [{ vf: 0, mac: "02:AA:00:00:00:01", vlan: 10, qos: 3, spoofchk: false, trust: true }],
        },
      ]),
      want: {
        netdev: { ifName: "p1p1", mtu: 9000, mac: "a0:36:9f:00:00:01" },
        vfs: [{ vf: 0, mac: "02:aa:00:00:00:01", vlan: 10, qos: 3, spoofChk: false, trust: true }],
      },
    },
    {
      name: "a veth (no VFs)",
      stdout:
        '[{"ifindex":3,"link":"h1","ifname":"h0","flags":["BROADCAST","MULTICAST","UP"],"mtu":1500,' +
        '"qdisc":"noqueue","operstate":"LOWERLAYERDOWN","linkmode":"DEFAULT","group":"default",' +
        '"txqlen":1000,"link_type":"ether","address":"26:0e:5c:1b:7d:41","broadcast":"ff:ff:ff:ff:ff:ff"}]',
      want: { netdev: { ifName: "h0", mtu: 1500, mac: "26:0e:5c:1b:7d:41" }, vfs: [] },
    },
  ];
  it.each(cases)("$name", ({ stdout, want }) => {
    expect(parseIpLinkShow(stdout, want.netdev.ifName)).toEqual(want);
  });

  const bad = [
    { name: "not JSON", stdout: 'Device "x" does not exist.', want: "ip -j link show dev x: not JSON" },
    { name: "no link", stdout: "[]", want: "ip -j link show dev x: no link in the output" },
    {
      name: "no mtu",
      stdout: '[{"ifname":"x","address":"02:00:00:00:00:01"}]',
      want: "has no mtu or address",
    },
    {
      name: "a VF without its number",
      stdout: '[{"ifname":"x","mtu":1500,"address":"02:00:00:00:00:01","vfinfo_list":[{"address":"x"}]}]',
      want: "x: vfinfo_list entry 0 has no VF number",
    },
  ];
  it.each(bad)("rejects $name", ({ stdout, want }) => {
    expect(() => parseIpLinkShow(stdout, "x")).toThrow(want);
  });
});

describe("vfOf", () => {
  const show = parseIpLinkShow(PF_6_1, "ens1f0");

  it("finds a VF by its number", () => {
    expect(vfOf(show, 2).vlan).toBe(100);
  });

  it("names the VFs the PF lists when the one asked for is not among them", () => {
    expect(() => vfOf(show, 7)).toThrow("PF ens1f0 lists VFs 0, 1, 2, 3, not VF 7");
    expect(() => vfOf(show, 7, true)).toThrow("(ip reported a truncated VF list)");
  });
});
