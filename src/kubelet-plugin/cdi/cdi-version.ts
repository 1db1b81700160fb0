// The lowest cdiVersion that carries what a spec uses — the same rules as the CDI library's
// `MinimumRequiredVersion` (specs-go/version.go, spec 1.1.0):
//   0.3.0  the earliest version loaders accept; env, deviceNodes, mounts, hooks
//   0.4.0  a mount with `type`
//   0.5.0  a device name starting with a digit; a device node with `hostPath`
//   0.6.0  annotations (spec or device); a "." in the kind's class
//   0.7.0  intelRdt; additionalGids
//   0.8.0, 1.0.0  no new fields (library changes only)
//   1.1.0  netDevices; intelRdt.schemata or intelRdt.enableMonitoring
// Loaders reject a spec whose cdiVersion is below its minimum, and older loaders reject versions they
// do not know: Debian's podman 4.3 takes up to 0.5.0, containerd 1.7 up to 0.8.0 (feasibility notes).
//
// Public API: `CDI_VERSIONS`, `CdiVersion`, `minimumCdiVersion`, `compareCdiVersions`,
// `MAX_PORTABLE_CDI_VERSION`.
import type { CdiContainerEdits, CdiSpec } from "./cdi-types.ts";

/** Known versions, oldest first. */
export const CDI_VERSIONS = ["0.3.0", "0.4.0", "0.5.0", "0.6.0", "0.7.0", "0.8.0", "1.0.0", "1.1.0"] as const;
export type CdiVersion = (typeof CDI_VERSIONS)[number];

/** The newest version every runtime we target (podman 4.3 included) loads. */
export const MAX_PORTABLE_CDI_VERSION: CdiVersion = "0.5.0";

function allEdits(spec: CdiSpec): CdiContainerEdits[] {
  const edits = spec.devices.map((d) => d.containerEdits);
  if (spec.containerEdits !== undefined) edits.push(spec.containerEdits);
  return edits;
}

function hasEntries(record: Record<string, string> | undefined): boolean {
  return record !== undefined && Object.keys(record).length > 0;
}

function requires110(spec: CdiSpec): boolean {
  return allEdits(spec).some(
    (e) =>
      (e.netDevices?.length ?? 0) > 0 ||
      e.intelRdt?.schemata !== undefined ||
      e.intelRdt?.enableMonitoring === true,
  );
}

function requires070(spec: CdiSpec): boolean {
  return allEdits(spec).some((e) => e.intelRdt !== undefined || (e.additionalGids?.length ?? 0) > 0);
}

function requires060(spec: CdiSpec): boolean {
  if (hasEntries(spec.annotations) || spec.devices.some((d) => hasEntries(d.annotations))) return true;
  const slash = spec.kind.indexOf("/");
  return slash >= 0 && spec.kind.slice(slash + 1).includes(".");
}

function requires050(spec: CdiSpec): boolean {
  if (spec.devices.some((d) => /^[0-9]/.test(d.name))) return true;
  return allEdits(spec).some((e) => (e.deviceNodes ?? []).some((n) => (n.hostPath ?? "") !== ""));
}

function requires040(spec: CdiSpec): boolean {
  return allEdits(spec).some((e) => (e.mounts ?? []).some((m) => (m.type ?? "") !== ""));
}

/** Newest first, as the library checks them: the first that applies is the minimum. */
const RULES: readonly { version: CdiVersion; applies: (spec: CdiSpec) => boolean }[] = [
  { version: "1.1.0", applies: requires110 },
  { version: "0.7.0", applies: requires070 },
  { version: "0.6.0", applies: requires060 },
  { version: "0.5.0", applies: requires050 },
  { version: "0.4.0", applies: requires040 },
];

/** The lowest cdiVersion that carries every field `spec` uses (its own cdiVersion is ignored). */
export function minimumCdiVersion(spec: CdiSpec): CdiVersion {
  return RULES.find((rule) => rule.applies(spec))?.version ?? "0.3.0";
}

/** <0, 0 or >0 like a comparator; throws for a version CDI does not know. */
export function compareCdiVersions(a: string, b: string): number {
  const ia = CDI_VERSIONS.indexOf(a.replace(/^v/, "") as CdiVersion);
  const ib = CDI_VERSIONS.indexOf(b.replace(/^v/, "") as CdiVersion);
  if (ia < 0 || ib < 0) throw new Error(`unknown CDI version ${JSON.stringify(ia < 0 ? a : b)}`);
  return ia - ib;
}
