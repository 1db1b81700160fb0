// DEL of a list of delegate networks, in the order given (callers pass last-attached first), going on
// past failures so that as much as possible is undone, and reporting each failure. Shared by ADD's
// rollback, DEL (from the cache entry or rebuilt from the API) and GC of stale attachments.
// A network that may never have been attached — the one whose ADD failed, one still "pending" in the
// cache, every network of a DEL rebuilt from the API without a cache entry — has its DEL failure logged
// and not reported: CNI DEL should succeed when there is nothing to remove, but some plugins fail it
// (macvlan, when its master is gone, answers "Link not found"), and counting that failure would fail the
// pod's DEL forever.
// A network's CNI device-info file (when it had one and the call has a DeviceInfoStore) is removed once
// its DEL is done — or ignored, for a network that may never have been attached — as Multus removes it
// after the delegate's DEL; a failure to remove it is only logged.
import type { Logger } from "../../common/logger.ts";
import type { PlannedDelete } from "../cache/plan.ts";
import { delConflist } from "../delegate/conflist.ts";
import type { DelegateExecutor } from "../delegate/conflist.ts";
import type { AttachmentEnv } from "../delegate/delegate-types.ts";
import type { JsonObject } from "../delegate/json.ts";
import { toDelegateNetwork } from "../delegate/plugin-config.ts";
import type { DelegateNetwork } from "../delegate/plugin-config.ts";
import { failure } from "./engine-errors.ts";
import type { PlannedAttachment } from "./plan-attachments.ts";
import type { DeviceInfoStore } from "./ports.ts";

export interface DeleteItem {
  /** `network "ns/b" (net1)`, for messages. */
  label: string;
  /** Unusable configs (a cache entry written by hand) fail their own DEL only. */
  network: DelegateNetwork | Error;
  attachment: AttachmentEnv;
  runtimeConfig: JsonObject;
  prevResult?: JsonObject;
  /** Its ADD is not known to have succeeded: a failing DEL is logged, not reported. */
  mayBeAbsent: boolean;
  /** Its CNI device-info file, removed after the DEL. */
  deviceInfoFile?: string;
  /** Its position in attach order (0: the first attached, the pod's default network). */
  position: number;
}

export interface DeleteFailure {
  label: string;
  error: Error;
}

export function networkLabel(name: string, ifName: string): string {
  return `network ${JSON.stringify(name)} (${ifName})`;
}

/**
 * A planned attachment as a DEL item: with `prevResult` once its ADD succeeded; without one it may never
 * have been attached.
 */
export function deleteItemOfAttachment(
  attachment: PlannedAttachment,
  env: Omit<AttachmentEnv, "ifName" | "cniArgs">,
  prevResult?: JsonObject,
): DeleteItem {
  const item: DeleteItem = {
    label: networkLabel(attachment.name, attachment.ifName),
    network: attachment.network,
    attachment: { ...env, ifName: attachment.ifName, cniArgs: attachment.cniArgs },
    runtimeConfig: attachment.runtimeConfig,
    mayBeAbsent: prevResult === undefined,
    position: attachment.index,
  };
  if (prevResult !== undefined) item.prevResult = prevResult;
  if (attachment.device?.deviceInfoFile !== undefined) item.deviceInfoFile = attachment.device.deviceInfoFile;
  return item;
}

/** A cache entry's planned DEL as a DEL item; `netns` is this DEL's (the runtime's current one). */
export function deleteItemOfCache(planned: PlannedDelete, netns: string): DeleteItem {
  let network: DelegateNetwork | Error;
  try {
    network = toDelegateNetwork(planned.config);
  } catch (err) {
    network = err instanceof Error ? err : new Error(String(err));
  }
  const item: DeleteItem = {
    label: networkLabel(planned.network, planned.ifName),
    network,
    attachment: { containerID: planned.containerID, netns, ifName: planned.ifName, cniArgs: planned.cniArgs },
    runtimeConfig: planned.runtimeConfig,
    mayBeAbsent: planned.status === "pending",
    position: planned.index,
  };
  if (planned.prevResult !== undefined) item.prevResult = planned.prevResult;
  if (planned.deviceInfoFile !== undefined) item.deviceInfoFile = planned.deviceInfoFile;
  return item;
}

