// CNI ADD (Multus's CmdAdd, with netclaim's differences noted where they are decided):
//   1. wait (bounded) for the readiness indicator file, before anything else;
//   2. find the pod named in CNI_ARGS (retried briefly; a missing pod attaches the config's networks
//      only and logs a warning; a K8S_POD_UID that is not the API pod's fails);
//   3. resolve the networks (resolve-networks.ts) and plan them (plan-attachments.ts): interface names,
//      default routes and configs are checked before anything is attached;
//   3b. with a DeviceSource: the device of every network whose NAD has a resourceName (add-devices.ts;
//      a network without its device fails the ADD before anything is attached), handed to its delegate
//      (plan-devices.ts);
//   4. attach (add-attach.ts: cache entry first, delegates in order, rollback on failure);
//   5. the result in the caller's version (a result that version cannot express fails and rolls back);
//   6. network-status on the pod, unless the pod is in a system namespace. A failure to write it fails
//      the ADD, as in Multus (which tolerates only "pod not found", as netclaim does); netclaim also rolls
//      the attachments back, where Multus leaves them for the runtime's DEL;
//   7. with a ClaimStatusWriter: status.devices of the attached claim devices (add-claim-status.ts),
//      logged and not fatal when it fails.
import type { CniReply } from "../protocol/output.ts";
import { resultReply } from "../protocol/output.ts";
import { convertResult } from "../protocol/result-convert.ts";
import type { CniResult } from "../protocol/result.ts";
import type { AddRequest } from "../protocol/skel.ts";
import { isSystemNamespace } from "../selection/namespace-isolation.ts";
import { attachAll, cachedResultsOf, rollback } from "./add-attach.ts";
import { reportClaimStatuses } from "./add-claim-status.ts";
import { findDevices } from "./add-devices.ts";
import type { AddSession, AttachedNetwork } from "./add-attach.ts";
import { mergeResults, networkStatusValue } from "./add-result.ts";
import { cacheOf, describePod, executorFor, namesPod, podRefOf } from "./context.ts";
import type { EngineContext, PodRef } from "./context.ts";
import { DEFAULT_READINESS_TIMEOUT_MS } from "./engine-options.ts";
import { failure, isNotFoundError } from "./engine-errors.ts";
import { planAttachments } from "./plan-attachments.ts";
import type { PlannedAttachment } from "./plan-attachments.ts";
import { withDevices } from "./plan-devices.ts";
import { lookupPodForAdd, podUidMismatch } from "./pod-lookup.ts";
import type { PodInfo } from "./ports.ts";
import { resolveNetworks } from "./resolve-networks.ts";
import type { NetworkSlot } from "./resolve-networks.ts";

async function waitForReadiness(ctx: EngineContext, who: string): Promise<void> {
  const path = ctx.netconf.readinessindicatorfile;
  if (path === "") return;
  try {
    await ctx.readiness.waitReady(path, ctx.readinessTimeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS, ctx.signal);
  } catch (err) {
    ctx.signal?.throwIfAborted();
    throw failure(
      `${who}: the default network is not ready (readinessindicatorfile ${path})`,
      err,
      "TRY_AGAIN_LATER",
    );
  }
}

/** The pod, or undefined when there is no API, no pod named, or none found. */
async function findPod(ctx: EngineContext, ref: PodRef): Promise<PodInfo | undefined> {
  const cluster = ctx.cluster;
  if (cluster === undefined || !namesPod(ref)) return undefined;
  const pod = await lookupPodForAdd(ctx, cluster, ref);
  if (pod === undefined) {
    ctx.logger.warn(
      { pod: `${ref.namespace}/${ref.name}` },
      "pod not found in the API: attaching the cluster network only",
    );
    return undefined;
  }
  const mismatch = podUidMismatch(ref, pod);
  if (mismatch !== undefined) throw mismatch;
  return pod;
}

async function writeStatus(
  session: AddSession,
  pod: PodInfo,
  attached: readonly AttachedNetwork[],
): Promise<void> {
  const { ctx } = session;
  const writer = ctx.statusWriter;
  if (writer === undefined || isSystemNamespace(pod.namespace, ctx.netconf.systemNamespaces)) return;
  try {
    await writer.writeNetworkStatus(pod, networkStatusValue(attached), ctx.signal);
  } catch (err) {
    if (isNotFoundError(err)) {
      session.logger.warn({ err }, "network-status not written: the pod is gone");
      return;
    }
    throw failure(`${session.who}: write the network-status annotation`, err, "KUBE_API");
  }
}

function convertForCaller(session: AddSession, attached: readonly AttachedNetwork[]): CniResult {
  try {
    return convertResult(mergeResults(attached), session.request.cniVersion);
  } catch (err) {
    throw failure(`${session.who}: the result`, err);
  }
}

/** Steps 5 and 6, rolling everything back when one fails. */
async function finish(
  session: AddSession,
  pod: PodInfo | undefined,
  attached: readonly AttachedNetwork[],
): Promise<CniResult> {
  try {
    const result = convertForCaller(session, attached);
    if (pod !== undefined) await writeStatus(session, pod, attached);
    return result;
  } catch (err) {
    session.ctx.signal?.throwIfAborted();
    const attempted = attached.map((a) => a.attachment);
    await rollback(session, attempted, cachedResultsOf(attached));
    throw err;
  }
}

interface DeviceStepInput {
  pod: PodRef;
  networks: readonly NetworkSlot[];
  planned: readonly PlannedAttachment[];
}

/** Step 3b: the planned attachments with their devices. */
async function attachmentsWithDevices(
  ctx: EngineContext,
  request: AddRequest,
  input: DeviceStepInput,
): Promise<PlannedAttachment[]> {
  const devices = await findDevices(ctx, { pod: input.pod, networks: input.networks });
  if (devices.size === 0) return [...input.planned];
  const store = ctx.deviceInfo;
  try {
    return withDevices(input.planned, devices, {
      containerId: request.containerId,
      ...(store === undefined ? {} : { cniPath: (name: string) => store.cniPath(name) }),
    });
  } catch (err) {
    throw failure(describePod(input.pod, request.containerId), err);
  }
}

export async function runAdd(ctx: EngineContext, request: AddRequest): Promise<CniReply> {
  const ref = podRefOf(request.args);
  const who = describePod(ref, request.containerId);
  const logger = ctx.logger.child({ command: "ADD", containerId: request.containerId, pod: who });
  await waitForReadiness(ctx, who);
  const pod = await findPod(ctx, ref);
  let resolution;
  try {
    resolution = await resolveNetworks(ctx, { pod });
  } catch (err) {
    throw failure(who, err);
  }
  const planned = planAttachments({
    networks: resolution.networks,
    cniIfName: request.ifName,
    pod: ref,
    runtimeArgs: request.args,
    netconf: ctx.netconf,
  });
  if (!planned.ok) throw failure(who, planned.error);
  const podRef = pod === undefined ? ref : { namespace: pod.namespace, name: pod.name, uid: pod.uid };
  const attachments = await attachmentsWithDevices(ctx, request, {
    pod: podRef,
    networks: resolution.networks,
    planned: planned.plan.attachments,
  });
  const session: AddSession = {
    ctx,
    request,
    executor: executorFor(ctx, request.path),
    cache: cacheOf(ctx),
    logger,
    who,
    pod: podRef,
  };
  const attached = await attachAll(session, attachments);
  const result = await finish(session, pod, attached);
  await reportClaimStatuses(session, attached);
  return resultReply(result, request.cniVersion);
}
