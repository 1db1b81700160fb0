// The IPAM's writes over the API client:
//   finalizers     merge patch of metadata.finalizers carrying metadata.resourceVersion (a stale one is a
//                  409): on a conflict, read the claim again and decide again (client-go's
//                  RetryOnConflict with DefaultBackoff: 4 attempts from 10 ms, x5);
//   claim status   server-side apply of resourceclaims/status with field manager netclaim.dev/controller,
//                  force false: only our entries' fields; a 409 (another manager owns a field with a
//                  different value) is retried a few times, then fails the reconcile naming the owner;
//   pool status    server-side apply of ippools/status, same manager;
//   Events         core/v1 Events on the claim (involvedObject), source netclaim-controller.
// A claim or pool that is gone is not an error for any of them.
//
// Public API: `k8sClaimFinalizers`, `k8sClaimStatusWriter`, `k8sPoolStatusWriter`, `k8sEventRecorder`,
// `CONFLICT_RETRY`.
import { hostname } from "node:os";
import { IP_POOL_API_VERSION, IP_POOL_KIND } from "../../api/ip-pool.ts";
import { realClock } from "../../common/clock.ts";
import { retry } from "../../common/retry.ts";
import { isConflict, isNotFound } from "../../k8s/api-error.ts";
import { apiVersionOf, RESOURCE_TYPES } from "../../k8s/resource-path.ts";
import type { ResourceClient } from "../../k8s/resource-client.ts";
import type { KubeObject } from "../../k8s/types.ts";
import type { K8sIpamOptions } from "./ipam-k8s.ts";
import type {
  ClaimFinalizers,
  ClaimStatusWriter,
  EventRecorder,
  FinalizerAddResult,
  PoolStatusWriter,
} from "./ports.ts";
import { FIELD_MANAGER, IP_ALLOCATION_FINALIZER } from "./types.ts";
import type { ResourceClaim } from "./types.ts";

/** client-go retry.DefaultBackoff. */
export const CONFLICT_RETRY = { maxAttempts: 4, initialMs: 10, factor: 5, maxMs: 1_000, jitter: 0.1 };
const EVENT_SOURCE = "netclaim-controller";

type ClaimObject = ResourceClaim & KubeObject;

function retryConflicts<T>(opts: K8sIpamOptions, fn: (attempt: number) => Promise<T>, signal?: AbortSignal) {
  return retry(fn, {
    ...CONFLICT_RETRY,
    shouldRetry: (err) => isConflict(err),
    clock: opts.clock ?? realClock,
    ...(signal === undefined ? {} : { signal }),
  });
}

class K8sClaimFinalizers implements ClaimFinalizers {
  readonly #opts: K8sIpamOptions;
  readonly #claims: ResourceClient<ClaimObject>;
  readonly #fieldManager: string;

  constructor(opts: K8sIpamOptions) {
    this.#opts = opts;
    this.#claims = opts.kube.resource<ClaimObject>(opts.claimsType ?? RESOURCE_TYPES.resourceClaims);
    this.#fieldManager = opts.fieldManager ?? FIELD_MANAGER;
  }

  /** The claim as given for the first attempt, read again for later ones; undefined: gone. */
  async #current(
    claim: ResourceClaim,
    attempt: number,
    signal?: AbortSignal,
  ): Promise<ResourceClaim | undefined> {
    if (attempt === 1) return claim;
    const { namespace = "", name = "" } = claim.metadata ?? {};
    try {
      return await this.#claims.get(name, { namespace, signal });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Writes the list; false when the claim is gone. A stale resourceVersion throws a Conflict. */
  async #write(claim: ResourceClaim, finalizers: string[], signal?: AbortSignal): Promise<boolean> {
    const { namespace = "", name = "", resourceVersion } = claim.metadata ?? {};
    const patch = { metadata: { resourceVersion, finalizers } };
    try {
      await this.#claims.patch(name, patch, {
        type: "merge",
        namespace,
        fieldManager: this.#fieldManager,
        signal,
      });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  add(claim: ResourceClaim, signal?: AbortSignal): Promise<FinalizerAddResult> {
    return retryConflicts<FinalizerAddResult>(
      this.#opts,
      async (attempt) => {
        const live = await this.#current(claim, attempt, signal);
        if (live === undefined) return "gone";
        if (live.metadata?.deletionTimestamp !== undefined) return "deleting";
        const finalizers = live.metadata?.finalizers ?? [];
        if (finalizers.includes(IP_ALLOCATION_FINALIZER)) return "added";
        return (await this.#write(live, [...finalizers, IP_ALLOCATION_FINALIZER], signal)) ? "added" : "gone";
      },
      signal,
    );
  }

  remove(claim: ResourceClaim, signal?: AbortSignal): Promise<void> {
    return retryConflicts<void>(
      this.#opts,
      async (attempt) => {
        const live = await this.#current(claim, attempt, signal);
        const finalizers = live?.metadata?.finalizers ?? [];
        if (live === undefined || !finalizers.includes(IP_ALLOCATION_FINALIZER)) return;
        await this.#write(
          live,
          finalizers.filter((f) => f !== IP_ALLOCATION_FINALIZER),
          signal,
        );
      },
      signal,
    );
  }
}

