// Device settings through the prepare shell and start-up recovery, with IpDeviceSettings over a scripted
// Exec (the PF answers with iproute2 6.1's vfinfo_list): the originals are durable in the checkpoint
// before the first change, a failed change fails only its claim (naming claim, device and ip's stderr)
// and undoes what was applied, Unprepare and recovery restore, settings go back before drivers.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseCheckpointText, serializeCheckpoint } from "../../../../src/api/checkpoint.ts";
import type { Checkpoint } from "../../../../src/api/checkpoint.ts";
import { DirCdiStore } from "../../../../src/kubelet-plugin/prepare/adapters.ts";
import { CheckpointJournal } from "../../../../src/kubelet-plugin/prepare/checkpoint-journal.ts";
import { IpDeviceSettings } from "../../../../src/kubelet-plugin/prepare/device-settings.ts";
import { Preparer } from "../../../../src/kubelet-plugin/prepare/preparer.ts";
import { recoverCheckpoint } from "../../../../src/kubelet-plugin/prepare/recovery.ts";
import { FakeExec } from "../../../fakes/exec.ts";
import type { ExecCall } from "../../../fakes/exec.ts";
import {
  DRIVER,
  FakeClaimReader,
  MemoryCheckpointer,
  RecordingBinder,
  StaticDeviceSource,
  allocatedClaim,
  vf,
} from "../../../fakes/prepare-deps.ts";

const PF_6_1 = readFileSync(
  new URL("../../../fixtures/iproute2/ip-j-link-show-ens1f0.iproute2-6.1.stdout", import.meta.url),
  "utf8",
);
const netdevJson = (name: string, mtu: number) =>
  JSON.stringify([{ ifname: name, mtu, address: "7a:3f:1c:22:90:b0", link_type: "ether" }]);

const argv = (call: ExecCall) => call.args.join(" ");
const isSet = (call: ExecCall) => call.args[0] === "link" && call.args[1] === "set";
const sets = (exec: FakeExec) => exec.calls.filter(isSet).map(argv);
const signal = new AbortController().signal;
const ref = (name: string, uid: string) => ({ namespace: "default", name, uid });

let dir: string;
let claims: FakeClaimReader;
let devices: StaticDeviceSource;
let binder: RecordingBinder;
let checkpointer: MemoryCheckpointer;
let journal: CheckpointJournal;
let exec: FakeExec;
let preparer: Preparer;
/** Host changes in the order they happened: `ip link set` argv and driver binds. */
let events: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "netclaim-settings-"));
  claims = new FakeClaimReader();
  devices = new StaticDeviceSource([vf(0), vf(1), vf(3, "vfio-pci")]);
  binder = new RecordingBinder();
  for (const d of devices.current.values()) binder.drivers.set(d.pciAddress ?? "", d.driver ?? "");
  events = [];
  binder.onBind = (pci, driver) => events.push(`bind ${pci} ${driver}`);
  checkpointer = new MemoryCheckpointer();
  journal = new CheckpointJournal(checkpointer, { claims: {} });
  exec = new FakeExec()
    .on((c) => argv(c) === "-j link show dev ens1f0", { stdout: PF_6_1 })
    .on(
      (c) => c.args[0] === "-j",
      (c) => ({ stdout: netdevJson(c.args.at(-1) ?? "", 1500) }),
    );
  preparer = newPreparer();
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function newPreparer(): Preparer {
  const settings = new IpDeviceSettings({ exec });
  const cdi = new DirCdiStore(dir, DRIVER);
  return new Preparer({ driverName: DRIVER, claims, devices, binder, cdi, journal, settings });
}

/** `ip link set` succeeds, except where `failing` (argv → stderr) says otherwise; every call is logged. */
function hostAnswers(failing: Record<string, string> = {}): void {
  exec.on(isSet, (call) => {
    events.push(argv(call));
    const stderr = failing[argv(call)];
    return stderr === undefined ? {} : { code: 2, stderr };
  });
}

const vfConfig = { mtu: 9000, mac: "02:00:00:00:00:01", vlan: 100, spoofChk: false, trust: true };

