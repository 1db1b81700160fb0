// The prepare shell: the ClaimPreparer the DRA service calls, one claim at a time (the service
// serializes per claim UID). Decisions are the pure plan (plan.ts); this file does the I/O in an order
// that a kill between any two steps can be recovered from (recovery.ts):
//   Prepare    answer from the checkpoint when prepared already (a repeated call: same answer)
//              → GET the claim, check its UID → plan → checkpoint "preparing" (the plan: devices and
//              rebinds) → bind drivers → read the settings the config changes (mtu, MAC, VF vlan /
//              spoofchk / trust) → checkpoint them as the originals → apply them → write the CDI
//              spec → checkpoint "prepared" → answer
//   Unprepare  unknown claim: success → checkpoint "unpreparing" → restore settings, then drivers,
//              remove the spec → drop the claim from the checkpoint
// A step that fails undoes what this attempt did and fails the claim; a leftover entry of an earlier
// failed attempt is undone before a new attempt starts.
import type { PreparedClaimEntry, PreparedDeviceRecord } from "../../api/checkpoint.ts";
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import { errorMessage } from "../../common/errors.ts";
import { silentLogger } from "../../common/logger.ts";
import type { Logger } from "../../common/logger.ts";
import { isNotFound } from "../../k8s/api-error.ts";
import { mainRequestName } from "../cdi/cdi-env.ts";
import { beginPrepare, beginUnprepare, markPrepared, removeClaim } from "../checkpoint/checkpoint-updates.ts";
import type {
  ClaimPreparer,
  ClaimRef,
  PrepareOutcome,
  PreparedDevice,
  UnprepareOutcome,
} from "../dra-service/ports.ts";
import type { CheckpointJournal } from "./checkpoint-journal.ts";
import type { DriverBinder } from "./driver-binder.ts";
import { IpDeviceSettings } from "./device-settings.ts";
import { applyClaimSettings, readClaimOriginals, restoreClaimSettings } from "./device-settings-claim.ts";
import { applyBindings, undoClaim, writeClaimSpec } from "./host-changes.ts";
import type { ClaimName, HostDeps } from "./host-changes.ts";
import { planClaimPrepare } from "./plan.ts";
import type { ClaimPlan } from "./plan.ts";
import type { ResourceClaim } from "./plan-types.ts";
import type { CdiStore, ClaimReader, DeviceSettings, NodeDeviceSource } from "./ports.ts";

export interface PreparerOptions {
  driverName: string;
  claims: ClaimReader;
  devices: NodeDeviceSource;
  binder: DriverBinder;
  cdi: CdiStore;
  journal: CheckpointJournal;
  /** Default: `ip` from PATH (IpDeviceSettings). */
  settings?: DeviceSettings;
  clock?: Clock;
  logger?: Logger;
}

/** What the kubelet gets for a prepared claim's devices: main request names, CDI IDs, share IDs. */
export function answerFor(records: readonly PreparedDeviceRecord[]): PreparedDevice[] {
  return records.map((record) => {
    const device: PreparedDevice = {
      requestNames: [...new Set(record.requestNames.map(mainRequestName))],
      poolName: record.poolName,
      deviceName: record.deviceName,
      cdiDeviceIds: [...record.cdiDeviceIDs],
    };
    if (record.shareID !== undefined) device.shareId = record.shareID;
    return device;
  });
}

function label(claim: ClaimRef): string {
  return `claim ${claim.namespace}/${claim.name}`;
}

export class Preparer implements ClaimPreparer {
  private readonly options: PreparerOptions;
  private readonly host: HostDeps;
  private readonly settings: DeviceSettings;
  private readonly journal: CheckpointJournal;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(options: PreparerOptions) {
    this.options = options;
    this.host = {
      driverName: options.driverName,
      binder: options.binder,
      cdi: options.cdi,
      devices: options.devices,
    };
    this.settings = options.settings ?? new IpDeviceSettings();
    this.journal = options.journal;
    this.clock = options.clock ?? realClock;
    this.logger = (options.logger ?? silentLogger()).child({ component: "preparer" });
  }

  async prepare(claim: ClaimRef, signal: AbortSignal): Promise<PrepareOutcome> {
    const existing = this.journal.current.claims[claim.uid];
    if (existing?.state === "prepared") return { devices: answerFor(existing.devices) };
    if (existing !== undefined) await this.undoLeftover(claim, existing, signal);
    const read = await this.read(claim, signal);
    if ("error" in read) return read;
    const plan = await this.plan(claim, read.claim, signal);
    if (!plan.ok) return { error: plan.message };
    const now = new Date(this.clock.now());
    await this.journal.update((c) =>
      beginPrepare(c, { ...claim, podUIDs: plan.podUIDs, devices: plan.devices }, now),
    );
    let records = plan.devices;
    try {
      records = await applyBindings(this.host, records, signal);
      const originals = await readClaimOriginals(this.settings, records, signal);
      records = originals.records;
      if (originals.changed) {
        const devices = records;
        const at = new Date(this.clock.now());
        await this.journal.update((c) => beginPrepare(c, { ...claim, podUIDs: plan.podUIDs, devices }, at));
        await applyClaimSettings(this.settings, devices, signal);
      }
      const done = records;
      await writeClaimSpec(this.host, claim, done);
      await this.journal.update((c) => markPrepared(c, claim.uid, new Date(this.clock.now()), done));
    } catch (err) {
      await this.rollBack(claim, plan.podUIDs, records, signal);
      return { error: `${label(claim)}: ${errorMessage(err)}` };
    }
    return { devices: answerFor(records) };
  }

