// Start-up recovery over fakes and a real CDI directory: half-done prepares rolled back, unprepares
// finished, lost specs rewritten, orphans removed, a corrupt checkpoint rebuilt (never read as empty).
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Checkpoint, PreparedClaimEntry } from "../../../../src/api/checkpoint.ts";
import { DirCdiStore } from "../../../../src/kubelet-plugin/prepare/adapters.ts";
import { CheckpointJournal } from "../../../../src/kubelet-plugin/prepare/checkpoint-journal.ts";
import { Preparer } from "../../../../src/kubelet-plugin/prepare/preparer.ts";
import { recoverCheckpoint } from "../../../../src/kubelet-plugin/prepare/recovery.ts";
import type { RecoveryDeps } from "../../../../src/kubelet-plugin/prepare/recovery.ts";
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
let cdi: DirCdiStore;
let claims: FakeClaimReader;
let binder: RecordingBinder;
let devices: StaticDeviceSource;
let checkpointer: MemoryCheckpointer;
const signal = new AbortController().signal;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "netclaim-recovery-"));
  cdi = new DirCdiStore(dir, DRIVER);
  claims = new FakeClaimReader();
  binder = new RecordingBinder();
  devices = new StaticDeviceSource([vf(0), vf(1)]);
  for (const d of devices.current.values()) binder.drivers.set(d.pciAddress ?? "", d.driver ?? "");
  checkpointer = new MemoryCheckpointer();
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function deps(): RecoveryDeps {
  return { driverName: DRIVER, binder, cdi, devices, claims, checkpointer };
}

/** Prepares claims with the real Preparer and returns the checkpoint it ended with. */
async function prepared(...specs: Parameters<typeof allocatedClaim>[0][]): Promise<Checkpoint> {
  const journal = new CheckpointJournal(new MemoryCheckpointer(), { claims: {} });
  const preparer = new Preparer({ driverName: DRIVER, claims, devices, binder, cdi, journal });
  for (const spec of specs) {
    claims.add(allocatedClaim(spec));
    const outcome = await preparer.prepare({ namespace: "default", name: spec.name, uid: spec.uid }, signal);
    if ("error" in outcome) throw new Error(outcome.error);
  }
  binder.binds.length = 0;
  return structuredClone(journal.current);
}

const dpdk = {
  name: "dpdk",
  uid: "uid-d",
  results: { net: "pci-0000-03-02-1" },
  config: { driver: "vfio-pci" },
};
const plain = { name: "plain", uid: "uid-p", results: { net: "pci-0000-03-02-0" } };

function withState(checkpoint: Checkpoint, uid: string, state: PreparedClaimEntry["state"]): Checkpoint {
  const entry = checkpoint.claims[uid];
  if (entry === undefined) throw new Error(`no ${uid}`);
  return { claims: { ...checkpoint.claims, [uid]: { ...entry, state } } };
}

describe("recoverCheckpoint", () => {
  it("rolls back a prepare killed after the rebind: driver restored, spec gone, entry dropped", async () => {
    const checkpoint = withState(await prepared(dpdk), "uid-d", "preparing");
    checkpointer.readResult = { status: "ok", checkpoint, apiVersion: "netclaim.dev/v1alpha1" };
    devices.current.set("node-a/pci-0000-03-02-1", vf(1, "vfio-pci"));
    const { checkpoint: after, report } = await recoverCheckpoint(deps(), signal);
    expect(binder.binds).toEqual(["0000:03:02.1 vfio-pci -> iavf"]);
    expect(after.claims).toEqual({});
    expect(checkpointer.last).toEqual({ claims: {} });
    expect(await readdir(dir)).toEqual([]);
    expect(report.actions).toEqual(["rolled back the half-done prepare of claim default/dpdk"]);
  });

  it("finishes an unprepare killed midway", async () => {
    const checkpoint = withState(await prepared(plain), "uid-p", "unpreparing");
    checkpointer.readResult = { status: "ok", checkpoint, apiVersion: "netclaim.dev/v1alpha1" };
    const { checkpoint: after } = await recoverCheckpoint(deps(), signal);
    expect(after.claims).toEqual({});
    expect(await readdir(dir)).toEqual([]);
  });

  it("rewrites the CDI spec of a prepared claim when it is gone (a reboot emptied /var/run)", async () => {
    const checkpoint = await prepared(plain);
    await rm(join(dir, "netclaim.dev-net_uid-p.json"));
    checkpointer.readResult = { status: "ok", checkpoint, apiVersion: "netclaim.dev/v1alpha1" };
    const { checkpoint: after } = await recoverCheckpoint(deps(), signal);
    expect(after).toEqual(checkpoint);
    expect(await readdir(dir)).toEqual(["netclaim.dev-net_uid-p.json"]);
    expect(checkpointer.writes).toEqual([]);
  });

  it("removes CDI specs no checkpoint entry owns", async () => {
    await prepared(plain);
    checkpointer.readResult = { status: "missing" };
    const { checkpoint: after, report } = await recoverCheckpoint(deps(), signal);
    expect(after).toEqual({ claims: {} });
    expect(await readdir(dir)).toEqual([]);
    expect(report.actions[0]).toMatch(/^removed orphaned CDI spec .*netclaim.dev-net_uid-p.json$/);
  });

  it("reports a corrupt checkpoint and rebuilds it from the CDI specs and the API server", async () => {
    const before = await prepared(plain, {
      ...plain,
      name: "gone",
      uid: "uid-g",
      results: { net: "pci-0000-03-02-1" },
    });
    claims.claims.delete("default/gone");
    checkpointer.readResult = {
      status: "corrupt",
      reason: "bad-checksum",
      message: "checksum mismatch",
      path: "/x",
    };
    const { checkpoint: after, report } = await recoverCheckpoint(deps(), signal);
    expect(report.corrupt).toEqual({
      message: "checksum mismatch",
      preservedAt: "/state/checkpoint.json.corrupt",
    });
    expect(checkpointer.preserved).toBe(1);
    expect(claims.lists).toBe(1);
    expect(Object.keys(after.claims)).toEqual(["uid-p"]);
    expect(after.claims["uid-p"]).toMatchObject({
      state: "prepared",
      rebuilt: true,
      devices: [
        { deviceName: "pci-0000-03-02-0", cdiDeviceIDs: before.claims["uid-p"]?.devices[0]?.cdiDeviceIDs },
      ],
    });
    expect(await readdir(dir)).toEqual(["netclaim.dev-net_uid-p.json"]);
    expect(checkpointer.last).toEqual(after);
  });

  it("keeps the entry of an action that failed and reports it", async () => {
    const checkpoint = withState(await prepared(dpdk), "uid-d", "preparing");
    checkpointer.readResult = { status: "ok", checkpoint, apiVersion: "netclaim.dev/v1alpha1" };
    devices.current.set("node-a/pci-0000-03-02-1", vf(1, "vfio-pci"));
    binder.failing.add("0000:03:02.1");
    const { checkpoint: after, report } = await recoverCheckpoint(deps(), signal);
    expect(after.claims["uid-d"]?.state).toBe("preparing");
    expect(report.failures).toEqual([
      "rolled back the half-done prepare of claim default/dpdk: bind 0000:03:02.1: device busy",
    ]);
  });
});
