// The pure half of ADD (and of DEL without a cache entry): from the pod's resolved networks to the
// ordered attachments — interface name, the delegate config exactly as run, its capability args, its
// CNI_ARGS and its default-route instruction — or the first reason not to attach anything: an invalid
// or duplicate interface name, two default-route requests of one IP family, an unusable config.
import type { CachedNetwork } from "../cache/entry-schema.ts";
import type { PlannedNetwork } from "../cache/entry.ts";
import type { JsonObject } from "../delegate/json.ts";
import { toDelegateNetwork } from "../delegate/plugin-config.ts";
import type { DelegateNetwork } from "../delegate/plugin-config.ts";
import type { CniArgs } from "../protocol/env.ts";
import type { CniError } from "../protocol/errors.ts";
import { planDefaultRoutes } from "../selection/default-route.ts";
import type { DefaultRouteInstruction } from "../selection/default-route.ts";
import { assignInterfaceNames } from "../selection/interface-names.ts";
import type { PodRef } from "./context.ts";
import { delegateCniArgs, delegateConfigToRun, runtimeConfigForNetwork } from "./delegate-input.ts";
import { failure, selectionFailure } from "./engine-errors.ts";
import type { AttachmentDevice } from "./plan-devices.ts";
import { isResolved } from "./resolve-networks.ts";
import type { NetworkSlot, ResolvedNetwork, UnresolvedNetwork } from "./resolve-networks.ts";

export interface PlannedAttachment {
  /** Position in attach order (0 = the pod's default network). */
  index: number;
  /** network-status/cache name: `ns/name` or the CNI config's name. */
  name: string;
  isDefault: boolean;
  ifName: string;
  /** The delegate config exactly as run (and cached). */
  config: JsonObject;
  network: DelegateNetwork;
  runtimeConfig: JsonObject;
  cniArgs: string;
  route: DefaultRouteInstruction;
  /** The network's device, when correlation gave it one (plan-devices.ts). */
  device?: AttachmentDevice;
}

export interface AttachmentPlan {
  attachments: PlannedAttachment[];
  /** Lenient plans (DEL): networks that could not be resolved, with the interface name they had. */
  unresolved: (UnresolvedNetwork & { ifName: string })[];
}

export interface PlanInput {
  /** In attach order, index 0 the default network. */
  networks: readonly NetworkSlot[];
  /** The runtime's CNI_IFNAME: the default network's interface unless it asks for another. */
  cniIfName: string;
  /** Who the pod is for CNI_ARGS (namespace, name, uid as the runtime gave them). */
  pod: PodRef;
  runtimeArgs: CniArgs;
  /** The meta-plugin config's cniVersion and the runtime's runtimeConfig. */
  netconf: { cniVersion: string; runtimeConfig: unknown };
}

export type PlanResult = { ok: true; plan: AttachmentPlan } | { ok: false; error: CniError };

function planOne(
  slot: ResolvedNetwork,
  index: number,
  ifName: string,
  route: DefaultRouteInstruction,
  input: PlanInput,
): PlannedAttachment {
  const isDefault = index === 0;
  const config = delegateConfigToRun({
    raw: slot.delegate.raw,
    kind: slot.delegate.kind,
    name: slot.delegate.name,
    metaCniVersion: input.netconf.cniVersion,
    cniArgs: slot.selection?.cniArgs,
  });
  return {
    index,
    name: slot.name,
    isDefault,
    ifName,
    config,
    network: toDelegateNetwork(config),
    runtimeConfig: runtimeConfigForNetwork(isDefault, input.netconf.runtimeConfig, slot.selection),
    cniArgs: delegateCniArgs(input.pod, input.runtimeArgs, slot.selection),
    route,
  };
}

/** Plans every attachment, or refuses the whole set. Pure. */
export function planAttachments(input: PlanInput): PlanResult {
  const slots = input.networks;
  const names = assignInterfaceNames(
    slots.map((s) => ({ network: s.name, requested: s.selection?.interfaceName })),
    input.cniIfName,
  );
  if (!names.ok) return { ok: false, error: selectionFailure("", names.error) };
  const ifNames = names.value.map((n) => n.name);
  const routes = planDefaultRoutes(
    slots.map((s, i) => ({
      network: s.name,
      interfaceName: ifNames[i] ?? "",
      gateways: s.selection?.defaultRoute,
    })),
  );
  if (!routes.ok) return { ok: false, error: selectionFailure("", routes.error) };
  const plan: AttachmentPlan = { attachments: [], unresolved: [] };
  for (const [index, slot] of slots.entries()) {
    const ifName = ifNames[index] ?? "";
    if (!isResolved(slot)) {
      plan.unresolved.push({ ...slot, ifName });
      continue;
    }
    const route = routes.value.instructions[index] as DefaultRouteInstruction;
    try {
      plan.attachments.push(planOne(slot, index, ifName, route, input));
    } catch (err) {
      return { ok: false, error: failure(`network ${JSON.stringify(slot.name)}`, err) };
    }
  }
  return { ok: true, plan };
}

/** The cache's record of a planned attachment (before its ADD). */
export function toPlannedNetwork(attachment: PlannedAttachment): PlannedNetwork {
  const planned: PlannedNetwork = {
    name: attachment.name,
    ifName: attachment.ifName,
    cniArgs: attachment.cniArgs,
    config: attachment.config,
    runtimeConfig: attachment.runtimeConfig,
  };
  if (attachment.isDefault) planned.default = true;
  if (attachment.device?.deviceInfoFile !== undefined)
    planned.deviceInfoFile = attachment.device.deviceInfoFile;
  return planned;
}

/** Rebuilds the attachment a cached network describes (for DEL and CHECK). */
export function cachedNetworkLabel(network: Pick<CachedNetwork, "name" | "ifName">): string {
  return `network ${JSON.stringify(network.name)} (${network.ifName})`;
}
