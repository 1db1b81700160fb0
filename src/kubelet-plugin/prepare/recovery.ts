// Start-up recovery, before the DRA server takes calls: read the checkpoint (a corrupt one is
// reported, kept aside and rebuilt from our CDI specs and the API server — never read as empty), then
// finish or undo what a killed process left midway (plan-recovery.ts decides; this file acts: an undo puts
// the devices' recorded original settings back before their drivers) and write
// the checkpoint back when anything changed. One failed action is logged and skipped; its claim keeps
// its entry so that the next attempt (a Prepare/Unprepare call or the next start) tries again.
import type { Checkpoint } from "../../api/checkpoint.ts";
import { emptyCheckpoint } from "../../api/checkpoint.ts";
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import { errorMessage } from "../../common/errors.ts";
import { silentLogger } from "../../common/logger.ts";
import type { Logger } from "../../common/logger.ts";
import { retry } from "../../common/retry.ts";
import type { Checkpointer } from "../checkpoint/checkpoint-store.ts";
import { rebuildCheckpoint } from "../checkpoint/rebuild.ts";
import { removeClaim } from "../checkpoint/checkpoint-updates.ts";
import { IpDeviceSettings } from "./device-settings.ts";
import { restoreClaimSettings } from "./device-settings-claim.ts";
import { writeClaimSpec } from "./host-changes.ts";
import type { HostDeps } from "./host-changes.ts";
import { planRecovery } from "./plan-recovery.ts";
import type { RecoveryAction } from "./plan-recovery.ts";
import type { ClaimReader, DeviceSettings } from "./ports.ts";

/** A checkpointer that can also clean up after killed writes and keep a corrupt file for people. */
export interface RecoverableCheckpointer extends Checkpointer {
  removeStaleTempFiles?(): Promise<string[]>;
  preserveCorrupt?(): Promise<string | undefined>;
}

export interface RecoveryDeps extends HostDeps {
  checkpointer: RecoverableCheckpointer;
  claims: ClaimReader;
  /** Default: `ip` from PATH (IpDeviceSettings). */
  settings?: DeviceSettings;
  clock?: Clock;
  logger?: Logger;
  /** Attempts at listing claims for a rebuild before start-up fails. Default 5. */
  listAttempts?: number;
}

export interface RecoveryReport {
  corrupt?: { message: string; preservedAt?: string | undefined };
  /** What was done, one line each. */
  actions: string[];
  failures: string[];
  warnings: string[];
}

/** Reads (or rebuilds) the checkpoint and repairs the host; resolves with the checkpoint to serve from. */
export async function recoverCheckpoint(
  deps: RecoveryDeps,
  signal?: AbortSignal,
): Promise<{ checkpoint: Checkpoint; report: RecoveryReport }> {
  const logger = (deps.logger ?? silentLogger()).child({ component: "recovery" });
  const report: RecoveryReport = { actions: [], failures: [], warnings: [] };
  await deps.checkpointer.removeStaleTempFiles?.();
  await deps.cdi.removeStaleTempFiles();
  const read = await deps.checkpointer.read();
  let checkpoint: Checkpoint;
  let changed = false;
  if (read.status === "ok") {
    checkpoint = read.checkpoint;
  } else if (read.status === "missing") {
    checkpoint = emptyCheckpoint();
  } else {
    logger.error(
      { error: read.message },
      "checkpoint is corrupt; rebuilding it from the CDI specs and the API server",
    );
    const preservedAt = await deps.checkpointer.preserveCorrupt?.();
    report.corrupt = { message: read.message, preservedAt };
    checkpoint = await rebuild(deps, report, signal);
    changed = true;
  }
  const before = JSON.stringify(checkpoint);
  const specs = await deps.cdi.list();
  const actions = planRecovery({
    checkpoint,
    cdiSpecsOnDisk: specs.map((s) => ({ claimUID: s.claimUID, path: s.path })),
    nodeDevices: deps.devices.devices(),
  });
  const acting = { ...deps, settings: deps.settings ?? new IpDeviceSettings() };
  for (const action of actions) {
    try {
      const notes: string[] = [];
      checkpoint = await perform(acting, checkpoint, action, notes, signal);
      for (const note of notes)
        logger.warn({ action: describe(action), note }, "device setting not restored");
      report.actions.push(describe(action));
    } catch (err) {
      report.failures.push(`${describe(action)}: ${errorMessage(err)}`);
    }
  }
  if (changed || JSON.stringify(checkpoint) !== before) await deps.checkpointer.write(checkpoint);
  for (const line of report.actions) logger.info({ action: line }, "recovered");
  for (const line of report.failures) logger.error({ error: line }, "recovery action failed");
  for (const line of report.warnings) logger.warn({ warning: line }, "checkpoint rebuild");
  return { checkpoint, report };
}

