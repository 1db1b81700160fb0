// The manifests under test, read as plain objects: YAML files (every document of each), the directories
// that hold them, and what `kubectl kustomize` renders (kubectl.ts). Each object keeps where it came from,
// so that a failure names the file or overlay.
//
// Public API: `REPO_ROOT`, `repoPath`, `Manifest`, `parseManifests`, `readManifests`, `yamlFilesIn`,
// `kustomizationDirsUnder`, `exampleDirs`, `objectName`, `findObject`, `objectsOfKind`, `packageVersion`.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** An absolute path from one relative to the repository root. */
export function repoPath(relativePath: string): string {
  return join(REPO_ROOT, relativePath);
}

/** One Kubernetes object and where it came from ("deployments/base/namespace.yaml", "overlay talos"). */
export interface Manifest {
  source: string;
  object: Record<string, unknown> & {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string> } & Record<string, unknown>;
  };
}

/** Every non-empty document of a YAML stream; a YAML error or a document that is no object throws. */
export function parseManifests(text: string, source: string): Manifest[] {
  const out: Manifest[] = [];
  for (const [index, document] of parseAllDocuments(text, { uniqueKeys: true }).entries()) {
    if (document.errors.length > 0) {
      throw new Error(
        `${source}: document ${index + 1}: ${document.errors.map((e) => e.message).join("; ")}`,
      );
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new Error(`${source}: document ${index + 1} is not an object`);
    }
    const object = value as Manifest["object"];
    if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
      throw new Error(`${source}: document ${index + 1} has no apiVersion and kind`);
    }
    out.push({ source, object });
  }
  return out;
}

/** The objects of a file given relative to the repository root. */
export function readManifests(relativePath: string): Manifest[] {
  return parseManifests(readFileSync(repoPath(relativePath), "utf8"), relativePath);
}

const YAML_RE = /\.ya?ml$/;
const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

function isKustomizationDir(dir: string): boolean {
  return KUSTOMIZATION_FILES.some((name) => existsSync(join(dir, name)));
}

/**
 * The YAML files directly in `dir` (relative to the root), sorted. A kustomize dir's files may be patches
 * rather than objects, so it has none unless `kustomized` says its files are whole objects (as
 * deployments/base's are); its kustomization is never one.
 */
export function yamlFilesIn(relativeDir: string, options: { kustomized?: boolean } = {}): string[] {
  const dir = repoPath(relativeDir);
  if (!existsSync(dir)) return [];
  if (isKustomizationDir(dir) && options.kustomized !== true) return [];
  return readdirSync(dir)
    .filter((name) => YAML_RE.test(name) && !KUSTOMIZATION_FILES.includes(name))
    .filter((name) => statSync(join(dir, name)).isFile())
    .sort()
    .map((name) => join(relativeDir, name));
}

/** Every directory under `relativeDir` (itself included) that holds a kustomization, sorted. */
export function kustomizationDirsUnder(relativeDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    if (isKustomizationDir(dir)) found.push(relative(REPO_ROOT, dir));
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
    }
  };
  walk(repoPath(relativeDir));
  return found.sort();
}

/** The scenario directories under examples/, sorted. */
export function exampleDirs(): string[] {
  return readdirSync(repoPath("examples"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join("examples", entry.name))
    .sort();
}

/** "Kind namespace/name" or "Kind name", for messages. */
export function objectName({ object }: Manifest): string {
  const { namespace, name } = object.metadata;
  return `${object.kind} ${namespace === undefined ? name : `${namespace}/${name}`}`;
}

/** The one object of `kind` named `name`; throws naming the candidates when there is none. */
export function findObject<T>(manifests: readonly Manifest[], kind: string, name: string): T {
  const found = manifests.find((m) => m.object.kind === kind && m.object.metadata.name === name);
  if (found === undefined) {
    const names = objectsOfKind(manifests, kind).map((m) => m.object.metadata.name);
    throw new Error(`no ${kind} ${name} among ${names.length === 0 ? "none" : names.join(", ")}`);
  }
  return found.object as T;
}

export function objectsOfKind(manifests: readonly Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m.object.kind === kind);
}

/** package.json's version. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as { version: string }).version;
}
