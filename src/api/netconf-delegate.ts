// A delegate's CNI config — a NAD's spec.config, a file in confDir, an entry of `delegates` — checked and
// classified, every key kept:
//   conf      a single plugin: a non-empty top-level `type` (Multus's test; `plugins` is then ignored)
//   conflist  no `type` (or ""): `plugins`, a non-empty list of objects each with a non-empty `type`
// Also checked: `name` (a string; when absent or "" the caller's `defaultName`, e.g. the NAD's name as
// Multus injects it; one of the two is required), `cniVersion` (string), `capabilities` (booleans),
// `disableCheck`/`disableGC` (boolean, or "true"/"false" as libcni also accepts). Errors are CodedErrors
// named after CNI codes (`DECODE_FAILURE` for bad JSON, `INVALID_NETWORK_CONFIG` otherwise) whose
// message starts with the source, e.g. `network-attachment-definition default/macvlan: field
// "plugins[1].type": expected a non-empty string`.
//
// Public API: `DelegateConfig`, `ParseDelegateOptions`, `parseDelegateConfig`, `delegateConfigIssues`,
// `NetConfErrorCode`, `netConfError`.
import { z } from "zod";
import { CodedError } from "../common/errors.ts";
import { describeIssues, isJsonObject, kindOf } from "./netconf-issues.ts";
import type { JsonObject } from "./netconf-issues.ts";

/** The codes src/api's CNI config parsers throw; they are CNI error names (src/cni maps them 1:1). */
export type NetConfErrorCode = "INVALID_NETWORK_CONFIG" | "DECODE_FAILURE";

export function netConfError(code: NetConfErrorCode, message: string): CodedError<NetConfErrorCode> {
  return new CodedError<NetConfErrorCode>(code, message);
}

export interface DelegateConfig {
  kind: "conf" | "conflist";
  /** The network name: the config's, else the default given. */
  name: string;
  cniVersion?: string;
  /** conf: the whole config; conflist: the `plugins` entries. Each object whole, every key. */
  plugins: JsonObject[];
  /** conflist only; false for a conf. */
  disableCheck: boolean;
  disableGC: boolean;
  /** The whole config as parsed. */
  raw: JsonObject;
  /** Where it came from, for messages. */
  source: string;
}

export interface ParseDelegateOptions {
  /** Names the origin in errors: `network-attachment-definition ns/name`, a file path, ... */
  source: string;
  /** The name to use when the config has none (Multus injects the NAD's name). */
  defaultName?: string;
}

const nonEmptyType = z.string().min(1);

/** Optional, `null` counting as absent. */
function opt<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((v) => v ?? undefined);
}

const flag = z
  .unknown()
  .optional()
  .transform((value, ctx): boolean => {
    if (value === undefined || value === null) return false;
    if (typeof value === "boolean") return value;
    if (typeof value === "string" && ["true", "false"].includes(value.toLowerCase())) {
      return value.toLowerCase() === "true";
    }
    ctx.addIssue({
      code: "custom",
      message: `expected boolean, got ${kindOf(value)} ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  });

const common = {
  name: opt(z.string()),
  cniVersion: opt(z.string()),
  capabilities: opt(z.record(z.string(), z.boolean())),
};
/** One plugin: a whole conf, or an entry of a conflist's `plugins`. */
const pluginSchema = z.looseObject({ type: nonEmptyType, ...common });
const conflistSchema = z.looseObject({
  ...common,
  cniVersions: opt(z.array(z.string())),
  disableCheck: flag,
  disableGC: flag,
  plugins: z.array(pluginSchema).min(1),
});

type Checked =
  { ok: true; config: Omit<DelegateConfig, "source"> } | { ok: false; issues: z.core.$ZodIssue[] };

function customIssue(path: PropertyKey[], message: string): z.core.$ZodIssue {
  return { code: "custom", path, message };
}

function isConflist(value: JsonObject): boolean {
  return value.type === undefined || value.type === null || value.type === "";
}

/** Checks a parsed config without throwing; `issues` have paths relative to the config. */
export function delegateConfigIssues(value: JsonObject, defaultName?: string): Checked {
  const conflist = isConflist(value);
  if (conflist && (value.plugins === undefined || value.plugins === null)) {
    const message = 'expected "type" (a single plugin) or "plugins" (a list of plugins)';
    return { ok: false, issues: [customIssue([], message)] };
  }
  const parsed = (conflist ? conflistSchema : pluginSchema).safeParse(value, { reportInput: true });
  if (!parsed.success) return { ok: false, issues: parsed.error.issues };
  const name =
    parsed.data.name !== undefined && parsed.data.name !== "" ? parsed.data.name : (defaultName ?? "");
  if (name === "") return { ok: false, issues: [customIssue(["name"], "required (the network name)")] };
  const data = parsed.data as { cniVersion?: string; disableCheck?: boolean; disableGC?: boolean };
  const config: Omit<DelegateConfig, "source"> = {
    kind: conflist ? "conflist" : "conf",
    name,
    plugins: conflist ? (value.plugins as JsonObject[]) : [value],
    disableCheck: data.disableCheck ?? false,
    disableGC: data.disableGC ?? false,
    raw: value,
  };
  if (data.cniVersion !== undefined) config.cniVersion = data.cniVersion;
  return { ok: true, config };
}

function decode(input: string | Uint8Array | JsonObject, source: string): JsonObject {
  if (isJsonObject(input) && !(input instanceof Uint8Array)) return input;
  const text = typeof input === "string" ? input : Buffer.from(input).toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw netConfError("DECODE_FAILURE", `${source}: not valid JSON: ${(err as Error).message}`);
  }
  if (!isJsonObject(value)) {
    throw netConfError("INVALID_NETWORK_CONFIG", `${source}: expected a JSON object, got ${kindOf(value)}`);
  }
  return value;
}

/** Parses and checks a delegate config (JSON text, bytes or a parsed object). Throws, naming the source. */
export function parseDelegateConfig(
  input: string | Uint8Array | JsonObject,
  options: ParseDelegateOptions,
): DelegateConfig {
  const value = decode(input, options.source);
  const checked = delegateConfigIssues(value, options.defaultName);
  if (!checked.ok)
    throw netConfError("INVALID_NETWORK_CONFIG", describeIssues(options.source, checked.issues));
  return { ...checked.config, source: options.source };
}
