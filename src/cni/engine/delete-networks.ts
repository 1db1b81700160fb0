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
}

/** The DeleteCall of an engine invocation: its signal and device-info store, with this executor. */
export function deleteCallOf(
  ctx: { signal?: AbortSignal | undefined; deviceInfo?: Pick<DeviceInfoStore, "remove"> | undefined },
  executor: DelegateExecutor,
  logger: Logger,
): DeleteCall {
  const call: DeleteCall = { executor, logger };
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

/** DEL of every item in order; resolves with the failures (empty when all succeeded). */
export async function deleteNetworks(
  call: DeleteCall,
  items: readonly DeleteItem[],
): Promise<DeleteFailure[]> {
  const failures: DeleteFailure[] = [];
  for (const item of items) {
    try {
      if (item.network instanceof Error) throw item.network;
      const network = item.network;
      await delConflist(call.executor, {
        network,
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
    } catch (err) {
      call.signal?.throwIfAborted();
      const error = failure(item.label, err);
      if (item.mayBeAbsent) {
        call.logger.warn(
          { network: item.label, err: error },
          "delegate DEL failed for a network that may never have been attached: ignored",
        );
        await removeDeviceInfoFile(call, item);
        continue;
      }
      call.logger.warn({ network: item.label, err: error }, "delegate DEL failed");
      failures.push({ label: item.label, error });
    }
  }
  return failures;
}

/** One message for several failures, `a; b`. */
export function describeFailures(failures: readonly DeleteFailure[]): string {
  return failures.map((f) => f.error.message).join("; ");
}
