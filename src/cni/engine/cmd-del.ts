// CNI DEL. The attachment cache entry ADD wrote is the source: every network it lists (pending ones too)
// is DELed with its config, CNI_ARGS, capability args and prevResult exactly as at ADD, last attached
// first, so no API server, pod or NAD is needed. The entry is removed only once every DEL succeeded;
// otherwise it stays and the DEL fails, so the runtime's retry can finish the job.
// Without an entry the networks are rebuilt from the API as ADD resolves them (Multus does the same):
//   - entry missing: the usual case of a second DEL, or of a container never ADDed. A pod that is gone,
//     or an API that cannot be asked, leaves nothing to do: the DEL succeeds (the spec: DEL of an unknown
//     container succeeds). Nothing is known to be attached, so a delegate's failing DEL is only logged.
//   - entry corrupt: logged, and rebuilt from the API; when that is impossible too the DEL fails loudly,
//     naming the file. Multus reports success here without calling any delegate, and the addresses leak.
// The readiness indicator file is checked once and only logged (Multus).
import type { Logger } from "../../common/logger.ts";
import type { AttachmentKey } from "../cache/cache-key.ts";
import { planDelete } from "../cache/plan.ts";
import type { CacheReadResult } from "../cache/attachment-cache.ts";
import type { DelegateExecutor } from "../delegate/conflist.ts";
import { CniError } from "../protocol/errors.ts";
import type { DelRequest } from "../protocol/skel.ts";
import { cacheOf, describePod, executorFor, namesPod, podRefOf } from "./context.ts";
import type { EngineContext, PodRef } from "./context.ts";
import {
  deleteItemOfAttachment,
  deleteItemOfCache,
  deleteCallOf,
  deleteNetworks,
  describeFailures,
} from "./delete-networks.ts";
import type { DeleteFailure } from "./delete-networks.ts";
import type { AttachmentCacheStore } from "./engine-options.ts";
import { problem } from "./engine-errors.ts";
import { planAttachments } from "./plan-attachments.ts";
import { lookupPodForDel } from "./pod-lookup.ts";
import { resolveNetworks } from "./resolve-networks.ts";
import { errorMessage } from "../../common/errors.ts";

interface DelSession {
  ctx: EngineContext;
  request: DelRequest;
  ref: PodRef;
  who: string;
  logger: Logger;
  executor: DelegateExecutor;
  cache: AttachmentCacheStore;
  key: AttachmentKey;
}

/** What rebuilding from the API achieved. */
type Rebuilt =
  | { kind: "unavailable"; reason: string }
  | { kind: "pod-missing" }
  | { kind: "deleted"; failures: DeleteFailure[]; unresolved: string[] };

function incomplete(session: DelSession, failures: readonly DeleteFailure[]): CniError {
  const first = failures[0]?.error;
  const code = first instanceof CniError ? first.code : "DELEGATE_FAILED";
  return new CniError(
    code,
    `${session.who}: DEL failed; the attachment cache entry is kept for the runtime's retry: ${describeFailures(failures)}`,
    {
      cause: first,
      details: first instanceof CniError ? first.details : undefined,
    },
  );
}

async function checkReadiness(session: DelSession): Promise<void> {
  const path = session.ctx.netconf.readinessindicatorfile;
  if (path === "") return;
  try {
    if (!(await session.ctx.readiness.isReady(path))) {
      session.logger.warn({ readinessindicatorfile: path }, "readiness indicator file missing on DEL");
    }
  } catch (err) {
    session.logger.warn({ err, readinessindicatorfile: path }, "readiness indicator file not checked on DEL");
  }
}

type EntryRead =
  Extract<CacheReadResult, { kind: "found" | "missing" }> | { kind: "corrupt"; file: string; error: Error };

async function readEntry(session: DelSession): Promise<EntryRead> {
  try {
    return await session.cache.read(session.key);
  } catch (err) {
    // Unreadable (permissions, I/O): as good as corrupt — rebuild, or fail loudly.
    const error = err instanceof Error ? err : new Error(String(err));
    return { kind: "corrupt", file: session.cache.pathFor(session.key), error };
  }
}

async function deleteFromCache(
  session: DelSession,
  read: Extract<CacheReadResult, { kind: "found" }>,
): Promise<void> {
  const netns = session.request.netns ?? "";
  const items = planDelete(read.entry).map((planned) => deleteItemOfCache(planned, netns));
  const failures = await deleteNetworks(deleteCallOf(session.ctx, session.executor, session.logger), items);
  if (failures.length > 0) throw incomplete(session, failures);
  await session.cache.remove(session.key);
  session.logger.info({ networks: items.length }, "DEL done from the attachment cache");
}

