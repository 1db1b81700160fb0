// The IPAM ports over the API client: direct reads (GET, and consistent paged lists — never a cache, so
// what a claim holds is always read fresh) and writes (ipam-k8s-writers.ts). A runtime with informers may
// pass its own ClaimReader/PoolReader/NetworkReader built on caches; the AllocationStore must stay a
// consistent reader (see ports.ts).
//
// Public API: `IP_ALLOCATIONS`, `K8sIpamOptions`, `k8sIpamPorts`, `K8sAllocationStore`,
// `k8sClaimReader`, `k8sPoolReader`, `k8sNetworkReader`.
import { CLAIM_NAMESPACE_LABEL, CLAIM_UID_LABEL, parseIpAllocation } from "../../api/ip-address.ts";
import type { IPAllocation } from "../../api/ip-address.ts";
import type { IPPool } from "../../api/ip-pool.ts";
import type { Clock } from "../../common/clock.ts";
import { silentLogger } from "../../common/logger.ts";
import type { Logger } from "../../common/logger.ts";
import { isAlreadyExists, isConflict, isNotFound } from "../../k8s/api-error.ts";
import type { KubeClient } from "../../k8s/client.ts";
import { listAll, listWatchFrom } from "../../k8s/list-watch.ts";
import type { ResourceClient } from "../../k8s/resource-client.ts";
import { RESOURCE_TYPES } from "../../k8s/resource-path.ts";
import type { ResourceType } from "../../k8s/resource-path.ts";
import type { KubeObject } from "../../k8s/types.ts";
import type { AllocationStore, ClaimReader, IpamPorts, NetworkReader, PoolReader } from "./ports.ts";
import { IP_POOL_ANNOTATION, NAD_RESOURCE_NAME_ANNOTATION, RESOURCE_NAME_ATTRIBUTE } from "./types.ts";
import type { DeviceRef, NadView, ResourceClaim } from "./types.ts";
import {
  k8sClaimFinalizers,
  k8sClaimStatusWriter,
  k8sEventRecorder,
  k8sPoolStatusWriter,
} from "./ipam-k8s-writers.ts";

export const IP_ALLOCATIONS = {
  group: "netclaim.dev",
  version: "v1alpha1",
  resource: "ipallocations",
  namespaced: false,
  kind: "IPAllocation",
} as const satisfies ResourceType;

const DEFAULT_PAGE_SIZE = 500;

export interface K8sIpamOptions {
  kube: Pick<KubeClient, "resource">;
  /** resource.k8s.io/v1 resourceclaims unless the cluster serves only a beta version. */
  claimsType?: ResourceType;
  resourceSlicesType?: ResourceType;
  fieldManager?: string;
  /** Events' reportingInstance (the pod name). */
  instance?: string;
  pageSize?: number;
  clock?: Clock;
  logger?: Logger;
}

async function orUndefined<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function listEvery<T extends KubeObject>(
  client: ResourceClient<T>,
  opts: { pageSize: number; labelSelector?: string; fieldSelector?: string; namespace?: string },
  signal: AbortSignal | undefined,
): Promise<T[]> {
  const lw = listWatchFrom(client, opts.namespace === undefined ? {} : { namespace: opts.namespace });
  const page = await listAll(lw, {
    resourceVersion: "",
    pageSize: opts.pageSize,
    labelSelector: opts.labelSelector,
    fieldSelector: opts.fieldSelector,
    signal: signal ?? new AbortController().signal,
  });
  return page.items;
}

export function k8sClaimReader(opts: K8sIpamOptions): ClaimReader {
  const claims = opts.kube.resource<ResourceClaim & KubeObject>(
    opts.claimsType ?? RESOURCE_TYPES.resourceClaims,
  );
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  return {
    getClaim: (namespace, name, signal) => orUndefined(claims.get(name, { namespace, signal })),
    async listClaims(signal) {
      const items = await listEvery(claims, { pageSize }, signal);
      return items.map((c) => ({
        namespace: c.metadata?.namespace ?? "",
        name: c.metadata?.name ?? "",
        uid: c.metadata?.uid ?? "",
      }));
    },
  };
}

export function k8sPoolReader(opts: K8sIpamOptions): PoolReader {
  const pools = opts.kube.resource<IPPool & KubeObject>(RESOURCE_TYPES.ipPools);
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  return {
    getPool: (name, signal) => orUndefined(pools.get(name, { signal })),
    listPools: (signal) => listEvery(pools, { pageSize }, signal),
  };
}

interface SliceDevice {
  name?: string;
  attributes?: Record<string, { string?: string }>;
  basic?: { attributes?: Record<string, { string?: string }> };
}

