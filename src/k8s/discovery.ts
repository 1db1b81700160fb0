// API discovery: which versions of a group the server serves, to pick resource.k8s.io v1 on
// Kubernetes 1.34+ and v1beta2/v1beta1 on older clusters.
import { isNotFound } from "./api-error.ts";
import { sendForJson } from "./http-transport.ts";
import type { Transport } from "./http-transport.ts";
import { groupVersionPath } from "./resource-path.ts";

/** The versions netclaim speaks for resource.k8s.io, most preferred first. */
export const RESOURCE_API_VERSIONS = ["v1", "v1beta2", "v1beta1"] as const;

interface ApiGroupDoc {
  versions?: { groupVersion?: string; version?: string }[];
}

interface ApiVersionsDoc {
  versions?: string[];
}

interface ApiResourceListDoc {
  resources?: { name?: string }[];
}

/** Pure: the first candidate the server serves, or undefined. */
export function pickVersion(served: readonly string[], candidates: readonly string[]): string | undefined {
  return candidates.find((c) => served.includes(c));
}

/** Versions the server serves for a group ("" = core); [] when it does not serve the group at all. */
export async function servedVersions(
  transport: Transport,
  group: string,
  signal?: AbortSignal,
): Promise<string[]> {
  try {
    if (group === "") {
      const doc = await sendForJson<ApiVersionsDoc>(transport, { method: "GET", path: "/api", signal });
      return (doc.versions ?? []).map((gv) => gv.replace(/^.*\//, ""));
    }
    const path = `/apis/${encodeURIComponent(group)}`;
    const doc = await sendForJson<ApiGroupDoc>(transport, { method: "GET", path, signal });
    return (doc.versions ?? []).flatMap((v) => (v.version === undefined ? [] : [v.version]));
  } catch (err) {
    if (isNotFound(err)) return [];
    throw new Error(`discover versions of API group ${group || "core"}`, { cause: err });
  }
}

/** Does the server serve group/version (and, when given, that resource in it)? */
export async function servesGroupVersion(
  transport: Transport,
  target: { group: string; version: string; resource?: string },
  signal?: AbortSignal,
): Promise<boolean> {
  const path = groupVersionPath(target.group, target.version);
  try {
    const doc = await sendForJson<ApiResourceListDoc>(transport, { method: "GET", path, signal });
    if (target.resource === undefined) return true;
    return (doc.resources ?? []).some((r) => r.name === target.resource);
  } catch (err) {
    if (isNotFound(err)) return false;
    throw new Error(`discover ${path}`, { cause: err });
  }
}

/** The most preferred of `candidates` the server serves for `group`, or undefined. */
export async function pickServedVersion(
  transport: Transport,
  group: string,
  candidates: readonly string[],
  signal?: AbortSignal,
): Promise<string | undefined> {
  return pickVersion(await servedVersions(transport, group, signal), candidates);
}
