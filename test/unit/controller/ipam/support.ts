// Builders shared by the IPAM unit tests: pools, laid out; claims allocated with netclaim devices;
// IPAllocation objects as the controller writes them.
import {
  allocationName,
  CLAIM_NAMESPACE_LABEL,
  CLAIM_UID_LABEL,
  parseInterfaceAddress,
} from "../../../../src/api/ip-address.ts";
import type { IPAllocation } from "../../../../src/api/ip-address.ts";
import { parseIpPool } from "../../../../src/api/ip-pool.ts";
import type { IPPool } from "../../../../src/api/ip-pool.ts";
import type { PoolState } from "../../../../src/controller/ipam/decide.ts";
import { buildPoolLayout } from "../../../../src/controller/ipam/pool-math.ts";
import type { PoolLayout } from "../../../../src/controller/ipam/pool-math.ts";
import type { AllocationResult, ResourceClaim } from "../../../../src/controller/ipam/types.ts";

export const DRIVER = "netclaim.dev";
export const NOW = "2026-01-02T03:04:05Z";

export function layoutOf(spec: unknown): PoolLayout {
  const parsed = parseIpPool({ metadata: { name: "p" }, spec });
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return buildPoolLayout(parsed.spec);
}

export function readyPool(name: string, spec: unknown): PoolState {
  return { state: "ready", name, layout: layoutOf(spec) };
}

export function poolObject(name: string, spec: unknown, resourceVersion = "1"): IPPool {
  return {
    apiVersion: "netclaim.dev/v1alpha1",
    kind: "IPPool",
    metadata: { name, resourceVersion, generation: 1 },
    spec,
  };
}

export function configEntry(parameters: object, source = "FromClaim", requests?: string[]) {
  return {
    source,
    ...(requests === undefined ? {} : { requests }),
    opaque: {
      driver: DRIVER,
      parameters: { apiVersion: "netclaim.dev/v1alpha1", kind: "NetworkDeviceConfig", ...parameters },
    },
  };
}

export interface ClaimOptions {
  namespace?: string;
  name?: string;
  uid?: string;
  results?: Partial<AllocationResult>[];
  config?: ReturnType<typeof configEntry>[];
  pool?: string;
  finalizers?: string[];
  deleting?: boolean;
  allocated?: boolean;
  deviceClass?: string;
  devicesStatus?: NonNullable<ResourceClaim["status"]>["devices"];
}

/** A claim with one request "net" (class `deviceClass`) allocated to device vf0 on node-1 by default. */
export function claim(opts: ClaimOptions = {}): ResourceClaim {
  const results = (opts.results ?? [{}]).map((r, i) => ({
    request: "net",
    driver: DRIVER,
    pool: "node-1",
    device: `vf${i}`,
    ...r,
  }));
  const config = opts.config ?? (opts.pool === undefined ? [] : [configEntry({ ipPool: opts.pool })]);
  const out: ResourceClaim = {
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceClaim",
    metadata: {
      namespace: opts.namespace ?? "team-a",
      name: opts.name ?? "net-a",
      uid: opts.uid ?? "uid-a",
      resourceVersion: "10",
      ...(opts.finalizers === undefined ? {} : { finalizers: opts.finalizers }),
      ...(opts.deleting ? { deletionTimestamp: NOW } : {}),
    },
    spec: {
      devices: { requests: [{ name: "net", exactly: { deviceClassName: opts.deviceClass ?? "sf-pool-1" } }] },
    },
    status: {},
  };
  if (opts.allocated !== false) out.status!.allocation = { devices: { results, config } };
  if (opts.devicesStatus !== undefined) out.status!.devices = opts.devicesStatus;
  return out;
}

export interface AllocationOptions {
  pool?: string;
  claim?: { namespace?: string; name?: string; uid?: string };
  device?: string;
  created?: string;
  uid?: string;
}

/** The IPAllocation of `address` ("10.10.0.5/24"). */
export function allocation(address: string, opts: AllocationOptions = {}): IPAllocation {
  const parsed = parseInterfaceAddress(address);
  if (typeof parsed === "string") throw new Error(parsed);
  const pool = opts.pool ?? "pool-a";
  const claimRef = { namespace: "team-a", name: "net-a", uid: "uid-a", ...opts.claim };
  return {
    apiVersion: "netclaim.dev/v1alpha1",
    kind: "IPAllocation",
    metadata: {
      name: allocationName(pool, parsed.ip),
      uid: opts.uid ?? `alloc-${address}`,
      creationTimestamp: opts.created ?? "2026-01-01T00:00:00Z",
      labels: { [CLAIM_UID_LABEL]: claimRef.uid, [CLAIM_NAMESPACE_LABEL]: claimRef.namespace },
    },
    spec: {
      pool,
      address,
      claim: claimRef,
      device: { driver: DRIVER, pool: "node-1", device: opts.device ?? "vf0" },
      request: "net",
    },
  };
}