describe("prepare and unprepare with device settings", () => {
  it("records the originals durably before the first change, applies, and restores on unprepare", async () => {
    let durableAtFirstSet: unknown;
    exec.once(isSet, (call) => {
      durableAtFirstSet = checkpointer.last?.claims["uid-a"]?.devices[0]?.originalSettings;
      events.push(argv(call));
      return {};
    });
    hostAnswers();
    claims.add(
      allocatedClaim({ name: "net-a", uid: "uid-a", results: { net: "pci-0000-03-02-0" }, config: vfConfig }),
    );
    const outcome = await preparer.prepare(ref("net-a", "uid-a"), signal);
    expect(outcome).not.toHaveProperty("error");
    const original = {
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
    };
    expect(durableAtFirstSet).toEqual(original);
    expect(checkpointer.writes.map((w) => w.claims["uid-a"]?.state)).toEqual([
      "preparing",
      "preparing",
      "prepared",
    ]);
    expect(checkpointer.writes[0]?.claims["uid-a"]?.devices[0]?.originalSettings).toBeUndefined();
    expect(checkpointer.last?.claims["uid-a"]?.devices[0]?.originalSettings).toEqual(original);
    expect(sets(exec)).toEqual([
      "link set dev ens1f0 vf 0 mac 02:00:00:00:00:01",
      "link set dev ens1f0 vf 0 vlan 100",
      "link set dev ens1f0 vf 0 spoofchk off",
      "link set dev ens1f0 vf 0 trust on",
      "link set dev ens1f0v0 mtu 9000",
    ]);

    exec.calls.length = 0;
    expect(await preparer.unprepare(ref("net-a", "uid-a"), signal)).toEqual({ ok: true });
    expect(sets(exec)).toEqual([
      "link set dev ens1f0v0 mtu 1500",
      "link set dev ens1f0 vf 0 trust off",
      "link set dev ens1f0 vf 0 spoofchk on",
      "link set dev ens1f0 vf 0 vlan 0",
      "link set dev ens1f0 vf 0 mac 00:00:00:00:00:00",
    ]);
    expect(journal.current.claims).toEqual({});
    exec.calls.length = 0;
    expect(await preparer.unprepare(ref("net-a", "uid-a"), signal)).toEqual({ ok: true });
    expect(exec.calls).toEqual([]);
  });

  it("a claim without settings runs no ip and writes the checkpoint twice, as before", async () => {
    hostAnswers();
    claims.add(allocatedClaim({ name: "plain", uid: "uid-p", results: { net: "pci-0000-03-02-0" } }));
    expect(await preparer.prepare(ref("plain", "uid-p"), signal)).not.toHaveProperty("error");
    expect(exec.calls).toEqual([]);
    expect(checkpointer.writes.map((w) => w.claims["uid-p"]?.state)).toEqual(["preparing", "prepared"]);
  });

  it("a failed change fails the claim naming claim, device and stderr, and undoes what was applied", async () => {
    hostAnswers({ "link set dev ens1f0 vf 1 trust on": "RTNETLINK answers: Operation not supported" });
    claims.add(
      allocatedClaim({
        name: "two",
        uid: "uid-2",
        results: { a: "pci-0000-03-02-0", b: "pci-0000-03-02-1" },
        config: { vlan: 42, trust: true },
      }),
    );
    const outcome = await preparer.prepare(ref("two", "uid-2"), signal);
    expect(outcome).toEqual({
      error:
        "claim default/two: device node-a/pci-0000-03-02-1: VF 1 of ens1f0: turn trust on: " +
        "ip link set dev ens1f0 vf 1 trust on: exit status 2: RTNETLINK answers: Operation not supported",
    });
    expect(events).toEqual([
      "link set dev ens1f0 vf 0 vlan 42",
      "link set dev ens1f0 vf 0 trust on",
      "link set dev ens1f0 vf 1 vlan 42",
      "link set dev ens1f0 vf 1 trust on",
      // rollback: last device first, each in reverse
      "link set dev ens1f0 vf 1 trust off",
      "link set dev ens1f0 vf 1 vlan 0",
      "link set dev ens1f0 vf 0 trust off",
      "link set dev ens1f0 vf 0 vlan 0",
    ]);
    expect(journal.current.claims).toEqual({});
    expect(await readdir(dir)).toEqual([]);
  });

  it("a VF mtu without a netdev fails the claim before anything is changed", async () => {
    hostAnswers();
    const { ifName: _gone, ...moved } = vf(1);
    devices.current.set("node-a/pci-0000-03-02-1", moved);
    claims.add(
      allocatedClaim({
        name: "moved",
        uid: "uid-m",
        results: { net: "pci-0000-03-02-1" },
        config: { mtu: 9000 },
      }),
    );
    const outcome = await preparer.prepare(ref("moved", "uid-m"), signal);
    expect(outcome).toEqual({
      error:
        "claim default/moved: device node-a/pci-0000-03-02-1: mtu need the VF's netdev (a kernel driver), " +
        "which is not in the host network namespace",
    });
    expect(exec.calls).toEqual([]);
    expect(journal.current.claims).toEqual({});
  });

  it("binds the kernel driver first, then sets the new netdev's MTU; unprepare restores MTU before the driver", async () => {
    hostAnswers();
    devices.afterRescan = new Map([...devices.current, ["node-a/pci-0000-03-02-3", vf(3)]]);
    claims.add(
      allocatedClaim({
        name: "k",
        uid: "uid-k",
        results: { net: "pci-0000-03-02-3" },
        config: { driver: "kernel", mtu: 4000 },
      }),
    );
    expect(await preparer.prepare(ref("k", "uid-k"), signal)).not.toHaveProperty("error");
    expect(await preparer.unprepare(ref("k", "uid-k"), signal)).toEqual({ ok: true });
    expect(events).toEqual([
      "bind 0000:03:02.3 iavf",
      "link set dev ens1f0v3 mtu 4000",
      "link set dev ens1f0v3 mtu 1500",
      "bind 0000:03:02.3 vfio-pci",
    ]);
  });
});

