// CNI GC (1.1): the runtime's `cni.dev/valid-attachments` against netclaim's attachment cache. Each
// cached attachment the runtime does not list is stale: its networks are DELed from the entry (last
// first) and the entry removed; an entry whose DELs fail is kept and the GC fails naming it (after
// trying every other). Corrupt entries are reported in the log, never removed (nothing can undo them).
// Then each delegate network still in use gets the plugins' GC (those that support 1.1, gcConflist),
// with the attachments that use it as its valid list: the same network name in several entries is one
// network (a delegate's state, e.g. host-local's dataDir, is per network name), and the interface names
// are those the delegates were given (eth0, net1, ...). Networks no cached attachment uses are not
// GCed: netclaim cannot know what else uses them.
// Multus ignores the runtime's list: it GCs its cluster network only, against its own libcni cache.
import type { Logger } from "../../common/logger.ts";
import type { CachedAttachment } from "../cache/attachment-cache.ts";
import { planDelete, planGc } from "../cache/plan.ts";
import type { GcAttachment } from "../delegate/delegate-types.ts";
import { firstFailure, gcConflist, PluginVersions } from "../delegate/gc-status.ts";
import type { LocatingExecutor } from "../delegate/gc-status.ts";
import { toDelegateNetwork } from "../delegate/plugin-config.ts";
import type { DelegateNetwork } from "../delegate/plugin-config.ts";
import { CniError } from "../protocol/errors.ts";
import type { GcRequest } from "../protocol/skel.ts";
import { cacheOf, executorFor } from "./context.ts";
import type { EngineContext } from "./context.ts";
import { deleteItemOfCache, deleteCallOf, deleteNetworks, describeFailures } from "./delete-networks.ts";
import type { AttachmentCacheStore } from "./engine-options.ts";

interface InUse {
  network: DelegateNetwork;
  valid: GcAttachment[];
}

/** The delegate networks the kept entries use, by network name, with their attachments. Pure. */
export function networksInUse(kept: readonly CachedAttachment[]): InUse[] {
  const byName = new Map<string, InUse>();
  for (const { entry } of kept) {
    for (const cached of entry.networks) {
      let network: DelegateNetwork;
      try {
        network = toDelegateNetwork(cached.config);
      } catch {
        continue;
      }
      const use = byName.get(network.name) ?? { network, valid: [] };
      use.valid.push({ containerID: entry.containerID, ifname: cached.ifName });
      byName.set(network.name, use);
    }
  }
  return [...byName.values()];
}

async function removeStale(
  ctx: EngineContext,
  executor: LocatingExecutor,
  cache: AttachmentCacheStore,
  stale: readonly CachedAttachment[],
  logger: Logger,
): Promise<string[]> {
  const failed: string[] = [];
  for (const { entry, file } of stale) {
    // libcni GCs with the cached runtime config, netns included, so interfaces go too.
    const items = planDelete(entry).map((planned) => deleteItemOfCache(planned, entry.netns));
    const failures = await deleteNetworks(deleteCallOf(ctx, executor, logger), items);
    if (failures.length > 0) {
      failed.push(`${entry.containerID} (${entry.ifname}): ${describeFailures(failures)}`);
      continue;
    }
    await cache.remove({ containerID: entry.containerID, ifname: entry.ifname });
    logger.info(
      { containerId: entry.containerID, ifName: entry.ifname, file },
      "GC removed a stale attachment",
    );
  }
  return failed;
}

async function gcDelegates(
  ctx: EngineContext,
  executor: LocatingExecutor,
  kept: readonly CachedAttachment[],
  logger: Logger,
): Promise<void> {
  const versions = new PluginVersions(executor);
  for (const use of networksInUse(kept)) {
    const report = await gcConflist(executor, versions, {
      network: use.network,
      validAttachments: use.valid,
      signal: ctx.signal,
    });
    const failed = firstFailure(report);
    if (failed !== undefined) logger.warn({ network: report.network, err: failed }, "delegate GC failed");
    else logger.debug({ report }, "delegate GC");
  }
}

export async function runGc(ctx: EngineContext, request: GcRequest): Promise<void> {
  const logger = ctx.logger.child({ command: "GC" });
  const cache = cacheOf(ctx);
  const listing = await cache.list();
  for (const corrupt of listing.corrupt) {
    logger.error(
      { file: corrupt.file, containerId: corrupt.containerID, ifName: corrupt.ifname, err: corrupt.error },
      "GC: corrupt attachment cache entry left in place (its networks cannot be deleted)",
    );
  }
  const keyed = listing.entries.map((cached) => ({
    ...cached,
    containerID: cached.entry.containerID,
    ifname: cached.entry.ifname,
  }));
  const plan = planGc(keyed, request.validAttachments);
  const executor = executorFor(ctx, request.path);
  const failed = await removeStale(ctx, executor, cache, plan.stale, logger);
  await gcDelegates(ctx, executor, plan.keep, logger);
  if (failed.length > 0) {
    throw new CniError(
      "DELEGATE_FAILED",
      `GC: stale attachments kept because their DEL failed: ${failed.join("; ")}`,
    );
  }
}
