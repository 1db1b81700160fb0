// How the kubelet reads a NodePrepareResources / NodeUnprepareResources answer (pure): one outcome per
// requested claim; a claim missing from the answer or carrying an error failed; an answer for a claim
// that was not asked about is an error of the whole call (kubelet's dra/manager.go).
import type { PreparedDevice, StandInClaim } from "./types.ts";

export type ClaimOutcome =
  | { claim: StandInClaim; driver: string; ok: true; devices: PreparedDevice[] }
  | { claim: StandInClaim; driver: string; ok: false; error: string };

/** A device as it arrives from either DRA version (v1beta1 has no share_id). */
export interface WireDevice {
  request_names: string[];
  pool_name: string;
  device_name: string;
  cdi_device_ids: string[];
  share_id?: string;
}

export interface CallOutcomes {
  outcomes: ClaimOutcome[];
  /** Errors of the call as a whole (answers for claims nobody asked about). */
  errors: string[];
}

function unknownClaims(method: string, claims: StandInClaim[], answered: string[]): string[] {
  const asked = new Set(claims.map((c) => c.uid));
  return answered
    .filter((uid) => !asked.has(uid))
    .map((uid) => `${method} returned result for unknown claim UID ${uid}`);
}

export function toPreparedDevice(device: WireDevice): PreparedDevice {
  const prepared: PreparedDevice = {
    requestNames: device.request_names,
    poolName: device.pool_name,
    deviceName: device.device_name,
    cdiDeviceIds: device.cdi_device_ids,
  };
  if (device.share_id !== undefined) prepared.shareId = device.share_id;
  return prepared;
}

export function prepareOutcomes(
  driver: string,
  claims: StandInClaim[],
  answer: Record<string, { devices: WireDevice[]; error: string } | undefined>,
): CallOutcomes {
  const outcomes = claims.map((claim): ClaimOutcome => {
    const entry = answer[claim.uid];
    if (entry === undefined) {
      return { claim, driver, ok: false, error: `NodePrepareResources skipped ResourceClaim ${claim.name}` };
    }
    if (entry.error !== "") {
      return {
        claim,
        driver,
        ok: false,
        error: `NodePrepareResources failed for ResourceClaim ${claim.name}: ${entry.error}`,
      };
    }
    return { claim, driver, ok: true, devices: entry.devices.map(toPreparedDevice) };
  });
  return { outcomes, errors: unknownClaims("NodePrepareResources", claims, Object.keys(answer)) };
}

export function unprepareOutcomes(
  driver: string,
  claims: StandInClaim[],
  answer: Record<string, { error: string } | undefined>,
): CallOutcomes {
  const outcomes = claims.map((claim): ClaimOutcome => {
    const entry = answer[claim.uid];
    if (entry === undefined) {
      return {
        claim,
        driver,
        ok: false,
        error: `NodeUnprepareResources skipped ResourceClaim ${claim.name}`,
      };
    }
    if (entry.error !== "") {
      return {
        claim,
        driver,
        ok: false,
        error: `NodeUnprepareResources failed for ResourceClaim ${claim.name}: ${entry.error}`,
      };
    }
    return { claim, driver, ok: true, devices: [] };
  });
  return { outcomes, errors: unknownClaims("NodeUnprepareResources", claims, Object.keys(answer)) };
}

/** Every outcome of a failed call: the same error for each claim of the batch. */
export function failedCall(driver: string, claims: StandInClaim[], error: string): CallOutcomes {
  return { outcomes: claims.map((claim) => ({ claim, driver, ok: false, error })), errors: [] };
}