describe("recovery with device settings", () => {
  async function preparedCheckpoint(): Promise<Checkpoint> {
    hostAnswers();
    claims.add(
      allocatedClaim({ name: "net-a", uid: "uid-a", results: { net: "pci-0000-03-02-0" }, config: vfConfig }),
    );
    const outcome = await preparer.prepare(ref("net-a", "uid-a"), signal);
    if ("error" in outcome) throw new Error(outcome.error);
    events.length = 0;
    exec.calls.length = 0;
    return structuredClone(journal.current);
  }

  const states = [
    { state: "preparing" as const, action: "rolled back the half-done prepare of claim default/net-a" },
    { state: "unpreparing" as const, action: "finished the unprepare of claim default/net-a" },
  ];
  it.each(states)("a claim left $state gets its original settings back", async ({ state, action }) => {
    const checkpoint = await preparedCheckpoint();
    const entry = checkpoint.claims["uid-a"];
    if (entry === undefined) throw new Error("not prepared");
    const left = { claims: { "uid-a": { ...entry, state } } };
    const start = new MemoryCheckpointer();
    start.readResult = { status: "ok", checkpoint: left, apiVersion: "netclaim.dev/v1alpha1" };
    const cdi = new DirCdiStore(dir, DRIVER);
    const settings = new IpDeviceSettings({ exec });
    const deps = { driverName: DRIVER, binder, cdi, devices, claims, checkpointer: start, settings };
    const { checkpoint: after, report } = await recoverCheckpoint(deps, signal);
    expect(report.failures).toEqual([]);
    expect(report.actions).toContain(action);
    expect(sets(exec)).toEqual([
      "link set dev ens1f0v0 mtu 1500",
      "link set dev ens1f0 vf 0 trust off",
      "link set dev ens1f0 vf 0 spoofchk on",
      "link set dev ens1f0 vf 0 vlan 0",
      "link set dev ens1f0 vf 0 mac 00:00:00:00:00:00",
    ]);
    expect(after.claims).toEqual({});
  });

  it("a failed restore keeps the claim for the next attempt", async () => {
    const checkpoint = await preparedCheckpoint();
    const entry = checkpoint.claims["uid-a"];
    if (entry === undefined) throw new Error("not prepared");
    const start = new MemoryCheckpointer();
    start.readResult = {
      status: "ok",
      checkpoint: { claims: { "uid-a": { ...entry, state: "unpreparing" } } },
      apiVersion: "netclaim.dev/v1alpha1",
    };
    const failing = new FakeExec().on(isSet, {
      code: 2,
      stderr: "RTNETLINK answers: Device or resource busy",
    });
    const settings = new IpDeviceSettings({ exec: failing });
    const cdi = new DirCdiStore(dir, DRIVER);
    const deps = { driverName: DRIVER, binder, cdi, devices, claims, checkpointer: start, settings };
    const { checkpoint: after, report } = await recoverCheckpoint(deps, signal);
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toContain("Device or resource busy");
    expect(Object.keys(after.claims)).toEqual(["uid-a"]);
  });

  it("a checkpoint with original settings survives the file round trip", async () => {
    const checkpoint = await preparedCheckpoint();
    const parsed = parseCheckpointText(serializeCheckpoint(checkpoint));
    expect(parsed).toEqual({ status: "ok", checkpoint, apiVersion: "netclaim.dev/v1alpha1" });
  });
});
