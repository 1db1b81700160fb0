// Pure decisions for publishing one node's devices as ResourceSlices, following the official
// helper (k8s.io/dynamic-resource-allocation resourceslice controller):
// - one pool (named after the node by default), split into slices within the API's device limit;
// - slice names start with the slice's index in hex (generateName "<index>-<driver>-<node>-"), which
//   is how existing slices are matched to desired ones; anything else of the pool is obsolete;
// - the pool generation is the highest one found; slices with a lower one are obsolete;
// - the generation goes up by one when more than one write is needed to change the pool (a new slice,
//   or two or more changed ones): then every slice of the pool is rewritten with it, so consumers,
//   which use only the highest generation, never mix old and new slices; a single changed slice is
//   rewritten in place (one atomic write) under the same generation;
// - slices of this node and driver in other pools (an earlier run's) are deleted;
// - nothing is written when nothing changed.
import { CodedError } from "../common/errors.ts";
import { carryTaintTimes, sliceContentKey } from "./resource-slice-semantic.ts";
import {
  deviceProblems,
  isDnsSubdomain,
  MAX_DEVICES_PER_SLICE,
  MAX_DEVICES_PER_SLICE_WITH_TAINTS_OR_COUNTERS,
  MAX_POOL_NAME_LENGTH,
  RESOURCE_GROUP,
  usesTaintsOrCounters,
} from "./resource-slice-types.ts";
import type { Device, ResourcePool, ResourceSlice, ResourceSliceSpec } from "./resource-slice-types.ts";
import { indexLength, sliceGenerateName, sliceIndexOf } from "./resource-slice-names.ts";
import type { OwnerReference } from "./types.ts";

export { nodeOwnerReference } from "./resource-slice-names.ts";

const MAX_DRIVER_NAME_LENGTH = 63;

export interface DesiredSlicesInput {
  driver: string;
  nodeName: string;
  /** Default: the node name. */
  poolName?: string | undefined;
  devices: readonly Device[];
  /** At most 128 (the API's limit); slices with tainted or counter-consuming devices hold at most 64. */
  maxDevicesPerSlice?: number | undefined;
  /** A generation the driver asks for at least (0: the planner picks one). */
  generation?: number | undefined;
}

export interface RejectedDevice {
  name: string;
  problems: string[];
}

/** What this node should publish: the devices of one pool, split into slices in order. */
export interface DesiredPool {
  driver: string;
  nodeName: string;
  poolName: string;
  generation: number;
  slices: Device[][];
  /** Devices left out because the API server would refuse them (or a duplicate name). */
  rejected: RejectedDevice[];
}

function byName(a: Device, b: Device): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function checkIdentity(input: DesiredSlicesInput, poolName: string): void {
  if (!isDnsSubdomain(input.driver, MAX_DRIVER_NAME_LENGTH)) {
    throw new CodedError(
      "INVALID_ARGUMENT",
      `driver name ${JSON.stringify(input.driver)} is not a DNS subdomain`,
    );
  }
  if (!isDnsSubdomain(input.nodeName)) {
    throw new CodedError(
      "INVALID_ARGUMENT",
      `node name ${JSON.stringify(input.nodeName)} is not a DNS subdomain`,
    );
  }
  const parts = poolName.split("/");
  if (poolName.length > MAX_POOL_NAME_LENGTH || !parts.every((p) => isDnsSubdomain(p))) {
    throw new CodedError(
      "INVALID_ARGUMENT",
      `pool name ${JSON.stringify(poolName)} is not DNS subdomains separated by "/" (max ${MAX_POOL_NAME_LENGTH})`,
    );
  }
}

/** Sorted, valid, unique devices; the rest rejected with the reasons. */
function acceptedDevices(devices: readonly Device[]): { accepted: Device[]; rejected: RejectedDevice[] } {
  const accepted: Device[] = [];
  const rejected: RejectedDevice[] = [];
  let previous: string | undefined;
  for (const device of [...devices].sort(byName)) {
    const problems = deviceProblems(device);
    if (device.name === previous) problems.push("duplicate device name");
    if (problems.length > 0) rejected.push({ name: String(device.name), problems });
    else accepted.push(device);
    previous = device.name;
  }
  return { accepted, rejected };
}

