// libcni's view of a network config, and what it puts on a plugin's stdin and in its environment. Pure.
// Facts from containernetworking/cni libcni (api.go, conf.go) and pkg/invoke (args.go):
//  - a single .conf is up-converted to a list {name, cniVersion, plugins: [conf]} (ConfListFromConf);
//  - every plugin gets the list's `name` and `cniVersion` injected, `prevResult` when there is one, and a
//    `runtimeConfig` holding only the capability args its `capabilities` enable (replacing any of its own);
//  - the injected config is re-marshalled from a Go map, so its keys come out sorted;
//  - GC gets `cni.dev/valid-attachments`; GC and STATUS are only sent for cniVersion >= 1.1.0.
import { MAX_IFNAME_LENGTH } from "./names.ts";

export type JsonObject = { [key: string]: unknown };

/** The spec version this stand-in implements (libcni's version.Current()). */
export const IMPLEMENTED_SPEC_VERSION = "1.1.0";
export const VALID_ATTACHMENTS_KEY = "cni.dev/valid-attachments";
const VALID_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export interface NetworkConfigList {
  name: string;
  cniVersion: string;
  disableCheck: boolean;
  disableGC: boolean;
  plugins: JsonObject[];
  /** The list as JSON text: what libcni keeps in its cache. */
  bytes: string;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Compares "x.y.z" versions: negative, zero or positive. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): number[] => {
    const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v);
    if (!m) throw new Error(`invalid CNI version ${JSON.stringify(v)}`);
    return [Number(m[1]), Number(m[2]), Number(m[3])];
  };
  const [pa, pb] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function versionAtLeast(version: string, minimum: string): boolean {
  return compareVersions(version, minimum) >= 0;
}

function readBool(raw: JsonObject, key: string): boolean {
  const value = raw[key];
  if (value === undefined) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && ["true", "false"].includes(value.toLowerCase())) {
    return value.toLowerCase() === "true";
  }
  throw new Error(`error parsing configuration list: invalid value ${JSON.stringify(value)} for ${key}`);
}

/** `cniVersion`, or the highest of `cniVersions` (plus `cniVersion`) this implementation knows. */
function pickVersion(raw: JsonObject): string {
  const single = typeof raw.cniVersion === "string" ? raw.cniVersion : "";
  if (raw.cniVersions === undefined) return single;
  if (!Array.isArray(raw.cniVersions) || raw.cniVersions.some((v) => typeof v !== "string")) {
    throw new Error("error parsing configuration list: cniVersions must be a list of strings");
  }
  const known = [...(raw.cniVersions as string[]), ...(single ? [single] : [])].filter(
    (v) => compareVersions(v, IMPLEMENTED_SPEC_VERSION) <= 0,
  );
  return known.sort(compareVersions).at(-1) ?? single;
}

function parsePlugin(raw: unknown, index: number): JsonObject {
  if (!isJsonObject(raw)) throw new Error(`failed to parse plugin config ${index}: not an object`);
  if (typeof raw.type !== "string" || raw.type === "") {
    throw new Error(`failed to parse plugin config ${index}: missing 'type'`);
  }
  return raw;
}

/** A .conf or a .conflist (text or parsed) as a list, the way libcni loads it. */
export function parseNetworkConfig(input: string | JsonObject): NetworkConfigList {
  let raw: unknown = input;
  if (typeof input === "string") {
    try {
      raw = JSON.parse(input);
    } catch (cause) {
      throw new Error("error parsing configuration", { cause });
    }
  }
  if (!isJsonObject(raw)) throw new Error("error parsing configuration: not a JSON object");
  if (typeof raw.name !== "string") throw new Error("error parsing configuration: no name");
  const isList = raw.plugins !== undefined;
  const listRaw: JsonObject = isList
    ? raw
    : {
        cniVersion: typeof raw.cniVersion === "string" ? raw.cniVersion : "",
        name: raw.name,
        plugins: [raw],
      };
  if (!Array.isArray(listRaw.plugins) || listRaw.plugins.length === 0) {
    throw new Error("error parsing configuration list: no plugins in list");
  }
  return {
    name: raw.name,
    cniVersion: pickVersion(listRaw),
    disableCheck: readBool(listRaw, "disableCheck"),
    disableGC: readBool(listRaw, "disableGC"),
    plugins: listRaw.plugins.map(parsePlugin),
    bytes: JSON.stringify(sortKeys(listRaw)),
  };
}

