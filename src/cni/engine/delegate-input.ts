// What one delegate network is run with, computed from its config and the pod's selection. Pure.
//
// - config: the delegate's config with every key kept, plus: the network name when the config has none
//   (Multus injects the NAD's name), the meta-plugin's cniVersion for a conflist that has none (Multus
//   backfills it before DEL; netclaim does it for every command so ADD and DEL run the same config), and
//   the selection's `cni-args` merged into `args.cni` (of every plugin of a conflist), the annotation's
//   values winning. Merging uses object spread, so a key such as "__proto__" stays an ordinary key.
// - runtimeConfig (capability args on offer; each plugin receives those it declares): the default network
//   gets the runtime's own runtimeConfig, with the selection's requests over it when the default network
//   came from the default-network annotation; every other network gets only its selection's requests
//   (ips, mac, portMappings, bandwidth, deviceID, infinibandGUID). Multus hands the runtime's
//   runtimeConfig to every delegate, so the pod's hostPort mappings reach secondary networks that declare
//   portMappings, and it ignores the requests of a default-network annotation; netclaim does neither.
//   Empty `ips` and `portMappings` lists are left out, as Multus leaves them out.
// - CNI_ARGS: Multus's `IgnoreUnknown=true;K8S_POD_NAMESPACE;K8S_POD_NAME;K8S_POD_INFRA_CONTAINER_ID;
//   K8S_POD_UID`, then the runtime's own CNI_ARGS (a key already there is filled when empty and otherwise
//   kept; Multus appends a duplicate), then the legacy `MAC=` and `IP=a,b` of the selection's requests,
//   which Multus still passes (deprecated since 3.5).
import { isJsonObject } from "../delegate/json.ts";
import type { JsonObject } from "../delegate/json.ts";
import { normaliseRuntimeConfig } from "../delegate/runtime-config.ts";
import type { CniArgs } from "../protocol/env.ts";
import type { NetworkSelection } from "../selection/types.ts";
import type { PodRef } from "./context.ts";

/** `args.cni` of one plugin config with `cniArgs` merged over it. */
export function mergeCniArgs(plugin: JsonObject, cniArgs: Readonly<Record<string, unknown>>): JsonObject {
  const args = isJsonObject(plugin.args) ? plugin.args : {};
  const cni = isJsonObject(args.cni) ? args.cni : {};
  return { ...plugin, args: { ...args, cni: { ...cni, ...cniArgs } } };
}

export interface DelegateConfigInput {
  raw: JsonObject;
  kind: "conf" | "conflist";
  /** The network name (the config's or the NAD's). */
  name: string;
  /** The meta-plugin config's cniVersion, for a conflist without one. */
  metaCniVersion: string;
  cniArgs?: Readonly<Record<string, unknown>>;
}

/** The delegate config exactly as it will be run and cached. */
export function delegateConfigToRun(input: DelegateConfigInput): JsonObject {
  let config: JsonObject = { ...input.raw };
  if (typeof config.name !== "string" || config.name === "") config.name = input.name;
  const version = config.cniVersion;
  if (
    input.kind === "conflist" &&
    (typeof version !== "string" || version === "") &&
    input.metaCniVersion !== ""
  ) {
    config.cniVersion = input.metaCniVersion;
  }
  const cniArgs = input.cniArgs;
  if (cniArgs === undefined) return config;
  if (input.kind === "conf") return mergeCniArgs(config, cniArgs);
  const plugins = Array.isArray(config.plugins) ? (config.plugins as unknown[]) : [];
  config = { ...config, plugins: plugins.map((p) => (isJsonObject(p) ? mergeCniArgs(p, cniArgs) : p)) };
  return config;
}

/** The capability args a selection asks for. */
export function selectionRuntimeConfig(selection: NetworkSelection | undefined): JsonObject {
  const out: JsonObject = {};
  if (selection === undefined) return out;
  if (selection.portMappings !== undefined && selection.portMappings.length > 0) {
    out.portMappings = selection.portMappings.map((m) => ({ ...m }));
  }
  if (selection.bandwidth !== undefined) out.bandwidth = { ...selection.bandwidth };
  if (selection.ips !== undefined && selection.ips.length > 0) out.ips = [...selection.ips];
  if (selection.mac !== undefined && selection.mac !== "") out.mac = selection.mac;
  if (selection.infinibandGuid !== undefined && selection.infinibandGuid !== "") {
    out.infinibandGUID = selection.infinibandGuid;
  }
  if (selection.deviceId !== undefined && selection.deviceId !== "") out.deviceID = selection.deviceId;
  return out;
}

/** The capability args on offer to one network (see the header). */
export function runtimeConfigForNetwork(
  isDefault: boolean,
  runtimeRuntimeConfig: unknown,
  selection: NetworkSelection | undefined,
): JsonObject {
  const requested = selectionRuntimeConfig(selection);
  if (!isDefault) return requested;
  return { ...normaliseRuntimeConfig(runtimeRuntimeConfig), ...requested };
}

/** CNI_ARGS of one network (see the header). */
export function delegateCniArgs(
  pod: PodRef,
  runtimeArgs: CniArgs,
  selection: NetworkSelection | undefined,
): string {
  const pairs: [string, string][] = [
    ["IgnoreUnknown", "true"],
    ["K8S_POD_NAMESPACE", pod.namespace],
    ["K8S_POD_NAME", pod.name],
    ["K8S_POD_INFRA_CONTAINER_ID", runtimeArgs.k8s.podInfraContainerId ?? ""],
    ["K8S_POD_UID", pod.uid],
  ];
  for (const [key, value] of runtimeArgs.pairs) {
    const existing = pairs.find((pair) => pair[0] === key);
    if (existing === undefined) pairs.push([key, value]);
    else if (existing[1] === "") existing[1] = value;
  }
  const set = (key: string, value: string): void => {
    const existing = pairs.find((pair) => pair[0] === key);
    if (existing === undefined) pairs.push([key, value]);
    else existing[1] = value;
  };
  if (selection?.mac !== undefined && selection.mac !== "") set("MAC", selection.mac);
  if (selection?.ips !== undefined && selection.ips.length > 0) set("IP", selection.ips.join(","));
  return pairs.map(([key, value]) => `${key}=${value}`).join(";");
}
