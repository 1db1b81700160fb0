// The attachment cache entry: everything a DEL (or CHECK, or GC) of one pod attachment needs when the
// pod, its NADs or the API server are gone. One entry per (container ID, the runtime's CNI_IFNAME).
//
// For each network, in attach order: its name (ns/name, or the cluster network's), the ifname it got,
// the CNI_ARGS it ran with, its delegate config exactly as run (a plugin config, or a conflist with every
// key of every plugin), the capability args on offer (each plugin gets those it declares), its status
// ("pending" before its ADD ran, "added" once it succeeded) and, once added, its result: the prevResult
// of its DEL and CHECK. (Multus's cache stores the delegates' configs only; the results live in libcni's
// per-delegate cache, and the runtimeConfig requests are not stored.)
//
// Versioned by `apiVersion`; a reader accepts older versions through CACHE_MIGRATIONS (apiVersion → a
// function that turns that version into the next one), so a newer netclaim reads what an older one wrote.
import { z } from "zod";
import { isJsonObject } from "../delegate/json.ts";
import type { JsonObject } from "../delegate/json.ts";
import { containerIdProblem, ifnameProblem } from "./cache-key.ts";

export const ATTACHMENT_CACHE_API_VERSION = "netclaim.dev/v1alpha1";
export const ATTACHMENT_CACHE_KIND = "AttachmentCacheEntry";
export const NETWORK_STATUSES = ["pending", "added"] as const;
export type NetworkStatus = (typeof NETWORK_STATUSES)[number];

const jsonObject = z.record(z.string(), z.unknown());

function pluginProblem(plugin: unknown): string | undefined {
  if (!isJsonObject(plugin)) return "is not an object";
  if (typeof plugin.type !== "string" || plugin.type === "") return "has no type";
  return undefined;
}

/** A plugin config (with `type`) or a conflist (with a non-empty `plugins` of plugin configs). */
const delegateConfigSchema = jsonObject.superRefine((config, ctx) => {
  if (config.plugins === undefined) {
    if (pluginProblem(config) !== undefined)
      ctx.addIssue({ code: "custom", message: "has neither a type nor plugins" });
    return;
  }
  if (!Array.isArray(config.plugins) || config.plugins.length === 0) {
    ctx.addIssue({ code: "custom", message: "plugins must be a non-empty list", path: ["plugins"] });
    return;
  }
  config.plugins.forEach((plugin: unknown, index) => {
    const problem = pluginProblem(plugin);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem, path: ["plugins", index] });
  });
});

function checked(problem: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const found = problem(value);
    if (found !== undefined) ctx.addIssue({ code: "custom", message: found });
  });
}

export const cachedNetworkSchema = z
  .object({
    /** "namespace/name" of the NAD, or the name of the cluster network / default network. */
    name: z.string().min(1),
    ifName: checked(ifnameProblem),
    cniArgs: z.string(),
    config: delegateConfigSchema,
    runtimeConfig: jsonObject,
    status: z.enum(NETWORK_STATUSES),
    result: jsonObject.optional(),
    /** The network whose result is the ADD's (Multus's "master" delegate). */
    default: z.boolean().optional(),
    /** The CNI device-info file written for this network, removed on DEL. */
    deviceInfoFile: z.string().optional(),
  })
  .refine((n) => n.status !== "added" || n.result !== undefined, {
    message: "an added network must carry its result",
    path: ["result"],
  });

export const attachmentCacheEntrySchema = z.object({
  apiVersion: z.literal(ATTACHMENT_CACHE_API_VERSION),
  kind: z.literal(ATTACHMENT_CACHE_KIND),
  containerID: checked(containerIdProblem),
  /** CNI_NETNS of the ADD ("" when unknown). */
  netns: z.string(),
  /** The runtime's CNI_IFNAME (the key's ifname). */
  ifname: checked(ifnameProblem),
  /** From CNI_ARGS (and the API when it answered); "" when unknown. */
  pod: z.object({ namespace: z.string(), name: z.string(), uid: z.string() }),
  /** The runtime's CNI_ARGS, as given. */
  cniArgs: z.string(),
  networks: z.array(cachedNetworkSchema),
});

export type CachedNetwork = z.infer<typeof cachedNetworkSchema>;
export type AttachmentCacheEntry = z.infer<typeof attachmentCacheEntrySchema>;

/** Turns an entry of one apiVersion into the next version's shape. */
export type CacheMigration = (entry: JsonObject) => unknown;

/** Keyed by the apiVersion they upgrade from. None yet: v1alpha1 is the first version. */
export const CACHE_MIGRATIONS: Readonly<Record<string, CacheMigration>> = {};

const MAX_MIGRATION_STEPS = 16;

/**
 * Validates an entry read from disk, migrating older versions first. Throws (with the problem) for
 * anything else: not an object, another kind, an unknown apiVersion, a field missing or wrong.
 */
export function parseCacheEntry(
  raw: unknown,
  migrations: Readonly<Record<string, CacheMigration>> = CACHE_MIGRATIONS,
): AttachmentCacheEntry {
  let current = raw;
  for (let step = 0; step <= MAX_MIGRATION_STEPS; step++) {
    if (!isJsonObject(current)) throw new Error("the entry is not a JSON object");
    if (current.kind !== ATTACHMENT_CACHE_KIND) {
      throw new Error(`kind is ${JSON.stringify(current.kind)}, expected ${ATTACHMENT_CACHE_KIND}`);
    }
    const version = current.apiVersion;
    if (version === ATTACHMENT_CACHE_API_VERSION) return attachmentCacheEntrySchema.parse(current);
    const migrate =
      typeof version === "string" && Object.hasOwn(migrations, version) ? migrations[version] : undefined;
    if (migrate === undefined) {
      throw new Error(
        `unsupported apiVersion ${JSON.stringify(version)} (this netclaim reads ${ATTACHMENT_CACHE_API_VERSION})`,
      );
    }
    current = migrate(current);
  }
  throw new Error(`more than ${MAX_MIGRATION_STEPS} migrations: a migration loop`);
}
