// IpDeviceSettings over a scripted Exec: the exact `ip` argv it reads and sets a VF with (no SR-IOV
// hardware here), the originals it records from iproute2 6.1's vfinfo_list, the errors it reports with
// ip's stderr, and restores that go on past a missing link.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { PreparedDeviceRecord } from "../../../../src/api/checkpoint.ts";
import { errorMessage } from "../../../../src/common/errors.ts";
import { IpDeviceSettings } from "../../../../src/kubelet-plugin/prepare/device-settings.ts";
import { FakeExec } from "../../../fakes/exec.ts";
import type { ExecCall } from "../../../fakes/exec.ts";

const PF_6_1 = readFileSync(
  new URL("../../../fixtures/iproute2/ip-j-link-show-ens1f0.iproute2-6.1.stdout", import.meta.url),
  "utf8",
);
const VF_NETDEV =
  '[{"ifindex":12,"ifname":"ens1f0v2","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,' +
  '"qdisc":"mq","operstate":"UP","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether",' +
  '"address":"02:00:00:00:00:02","broadcast":"ff:ff:ff:ff:ff:ff","altnames":["enp59s2f2"]}]';

const IP = "/usr/sbin/ip";
const argv = (call: ExecCall) => [call.cmd, ...call.args].join(" ");
const show = (dev: string) => (call: ExecCall) => argv(call) === `${IP} -j link show dev ${dev}`;
const isSet = (call: ExecCall) => call.args[0] === "link" && call.args[1] === "set";

function vf2(config: PreparedDeviceRecord["config"]): PreparedDeviceRecord {
  return {
    requestNames: ["net"],
    poolName: "node-a",
    deviceName: "pci-0000-3b-02-2",
    kind: "sriov-vf",
    pciAddress: "0000:3b:02.2",
    ifName: "ens1f0v2",
    pfName: "ens1f0",
    vfIndex: 2,
    cdiDeviceIDs: ["netclaim.dev/net=uid-a-pci-0000-3b-02-2"],
    config,
  };
}

function host(): { exec: FakeExec; settings: IpDeviceSettings } {
  const exec = new FakeExec()
    .on(show("ens1f0"), { stdout: PF_6_1 })
    .on(show("ens1f0v2"), { stdout: VF_NETDEV });
  return { exec, settings: new IpDeviceSettings({ exec, ip: IP, timeoutMs: 5000 }) };
}

const everything = { mtu: 9000, mac: "02:00:00:00:00:22", vlan: 300, spoofChk: true, trust: false };

describe("IpDeviceSettings.readOriginal", () => {
  it("reads the VF from its PF's vfinfo_list and the MTU from the VF netdev", async () => {
    const { exec, settings } = host();
    const original = await settings.readOriginal(vf2(everything));
    expect(original).toEqual({
      netdev: { ifName: "ens1f0v2", mtu: 1500 },
      vf: {
        pfName: "ens1f0",
        vfIndex: 2,
        mac: "02:00:00:00:00:02",
        vlan: 100,
        qos: 2,
        spoofChk: false,
        trust: true,
      },
    });
    expect(exec.calls.map(argv)).toEqual([
      `${IP} -j link show dev ens1f0v2`,
      `${IP} -j link show dev ens1f0`,
    ]);
    expect(exec.calls[0]?.options.timeoutMs).toBe(5000);
  });

  it("reads nothing for a config without settings", async () => {
    const { exec, settings } = host();
    expect(await settings.readOriginal(vf2({ ifName: "net1" }))).toBeUndefined();
    expect(exec.calls).toEqual([]);
  });

  const failures = [
    {
      name: "the PF does not exist",
      exec: new FakeExec().on(show("ens1f0"), { code: 1, stderr: 'Device "ens1f0" does not exist.\n' }),
      want: `read the settings of ens1f0: ${IP} -j link show dev ens1f0: exit status 1: Device "ens1f0" does not exist.`,
    },
    {
      name: "the PF lists fewer VFs (ip truncated the list)",
      exec: new FakeExec().on(show("ens1f0"), {
        stdout: JSON.stringify([
          { ifname: "ens1f0", mtu: 1500, address: "b4:96:91:a5:c7:e0", vfinfo_list: [{ vf: 0 }] },
        ]),
        stderr: "Truncated VF list: ens1f0\n",
      }),
      want: "PF ens1f0 lists VFs 0, not VF 2 (ip reported a truncated VF list)",
    },
    {
      name: "ip cannot be run",
      exec: new FakeExec().on(show("ens1f0"), { error: new Error(`executable not found: ${IP}`) }),
      want: `read the settings of ens1f0: ${IP} -j link show dev ens1f0: executable not found: ${IP}`,
    },
  ];
  it.each(failures)("fails when $name", async ({ exec, want }) => {
    const settings = new IpDeviceSettings({ exec, ip: IP });
    const err = await settings.readOriginal(vf2({ vlan: 5 })).catch((e: unknown) => e);
    expect(errorMessage(err)).toBe(want);
  });

  it("fails a VF mtu when the VF has no netdev, without running ip", async () => {
    const { exec, settings } = host();
    const record = { ...vf2({ mtu: 9000 }), ifName: undefined };
    await expect(settings.readOriginal(record)).rejects.toThrow("mtu need the VF's netdev");
    expect(exec.calls).toEqual([]);
  });
});