export interface DeleteCall {
  executor: DelegateExecutor;
  logger: Logger;
  signal?: AbortSignal;
  /** Removes the items' device-info files; absent: they are left alone. */
  deviceInfo?: Pick<DeviceInfoStore, "remove">;
  /** Networks other than the first attached deleted at once (netconf attachConcurrency); default 1. */
  concurrency?: number;
}

/** The DeleteCall of an engine invocation: its signal and device-info store, with this executor. */
export function deleteCallOf(
  ctx: {
    signal?: AbortSignal | undefined;
    deviceInfo?: Pick<DeviceInfoStore, "remove"> | undefined;
    netconf?: { attachConcurrency: number };
  },
  executor: DelegateExecutor,
  logger: Logger,
): DeleteCall {
  const call: DeleteCall = { executor, logger };
  if ((ctx.netconf?.attachConcurrency ?? 1) > 1) call.concurrency = ctx.netconf?.attachConcurrency ?? 1;
  if (ctx.signal !== undefined) call.signal = ctx.signal;
  if (ctx.deviceInfo !== undefined) call.deviceInfo = ctx.deviceInfo;
  return call;
}

async function removeDeviceInfoFile(call: DeleteCall, item: DeleteItem): Promise<void> {
  if (item.deviceInfoFile === undefined || call.deviceInfo === undefined) return;
  try {
    await call.deviceInfo.remove(item.deviceInfoFile);
  } catch (err) {
    call.logger.warn({ network: item.label, err, file: item.deviceInfoFile }, "device-info file not removed");
  }
}

/** One item's DEL; a failure is returned (undefined: done, or ignored for an item that may be absent). */
async function deleteOne(call: DeleteCall, item: DeleteItem): Promise<DeleteFailure | undefined> {
  try {
    if (item.network instanceof Error) throw item.network;
    await delConflist(call.executor, {
      network: item.network,
      attachment: item.attachment,
      runtimeConfig: item.runtimeConfig,
      prevResult: item.prevResult,
      signal: call.signal,
      onRun: ({ type, output }) => {
        if (output.stderr !== "")
          call.logger.debug({ plugin: type, stderr: output.stderr }, "delegate DEL stderr");
      },
    });
    call.logger.debug({ network: item.label }, "delegate DEL done");
    await removeDeviceInfoFile(call, item);
    return undefined;
  } catch (err) {
    call.signal?.throwIfAborted();
    const error = failure(item.label, err);
    if (item.mayBeAbsent) {
      call.logger.warn(
        { network: item.label, err: error },
        "delegate DEL failed for a network that may never have been attached: ignored",
      );
      await removeDeviceInfoFile(call, item);
      return undefined;
    }
    call.logger.warn({ network: item.label, err: error }, "delegate DEL failed");
    return { label: item.label, error };
  }
}

/**
 * DEL of every item (given last attached first); resolves with the failures, in item order (empty when all
 * succeeded). One after the other; with `call.concurrency` > 1 the networks after the first attached are
 * deleted up to that many at once, and the first attached (the pod's default network) last, alone — the
 * mirror of ADD's order (add-attach.ts). A failure never stops the others.
 */
export async function deleteNetworks(
  call: DeleteCall,
  items: readonly DeleteItem[],
): Promise<DeleteFailure[]> {
  const outcomes = new Array<DeleteFailure | undefined>(items.length);
  const limit = call.concurrency ?? 1;
  const secondaries = limit > 1 ? items.flatMap((item, i) => (item.position > 0 ? [i] : [])) : [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < secondaries.length) {
      const i = secondaries[next++]!;
      outcomes[i] = await deleteOne(call, items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, secondaries.length) }, lane));
  const done = new Set(secondaries);
  for (const [i, item] of items.entries()) if (!done.has(i)) outcomes[i] = await deleteOne(call, item);
  return outcomes.filter((o): o is DeleteFailure => o !== undefined);
}

/** One message for several failures, `a; b`. */
export function describeFailures(failures: readonly DeleteFailure[]): string {
  return failures.map((f) => f.error.message).join("; ");
}