/** Consecutive runs of the sorted devices, each within its slice's limit. At least one (maybe empty). */
function splitDevices(devices: readonly Device[], maxPerSlice: number): Device[][] {
  const slices: Device[][] = [];
  let current: Device[] = [];
  let limited = false;
  for (const device of devices) {
    const nextLimited: boolean = limited || usesTaintsOrCounters(device);
    const limit = Math.min(
      maxPerSlice,
      nextLimited ? MAX_DEVICES_PER_SLICE_WITH_TAINTS_OR_COUNTERS : maxPerSlice,
    );
    if (current.length + 1 > limit) {
      slices.push(current);
      current = [];
      limited = usesTaintsOrCounters(device);
    } else {
      limited = nextLimited;
    }
    current.push(device);
  }
  slices.push(current);
  return slices;
}

/**
 * The pool to publish: devices sorted by name (so that editing one device touches one slice) and cut
 * into slices of at most `maxDevicesPerSlice`. An empty device list still gives one empty slice: "an
 * empty pool" tells consumers the driver runs and has nothing, which "no pool" does not.
 */
export function desiredSlices(input: DesiredSlicesInput): DesiredPool {
  const poolName = input.poolName ?? input.nodeName;
  checkIdentity(input, poolName);
  const max = Math.max(
    1,
    Math.min(MAX_DEVICES_PER_SLICE, Math.floor(input.maxDevicesPerSlice ?? MAX_DEVICES_PER_SLICE)),
  );
  const { accepted, rejected } = acceptedDevices(input.devices);
  return {
    driver: input.driver,
    nodeName: input.nodeName,
    poolName,
    generation: Math.max(0, Math.floor(input.generation ?? 0)),
    slices: splitDevices(accepted, max),
    rejected,
  };
}

export interface SliceRef {
  name: string;
  uid?: string | undefined;
  resourceVersion?: string | undefined;
}

export interface SlicePlan {
  /** The pool generation after the plan is applied. */
  generation: number;
  resourceSliceCount: number;
  /** New slices (generateName, no name), in index order. */
  create: ResourceSlice[];
  /** Existing slices with their new spec; metadata (resourceVersion included) kept for the conflict check. */
  update: ResourceSlice[];
  /** Obsolete slices; delete with uid and resourceVersion preconditions. */
  delete: SliceRef[];
  /** Matched slices that stay as they are. */
  unchanged: string[];
}

export interface PlanOptions {
  /** Owner reference for created slices: the Node, when its uid is known. */
  owner?: OwnerReference | undefined;
  /**
   * Content keys the server stored in place of what was sent (it dropped fields of disabled
   * features): sent → stored. A slice whose content is the stored form of the desired one is in sync.
   */
  serverForms?: ReadonlyMap<string, string> | undefined;
  /** apiVersion written into created slices; default resource.k8s.io/v1 (the adapter re-renders). */
  apiVersion?: string | undefined;
}

interface Classified {
  generation: number;
  matched: Map<number, ResourceSlice>;
  obsolete: ResourceSlice[];
}

/** Which existing slices of our pool match a desired index, and which are obsolete. */
function classify(pool: DesiredPool, ours: readonly ResourceSlice[]): Classified {
  const generation = ours.reduce((max, s) => Math.max(max, s.spec.pool.generation ?? 0), 0);
  const width = indexLength(pool.slices.length);
  const matched = new Map<number, ResourceSlice>();
  const obsolete: ResourceSlice[] = [];
  const sorted = [...ours].sort((a, b) => ((a.metadata?.name ?? "") < (b.metadata?.name ?? "") ? -1 : 1));
  for (const slice of sorted) {
    const index = sliceIndexOf(slice.metadata?.name ?? "", width);
    const fits = index !== undefined && index < pool.slices.length && !matched.has(index);
    if ((slice.spec.pool.generation ?? 0) < generation || !fits) obsolete.push(slice);
    else matched.set(index, slice);
  }
  return { generation, matched, obsolete };
}

function samePool(a: ResourcePool | undefined, b: ResourcePool): boolean {
  return a?.name === b.name && a.generation === b.generation && a.resourceSliceCount === b.resourceSliceCount;
}

function desiredSpec(pool: DesiredPool, meta: ResourcePool, devices: Device[]): ResourceSliceSpec {
  return { driver: pool.driver, pool: meta, nodeName: pool.nodeName, devices };
}