  async unprepare(claim: ClaimRef, signal: AbortSignal): Promise<UnprepareOutcome> {
    const entry = this.journal.current.claims[claim.uid];
    if (entry === undefined) return { ok: true };
    await this.journal.update((c) => beginUnprepare(c, claim.uid, new Date(this.clock.now())));
    try {
      await this.undo(claim.uid, entry, signal);
    } catch (err) {
      return { error: `${label(claim)}: ${errorMessage(err)}` };
    }
    await this.journal.update((c) => removeClaim(c, claim.uid));
    return { ok: true };
  }

  private async read(
    claim: ClaimRef,
    signal: AbortSignal,
  ): Promise<{ claim: ResourceClaim } | { error: string }> {
    let object: ResourceClaim;
    this.logger.debug({ claim: `${claim.namespace}/${claim.name}`, uid: claim.uid }, "reading the claim");
    try {
      object = await this.options.claims.getClaim(claim.namespace, claim.name, signal);
    } catch (err) {
      if (isNotFound(err)) return { error: `${label(claim)} does not exist in the API server` };
      throw new Error(`read ${label(claim)} from the API server`, { cause: err });
    }
    const uid = object.metadata?.uid;
    if (uid !== claim.uid) {
      return {
        error: `${label(claim)} got replaced: the API server has UID ${uid ?? "(none)"}, the kubelet asked for ${claim.uid}`,
      };
    }
    return { claim: object };
  }

  /** The plan; a device not found is looked for again after a fresh discovery (it may be new). */
  private async plan(claim: ClaimRef, object: ResourceClaim, signal: AbortSignal): Promise<ClaimPlan> {
    const input = { claim: object, requested: claim, driverName: this.options.driverName };
    const plan = planClaimPrepare({ ...input, nodeDevices: this.options.devices.devices() });
    if (plan.ok || plan.code !== "DEVICE_NOT_FOUND") return plan;
    return planClaimPrepare({ ...input, nodeDevices: await this.options.devices.rescan(signal) });
  }

  /**
   * Undoes this attempt with the devices as far as it got (original settings included once read). The
   * entry goes back to "preparing" first (in memory at least: a failed write must not leave a "prepared"
   * that a repeated call would answer from), so that when the undo fails too, the next attempt or the
   * next start finds the intent and undoes it.
   */
  private async rollBack(
    claim: ClaimRef,
    podUIDs: string[],
    devices: PreparedDeviceRecord[],
    signal: AbortSignal,
  ): Promise<void> {
    const now = new Date(this.clock.now());
    const entry = { ...claim, podUIDs, devices };
    await this.journal.update((c) => beginPrepare(c, entry, now)).catch(() => undefined);
    try {
      await this.undo(claim.uid, { ...claim, devices }, signal);
      await this.journal.update((c) => removeClaim(c, claim.uid)).catch(() => undefined);
    } catch (err) {
      this.logger.error(
        { claim: `${claim.namespace}/${claim.name}`, err: errorMessage(err) },
        "rolling back a failed prepare failed; it is retried with the next attempt or at restart",
      );
    }
  }

  private async undoLeftover(claim: ClaimRef, entry: PreparedClaimEntry, signal: AbortSignal): Promise<void> {
    this.logger.warn(
      { claim: `${claim.namespace}/${claim.name}`, state: entry.state },
      "undoing what an earlier attempt left before preparing again",
    );
    await this.undo(claim.uid, entry, signal);
    await this.journal.update((c) => removeClaim(c, claim.uid));
  }

  /** Settings back first (a VF's netdev goes away when it returns to vfio-pci), then drivers and spec. */
  private async undo(
    uid: string,
    entry: Pick<PreparedClaimEntry, "devices"> & Omit<ClaimName, "uid">,
    signal: AbortSignal,
  ): Promise<void> {
    const failures: unknown[] = [];
    const claim = `${entry.namespace}/${entry.name}`;
    try {
      const skipped = await restoreClaimSettings(this.settings, entry.devices, signal);
      for (const note of skipped) this.logger.warn({ claim, note }, "device setting not restored");
    } catch (err) {
      failures.push(err);
    }
    try {
      await undoClaim(this.host, uid, entry, signal);
    } catch (err) {
      failures.push(err);
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `undo claim ${claim} on the host`);
  }
}