/**
 * Rebuilds the networks from the API and DELs them. `attached`: they are known to be attached (the
 * entry was there, corrupt), so a failing DEL counts; otherwise failures are only logged.
 */
async function rebuildAndDelete(session: DelSession, attached: boolean): Promise<Rebuilt> {
  const { ctx, ref, request } = session;
  if (ctx.cluster === undefined) return { kind: "unavailable", reason: "no Kubernetes API is configured" };
  if (!namesPod(ref)) return { kind: "unavailable", reason: "CNI_ARGS names no pod" };
  const answer = await lookupPodForDel(ctx, ctx.cluster, ref);
  if (answer.kind === "missing") return { kind: "pod-missing" };
  if (answer.kind === "failed") return { kind: "unavailable", reason: errorMessage(answer.error) };
  let resolution;
  try {
    resolution = await resolveNetworks(ctx, { pod: answer.pod, lenient: true });
  } catch (err) {
    return { kind: "unavailable", reason: errorMessage(err) };
  }
  const planned = planAttachments({
    networks: resolution.networks,
    cniIfName: request.ifName,
    pod: ref,
    runtimeArgs: request.args,
    netconf: ctx.netconf,
  });
  if (!planned.ok) return { kind: "unavailable", reason: errorMessage(planned.error) };
  const env = { containerID: request.containerId, netns: request.netns ?? "" };
  const items = [...planned.plan.attachments]
    .reverse()
    .map((a) => ({ ...deleteItemOfAttachment(a, env), mayBeAbsent: !attached }));
  const failures = await deleteNetworks(deleteCallOf(ctx, session.executor, session.logger), items);
  const unresolved = [
    ...planned.plan.unresolved.map(
      (u) => `network ${JSON.stringify(u.name)} (${u.ifName}): ${errorMessage(u.problem)}`,
    ),
    ...resolution.problems.map((p) => errorMessage(p)),
  ];
  return { kind: "deleted", failures, unresolved };
}

async function deleteWithoutEntry(session: DelSession): Promise<void> {
  const rebuilt = await rebuildAndDelete(session, false);
  if (rebuilt.kind === "unavailable") {
    session.logger.warn(
      { reason: rebuilt.reason },
      "no attachment cache entry and no networks from the API: nothing to DEL",
    );
    return;
  }
  if (rebuilt.kind === "pod-missing") {
    session.logger.info("no attachment cache entry and the pod is gone: nothing to DEL");
    return;
  }
  if (rebuilt.unresolved.length > 0) {
    session.logger.warn(
      { unresolved: rebuilt.unresolved },
      "DEL without a cache entry: some networks could not be rebuilt",
    );
  }
  // Nothing is known to be attached here, so DEL failures were only logged (delete-networks.ts).
}

async function deleteCorrupt(
  session: DelSession,
  read: Extract<EntryRead, { kind: "corrupt" }>,
): Promise<void> {
  session.logger.error(
    { file: read.file, err: read.error },
    "attachment cache entry is corrupt: rebuilding the networks from the API",
  );
  const rebuilt = await rebuildAndDelete(session, true);
  const giveUp = `remove ${read.file} to give up on this attachment`;
  const corrupt = `the attachment cache entry ${read.file} is corrupt (${errorMessage(read.error)})`;
  if (rebuilt.kind !== "deleted") {
    const why = rebuilt.kind === "pod-missing" ? "the pod is gone" : rebuilt.reason;
    throw problem(
      "CACHE_FAILURE",
      `${session.who}: ${corrupt} and the networks cannot be rebuilt from the API (${why}): nothing was deleted; ${giveUp}`,
    );
  }
  if (rebuilt.failures.length > 0) throw incomplete(session, rebuilt.failures);
  if (rebuilt.unresolved.length > 0) {
    throw problem(
      "CACHE_FAILURE",
      `${session.who}: ${corrupt} and some networks cannot be rebuilt from the API (${rebuilt.unresolved.join("; ")}); ${giveUp}`,
    );
  }
  await session.cache.remove(session.key);
  session.logger.info("DEL done from the API after a corrupt cache entry");
}

export async function runDel(ctx: EngineContext, request: DelRequest): Promise<void> {
  const ref = podRefOf(request.args);
  const who = describePod(ref, request.containerId);
  const session: DelSession = {
    ctx,
    request,
    ref,
    who,
    logger: ctx.logger.child({ command: "DEL", containerId: request.containerId, pod: who }),
    executor: executorFor(ctx, request.path),
    cache: cacheOf(ctx),
    key: { containerID: request.containerId, ifname: request.ifName },
  };
  await checkReadiness(session);
  const read = await readEntry(session);
  if (read.kind === "found") return deleteFromCache(session, read);
  if (read.kind === "missing") return deleteWithoutEntry(session);
  return deleteCorrupt(session, read);
}