export function k8sClaimFinalizers(opts: K8sIpamOptions): ClaimFinalizers {
  return new K8sClaimFinalizers(opts);
}

function conflictOwners(err: unknown): string {
  const causes =
    (err as { details?: { causes?: { message?: string; field?: string }[] } }).details?.causes ?? [];
  return causes.map((c) => `${c.field ?? "?"} (${c.message ?? "conflict"})`).join(", ");
}

export function k8sClaimStatusWriter(opts: K8sIpamOptions): ClaimStatusWriter {
  const type = opts.claimsType ?? RESOURCE_TYPES.resourceClaims;
  const claims = opts.kube.resource<ClaimObject>(type);
  const fieldManager = opts.fieldManager ?? FIELD_MANAGER;
  return {
    async applyDeviceStatuses(claim, entries, signal) {
      const applied = {
        apiVersion: apiVersionOf(type),
        kind: "ResourceClaim",
        metadata: { namespace: claim.namespace, name: claim.name },
        status: { devices: entries },
      };
      const send = () =>
        claims.patch(claim.name, applied, {
          type: "apply",
          subresource: "status",
          namespace: claim.namespace,
          fieldManager,
          force: false,
          signal,
        });
      try {
        await retryConflicts(opts, send, signal);
      } catch (err) {
        if (isNotFound(err)) return;
        const owners = isConflict(err) ? `: other managers own ${conflictOwners(err)}` : "";
        throw new Error(`apply status.devices of claim ${claim.namespace}/${claim.name}${owners}`, {
          cause: err,
        });
      }
    },
  };
}

export function k8sPoolStatusWriter(opts: K8sIpamOptions): PoolStatusWriter {
  const pools = opts.kube.resource(RESOURCE_TYPES.ipPools);
  const fieldManager = opts.fieldManager ?? FIELD_MANAGER;
  return {
    async applyPoolStatus(name, status, signal) {
      const applied = { apiVersion: IP_POOL_API_VERSION, kind: IP_POOL_KIND, metadata: { name }, status };
      try {
        await retryConflicts(
          opts,
          () =>
            pools.patch(name, applied, {
              type: "apply",
              subresource: "status",
              fieldManager,
              force: false,
              signal,
            }),
          signal,
        );
      } catch (err) {
        if (isNotFound(err)) return;
        throw new Error(`apply status of IPPool ${name}`, { cause: err });
      }
    },
  };
}

export function k8sEventRecorder(opts: K8sIpamOptions): EventRecorder {
  const events = opts.kube.resource(RESOURCE_TYPES.events);
  const claimsType = opts.claimsType ?? RESOURCE_TYPES.resourceClaims;
  const clock = opts.clock ?? realClock;
  const instance = opts.instance ?? hostname();
  return {
    async recordClaimEvent(claim, event, signal) {
      const now = new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
      const body = {
        apiVersion: "v1",
        kind: "Event",
        metadata: { namespace: claim.namespace, generateName: `${claim.name}.` },
        involvedObject: {
          apiVersion: apiVersionOf(claimsType),
          kind: "ResourceClaim",
          namespace: claim.namespace,
          name: claim.name,
          uid: claim.uid,
        },
        type: event.type,
        reason: event.reason,
        message: event.message,
        source: { component: EVENT_SOURCE },
        reportingComponent: opts.fieldManager ?? FIELD_MANAGER,
        reportingInstance: instance,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      };
      await events.create(body, { namespace: claim.namespace, signal });
    },
  };
}
