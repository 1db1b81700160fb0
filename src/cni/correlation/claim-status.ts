// ResourceClaim status.devices (KEP-4817) for the claim devices an ADD attached: per device
// {driver, pool, device, shareID, conditions: [Ready True], networkData {interfaceName, ips, hardwareAddress}}.
//
// Pure: `claimStatusUpdates` (claim-status-updates.ts, kept apart so the engine loads no API client code)
// groups the attached devices by claim; `claimStatusApplyPatch` builds the server-side apply body.
//
// I/O: `ApiClaimStatusWriter` applies it to resourceclaims/status with the driver's own field manager
// (default `<driver>/cni`) and force=false, so a field another manager owns is never taken over: that
// conflict fails the write, naming the fields. A 409 without field-manager conflicts (the object changed
// under the server's own retries), 429 and 5xx are retried with backoff.
//
// Public API: `AttachedClaimDevice`, `ClaimStatusUpdate`, `claimStatusUpdates`, `claimStatusApplyPatch`,
// `ApiClaimStatusWriter`, `ApiClaimStatusWriterOptions`, `cniFieldManager`, `READY_CONDITION_REASON`,
// `CLAIM_STATUS_PERMANENT_CODES`, `ClaimStatusErrorCode`.
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import { retry } from "../../common/retry.ts";
import { CodedError } from "../../common/errors.ts";
import {
  isApiError,
  isConflict,
  isInternalError,
  isNotFound,
  isTooManyRequests,
} from "../../k8s/api-error.ts";
import type { ResourceClient } from "../../k8s/resource-client.ts";
import { RESOURCE_TYPES, apiVersionOf } from "../../k8s/resource-path.ts";
import type { KubeObject } from "../../k8s/types.ts";
import type { ClaimDeviceStatus, ClaimStatusWriter } from "../engine/ports.ts";

export { claimStatusUpdates } from "./claim-status-updates.ts";
export type { AttachedClaimDevice, ClaimStatusUpdate } from "./claim-status-updates.ts";

export const READY_CONDITION_REASON = "NetworkAttached";

/** Failures a retry would not mend: another manager's fields, a claim that no longer exists. */
export const CLAIM_STATUS_PERMANENT_CODES = ["CLAIM_STATUS_CONFLICT", "CLAIM_NOT_FOUND"] as const;
export type ClaimStatusErrorCode = (typeof CLAIM_STATUS_PERMANENT_CODES)[number];
const DEFAULT_TIMEOUT_MS = 5_000;

export function cniFieldManager(driverName: string): string {
  return `${driverName}/cni`;
}

/** metav1.Time: RFC 3339 in seconds. */
function metaTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The server-side apply body for one claim's entries. Pure. */
export function claimStatusApplyPatch(
  claim: { namespace: string; name: string },
  devices: readonly ClaimDeviceStatus[],
  nowMs: number,
): KubeObject & { status: { devices: unknown[] } } {
  return {
    apiVersion: apiVersionOf(RESOURCE_TYPES.resourceClaims),
    kind: "ResourceClaim",
    metadata: { namespace: claim.namespace, name: claim.name },
    status: {
      devices: devices.map((d) => ({
        driver: d.driver,
        pool: d.pool,
        device: d.device,
        ...(d.shareID === undefined ? {} : { shareID: d.shareID }),
        conditions: [
          {
            type: "Ready",
            status: "True",
            reason: READY_CONDITION_REASON,
            message: d.message,
            lastTransitionTime: metaTime(nowMs),
          },
        ],
        networkData: {
          ...d.networkData,
          ...(d.networkData.ips === undefined ? {} : { ips: [...d.networkData.ips] }),
        },
      })),
    },
  };
}

export interface ApiClaimStatusWriterOptions {
  claims: Pick<ResourceClient<KubeObject>, "patch">;
  fieldManager: string;
  clock?: Clock;
  requestTimeoutMs?: number;
  /** Attempts in all (default 5). */
  maxAttempts?: number;
  random?: () => number;
}

type Cause = { reason?: string; type?: string; field?: string };

/** The fields of a server-side apply conflict with another manager, or undefined for other errors. */
function managerConflicts(err: unknown): string[] | undefined {
  if (!isApiError(err) || !isConflict(err)) return undefined;
  const causes = (err.details?.causes ?? []) as Cause[];
  const fields = causes
    .filter((c) => c.reason === "FieldManagerConflict" || c.type === "FieldManagerConflict")
    .map((c) => c.field ?? "?");
  return fields.length === 0 ? undefined : fields;
}

function retryable(err: unknown): boolean {
  if (managerConflicts(err) !== undefined) return false;
  return (
    isConflict(err) ||
    isTooManyRequests(err) ||
    isInternalError(err) ||
    (isApiError(err) && err.status >= 500)
  );
}

export class ApiClaimStatusWriter implements ClaimStatusWriter {
  private readonly options: ApiClaimStatusWriterOptions;

  constructor(options: ApiClaimStatusWriterOptions) {
    this.options = options;
  }

  async writeDeviceStatuses(
    claim: { namespace: string; name: string },
    devices: readonly ClaimDeviceStatus[],
    signal?: AbortSignal,
  ): Promise<void> {
    if (devices.length === 0) return;
    const clock = this.options.clock ?? realClock;
    const what = `apply status.devices of resourceclaim ${claim.namespace}/${claim.name}`;
    try {
      await retry(
        () => {
          const timeout = AbortSignal.timeout(this.options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS);
          const body = claimStatusApplyPatch(claim, devices, clock.now());
          return this.options.claims.patch(claim.name, body, {
            type: "apply",
            subresource: "status",
            namespace: claim.namespace,
            fieldManager: this.options.fieldManager,
            force: false,
            signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
          });
        },
        {
          maxAttempts: this.options.maxAttempts ?? 5,
          initialMs: 50,
          maxMs: 2_000,
          shouldRetry: retryable,
          clock,
          ...(signal === undefined ? {} : { signal }),
          ...(this.options.random === undefined ? {} : { random: this.options.random }),
        },
      );
    } catch (err) {
      signal?.throwIfAborted();
      const fields = managerConflicts(err);
      if (fields !== undefined) {
        const message = `${what}: fields owned by another manager, not taken over: ${fields.join(", ")}`;
        throw new CodedError<ClaimStatusErrorCode>("CLAIM_STATUS_CONFLICT", message, { cause: err });
      }
      if (isNotFound(err)) {
        throw new CodedError<ClaimStatusErrorCode>("CLAIM_NOT_FOUND", `${what}: the claim is gone`, {
          cause: err,
        });
      }
      throw new Error(what, { cause: err });
    }
  }
}