function inSync(
  existing: ResourceSliceSpec,
  wanted: ResourceSliceSpec,
  forms: PlanOptions["serverForms"],
): boolean {
  if (!samePool(existing.pool, wanted.pool)) return false;
  const have = sliceContentKey(existing);
  const want = sliceContentKey(wanted);
  return have === want || forms?.get(want) === have;
}

/** Is `slice` one this node's publisher owns (listed by field selector; checked again here)? */
function isOurs(slice: ResourceSlice, pool: DesiredPool): boolean {
  return slice.spec?.driver === pool.driver && slice.spec.nodeName === pool.nodeName;
}

/** Managed fields need not travel back: an update without them keeps the server's. */
function withoutManagedFields(meta: ResourceSlice["metadata"]): ResourceSlice["metadata"] {
  if (meta === undefined) return undefined;
  const { managedFields: _m, ...rest } = meta as typeof meta & { managedFields?: unknown };
  return rest;
}

function refOf(slice: ResourceSlice): SliceRef {
  const meta = slice.metadata ?? {};
  return { name: meta.name ?? "", uid: meta.uid, resourceVersion: meta.resourceVersion };
}

/**
 * Upstream's rule: the driver's generation if higher; else one more when the change takes more than
 * one write (a new slice, or two changed ones); else the same (one in-place update is atomic).
 */
function nextGeneration(asked: number, current: number, newSlices: number, changed: number): number {
  if (asked > current) return asked;
  return newSlices > 0 || changed > 1 ? current + 1 : current;
}

/** The writes that bring `existing` (this node's and driver's slices, v1 shape) to `pool`. */
export function planSliceSync(
  pool: DesiredPool,
  existing: readonly ResourceSlice[],
  options: PlanOptions = {},
): SlicePlan {
  const live = existing.filter((s) => isOurs(s, pool) && s.metadata?.deletionTimestamp === undefined);
  const leftovers = live.filter((s) => s.spec.pool?.name !== pool.poolName);
  const inPool = live.filter((s) => s.spec.pool?.name === pool.poolName);
  const { generation: current, matched, obsolete } = classify(pool, inPool);
  const count = pool.slices.length;
  const meta = (generation: number): ResourcePool => ({
    name: pool.poolName,
    generation,
    resourceSliceCount: count,
  });
  const changed = new Set<number>();
  for (const [index, slice] of matched) {
    const wanted = desiredSpec(pool, meta(current), pool.slices[index] ?? []);
    if (!inSync(slice.spec, wanted, options.serverForms)) changed.add(index);
  }
  const generation = nextGeneration(pool.generation, current, count - matched.size, changed.size);
  const rewrite = (index: number): boolean => generation !== current || changed.has(index);

  const plan: SlicePlan = {
    generation,
    resourceSliceCount: count,
    create: [],
    update: [],
    delete: [],
    unchanged: [],
  };
  const width = indexLength(count);
  for (let index = 0; index < count; index++) {
    const devices = pool.slices[index] ?? [];
    const slice = matched.get(index);
    if (slice === undefined) {
      plan.create.push(newSlice(pool, { index, width, meta: meta(generation), devices, options }));
    } else if (rewrite(index)) {
      const spec = desiredSpec(pool, meta(generation), carryTaintTimes(slice.spec.devices ?? [], devices));
      plan.update.push({ ...slice, metadata: withoutManagedFields(slice.metadata), spec });
    } else {
      plan.unchanged.push(slice.metadata?.name ?? "");
    }
  }
  plan.delete = [...leftovers, ...obsolete].map(refOf);
  return plan;
}

function newSlice(
  pool: DesiredPool,
  at: { index: number; width: number; meta: ResourcePool; devices: Device[]; options: PlanOptions },
): ResourceSlice {
  const owner = at.options.owner;
  return {
    apiVersion: at.options.apiVersion ?? `${RESOURCE_GROUP}/v1`,
    kind: "ResourceSlice",
    metadata: {
      generateName: sliceGenerateName(at.index, at.width, pool.driver, pool.nodeName),
      ...(owner === undefined ? {} : { ownerReferences: [{ ...owner }] }),
    },
    spec: desiredSpec(pool, at.meta, at.devices),
  };
}

/** True when applying the plan writes nothing. */
export function isNoopPlan(plan: SlicePlan): boolean {
  return plan.create.length === 0 && plan.update.length === 0 && plan.delete.length === 0;
}
