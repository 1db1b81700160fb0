// The I/O of ADD once the plan stands: the attachment cache entry written before the first delegate
// runs (every network "pending", with its config exactly as run), each delegate's ADD (the default
// network first, then the secondaries in order or, with `attachConcurrency`, several at once), its
// default-route instruction applied in the pod, the entry updated after each success with the result
// (as rewritten for the routes: the prevResult of its DEL and CHECK), and on any failure the rollback:
// DEL of the failed network and of every one attempted, last first, then the entry removed
// (kept when a rollback DEL failed, so that the runtime's DEL can finish the job).
// A network with a device (plan-devices.ts) has its CNI device-info file written right before its
// delegate runs — after the cache entry that records it, so a crash leaves nothing unrecorded — and read
// back after the ADD (a plugin may have filled it in) for network-status' `device-info`.
import type { Logger } from "../../common/logger.ts";
import type { AttachmentKey } from "../cache/cache-key.ts";
import { markNetworkAdded, newCacheEntry } from "../cache/entry.ts";
import type { AttachmentCacheEntry } from "../cache/entry-schema.ts";
import { addConflist } from "../delegate/conflist.ts";
import type { DelegateExecutor } from "../delegate/conflist.ts";
import type { JsonObject } from "../delegate/json.ts";
import { convertResult, toCanonicalResult } from "../protocol/result-convert.ts";
import { resultToJson } from "../protocol/result-json.ts";
import { parseResult } from "../protocol/result.ts";
import type { Result100 } from "../protocol/result.ts";
import type { AddRequest } from "../protocol/skel.ts";
import {
  applyDefaultRouteInstruction,
  changesRoutes,
  instructionForResult,
} from "../selection/default-route.ts";
import type { EngineContext, PodRef } from "./context.ts";
import {
  deleteItemOfAttachment,
  deleteCallOf,
  deleteNetworks,
  describeFailures,
  networkLabel,
} from "./delete-networks.ts";
import type { AttachmentCacheStore } from "./engine-options.ts";
import { failure } from "./engine-errors.ts";
import type { PlannedAttachment } from "./plan-attachments.ts";
import { toPlannedNetwork } from "./plan-attachments.ts";
import { specDeviceInfo } from "./device-info-status.ts";
import type { DeviceInfo } from "../selection/network-status.ts";

export interface AttachedNetwork {
  attachment: PlannedAttachment;
  /** The result in the 1.1.0 shape, default routes as they are in the pod. */
  result: Result100;
  /** What the cache holds as prevResult (the delegate's version). */
  cached: JsonObject;
  /** The device-info file's content after the ADD, for network-status (spec types only). */
  deviceInfo?: DeviceInfo;
}

export interface AddSession {
  ctx: EngineContext;
  request: AddRequest;
  executor: DelegateExecutor;
  cache: AttachmentCacheStore;
  logger: Logger;
  /** For messages: `pod ns/name` or `container <id>`. */
  who: string;
  /** The pod as cached (API's when known, else CNI_ARGS's). */
  pod: PodRef;
}

function keyOf(request: AddRequest): AttachmentKey {
  return { containerID: request.containerId, ifname: request.ifName };
}

async function writeDeviceInfo(session: AddSession, attachment: PlannedAttachment): Promise<void> {
  const store = session.ctx.deviceInfo;
  const { deviceInfoFile, deviceInfo } = attachment.device ?? {};
  if (store === undefined || deviceInfoFile === undefined || deviceInfo === undefined) return;
  await store.write(deviceInfoFile, deviceInfo);
}

/** The device-info file as the delegate left it (what was written when it cannot be read). */
async function readDeviceInfo(
  session: AddSession,
  attachment: PlannedAttachment,
): Promise<DeviceInfo | undefined> {
  const store = session.ctx.deviceInfo;
  const { deviceInfoFile, deviceInfo } = attachment.device ?? {};
  if (store === undefined || deviceInfoFile === undefined) return undefined;
  try {
    return specDeviceInfo((await store.read(deviceInfoFile)) ?? deviceInfo);
  } catch (err) {
    session.logger.warn({ err, file: deviceInfoFile }, "device-info file unreadable after ADD");
    return specDeviceInfo(deviceInfo);
  }
}

function withDeviceInfo(attached: AttachedNetwork, info: DeviceInfo | undefined): AttachedNetwork {
  return info === undefined ? attached : { ...attached, deviceInfo: info };
}

async function runOne(session: AddSession, attachment: PlannedAttachment): Promise<AttachedNetwork> {
  await writeDeviceInfo(session, attachment);
  const attached = await runDelegate(session, attachment);
  return withDeviceInfo(attached, await readDeviceInfo(session, attachment));
}

async function runDelegate(session: AddSession, attachment: PlannedAttachment): Promise<AttachedNetwork> {
  const { ctx, request } = session;
  const output = await addConflist(session.executor, {
    network: attachment.network,
    attachment: {
      containerID: request.containerId,
      netns: request.netns,
      ifName: attachment.ifName,
      cniArgs: attachment.cniArgs,
    },
    runtimeConfig: attachment.runtimeConfig,
    signal: ctx.signal,
    onRun: ({ type, output: run }) => {
      if (run.stderr !== "")
        session.logger.debug({ plugin: type, stderr: run.stderr }, "delegate ADD stderr");
    },
  });
  const parsed = parseResult(output, attachment.network.cniVersion);
  const canonical = toCanonicalResult(parsed);
  const instruction = instructionForResult(attachment.route, canonical);
  if (!changesRoutes(instruction)) return { attachment, result: canonical, cached: output };
  await ctx.routes.apply(request.netns, instruction, ctx.signal);
  const rewritten = applyDefaultRouteInstruction(canonical, instruction);
  return { attachment, result: rewritten, cached: resultToJson(convertResult(rewritten, parsed.cniVersion)) };
}

