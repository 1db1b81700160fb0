// The prepare shell over fakes (claims, devices, binder, checkpoint) and a real CDI directory: the
// order of checkpoint states, idempotency, per-claim errors, rebinding and its undo.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DirCdiStore } from "../../../../src/kubelet-plugin/prepare/adapters.ts";
import { CheckpointJournal } from "../../../../src/kubelet-plugin/prepare/checkpoint-journal.ts";
import { Preparer } from "../../../../src/kubelet-plugin/prepare/preparer.ts";
import type { PrepareOutcome } from "../../../../src/kubelet-plugin/dra-service/ports.ts";
import {
  DRIVER,
  FakeClaimReader,
  MemoryCheckpointer,
  RecordingBinder,
  StaticDeviceSource,
  allocatedClaim,
  vf,
} from "../../../fakes/prepare-deps.ts";

let dir: string;
let claims: FakeClaimReader;
let devices: StaticDeviceSource;
let binder: RecordingBinder;
let checkpointer: MemoryCheckpointer;
let journal: CheckpointJournal;
let preparer: Preparer;
const signal = new AbortController().signal;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "netclaim-prepare-"));
  claims = new FakeClaimReader();
  devices = new StaticDeviceSource([vf(0), vf(1), vf(6, "vfio-pci")]);
  binder = new RecordingBinder();
  for (const d of devices.current.values()) binder.drivers.set(d.pciAddress ?? "", d.driver ?? "");
  checkpointer = new MemoryCheckpointer();
  journal = new CheckpointJournal(checkpointer, { claims: {} });
  preparer = new Preparer({
    driverName: DRIVER,
    claims,
    devices,
    binder,
    cdi: new DirCdiStore(dir, DRIVER),
    journal,
    clock: { now: () => Date.parse("2026-01-01T00:00:00Z") } as never,
  });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ref = (name: string, uid: string) => ({ namespace: "default", name, uid });

function devicesOf(outcome: PrepareOutcome) {
  if ("error" in outcome) throw new Error(`prepare failed: ${outcome.error}`);
  return outcome.devices;
}

