// CNI CHECK (config version 0.4.0 or later; the request parser refuses older ones with code 1): every
// network of the attachment cache entry, in attach order, is CHECKed with its config, CNI_ARGS and
// capability args as at ADD and its own cached result as prevResult; a conflist with `disableCheck` is
// skipped (checkConflist), and so is a delegate whose cniVersion predates CHECK (logged), rather than
// failing the whole pod for one old NAD. A container without an entry is unknown: code 3 (the spec's
// "container unknown or does not exist"). A corrupt entry, or a network whose ADD never completed,
// fails the CHECK. Multus CHECKs only the static `delegates` of its config, so with `clusterNetwork` (every
// generated config) its CHECK does nothing.
import { planDelete } from "../cache/plan.ts";
import { checkConflist } from "../delegate/conflist.ts";
import { toDelegateNetwork } from "../delegate/plugin-config.ts";
import type { CheckRequest } from "../protocol/skel.ts";
import { compareVersions } from "../protocol/version.ts";
import { cacheOf, describePod, executorFor, podRefOf } from "./context.ts";
import type { EngineContext } from "./context.ts";
import { networkLabel } from "./delete-networks.ts";
import { failure, problem } from "./engine-errors.ts";

const CHECK_MIN_VERSION = "0.4.0";

export async function runCheck(ctx: EngineContext, request: CheckRequest): Promise<void> {
  const who = describePod(podRefOf(request.args), request.containerId);
  const logger = ctx.logger.child({ command: "CHECK", containerId: request.containerId, pod: who });
  const key = { containerID: request.containerId, ifname: request.ifName };
  const read = await cacheOf(ctx).read(key);
  if (read.kind === "missing") {
    throw problem(
      "UNKNOWN_CONTAINER",
      `${who}: no attachment of container ${request.containerId} (${request.ifName}) is known`,
    );
  }
  if (read.kind === "corrupt") {
    throw failure(`${who}: the attachment cache entry ${read.file} is corrupt`, read.error, "CACHE_FAILURE");
  }
  const executor = executorFor(ctx, request.path);
  // planDelete lists the networks last first; CHECK goes in attach order.
  for (const planned of planDelete(read.entry).reverse()) {
    const label = networkLabel(planned.network, planned.ifName);
    if (planned.status !== "added" || planned.prevResult === undefined) {
      throw problem("INTERNAL", `${who}: ${label}: its ADD did not complete`);
    }
    try {
      const network = toDelegateNetwork(planned.config);
      if (compareVersions(network.cniVersion, CHECK_MIN_VERSION) < 0) {
        logger.info(
          { network: label, cniVersion: network.cniVersion },
          "CHECK skipped: the delegate's cniVersion predates CHECK",
        );
        continue;
      }
      await checkConflist(executor, {
        network,
        attachment: {
          containerID: request.containerId,
          netns: request.netns,
          ifName: planned.ifName,
          cniArgs: planned.cniArgs,
        },
        runtimeConfig: planned.runtimeConfig,
        prevResult: planned.prevResult,
        signal: ctx.signal,
      });
    } catch (err) {
      throw failure(`${who}: ${label}`, err);
    }
  }
}