/** Rolls back `attempted` (last first) and the cache entry; logs, never throws (but for an abort). */
export async function rollback(
  session: AddSession,
  attempted: readonly PlannedAttachment[],
  cachedResults: ReadonlyMap<number, JsonObject>,
): Promise<void> {
  const { request } = session;
  const env = { containerID: request.containerId, netns: request.netns };
  const items = [...attempted]
    .reverse()
    .map((a) => deleteItemOfAttachment(a, env, cachedResults.get(a.index)));
  const failures = await deleteNetworks(deleteCallOf(session.ctx, session.executor, session.logger), items);
  if (failures.length > 0) {
    session.logger.error(
      { failures: describeFailures(failures) },
      "ADD rollback incomplete: the attachment cache entry is kept for the runtime's DEL",
    );
    return;
  }
  try {
    await session.cache.remove(keyOf(request));
  } catch (err) {
    session.logger.error({ err }, "ADD rollback: could not remove the attachment cache entry");
  }
}

async function writeEntry(session: AddSession, entry: AttachmentCacheEntry): Promise<void> {
  try {
    await session.cache.write(entry);
  } catch (err) {
    throw failure(`${session.who}: attachment cache`, err);
  }
}

/**
 * Attaches every planned network: the default network first, then the secondary networks — one after the
 * other as Multus does, or up to `netconf.attachConcurrency` at once (each delegate gets its own interface
 * name and config; their cache updates are written one at a time, in completion order). Resolves with what
 * was attached, in plan order; on a failure starts nothing more, lets the running ones finish, rolls back
 * every network attempted and throws a CniError naming the pod, the (first) failed network and its error.
 */
export async function attachAll(
  session: AddSession,
  attachments: readonly PlannedAttachment[],
): Promise<AttachedNetwork[]> {
  const { request } = session;
  const entry = newCacheEntry({
    containerID: request.containerId,
    netns: request.netns,
    ifname: request.ifName,
    pod: { ...session.pod },
    cniArgs: request.args.raw,
    networks: attachments.map(toPlannedNetwork),
  });
  await writeEntry(session, entry);
  const run = new AttachRun(session, entry);
  const [first, ...rest] = attachments;
  if (first !== undefined && first.isDefault) await run.attach(0, first);
  else if (first !== undefined) rest.unshift(first);
  const offset = attachments.length - rest.length;
  const limit = Math.max(1, session.ctx.netconf.attachConcurrency);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (run.failure === undefined && next < rest.length) {
      const i = next++;
      await run.attach(offset + i, rest[i]!);
    }
  };
  if (run.failure === undefined)
    await Promise.all(Array.from({ length: Math.min(limit, rest.length) }, lane));
  await run.settled();
  if (run.failure === undefined) return run.inPlanOrder();
  session.ctx.signal?.throwIfAborted();
  await rollback(session, run.attemptedInPlanOrder(), cachedResultsOf(run.inPlanOrder()));
  throw run.failure;
}

/** The state of one ADD's attachments: what was attempted and attached, the cache entry, the first failure. */
class AttachRun {
  private readonly session: AddSession;
  private entry: AttachmentCacheEntry;
  private entryWrites: Promise<void> = Promise.resolve();
  private readonly attempted = new Map<number, PlannedAttachment>();
  private readonly attached = new Map<number, AttachedNetwork>();
  failure: Error | undefined;

  constructor(session: AddSession, entry: AttachmentCacheEntry) {
    this.session = session;
    this.entry = entry;
  }

  /** Runs one network; records its result (and the cache update) or the run's first failure. */
  async attach(position: number, attachment: PlannedAttachment): Promise<void> {
    this.attempted.set(position, attachment);
    try {
      const attached = await runOne(this.session, attachment);
      this.attached.set(position, attached);
      await this.updateEntry(position, attached.cached);
      this.session.logger.info({ network: attachment.name, ifName: attachment.ifName }, "network attached");
    } catch (err) {
      const label = networkLabel(attachment.name, attachment.ifName);
      this.failure ??= failure(`${this.session.who}: ${label}`, err);
    }
  }

  private updateEntry(position: number, cached: JsonObject): Promise<void> {
    const write = this.entryWrites.then(async () => {
      this.entry = markNetworkAdded(this.entry, position, cached);
      await writeEntry(this.session, this.entry);
    });
    this.entryWrites = write.catch(() => undefined);
    return write;
  }

  settled(): Promise<void> {
    return this.entryWrites;
  }

  inPlanOrder(): AttachedNetwork[] {
    return [...this.attached.entries()].sort(([a], [b]) => a - b).map(([, v]) => v);
  }

  attemptedInPlanOrder(): PlannedAttachment[] {
    return [...this.attempted.entries()].sort(([a], [b]) => a - b).map(([, v]) => v);
  }
}

export function cachedResultsOf(attached: readonly AttachedNetwork[]): Map<number, JsonObject> {
  return new Map(attached.map((a) => [a.attachment.index, a.cached]));
}
