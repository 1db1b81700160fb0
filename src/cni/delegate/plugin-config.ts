// A delegate config as libcni sees it, and what each of its plugins gets on stdin. Pure.
// A single plugin config becomes a one-plugin list (libcni's ConfListFromConf); every plugin of a list
// gets the list's `name` and `cniVersion` injected, `prevResult` when there is one, and a `runtimeConfig`
// holding only the capability args it declares (replacing its own, as libcni's InjectConf does; when it
// declares none that are available, its own `runtimeConfig`, if any, stays). Keys come out sorted at every
// depth, as libcni's re-marshalled bytes have them.
import { CniError } from "../protocol/errors.ts";
import { compareVersions, isSupportedVersion } from "../protocol/version.ts";
import type { GcAttachment } from "./delegate-types.ts";
import { VALID_ATTACHMENTS_KEY } from "./delegate-types.ts";
import { isJsonObject, sortKeysDeep } from "./json.ts";
import type { JsonObject } from "./json.ts";
import { runtimeConfigFor } from "./runtime-config.ts";

/** libcni's NetworkConfigList. */
export interface DelegateNetwork {
  name: string;
  /** "" when the config has none (libcni then treats it as 0.1.0). */
  cniVersion: string;
  disableCheck: boolean;
  disableGC: boolean;
  /** Each plugin's config exactly as given (every key kept). */
  plugins: JsonObject[];
  /** Whether the config was a list (`plugins`) rather than one plugin. */
  isList: boolean;
}

function invalid(message: string): CniError {
  return new CniError("INVALID_NETWORK_CONFIG", message);
}

function readFlag(config: JsonObject, key: string): boolean {
  const value = config[key];
  if (value === undefined) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  throw invalid(`invalid ${key} ${JSON.stringify(value)}: expected true or false`);
}

/** `cniVersion`, or with `cniVersions` the highest supported one of them (libcni >= 1.2). */
function pickVersion(config: JsonObject): string {
  const single = typeof config.cniVersion === "string" ? config.cniVersion : "";
  const many = config.cniVersions;
  if (many === undefined) return single;
  if (!Array.isArray(many) || !many.every((v) => typeof v === "string")) {
    throw invalid("cniVersions must be a list of strings");
  }
  const supported = [...many, single].filter(isSupportedVersion).sort(compareVersions);
  return supported.at(-1) ?? single;
}

function checkPlugin(raw: unknown, index: number): JsonObject {
  if (!isJsonObject(raw)) throw invalid(`plugin ${index} of the list is not an object`);
  if (typeof raw.type !== "string" || raw.type === "")
    throw invalid(`plugin ${index} of the list has no type`);
  return raw;
}

/** A single plugin config or a conflist as a list. Throws a CniError (code 7) for an unusable one. */
export function toDelegateNetwork(config: JsonObject): DelegateNetwork {
  const name = config.name ?? "";
  if (typeof name !== "string") throw invalid("the config's name is not a string");
  if (config.plugins === undefined) {
    if (typeof config.type !== "string" || config.type === "") {
      throw invalid(`config ${JSON.stringify(name)} has neither a type nor plugins`);
    }
    const cniVersion = typeof config.cniVersion === "string" ? config.cniVersion : "";
    return { name, cniVersion, disableCheck: false, disableGC: false, plugins: [config], isList: false };
  }
  if (!Array.isArray(config.plugins) || config.plugins.length === 0) {
    throw invalid(`config list ${JSON.stringify(name)} has no plugins`);
  }
  return {
    name,
    cniVersion: pickVersion(config),
    disableCheck: readFlag(config, "disableCheck"),
    disableGC: readFlag(config, "disableGC"),
    plugins: config.plugins.map(checkPlugin),
    isList: true,
  };
}

export interface PluginStdinInput {
  network: Pick<DelegateNetwork, "name" | "cniVersion">;
  plugin: JsonObject;
  prevResult?: JsonObject;
  /** Every capability arg on offer; the plugin gets those it declares. */
  runtimeConfig?: JsonObject;
}

/** The stdin of one plugin for ADD, CHECK or DEL (libcni's buildOneConfig). */
export function buildPluginStdin(input: PluginStdinInput): JsonObject {
  const config: JsonObject = {
    ...input.plugin,
    name: input.network.name,
    cniVersion: input.network.cniVersion,
  };
  if (input.prevResult !== undefined) config.prevResult = input.prevResult;
  const runtimeConfig = runtimeConfigFor(input.plugin.capabilities, input.runtimeConfig ?? {});
  if (Object.keys(runtimeConfig).length > 0) config.runtimeConfig = runtimeConfig;
  return sortKeysDeep(config) as JsonObject;
}

/** The stdin of one plugin for GC (with the valid attachments) or STATUS (without). */
export function buildListCommandStdin(
  network: Pick<DelegateNetwork, "name" | "cniVersion">,
  plugin: JsonObject,
  validAttachments?: readonly GcAttachment[],
): JsonObject {
  const config: JsonObject = { ...plugin, name: network.name, cniVersion: network.cniVersion };
  if (validAttachments !== undefined) {
    config[VALID_ATTACHMENTS_KEY] = validAttachments.map((a) => ({
      containerID: a.containerID,
      ifname: a.ifname,
    }));
  }
  return sortKeysDeep(config) as JsonObject;
}