/** Checks libcni makes before ADD (utils.ValidateContainerID/NetworkName/InterfaceName). */
export function validateAttachment(containerId: string, networkName: string, ifName: string): void {
  if (!VALID_NAME.test(containerId))
    throw new Error(`invalid characters in containerID ${JSON.stringify(containerId)}`);
  if (!VALID_NAME.test(networkName))
    throw new Error(`invalid characters in network name ${JSON.stringify(networkName)}`);
  if (
    ifName === "" ||
    ifName.length > MAX_IFNAME_LENGTH ||
    ifName === "." ||
    ifName === ".." ||
    /[/:\s]/.test(ifName)
  ) {
    throw new Error(`invalid interface name ${JSON.stringify(ifName)}`);
  }
}

/** Keys sorted at every level, as Go's encoding/json writes a map[string]interface{}. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isJsonObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k])]),
  );
}

/** Only the capability args the plugin's `capabilities` enable. */
export function filterCapabilityArgs(
  plugin: JsonObject,
  capabilityArgs: Record<string, unknown>,
): JsonObject {
  const enabled = isJsonObject(plugin.capabilities) ? plugin.capabilities : {};
  const picked: JsonObject = {};
  for (const [capability, on] of Object.entries(enabled)) {
    if (on === true && capabilityArgs[capability] !== undefined)
      picked[capability] = capabilityArgs[capability];
  }
  return picked;
}

export interface PluginStdinInput {
  list: NetworkConfigList;
  plugin: JsonObject;
  prevResult?: unknown;
  capabilityArgs?: Record<string, unknown>;
}

/** The config object one plugin of the list receives (buildOneConfig). */
export function buildPluginConfig(input: PluginStdinInput): JsonObject {
  const config: JsonObject = { ...input.plugin, name: input.list.name, cniVersion: input.list.cniVersion };
  if (input.prevResult !== undefined && input.prevResult !== null) config.prevResult = input.prevResult;
  const runtimeConfig = filterCapabilityArgs(input.plugin, input.capabilityArgs ?? {});
  if (Object.keys(runtimeConfig).length > 0) config.runtimeConfig = runtimeConfig;
  return sortKeys(config) as JsonObject;
}

/** The config for GC (with the valid attachments) or STATUS (without). */
export function buildListCommandConfig(
  list: NetworkConfigList,
  plugin: JsonObject,
  validAttachments?: readonly { containerID: string; ifname: string }[],
): JsonObject {
  const config: JsonObject = { ...plugin, name: list.name, cniVersion: list.cniVersion };
  if (validAttachments !== undefined) config[VALID_ATTACHMENTS_KEY] = validAttachments;
  return sortKeys(config) as JsonObject;
}

export interface PluginEnvInput {
  command: string;
  containerId: string;
  netns: string;
  cniArgs: readonly (readonly [string, string])[];
  ifName: string;
  cniPath: readonly string[];
}

/** The CNI_* variables, in the order libcni's Args.AsEnv puts them. */
export function pluginEnv(input: PluginEnvInput): Record<string, string> {
  return {
    CNI_COMMAND: input.command,
    CNI_CONTAINERID: input.containerId,
    CNI_NETNS: input.netns,
    CNI_ARGS: input.cniArgs.map(([k, v]) => `${k}=${v}`).join(";"),
    CNI_IFNAME: input.ifName,
    CNI_PATH: input.cniPath.join(":"),
  };
}
