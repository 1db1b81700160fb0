// The IPAM part (src/controller/ipam) wired into a leadership term:
// - "ipam-claims": ResourceClaim events → reconcileClaim("ns/name"); a claim that freed addresses
//   requeues the claims waiting on those pools; any address change refreshes the pools' statuses
//   (a second later, so a burst of claims costs one status pass per pool);
// - "ipam-pools": IPPool events → reconcilePool(name), then the claims that waited on it; the key
//   RESYNC_KEY runs the IPAM resync (allocations of claims that vanished while no one led) at the
//   start of the term and every resync period. One worker: pool passes and the resync never overlap;
// - "ip-allocation-gc" (gc/allocation-gc-controller.ts): allocations of deleted pools.
// IPAM reads NADs and device attributes from this term's informers (no API list per claim), and
// IPAllocations from this term's CachedAllocationStore (one watch of the collection instead of a list per
// claim; it lays this process's own creates and deletes over the cache, which is all the reconciler needs:
// the create is the lock, so a lagging cache can at worst cost a duplicate that the next pass releases).
// Claims it GETs from the API (fresh), and the resync lists claims consistently after reading the
// allocations, so a claim uid missing then is gone for good. Every controller waits for the store's first
// list; the allocation GC reads it too (its deletes carry the uid, and a pool is read live first).
import type { Clock } from "../../common/clock.ts";
import type { Logger } from "../../common/logger.ts";
import type { KubeClient } from "../../k8s/client.ts";
import type { Informer } from "../../k8s/informer.ts";
import type { ListWatch } from "../../k8s/list-watch.ts";
import { RESOURCE_TYPES } from "../../k8s/resource-path.ts";
import type { ResourceType } from "../../k8s/resource-path.ts";
import type { ResourceSlice } from "../../k8s/resource-slice-types.ts";
import type { KubeObject } from "../../k8s/types.ts";
import { BY_POOL } from "../classes/class-controller.ts";
import { RESOURCE_NAME_ANNOTATION } from "../classes/nad.ts";
import type { NetworkAttachmentDefinition } from "../classes/nad.ts";
import { currentSlices, RESOURCE_NAME_ATTRIBUTE } from "../classes/published-devices.ts";
import { AllocationGcController } from "../gc/allocation-gc-controller.ts";
import { CachedAllocationStore, IP_POOL_ANNOTATION, IpamReconciler, k8sIpamPorts } from "../ipam/index.ts";
import type { NetworkReader, PoolReconcileResult } from "../ipam/index.ts";
import { Controller, enqueueKeys } from "./controller.ts";
import type { SyncSource } from "./controller.ts";
import type { InformerView } from "./informer-view.ts";
import type { ControllerMetrics } from "./metrics.ts";
import type { TermParts } from "./term.ts";

export const RESYNC_KEY = "";
export const IPAM_RESYNC_PERIOD_MS = 5 * 60_000;
const POOL_STATUS_DELAY_MS = 1_000;
const CLAIM_WORKERS = 4;
/** NAD index the informer handed in must carry. */
export const BY_NAMESPACE = "namespace";

export interface IpamTermOptions {
  kube: KubeClient;
  driverName: string;
  claimsType: ResourceType;
  resourceSlicesType: ResourceType;
  /** This term's NAD (indexed by namespace) and ResourceSlice (indexed by pool) informers. */
  nads: InformerView<NetworkAttachmentDefinition>;
  slices: InformerView<ResourceSlice>;
  newInformer: <T extends KubeObject>(name: string, listWatch: ListWatch<T>) => Informer<T>;
  /** Events' reportingInstance. */
  instance: string;
  metrics: ControllerMetrics;
  resyncPeriodMs?: number;
  poolGcGracePeriodMs?: number;
  clock: Clock;
  logger: Logger;
}

/** NADs and device attributes from the term's informers. */
export function informerNetworkReader(
  nads: InformerView<NetworkAttachmentDefinition>,
  slices: InformerView<ResourceSlice>,
): NetworkReader {
  return {
    listPoolNads(namespace) {
      const views = nads.byIndex(BY_NAMESPACE, namespace).flatMap((nad) => {
        const annotations = nad.metadata?.annotations ?? {};
        const ipPool = annotations[IP_POOL_ANNOTATION];
        if (!ipPool) return [];
        const resourceName = annotations[RESOURCE_NAME_ANNOTATION];
        const name = nad.metadata?.name ?? "";
        return [{ namespace, name, ipPool, ...(resourceName ? { resourceName } : {}) }];
      });
      return Promise.resolve(views);
    },
    deviceResourceName(ref) {
      const pool = currentSlices(slices.byIndex(BY_POOL, `${ref.driver}/${ref.pool}`), ref.driver);
      const device = pool.flatMap((s) => s.spec.devices ?? []).find((d) => d.name === ref.device);
      return Promise.resolve(device?.attributes?.[RESOURCE_NAME_ATTRIBUTE]?.string);
    },
  };
}

interface IpamTermContext {
  o: IpamTermOptions;
  ipam: IpamReconciler;
  pools: InformerView<KubeObject>;
  allocations: SyncSource;
  /** Set once both controllers exist (they enqueue into each other). */
  claimCtl: () => Controller;
  poolCtl: () => Controller;
}

