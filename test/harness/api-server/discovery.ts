// Legacy (unaggregated) discovery documents: /api, /api/v1, /apis, /apis/<g>, /apis/<g>/<v>, /version.
import { groupVersion } from "./registry.ts";
import type { ResourceRegistry } from "./registry.ts";
import { resourceNotServed } from "./status-errors.ts";
import type { DiscoveryDoc } from "./paths.ts";
import type { ResourceDef } from "./types.ts";

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const STATUS_VERBS = ["get", "patch", "update"];

function versionEntries(
  group: string,
  versions: readonly string[],
): Array<{ groupVersion: string; version: string }> {
  return versions.map((version) => ({ groupVersion: groupVersion(group, version), version }));
}

function apiGroup(name: string, versions: readonly string[]): Record<string, unknown> {
  const entries = versionEntries(name, versions);
  return { name, versions: entries, preferredVersion: entries[0] };
}

function resourceEntries(def: ResourceDef): Array<Record<string, unknown>> {
  const main: Record<string, unknown> = {
    name: def.plural,
    singularName: def.singular,
    namespaced: def.namespaced,
    kind: def.kind,
    verbs: VERBS,
  };
  if (def.shortNames.length > 0) main["shortNames"] = def.shortNames;
  const entries = [main];
  if (def.statusSubresource) {
    entries.push({
      name: `${def.plural}/status`,
      singularName: "",
      namespaced: def.namespaced,
      kind: def.kind,
      verbs: STATUS_VERBS,
    });
  }
  return entries;
}

export interface VersionInfo {
  gitVersion: string;
}

function versionDoc(info: VersionInfo): Record<string, unknown> {
  const m = /^v(\d+)\.(\d+)/.exec(info.gitVersion);
  return {
    major: m?.[1] ?? "1",
    minor: m?.[2] ?? "34",
    gitVersion: info.gitVersion,
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2025-08-27T00:00:00Z",
    goVersion: "go1.24.6",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

export interface DiscoveryRequest {
  doc: DiscoveryDoc;
  group: string;
  version: string;
  serverAddress: string;
}

/** The discovery document for a path, or a 404 Status when the group or version is not served. */
export function discoveryDocument(
  registry: ResourceRegistry,
  request: DiscoveryRequest,
  info: VersionInfo,
): unknown {
  const { doc, group, version } = request;
  switch (doc) {
    case "version":
      return versionDoc(info);
    case "core-versions":
      return {
        kind: "APIVersions",
        versions: ["v1"],
        serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: request.serverAddress }],
      };
    case "group-list":
      return {
        kind: "APIGroupList",
        apiVersion: "v1",
        groups: registry.groups().map((g) => apiGroup(g.name, g.versions)),
      };
    case "group": {
      const found = registry.groups().find((g) => g.name === group);
      if (found === undefined) throw resourceNotServed();
      return { kind: "APIGroup", apiVersion: "v1", ...apiGroup(found.name, found.versions) };
    }
    case "core-resources":
    case "group-resources": {
      if (!registry.isGroupVersionServed(group, version)) throw resourceNotServed();
      const defs = registry.all().filter((def) => def.group === group && def.versions.includes(version));
      return {
        kind: "APIResourceList",
        apiVersion: "v1",
        groupVersion: groupVersion(group, version),
        resources: defs.flatMap(resourceEntries),
      };
    }
  }
}
