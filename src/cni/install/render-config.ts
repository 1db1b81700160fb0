// netclaim's own CNI config, generated around the master (the cluster's default network). Pure.
//
// Multus's auto mode, as its thin entrypoint and daemon do it:
// - `clusterNetwork` is the master's path (the daemon's form; the thin entrypoint embeds the master as
//   `delegates[0]` instead, which goes stale the moment the master changes until it is rewritten);
// - `cniVersion` is the master's; a `--cni-version` that differs is an error (thin entrypoint);
// - `name` is "netclaim-cni-network" (Multus: "multus-cni-network"), or the master's with
//   `overrideNetworkName`;
// - `capabilities` are the master's enabled ones: for a conflist the union over its plugins, for a single
//   plugin its own (Multus withCapabilities / the thin entrypoint's loop), so the runtime keeps passing
//   portMappings, bandwidth, ... for the default network;
// - the file is `00-netclaim.conf` with a single plugin, or `00-netclaim.conflist` with netclaim as the only
//   plugin of a list when the version is 1.0.0 or later (the thin entrypoint writes 00-multus.conflist
//   for 1.0.0), since CNI 1.0 configs are lists.
// The passthrough fields (kubeconfig, readinessindicatorfile, logging, namespace isolation, cniDir, binDir,
// daemonSocket) are written only when set, so the plugin's defaults apply otherwise.
//
// Public API: `NETCLAIM_NETWORK_NAME`, `CONF_FILE_NAME`, `CONFLIST_FILE_NAME`, `NetclaimConfigOptions`,
// `RenderedConfig`, `renderNetclaimConfig`, `masterCapabilities`, `InvalidMasterError`.
import { delegateConfigIssues } from "../../api/netconf-delegate.ts";
import { describeIssues, isJsonObject } from "../../api/netconf-issues.ts";
import type { JsonObject } from "../../api/netconf-issues.ts";
import { CodedError } from "../../common/errors.ts";
import { compareVersions, isSupportedVersion, SUPPORTED_VERSIONS } from "../protocol/version.ts";
import { OWN_CONFIG_PREFIX } from "./master-selection.ts";

export const NETCLAIM_NETWORK_NAME = "netclaim-cni-network";
export const CONF_FILE_NAME = `${OWN_CONFIG_PREFIX}.conf`;
export const CONFLIST_FILE_NAME = `${OWN_CONFIG_PREFIX}.conflist`;
const FIRST_LIST_VERSION = "1.0.0";

export type InvalidMasterError = CodedError<"INVALID_MASTER">;

export interface NetclaimConfigOptions {
  /** The master as the plugin sees it (a host path), written as `clusterNetwork`. */
  masterPath: string;
  /** The master file's content. */
  masterText: string;
  /** Required version; unset: the master's. */
  cniVersion?: string | undefined;
  /** Take the master's `name`. */
  overrideNetworkName?: boolean | undefined;
  kubeconfig?: string | undefined;
  readinessIndicatorFile?: string | undefined;
  logLevel?: string | undefined;
  logFile?: string | undefined;
  logToStderr?: boolean | undefined;
  namespaceIsolation?: boolean | undefined;
  globalNamespaces?: string | undefined;
  cniDir?: string | undefined;
  binDir?: string | undefined;
  daemonSocket?: string | undefined;
  deviceInfoDir?: string | undefined;
  stateDir?: string | undefined;
}

export interface RenderedConfig {
  fileName: typeof CONF_FILE_NAME | typeof CONFLIST_FILE_NAME;
  format: "conf" | "conflist";
  /** The file's content (JSON, newline-terminated). */
  text: string;
  /** What the runtime hands the plugin: for a conflist, the plugin entry with `name` and `cniVersion`. */
  pluginConfig: JsonObject;
  cniVersion: string;
  name: string;
}

function invalid(masterPath: string, message: string): InvalidMasterError {
  return new CodedError("INVALID_MASTER", `master CNI config ${masterPath}: ${message}`);
}

