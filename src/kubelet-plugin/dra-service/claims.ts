// Pure parts of the DRA service: what makes a request malformed (the only reason for a gRPC-level
// error), and how per-claim outcomes become the wire's response map for each API version.
import type { ClaimRef, PrepareOutcome, PreparedDevice, UnprepareOutcome } from "./ports.ts";

/** A claim as it arrives on the wire (proto3 strings default to ""). */
export interface WireClaim {
  namespace: string;
  uid: string;
  name: string;
}

export type ClaimsCheck = { ok: true; claims: ClaimRef[] } | { ok: false; error: string };

/**
 * The distinct claims of a request. Malformed: a claim without namespace, name or UID, or one UID
 * named twice with different namespace/name. The same claim twice is answered once.
 */
export function checkClaims(claims: readonly WireClaim[]): ClaimsCheck {
  const byUid = new Map<string, ClaimRef>();
  for (const [index, claim] of claims.entries()) {
    const missing = (["namespace", "name", "uid"] as const).filter((field) => claim[field] === "");
    if (missing.length > 0) {
      return { ok: false, error: `claims[${index}] has no ${missing.join(", ")}` };
    }
    const seen = byUid.get(claim.uid);
    if (seen === undefined) {
      byUid.set(claim.uid, { namespace: claim.namespace, name: claim.name, uid: claim.uid });
      continue;
    }
    if (seen.namespace !== claim.namespace || seen.name !== claim.name) {
      return {
        ok: false,
        error:
          `claim UID ${claim.uid} named twice: as ${seen.namespace}/${seen.name} ` +
          `and as ${claim.namespace}/${claim.name}`,
      };
    }
  }
  return { ok: true, claims: [...byUid.values()] };
}

export type DraApiVersion = "v1" | "v1beta1";

export interface WireDevice {
  request_names: string[];
  pool_name: string;
  device_name: string;
  cdi_device_ids: string[];
  share_id?: string;
}

/** A device on the wire; v1beta1 has no share_id field, so it is left out there. */
export function wireDevice(device: PreparedDevice, version: DraApiVersion): WireDevice {
  const wire: WireDevice = {
    request_names: [...device.requestNames],
    pool_name: device.poolName,
    device_name: device.deviceName,
    cdi_device_ids: [...device.cdiDeviceIds],
  };
  if (version === "v1" && device.shareId !== undefined) wire.share_id = device.shareId;
  return wire;
}

/** NodePrepareResourcesResponse.claims: one entry per claim, devices or a non-empty error. */
export function prepareResponse(
  outcomes: ReadonlyMap<string, PrepareOutcome>,
  version: DraApiVersion,
): Record<string, { devices: WireDevice[]; error: string }> {
  const claims: Record<string, { devices: WireDevice[]; error: string }> = {};
  for (const [uid, outcome] of outcomes) {
    claims[uid] =
      "error" in outcome
        ? { devices: [], error: nonEmpty(outcome.error) }
        : { devices: outcome.devices.map((d) => wireDevice(d, version)), error: "" };
  }
  return claims;
}

/** NodeUnprepareResourcesResponse.claims: one entry per claim, error "" on success. */
export function unprepareResponse(
  outcomes: ReadonlyMap<string, UnprepareOutcome>,
): Record<string, { error: string }> {
  const claims: Record<string, { error: string }> = {};
  for (const [uid, outcome] of outcomes) {
    claims[uid] = { error: "error" in outcome ? nonEmpty(outcome.error) : "" };
  }
  return claims;
}

/** An empty error string would read as success on the wire. */
function nonEmpty(error: string): string {
  return error === "" ? "unknown error" : error;
}

/** "ns/name" for messages and logs. */
export function claimKey(claim: ClaimRef): string {
  return `${claim.namespace}/${claim.name}`;
}
