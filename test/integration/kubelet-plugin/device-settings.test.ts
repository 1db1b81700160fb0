// Device settings on real links: a veth (and a macvlan over it) stand in for host NICs inside a netns this
// test creates; the real `ip` runs there through an Exec that prefixes `ip netns exec <ns>` (the process
// itself never enters the netns). A `netdev`-kind device prepared with mtu 1400 and a MAC gets both, and
// gets its own back on Unprepare and after a kill mid-unprepare; a change the kernel refuses fails the
// claim with ip's stderr and puts back what was already set.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import type { Exec, ExecOptions, ExecResult } from "../../../src/common/exec.ts";
import { ProcessExec } from "../../../src/common/exec.ts";
import { DirCdiStore } from "../../../src/kubelet-plugin/prepare/adapters.ts";
import { CheckpointJournal } from "../../../src/kubelet-plugin/prepare/checkpoint-journal.ts";
import { IpDeviceSettings } from "../../../src/kubelet-plugin/prepare/device-settings.ts";
import { Preparer } from "../../../src/kubelet-plugin/prepare/preparer.ts";
import { recoverCheckpoint } from "../../../src/kubelet-plugin/prepare/recovery.ts";
import {
  DRIVER,
  FakeClaimReader,
  MemoryCheckpointer,
  RecordingBinder,
  StaticDeviceSource,
  allocatedClaim,
} from "../../fakes/prepare-deps.ts";
import { describePrivileged } from "../../harness/privileged.ts";

/** Runs every command as `ip netns exec <ns> <command>`. */
class NetnsExec implements Exec {
  private readonly inner: Exec;
  private readonly netns: string;

  constructor(inner: Exec, netns: string) {
    this.inner = inner;
    this.netns = netns;
  }

  run(cmd: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    return this.inner.run("ip", ["netns", "exec", this.netns, cmd, ...args], options);
  }
}

interface Link {
  mtu: number;
  address: string;
}

describePrivileged("device settings on a real netdev", () => {
  const host = new ProcessExec();
  const netns = `nc-settings-${randomBytes(4).toString("hex")}`;
  const signal = new AbortController().signal;
  const ref = (name: string, uid: string) => ({ namespace: "default", name, uid });
  let dir: string;
  let claims: FakeClaimReader;
  let devices: StaticDeviceSource;
  let journal: CheckpointJournal;
  let settings: IpDeviceSettings;
  let preparer: Preparer;
  let before: Record<string, Link>;

  async function ip(...args: string[]): Promise<string> {
    const result = await host.run("ip", ["-n", netns, ...args]);
    if (result.code !== 0) throw new Error(`ip -n ${netns} ${args.join(" ")}: ${result.stderr}`);
    return result.stdout;
  }

  async function link(dev: string): Promise<Link> {
    const [found] = JSON.parse(await ip("-j", "link", "show", "dev", dev)) as Link[];
    if (found === undefined) throw new Error(`no link ${dev}`);
    return { mtu: found.mtu, address: found.address };
  }

  beforeAll(async () => {
    const added = await host.run("ip", ["netns", "add", netns]);
    if (added.code !== 0) throw new Error(`ip netns add ${netns}: ${added.stderr}`);
    await ip("link", "add", "h0", "type", "veth", "peer", "name", "h1");
    await ip("link", "add", "mv0", "link", "h1", "type", "macvlan", "mode", "bridge");
    for (const dev of ["h0", "h1", "mv0"]) await ip("link", "set", dev, "up");
  });

  afterAll(async () => {
    await host.run("ip", ["netns", "del", netns]);
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "netclaim-settings-it-"));
    claims = new FakeClaimReader();
    devices = new StaticDeviceSource([
      { name: "h0", kind: "netdev", ifName: "h0", resourceName: "host-nics" },
      { name: "mv0", kind: "netdev", ifName: "mv0", resourceName: "host-nics" },
    ]);
    journal = new CheckpointJournal(new MemoryCheckpointer(), { claims: {} });
    settings = new IpDeviceSettings({ exec: new NetnsExec(host, netns) });
    const cdi = new DirCdiStore(dir, DRIVER);
    const binder = new RecordingBinder();
    preparer = new Preparer({ driverName: DRIVER, claims, devices, binder, cdi, journal, settings });
    before = { h0: await link("h0"), mv0: await link("mv0") };
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prepares mtu 1400 and a MAC on the netdev, and Unprepare puts its own back", async () => {
    expect(before.h0?.mtu).toBe(1500);
    const config = { mtu: 1400, mac: "02:11:22:33:44:55" };
    claims.add(allocatedClaim({ name: "nic", uid: "uid-nic", results: { net: "h0" }, config }));
    const outcome = await preparer.prepare(ref("nic", "uid-nic"), signal);
    expect(outcome).not.toHaveProperty("error");
    expect(await link("h0")).toEqual({ mtu: 1400, address: "02:11:22:33:44:55" });
    expect(journal.current.claims["uid-nic"]?.devices[0]?.originalSettings).toEqual({
      netdev: { ifName: "h0", mtu: 1500, mac: before.h0?.address },
    });

    expect(await preparer.unprepare(ref("nic", "uid-nic"), signal)).toEqual({ ok: true });
    expect(await link("h0")).toEqual(before.h0);
  });

  it("fails a claim whose MTU the kernel refuses, with ip's stderr, and restores the MAC it had set", async () => {
    // A macvlan cannot be larger than its lower device (1500).
    const config = { mtu: 9000, mac: "02:11:22:33:44:66" };
    claims.add(allocatedClaim({ name: "big", uid: "uid-big", results: { net: "mv0" }, config }));
    const outcome = await preparer.prepare(ref("big", "uid-big"), signal);
    expect(outcome).toHaveProperty("error");
    const error = "error" in outcome ? outcome.error : "";
    expect(error).toMatch(/^claim default\/big: device node-a\/mv0: mv0: set the MTU to 9000: /);
    expect(error).toMatch(/ip link set dev mv0 mtu 9000: exit status 2: .*(Invalid argument|mtu greater)/);
    expect(await link("mv0")).toEqual(before.mv0);
    expect(journal.current.claims).toEqual({});
  });

  it("restores the settings at start-up after a kill in the middle of Unprepare", async () => {
    const config = { mtu: 1400, mac: "02:11:22:33:44:77" };
    claims.add(allocatedClaim({ name: "killed", uid: "uid-k", results: { net: "h0" }, config }));
    expect(await preparer.prepare(ref("killed", "uid-k"), signal)).not.toHaveProperty("error");
    expect((await link("h0")).mtu).toBe(1400);
    const entry = journal.current.claims["uid-k"];
    if (entry === undefined) throw new Error("not prepared");
    const checkpointer = new MemoryCheckpointer();
    checkpointer.readResult = {
      status: "ok",
      checkpoint: { claims: { "uid-k": { ...entry, state: "unpreparing" } } },
      apiVersion: "netclaim.dev/v1alpha1",
    };
    const cdi = new DirCdiStore(dir, DRIVER);
    const deps = {
      driverName: DRIVER,
      binder: new RecordingBinder(),
      cdi,
      devices,
      claims,
      checkpointer,
      settings,
    };
    const { checkpoint, report } = await recoverCheckpoint(deps, signal);
    expect(report.failures).toEqual([]);
    expect(checkpoint.claims).toEqual({});
    expect(await link("h0")).toEqual(before.h0);
    // Restoring again is harmless.
    await settings.restore(entry.devices[0]!);
    expect(await link("h0")).toEqual(before.h0);
  });
});