async function rebuild(
  deps: RecoveryDeps,
  report: RecoveryReport,
  signal?: AbortSignal,
): Promise<Checkpoint> {
  const files = await deps.cdi.list();
  const claims = await retry(() => deps.claims.listClaims(signal), {
    maxAttempts: deps.listAttempts ?? 5,
    ...(signal === undefined ? {} : { signal }),
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
  }).catch((cause: unknown) => {
    throw new Error("rebuild the corrupt checkpoint: list ResourceClaims", { cause });
  });
  const result = rebuildCheckpoint({
    driverName: deps.driverName,
    cdiSpecs: files.map((f) => ({
      claimUID: f.claimUID,
      path: f.path,
      spec: f.result.status === "ok" ? f.result.spec : undefined,
    })),
    claims,
    nodeDevices: deps.devices.devices(),
    now: new Date((deps.clock ?? realClock).now()),
  });
  report.warnings.push(...result.warnings);
  for (const orphan of result.orphanedSpecs) {
    await deps.cdi.remove(orphan.claimUID);
    report.actions.push(`removed CDI spec ${orphan.path} of claim ${orphan.claimUID}: ${orphan.reason}`);
  }
  for (const uid of result.specsToRewrite) {
    const entry = result.checkpoint.claims[uid];
    if (entry === undefined) continue;
    await writeClaimSpec(deps, { uid, namespace: entry.namespace, name: entry.name }, entry.devices);
    report.actions.push(`rewrote the CDI spec of claim ${entry.namespace}/${entry.name}`);
  }
  const count = Object.keys(result.checkpoint.claims).length;
  report.actions.push(`rebuilt the checkpoint with ${count} prepared claim(s)`);
  return result.checkpoint;
}

async function perform(
  deps: RecoveryDeps & { settings: DeviceSettings },
  checkpoint: Checkpoint,
  action: RecoveryAction,
  notes: string[],
  signal?: AbortSignal,
): Promise<Checkpoint> {
  switch (action.type) {
    case "rollback-prepare":
    case "finish-unprepare": {
      const devices = checkpoint.claims[action.claimUID]?.devices ?? [];
      notes.push(...(await restoreClaimSettings(deps.settings, devices, signal)));
      for (const restore of action.restore) await deps.binder.bind(restore.pciAddress, restore.bind, signal);
      if (action.removeCdiSpec) await deps.cdi.remove(action.claimUID);
      return removeClaim(checkpoint, action.claimUID);
    }
    case "remove-orphan-cdi-spec":
      await deps.cdi.remove(action.claimUID);
      return checkpoint;
    case "rewrite-cdi-spec": {
      const entry = checkpoint.claims[action.claimUID];
      if (entry !== undefined) {
        const claim = { uid: action.claimUID, namespace: entry.namespace, name: entry.name };
        await writeClaimSpec(deps, claim, entry.devices);
      }
      return checkpoint;
    }
    case "reapply-binding":
      await deps.binder.bind(action.rebind.pciAddress, action.rebind.bind, signal);
      return checkpoint;
  }
}

function describe(action: RecoveryAction): string {
  switch (action.type) {
    case "rollback-prepare":
      return `rolled back the half-done prepare of claim ${action.namespace}/${action.name}`;
    case "finish-unprepare":
      return `finished the unprepare of claim ${action.namespace}/${action.name}`;
    case "remove-orphan-cdi-spec":
      return `removed orphaned CDI spec ${action.path}`;
    case "rewrite-cdi-spec":
      return `rewrote the missing CDI spec of claim ${action.namespace}/${action.name}`;
    case "reapply-binding":
      return `bound ${action.rebind.pciAddress} to ${action.rebind.bind} again for claim ${action.namespace}/${action.name}`;
  }
}