function parseMaster(options: NetclaimConfigOptions): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(options.masterText);
  } catch (err) {
    throw invalid(options.masterPath, `not valid JSON: ${(err as Error).message}`);
  }
  if (!isJsonObject(value)) throw invalid(options.masterPath, "expected a JSON object");
  const checked = delegateConfigIssues(value);
  if (!checked.ok) throw invalid(options.masterPath, describeIssues("not a CNI config", checked.issues));
  return value;
}

/** The capabilities the master enables: the union over a conflist's plugins, or a conf's own. */
export function masterCapabilities(master: JsonObject): Record<string, true> {
  const plugins = Array.isArray(master.plugins) && master.plugins.length > 0 ? master.plugins : [master];
  const names = new Set<string>();
  for (const plugin of plugins) {
    if (!isJsonObject(plugin) || !isJsonObject(plugin.capabilities)) continue;
    for (const [name, enabled] of Object.entries(plugin.capabilities)) if (enabled === true) names.add(name);
  }
  return Object.fromEntries([...names].sort().map((name) => [name, true] as const));
}

function pickVersion(master: JsonObject, options: NetclaimConfigOptions): string {
  const version = master.cniVersion;
  if (typeof version !== "string" || version === "") {
    throw invalid(options.masterPath, 'has no "cniVersion" (netclaim takes its version from the master)');
  }
  if (!isSupportedVersion(version)) {
    throw invalid(
      options.masterPath,
      `cniVersion ${JSON.stringify(version)} is not one netclaim supports (${SUPPORTED_VERSIONS.join(", ")})`,
    );
  }
  if (options.cniVersion !== undefined && options.cniVersion !== "" && options.cniVersion !== version) {
    throw invalid(
      options.masterPath,
      `cniVersion is ${JSON.stringify(version)} while --cni-version asks for ${JSON.stringify(options.cniVersion)}`,
    );
  }
  return version;
}

function pickName(master: JsonObject, options: NetclaimConfigOptions): string {
  if (options.overrideNetworkName !== true) return NETCLAIM_NETWORK_NAME;
  if (typeof master.name !== "string" || master.name === "") {
    throw invalid(options.masterPath, 'has no "name" to take with --override-network-name');
  }
  return master.name;
}

/** The netclaim plugin's own keys, in the order they are written; unset ones left out. */
function pluginFields(master: JsonObject, options: NetclaimConfigOptions): JsonObject {
  const fields: JsonObject = { type: "netclaim" };
  const capabilities = masterCapabilities(master);
  if (Object.keys(capabilities).length > 0) fields.capabilities = capabilities;
  fields.clusterNetwork = options.masterPath;
  const optional: [string, string | boolean | undefined][] = [
    ["kubeconfig", options.kubeconfig],
    ["readinessindicatorfile", options.readinessIndicatorFile],
    ["daemonSocket", options.daemonSocket],
    ["stateDir", options.stateDir],
    ["deviceInfoDir", options.deviceInfoDir],
    ["cniDir", options.cniDir],
    ["binDir", options.binDir],
    ["namespaceIsolation", options.namespaceIsolation === true ? true : undefined],
    ["globalNamespaces", options.globalNamespaces],
    ["logLevel", options.logLevel],
    ["logFile", options.logFile],
    ["logToStderr", options.logToStderr],
  ];
  for (const [key, value] of optional) if (value !== undefined && value !== "") fields[key] = value;
  return fields;
}

/** Renders netclaim's config file around the master. Throws an INVALID_MASTER CodedError. */
export function renderNetclaimConfig(options: NetclaimConfigOptions): RenderedConfig {
  const master = parseMaster(options);
  const cniVersion = pickVersion(master, options);
  const name = pickName(master, options);
  const plugin = pluginFields(master, options);
  const pluginConfig: JsonObject = { cniVersion, name, ...plugin };
  if (compareVersions(cniVersion, FIRST_LIST_VERSION) < 0) {
    const text = `${JSON.stringify(pluginConfig, null, 2)}\n`;
    return { fileName: CONF_FILE_NAME, format: "conf", text, pluginConfig, cniVersion, name };
  }
  const text = `${JSON.stringify({ cniVersion, name, plugins: [plugin] }, null, 2)}\n`;
  return { fileName: CONFLIST_FILE_NAME, format: "conflist", text, pluginConfig, cniVersion, name };
}