describe("Preparer.prepare", () => {
  it("prepares a claim: checkpoint preparing then prepared, one CDI spec, the kubelet's answer", async () => {
    claims.add(
      allocatedClaim({ name: "net-a", uid: "uid-a", results: { net: "pci-0000-03-02-0" }, pods: ["pod-1"] }),
    );
    const outcome = await preparer.prepare(ref("net-a", "uid-a"), signal);
    expect(devicesOf(outcome)).toEqual([
      {
        requestNames: ["net"],
        poolName: "node-a",
        deviceName: "pci-0000-03-02-0",
        cdiDeviceIds: ["netclaim.dev/net=uid-a-pci-0000-03-02-0"],
      },
    ]);
    expect(checkpointer.writes.map((w) => w.claims["uid-a"]?.state)).toEqual(["preparing", "prepared"]);
    expect(checkpointer.last?.claims["uid-a"]).toMatchObject({ podUIDs: ["pod-1"], namespace: "default" });
    expect(await readdir(dir)).toEqual(["netclaim.dev-net_uid-a.json"]);
    const spec = JSON.parse(await readFile(join(dir, "netclaim.dev-net_uid-a.json"), "utf8")) as {
      devices: { name: string; containerEdits: { env: string[] } }[];
    };
    expect(spec.devices[0]?.name).toBe("uid-a-pci-0000-03-02-0");
    expect(spec.devices[0]?.containerEdits.env).toContain("NETCLAIM_NET_PCI_ADDRESS=0000:03:02.0");
    expect(binder.binds).toEqual([]);
  });

  it("answers a repeated prepare from the checkpoint, without the API server", async () => {
    claims.add(allocatedClaim({ name: "net-a", uid: "uid-a", results: { net: "pci-0000-03-02-0" } }));
    const first = await preparer.prepare(ref("net-a", "uid-a"), signal);
    claims.claims.clear();
    const second = await preparer.prepare(ref("net-a", "uid-a"), signal);
    expect(second).toEqual(first);
    expect(claims.gets).toEqual(["default/net-a"]);
    expect(checkpointer.writes).toHaveLength(2);
  });

  it.each([
    {
      name: "a claim that got replaced (another UID)",
      setup: () =>
        claims.add(allocatedClaim({ name: "net-a", uid: "uid-new", results: { net: "pci-0000-03-02-0" } })),
      want: "claim default/net-a got replaced: the API server has UID uid-new, the kubelet asked for uid-a",
    },
    {
      name: "a claim that is gone",
      setup: () => undefined,
      want: "claim default/net-a does not exist in the API server",
    },
    {
      name: "a device that is not on this node, even after a rescan",
      setup: () =>
        claims.add(allocatedClaim({ name: "net-a", uid: "uid-a", results: { net: "pci-0000-03-02-5" } })),
      want: /claim default\/net-a: device node-a\/pci-0000-03-02-5 .* is not on this node/,
    },
    {
      name: "a bad config",
      setup: () =>
        claims.add(
          allocatedClaim({
            name: "net-a",
            uid: "uid-a",
            results: { net: "pci-0000-03-02-0" },
            config: { mtu: 20 },
          }),
        ),
      want: /claim default\/net-a: .*"mtu"/,
    },
  ])("fails $name without touching the host", async ({ setup, want }) => {
    setup();
    const outcome = await preparer.prepare(ref("net-a", "uid-a"), signal);
    expect("error" in outcome ? outcome.error : "").toMatch(want);
    expect(checkpointer.writes).toEqual([]);
    expect(await readdir(dir).catch(() => [])).toEqual([]);
  });

  it("finds a device that appeared since the last discovery", async () => {
    claims.add(allocatedClaim({ name: "net-a", uid: "uid-a", results: { net: "pci-0000-03-02-2" } }));
    devices.afterRescan = new Map([...devices.current, ["node-a/pci-0000-03-02-2", vf(2)]]);
    devicesOf(await preparer.prepare(ref("net-a", "uid-a"), signal));
    expect(devices.rescans).toBe(1);
  });

  it("binds vfio-pci when asked and restores the driver on unprepare", async () => {
    claims.add(
      allocatedClaim({
        name: "dpdk",
        uid: "uid-d",
        results: { net: "pci-0000-03-02-1" },
        config: { driver: "vfio-pci" },
      }),
    );
    devicesOf(await preparer.prepare(ref("dpdk", "uid-d"), signal));
    expect(binder.binds).toEqual(["0000:03:02.1 iavf -> vfio-pci"]);
    expect(checkpointer.writes[0]?.claims["uid-d"]?.devices[0]?.rebind).toEqual({
      from: "iavf",
      to: "vfio-pci",
    });
    const spec = await readFile(join(dir, "netclaim.dev-net_uid-d.json"), "utf8");
    expect(spec).toContain('"path": "/dev/vfio/42"');
    expect(await preparer.unprepare(ref("dpdk", "uid-d"), signal)).toEqual({ ok: true });
    expect(binder.binds).toEqual(["0000:03:02.1 iavf -> vfio-pci", "0000:03:02.1 vfio-pci -> iavf"]);
    expect(checkpointer.writes.map((w) => w.claims["uid-d"]?.state)).toEqual([
      "preparing",
      "prepared",
      "unpreparing",
      undefined,
    ]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("rolls back when a step fails and fails only that claim", async () => {
    claims.add(
      allocatedClaim({
        name: "two",
        uid: "uid-2",
        results: { a: "pci-0000-03-02-0", b: "pci-0000-03-02-1" },
        config: { driver: "vfio-pci" },
      }),
    );
    binder.failing.add("0000:03:02.1");
    const outcome = await preparer.prepare(ref("two", "uid-2"), signal);
    expect("error" in outcome ? outcome.error : "").toMatch(
      /^claim default\/two: bind 0000:03:02.1: device busy/,
    );
    // The first VF was rebound and is restored; the claim is gone from the checkpoint, no spec left.
    expect(binder.binds).toEqual(["0000:03:02.0 iavf -> vfio-pci", "0000:03:02.0 vfio-pci -> iavf"]);
    expect(journal.current.claims["uid-2"]).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });

  it("undoes a leftover entry of a failed attempt before trying again", async () => {
    claims.add(
      allocatedClaim({
        name: "dpdk",
        uid: "uid-d",
        results: { net: "pci-0000-03-02-1" },
        config: { driver: "vfio-pci" },
      }),
    );
    checkpointer.failAttempts.add(2); // writing "prepared" fails ...
    binder.onBind = (address) => binder.failing.add(address); // ... and so does restoring the driver
    const failed = await preparer.prepare(ref("dpdk", "uid-d"), signal);
    expect(failed).toMatchObject({ error: expect.stringMatching(/disk full/) as unknown });
    expect(journal.current.claims["uid-d"]?.state).toBe("preparing");
    expect(checkpointer.last?.claims["uid-d"]?.state).toBe("preparing");
    binder.onBind = undefined;
    binder.failing.clear();
    const again = await preparer.prepare(ref("dpdk", "uid-d"), signal);
    devicesOf(again);
    expect(binder.binds).toEqual([
      "0000:03:02.1 iavf -> vfio-pci",
      "0000:03:02.1 vfio-pci -> iavf",
      "0000:03:02.1 iavf -> vfio-pci",
    ]);
    expect(journal.current.claims["uid-d"]?.devices[0]?.rebind).toEqual({ from: "iavf", to: "vfio-pci" });
  });
});

describe("Preparer.unprepare", () => {
  it("succeeds for a claim it never prepared, writing nothing", async () => {
    expect(await preparer.unprepare(ref("x", "uid-x"), signal)).toEqual({ ok: true });
    expect(checkpointer.writes).toEqual([]);
  });

  it("is idempotent", async () => {
    claims.add(allocatedClaim({ name: "net-a", uid: "uid-a", results: { net: "pci-0000-03-02-0" } }));
    devicesOf(await preparer.prepare(ref("net-a", "uid-a"), signal));
    expect(await preparer.unprepare(ref("net-a", "uid-a"), signal)).toEqual({ ok: true });
    expect(await preparer.unprepare(ref("net-a", "uid-a"), signal)).toEqual({ ok: true });
    expect(checkpointer.writes).toHaveLength(4);
  });
});