function claimController(c: IpamTermContext, claims: InformerView<KubeObject>): Controller {
  const { o, ipam, pools } = c;
  return new Controller({
    clock: o.clock,
    logger: o.logger,
    name: "ipam-claims",
    workers: CLAIM_WORKERS,
    waitFor: [claims, pools, o.nads, o.slices, c.allocations],
    observer: o.metrics.observerFor("ipam-claims"),
    reconcile: async (key, signal) => {
      const result = await ipam.reconcileClaim(key, signal);
      o.metrics.addressesChanged("allocate", result.created);
      o.metrics.addressesChanged("release", result.released);
      for (const pool of result.freedPools)
        ipam.claimsWaitingFor(pool).forEach((k) => c.claimCtl().enqueue(k));
      if (result.created + result.released > 0) {
        for (const p of pools.list()) c.poolCtl().enqueueAfter(p.metadata?.name ?? "", POOL_STATUS_DELAY_MS);
      }
    },
  });
}

function poolController(c: IpamTermContext): Controller {
  const { o, ipam } = c;
  const recordPool = (r: PoolReconcileResult): void => {
    if (r.exists && r.usage !== undefined) {
      o.metrics.setPoolUsage(r.pool, { allocated: r.usage.allocated, size: Number(r.usage.size) });
    } else o.metrics.removePool(r.pool);
  };
  const enqueueClaims = (keys: readonly string[]): void => keys.forEach((k) => c.claimCtl().enqueue(k));
  return new Controller({
    clock: o.clock,
    logger: o.logger,
    name: "ipam-pools",
    waitFor: [c.pools, c.allocations],
    observer: o.metrics.observerFor("ipam-pools"),
    reconcile: async (key, signal) => {
      if (key === RESYNC_KEY) {
        const result = await ipam.resync(signal);
        o.metrics.addressesChanged("release", result.released);
        result.pools.forEach(recordPool);
        enqueueClaims(result.freedPools.flatMap((p) => ipam.claimsWaitingFor(p)));
        return { requeueAfterMs: o.resyncPeriodMs ?? IPAM_RESYNC_PERIOD_MS };
      }
      const result = await ipam.reconcilePool(key, signal);
      recordPool(result);
      enqueueClaims(result.waitingClaims);
    },
  });
}

/** The IPAM informers (claims, pools) and controllers of one term. */
export function ipamTermParts(o: IpamTermOptions): TermParts {
  const claims = o.newInformer<KubeObject>("resourceclaims", o.kube.listWatch(o.claimsType));
  const pools = o.newInformer<KubeObject>("ippools", o.kube.listWatch(RESOURCE_TYPES.ipPools));
  const { clock, logger } = o;
  const allocations = new CachedAllocationStore({ kube: o.kube, clock, logger });
  const ports = {
    ...k8sIpamPorts({
      kube: o.kube,
      claimsType: o.claimsType,
      resourceSlicesType: o.resourceSlicesType,
      instance: o.instance,
      clock,
      logger,
    }),
    allocations,
  };
  const networks = informerNetworkReader(o.nads, o.slices);
  const ipam = new IpamReconciler({ ...ports, networks, driverName: o.driverName, clock, logger });
  const ctx: IpamTermContext = {
    o,
    ipam,
    pools,
    allocations,
    claimCtl: () => claimCtl,
    poolCtl: () => poolCtl,
  };
  const claimCtl = claimController(ctx, claims);
  const poolCtl = poolController(ctx);
  const gc = new AllocationGcController({
    clock,
    logger,
    pools,
    waitFor: [allocations],
    store: allocations,
    getPool: (name, signal) => ports.pools.getPool(name, signal),
    ...(o.poolGcGracePeriodMs === undefined ? {} : { gracePeriodMs: o.poolGcGracePeriodMs }),
    onReleased: (claimKey) => claimCtl.enqueue(claimKey),
    observer: o.metrics.observerFor("ip-allocation-gc"),
  });
  const runPools = (signal: AbortSignal): Promise<void> => {
    poolCtl.enqueue(RESYNC_KEY);
    return runWith(poolCtl, pools, nameOf, signal);
  };
  return {
    informers: { claims, pools, ipallocations: allocations },
    controllers: [
      { name: "ipam-claims", run: (signal) => runWith(claimCtl, claims, claimKeyOf, signal) },
      { name: "ipam-pools", run: runPools },
      { name: "ip-allocation-gc", run: (signal) => gc.run(signal) },
    ],
  };
}

const nameOf = (obj: KubeObject): string[] => [obj.metadata?.name ?? ""].filter((n) => n !== "");
const claimKeyOf = (obj: KubeObject): string[] =>
  obj.metadata?.namespace && obj.metadata.name ? [`${obj.metadata.namespace}/${obj.metadata.name}`] : [];

/** Enqueues the informer's objects' keys into the controller while it runs. */
async function runWith(
  controller: Controller,
  informer: InformerView<KubeObject>,
  keysOf: (obj: KubeObject) => string[],
  signal: AbortSignal,
): Promise<void> {
  const remove = informer.addEventHandler(enqueueKeys(keysOf, (k) => controller.enqueue(k)));
  try {
    await controller.run(signal);
  } finally {
    remove();
  }
}
