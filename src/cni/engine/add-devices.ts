// The I/O half of correlation in ADD: which networks need a device (a NAD with
// k8s.v1.cni.cncf.io/resourceName), the pod's devices from the DeviceSource, the decision
// (correlation/correlate.ts), and the device plugins' device-info files of the chosen devices. Without a
// DeviceSource, resourceNames are ignored, as before correlation existed. A network that needs a device
// and finds none fails the ADD (DEVICE_NOT_FOUND) before anything is attached, with correlate's message
// naming the pod, the network and the resourceName.
import { correlate } from "../correlation/correlate.ts";
import { parseDeviceIdFormat } from "../correlation/handover.ts";
import type { DeviceIdFormat } from "../correlation/handover.ts";
import { IP_POOL_ANNOTATION, RESOURCE_NAME_ANNOTATION } from "../correlation/types.ts";
import type { CandidateDevice, DeviceNeed } from "../correlation/types.ts";
import type { EngineContext } from "./context.ts";
import { failure, problem } from "./engine-errors.ts";
import type { CorrelatedDevice } from "./plan-devices.ts";
import { isResolved } from "./resolve-networks.ts";
import type { NetworkSlot } from "./resolve-networks.ts";

/**
 * The networks that need a device, in attach order (with the NAD's netclaim.dev/ip-pool, whose addresses
 * only claim devices of `driverName` get). Pure.
 */
export function deviceNeeds(networks: readonly NetworkSlot[], driverName?: string): DeviceNeed[] {
  return networks.flatMap((slot, index): DeviceNeed[] => {
    if (!isResolved(slot)) return [];
    const resourceName = (slot.nadAnnotations?.[RESOURCE_NAME_ANNOTATION] ?? "").trim();
    if (resourceName === "") return [];
    const ipPool = (slot.nadAnnotations?.[IP_POOL_ANNOTATION] ?? "").trim();
    const pool =
      ipPool === "" ? {} : { ipPool, ...(driverName === undefined ? {} : { ipPoolDriver: driverName }) };
    return [{ index, network: slot.name, resourceName, ...pool }];
  });
}

export interface FindDevicesInput {
  pod: { namespace: string; name: string; uid: string };
  networks: readonly NetworkSlot[];
}

async function devicePluginInfo(ctx: EngineContext, device: CandidateDevice) {
  const store = ctx.deviceInfo;
  const id = device.deviceIDAttr ?? device.pciAddress;
  const resourceName = device.resourceNameAttr;
  if (store === undefined || id === undefined || resourceName === undefined) return undefined;
  try {
    return await store.readDevicePluginInfo(resourceName, id);
  } catch (err) {
    ctx.logger.warn({ err, resourceName, deviceId: id }, "device plugin's device-info file ignored");
    return undefined;
  }
}

/** The device-id format each need's NAD asks for; throws for an unknown one. */
function deviceIdFormats(
  needs: readonly DeviceNeed[],
  networks: readonly NetworkSlot[],
  who: string,
): DeviceIdFormat[] {
  return needs.map((need) => {
    const slot = networks[need.index];
    const format = parseDeviceIdFormat(slot !== undefined && isResolved(slot) ? slot.nadAnnotations : {});
    if (!format.ok) {
      throw problem(
        "INVALID_NETWORK_CONFIG",
        `${who}: network ${JSON.stringify(need.network)}: ${format.problem}`,
      );
    }
    return format.format;
  });
}

function logCorrelated(ctx: EngineContext, found: CorrelatedDevice): void {
  const { device, need } = found;
  ctx.logger.info(
    {
      network: need.network,
      resourceName: need.resourceName,
      device: `${device.driver}/${device.pool}/${device.device}`,
      claim: device.claimName === "" ? undefined : `${device.claimNamespace}/${device.claimName}`,
      rule: found.rule,
      sources: device.sources,
    },
    "device correlated",
  );
}

/** The device of every network that needs one, by attach position; throws DEVICE_NOT_FOUND. */
export async function findDevices(
  ctx: EngineContext,
  input: FindDevicesInput,
): Promise<Map<number, CorrelatedDevice>> {
  const found = new Map<number, CorrelatedDevice>();
  const needs = deviceNeeds(input.networks, ctx.netconf.driverName);
  if (needs.length === 0) return found;
  const source = ctx.deviceSource;
  if (source === undefined) {
    ctx.logger.debug({ networks: needs.map((n) => n.network) }, "resourceName ignored: no device source");
    return found;
  }
  const who = `pod ${input.pod.namespace}/${input.pod.name}`;
  const formats = deviceIdFormats(needs, input.networks, who);
  let answer;
  try {
    answer = await source.devicesFor({ pod: input.pod, needs }, ctx.signal);
  } catch (err) {
    ctx.signal?.throwIfAborted();
    throw failure(`${who}: find the pod's devices`, err, "DEVICE_NOT_FOUND");
  }
  const outcomes = correlate({
    pod: input.pod,
    needs,
    candidates: answer.candidates,
    consulted: answer.consulted,
  });
  const missing = outcomes.find((o) => o.kind === "missing");
  if (missing !== undefined) throw problem("DEVICE_NOT_FOUND", missing.message);
  for (const [position, outcome] of outcomes.entries()) {
    if (outcome.kind === "missing") continue;
    const info = await devicePluginInfo(ctx, outcome.device);
    const correlated: CorrelatedDevice = {
      need: outcome.need,
      device: outcome.device,
      rule: outcome.rule,
      format: formats[position] ?? "device-id",
    };
    if (info !== undefined) correlated.devicePluginInfo = info;
    found.set(outcome.need.index, correlated);
    logCorrelated(ctx, correlated);
  }
  return found;
}
