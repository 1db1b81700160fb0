// CNI spec versions: which netclaim speaks, how they compare, and which commands a config version allows.
//
// netclaim supports every released spec version, like Multus (libcni's `version.All`): 0.1.0, 0.2.0,
// 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0. A config without `cniVersion` is 0.1.0 (libcni's rule). Support is
// an exact string match ("0.3" is not "0.3.0"), as in libcni's reconciler. CHECK needs a config of
// 0.4.0 or later, STATUS and GC need 1.1.0 or later; otherwise the answer is code 1 (what libcni's skel
// answers: "config version does not allow CHECK").
//
// Public API: `SUPPORTED_VERSIONS`, `CniVersion`, `CURRENT_VERSION`, `DEFAULT_CONFIG_VERSION`,
// `parseVersion`, `compareVersions`, `isSupportedVersion`, `requireSupportedVersion`,
// `versionAllowsCommand`, `requireCommandAllowed`, `versionResponse`, `CNI_COMMANDS`, `CniCommand`.
import { CniError } from "./errors.ts";

export const SUPPORTED_VERSIONS = ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"] as const;
export type CniVersion = (typeof SUPPORTED_VERSIONS)[number];

/** The newest spec version, used for VERSION answers and when no better version is known. */
export const CURRENT_VERSION: CniVersion = "1.1.0";

/** The version of a config that has no `cniVersion`. */
export const DEFAULT_CONFIG_VERSION: CniVersion = "0.1.0";

export const CNI_COMMANDS = ["ADD", "DEL", "CHECK", "VERSION", "STATUS", "GC"] as const;
export type CniCommand = (typeof CNI_COMMANDS)[number];

/** The oldest config version that allows each command. */
const MIN_VERSION_FOR: Readonly<Record<CniCommand, CniVersion>> = {
  ADD: "0.1.0",
  DEL: "0.1.0",
  VERSION: "0.1.0",
  CHECK: "0.4.0",
  STATUS: "1.1.0",
  GC: "1.1.0",
};

const PART_RE = /^\d+$/;

/**
 * "major[.minor[.patch]]" → [major, minor, patch]; "" is 0.1.0 (libcni). Throws a CniError (code 6)
 * for anything else, e.g. "1.0.0-rc1" or "v1".
 */
export function parseVersion(version: string): [number, number, number] {
  if (version === "") return [0, 1, 0];
  const parts = version.split(".");
  if (parts.length > 3 || !parts.every((p) => PART_RE.test(p))) {
    throw new CniError("DECODE_FAILURE", `invalid CNI version ${JSON.stringify(version)}`, {
      details: 'expected "major.minor.patch", e.g. "1.0.0"',
    });
  }
  const [major = 0, minor = 0, patch = 0] = parts.map(Number);
  return [major, minor, patch];
}

/** Negative when a < b, 0 when equal, positive when a > b ("0.3.1" < "0.4.0" < "1.0.0"). */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  for (let i = 0; i < 3; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

export function isSupportedVersion(version: unknown): version is CniVersion {
  return typeof version === "string" && (SUPPORTED_VERSIONS as readonly string[]).includes(version);
}

/** The config version as a supported one ("" → 0.1.0), or a CniError with code 1. */
export function requireSupportedVersion(version: string): CniVersion {
  const effective = version === "" ? DEFAULT_CONFIG_VERSION : version;
  if (isSupportedVersion(effective)) return effective;
  parseVersion(effective); // a malformed version is a decode error (code 6), as in libcni
  throw new CniError("INCOMPATIBLE_VERSION", "incompatible CNI versions", {
    details: `config is ${JSON.stringify(effective)}, netclaim supports ${SUPPORTED_VERSIONS.join(", ")}`,
  });
}

export function versionAllowsCommand(version: CniVersion, command: CniCommand): boolean {
  return compareVersions(version, MIN_VERSION_FOR[command]) >= 0;
}

/** Throws a CniError (code 1) when a config of `version` may not be used for `command`. */
export function requireCommandAllowed(version: CniVersion, command: CniCommand): void {
  if (versionAllowsCommand(version, command)) return;
  throw new CniError("INCOMPATIBLE_VERSION", `config version does not allow ${command}`, {
    details: `${command} needs cniVersion ${MIN_VERSION_FOR[command]} or later, the config has ${version}`,
  });
}

export interface VersionResponse {
  cniVersion: CniVersion;
  supportedVersions: CniVersion[];
}

/** The answer to VERSION. */
export function versionResponse(): VersionResponse {
  return { cniVersion: CURRENT_VERSION, supportedVersions: [...SUPPORTED_VERSIONS] };
}
