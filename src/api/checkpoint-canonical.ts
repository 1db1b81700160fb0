// Canonical JSON and the checkpoint checksum. Canonical: object keys sorted (by UTF-16 code units, as
// Array.prototype.sort does), no whitespace, `undefined` members dropped as JSON.stringify drops them,
// arrays in order. Two values that are equal as JSON have the same canonical text, whatever order their
// keys were written in, so the checksum survives a reformat but not a change of any value.
// (The kubelet's checkpointmanager hashes a Go-specific dump with FNV-32a; sha256 over canonical JSON
// is the portable equivalent and catches more than accidental damage.)
//
// Public API: `canonicalJson`, `CHECKSUM_PREFIX`, `checksumOf`.
import { createHash } from "node:crypto";

export const CHECKSUM_PREFIX = "sha256:";

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The canonical JSON text of a JSON value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((v: unknown) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  }
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "null";
  const members = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => compareKeys(a, b))
    .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
  return `{${members.join(",")}}`;
}

/** "sha256:<hex>" of the canonical JSON of `value`. */
export function checksumOf(value: unknown): string {
  return CHECKSUM_PREFIX + createHash("sha256").update(canonicalJson(value), "utf8").digest("hex");
}
