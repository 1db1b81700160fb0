// Step 7 of ADD: the ResourceClaims' status.devices entries of the claim devices just attached, through
// the ClaimStatusWriter (one write per claim; correlation/claim-status.ts decides the content). The pod is
// attached by now and network-status written: a failure here is logged, never fails the ADD — the
// entries are information for users and controllers, and a later ADD or the kubelet plugin can write
// them again.
import { claimStatusUpdates } from "../correlation/claim-status-updates.ts";
import type { AttachedClaimDevice } from "../correlation/claim-status-updates.ts";
import type { AddSession, AttachedNetwork } from "./add-attach.ts";

export async function reportClaimStatuses(
  session: AddSession,
  attached: readonly AttachedNetwork[],
): Promise<void> {
  const writer = session.ctx.claimStatusWriter;
  if (writer === undefined) return;
  const items = attached.flatMap((a): AttachedClaimDevice[] => {
    const device = a.attachment.device?.candidate;
    if (device === undefined) return [];
    return [{ network: a.attachment.name, ifName: a.attachment.ifName, device, result: a.result }];
  });
  if (items.length === 0) return;
  const pod = `${session.pod.namespace}/${session.pod.name}`;
  const updates = claimStatusUpdates(items, { driverName: session.ctx.netconf.driverName, pod });
  for (const update of updates) {
    const claim = `${update.claim.namespace}/${update.claim.name}`;
    try {
      await writer.writeDeviceStatuses(update.claim, update.devices, session.ctx.signal);
      session.logger.info({ claim, devices: update.devices.length }, "claim status.devices written");
    } catch (err) {
      // the pod is attached: even an abort here must not turn the ADD into a failure
      session.logger.error({ err, claim }, "claim status.devices not written");
    }
  }
}