export function k8sNetworkReader(opts: K8sIpamOptions): NetworkReader {
  const nads = opts.kube.resource(RESOURCE_TYPES.networkAttachmentDefinitions);
  const slices = opts.kube.resource<
    KubeObject & { spec?: { pool?: { name?: string }; devices?: SliceDevice[] } }
  >(opts.resourceSlicesType ?? RESOURCE_TYPES.resourceSlices);
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  return {
    async listPoolNads(namespace, signal) {
      const items = await listEvery(nads, { pageSize, namespace }, signal);
      const out: NadView[] = [];
      for (const nad of items) {
        const annotations = nad.metadata?.annotations ?? {};
        const ipPool = annotations[IP_POOL_ANNOTATION];
        if (ipPool === undefined || ipPool === "") continue;
        const resourceName = annotations[NAD_RESOURCE_NAME_ANNOTATION];
        out.push({
          namespace,
          name: nad.metadata?.name ?? "",
          ipPool,
          ...(resourceName ? { resourceName } : {}),
        });
      }
      return out;
    },
    async deviceResourceName(ref: DeviceRef, signal) {
      // kube-apiserver serves no spec.pool.name field label for ResourceSlices: the pool is filtered here.
      const fieldSelector = `spec.driver=${ref.driver}`;
      for (const slice of await listEvery(slices, { pageSize, fieldSelector }, signal)) {
        if (slice.spec?.pool?.name !== ref.pool) continue;
        const device = slice.spec?.devices?.find((d) => d.name === ref.device);
        const attributes = device?.attributes ?? device?.basic?.attributes;
        const value = attributes?.[RESOURCE_NAME_ATTRIBUTE]?.string;
        if (value !== undefined) return value;
      }
      return undefined;
    },
  };
}

export class K8sAllocationStore implements AllocationStore {
  readonly #client: ResourceClient<IPAllocation>;
  readonly #pageSize: number;
  readonly #logger: Logger;

  constructor(opts: K8sIpamOptions) {
    this.#client = opts.kube.resource<IPAllocation>(IP_ALLOCATIONS);
    this.#pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
    this.#logger = opts.logger ?? silentLogger();
  }

  #valid(items: readonly unknown[]): IPAllocation[] {
    const out: IPAllocation[] = [];
    for (const raw of items) {
      const parsed = parseIpAllocation(raw);
      if (parsed.ok) out.push(parsed.allocation);
      else this.#logger.warn({ problem: parsed.problem }, "ignoring an invalid IPAllocation object");
    }
    return out;
  }

  async #list(labelSelector: string | undefined, signal: AbortSignal | undefined): Promise<IPAllocation[]> {
    const opts = { pageSize: this.#pageSize, ...(labelSelector === undefined ? {} : { labelSelector }) };
    return this.#valid(await listEvery(this.#client, opts, signal));
  }

  async listByClaimUid(uid: string, signal?: AbortSignal): Promise<IPAllocation[]> {
    return (await this.#list(`${CLAIM_UID_LABEL}=${uid}`, signal)).filter((a) => a.spec.claim.uid === uid);
  }

  async listByClaimNamespace(namespace: string, signal?: AbortSignal): Promise<IPAllocation[]> {
    const items = await this.#list(`${CLAIM_NAMESPACE_LABEL}=${namespace}`, signal);
    return items.filter((a) => a.spec.claim.namespace === namespace);
  }

  listAll(signal?: AbortSignal): Promise<IPAllocation[]> {
    return this.#list(undefined, signal);
  }

  async get(name: string, signal?: AbortSignal): Promise<IPAllocation | undefined> {
    const raw = await orUndefined(this.#client.get(name, { signal }));
    return raw === undefined ? undefined : this.#valid([raw])[0];
  }

  async create(allocation: IPAllocation, signal?: AbortSignal): Promise<IPAllocation | undefined> {
    try {
      return await this.#client.create(allocation, { signal });
    } catch (err) {
      if (isAlreadyExists(err)) return undefined;
      throw err;
    }
  }

  async delete(name: string, uid: string | undefined, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.#client.delete(name, { signal, ...(uid === undefined ? {} : { preconditions: { uid } }) });
      return true;
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return false;
      throw err;
    }
  }
}

/** Every port over the API client. */
export function k8sIpamPorts(opts: K8sIpamOptions): IpamPorts {
  return {
    claims: k8sClaimReader(opts),
    pools: k8sPoolReader(opts),
    networks: k8sNetworkReader(opts),
    allocations: new K8sAllocationStore(opts),
    finalizers: k8sClaimFinalizers(opts),
    claimStatus: k8sClaimStatusWriter(opts),
    poolStatus: k8sPoolStatusWriter(opts),
    events: k8sEventRecorder(opts),
  };
}