describe("IpDeviceSettings.apply and restore", () => {
  /** The record with originals read from the fixture; `ip link set` succeeds unless `failing` says otherwise. */
  async function withOriginal(
    config: PreparedDeviceRecord["config"],
    failing: [(c: ExecCall) => boolean, string][] = [],
  ) {
    const { exec, settings } = host();
    const record = vf2(config);
    const originalSettings = await settings.readOriginal(record);
    exec.calls.length = 0;
    for (const [match, stderr] of failing)
      exec.once(match, { code: stderr.startsWith("Cannot") ? 1 : 2, stderr });
    exec.on(isSet, {});
    return { exec, settings, record: { ...record, ...(originalSettings ? { originalSettings } : {}) } };
  }

  it("applies every field with the exact argv, PF side first, and restores in reverse", async () => {
    const { exec, settings, record } = await withOriginal(everything);
    await settings.apply(record);
    expect(exec.calls.map(argv)).toEqual([
      `${IP} link set dev ens1f0 vf 2 mac 02:00:00:00:00:22`,
      `${IP} link set dev ens1f0 vf 2 vlan 300`,
      `${IP} link set dev ens1f0 vf 2 spoofchk on`,
      `${IP} link set dev ens1f0 vf 2 trust off`,
      `${IP} link set dev ens1f0v2 mtu 9000`,
    ]);
    exec.calls.length = 0;
    expect(await settings.restore(record)).toEqual([]);
    expect(exec.calls.map(argv)).toEqual([
      `${IP} link set dev ens1f0v2 mtu 1500`,
      `${IP} link set dev ens1f0 vf 2 trust on`,
      `${IP} link set dev ens1f0 vf 2 spoofchk off`,
      `${IP} link set dev ens1f0 vf 2 vlan 100 qos 2`,
      `${IP} link set dev ens1f0 vf 2 mac 02:00:00:00:00:02`,
    ]);
  });

  it("a restore again runs the same commands (idempotent)", async () => {
    const { exec, settings, record } = await withOriginal({ vlan: 7 });
    await settings.restore(record);
    await settings.restore(record);
    expect(exec.calls.map(argv)).toEqual([
      `${IP} link set dev ens1f0 vf 2 vlan 100 qos 2`,
      `${IP} link set dev ens1f0 vf 2 vlan 100 qos 2`,
    ]);
  });

  it("stops at the first failed change and reports it with ip's stderr", async () => {
    const { exec, settings, record } = await withOriginal({ mac: "02:00:00:00:00:22", trust: false }, [
      [(c) => c.args.includes("mac"), "RTNETLINK answers: Operation not permitted\n"],
    ]);
    const err = await settings.apply(record).catch((e: unknown) => e);
    expect(errorMessage(err)).toBe(
      `VF 2 of ens1f0: set the MAC to 02:00:00:00:00:22: ${IP} link set dev ens1f0 vf 2 mac 02:00:00:00:00:22: ` +
        "exit status 2: RTNETLINK answers: Operation not permitted",
    );
    expect(exec.calls).toHaveLength(1);
  });

  it("restore skips a link that is gone, tries the rest, and fails naming each other failure", async () => {
    const { exec, settings, record } = await withOriginal({ mtu: 9000, trust: false, vlan: 5 }, [
      [(c) => c.args[3] === "ens1f0v2", 'Cannot find device "ens1f0v2"\n'],
      [(c) => c.args.includes("trust"), "RTNETLINK answers: Operation not supported\n"],
    ]);
    const err = await settings.restore(record).catch((e: unknown) => e);
    expect(errorMessage(err)).toContain("VF 2 of ens1f0: restore trust to on");
    expect(errorMessage(err)).toContain("RTNETLINK answers: Operation not supported");
    expect(exec.calls.map(argv)).toEqual([
      `${IP} link set dev ens1f0v2 mtu 1500`,
      `${IP} link set dev ens1f0 vf 2 trust on`,
      `${IP} link set dev ens1f0 vf 2 vlan 100 qos 2`,
    ]);
  });

  it("restore resolves with what it skipped when only a link is gone", async () => {
    const { settings, record } = await withOriginal({ mtu: 9000 }, [
      [(c) => c.args[3] === "ens1f0v2", 'Cannot find device "ens1f0v2"\n'],
    ]);
    expect(await settings.restore(record)).toEqual(["ens1f0v2: restore the MTU to 1500: ens1f0v2 is gone"]);
  });

  it("does nothing for a record without originals", async () => {
    const exec = new FakeExec();
    const settings = new IpDeviceSettings({ exec });
    await settings.apply(vf2({ mtu: 9000 }));
    expect(await settings.restore(vf2({ mtu: 9000 }))).toEqual([]);
    expect(exec.calls).toEqual([]);
  });

  it("runs `ip` from PATH by default", async () => {
    const exec = new FakeExec().on("ip", { stdout: VF_NETDEV });
    await new IpDeviceSettings({ exec }).readOriginal(vf2({ mtu: 1400 }));
    expect(exec.calls.map(argv)).toEqual(["ip -j link show dev ens1f0v2"]);
  });
});
