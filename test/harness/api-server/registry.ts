// The served resources: built-ins, the `resources` option, and CRDs registered at run time.
import { compareKubeVersions } from "./kube-versions.ts";
import type { ResourceDef, ResourceRef } from "./types.ts";

export function typeKeyOf(def: Pick<ResourceDef, "group" | "plural">): string {
  return `${def.group}/${def.plural}`;
}

export function groupVersion(group: string, version: string): string {
  return group === "" ? version : `${group}/${version}`;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Versions of resource.k8s.io the conversion knows, served or not (seed accepts any of them). */
const DRA_KNOWN_VERSIONS = ["v1", "v1beta2", "v1beta1"];

export function knownVersions(def: ResourceDef): readonly string[] {
  if (def.group === "resource.k8s.io") return [...new Set([...def.versions, ...DRA_KNOWN_VERSIONS])];
  return [...new Set([...def.versions, def.storageVersion])];
}

export class ResourceRegistry {
  #defs = new Map<string, ResourceDef>();

  register(def: ResourceDef): void {
    this.#defs.set(typeKeyOf(def), def);
  }

  unregister(group: string, plural: string): ResourceDef | undefined {
    const key = `${group}/${plural}`;
    const def = this.#defs.get(key);
    this.#defs.delete(key);
    return def;
  }

  all(): ResourceDef[] {
    return [...this.#defs.values()];
  }

  byPlural(group: string, plural: string): ResourceDef | undefined {
    return this.#defs.get(`${group}/${plural}`);
  }

  /** The definition serving `plural` at group/version, if that version is served. */
  served(group: string, version: string, plural: string): ResourceDef | undefined {
    const def = this.byPlural(group, plural);
    return def !== undefined && def.versions.includes(version) ? def : undefined;
  }

  isGroupVersionServed(group: string, version: string): boolean {
    return this.all().some((def) => def.group === group && def.versions.includes(version));
  }

  /** Definition and version for an object's apiVersion + kind (versions the server can convert). */
  byKind(apiVersion: string, kind: string): { def: ResourceDef; version: string } | undefined {
    const { group, version } = splitApiVersion(apiVersion);
    for (const def of this.#defs.values()) {
      if (def.group === group && def.kind === kind && knownVersions(def).includes(version))
        return { def, version };
    }
    return undefined;
  }

  /** Resolves a test's reference: by plural (core group preferred when ambiguous) or by apiVersion + kind. */
  resolve(ref: ResourceRef): ResourceDef {
    if (ref.apiVersion !== undefined && ref.kind !== undefined) {
      const found = this.byKind(ref.apiVersion, ref.kind);
      if (found !== undefined) return found.def;
    } else if (ref.resource !== undefined) {
      const candidates = this.all().filter(
        (def) => def.plural === ref.resource && (ref.group === undefined || def.group === ref.group),
      );
      const def = candidates.find((d) => d.group === "") ?? candidates[0];
      if (def !== undefined) return def;
    }
    throw new Error(`stand-in API server: no resource matches ${JSON.stringify(ref)}`);
  }

  /** API groups (without the core group) in registration order, each with its served versions. */
  groups(): Array<{ name: string; versions: string[] }> {
    const groups = new Map<string, string[]>();
    for (const def of this.#defs.values()) {
      if (def.group === "") continue;
      const versions = groups.get(def.group) ?? [];
      for (const v of def.versions) if (!versions.includes(v)) versions.push(v);
      groups.set(def.group, versions);
    }
    return [...groups].map(([name, versions]) => ({ name, versions: versions.sort(compareKubeVersions) }));
  }
}
