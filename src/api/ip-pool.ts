// IPPool (netclaim.dev/v1alpha1, cluster-scoped): the addresses the controller hands to claims' devices
// (DESIGN.md "IP pools"):
//   spec.cidrs    IPv4 and/or IPv6 networks ("10.10.0.0/24", "fd00:10::/64"); no host bits, no overlaps
//   spec.ranges   optional [{start, end}], each inside one of the cidrs; a family with ranges uses only
//                 its ranges, a family without uses its whole cidrs
//   spec.exclude  optional networks never handed out (any prefix length)
//   spec.gateway  optional address inside one of the cidrs; never handed out
//   spec.routes   optional [{dst, gw?}] for the CNI side (dst a network; gw the same family)
//   status        allocated (count of IPAllocation objects), size and free (decimal strings: an IPv6 pool
//                 exceeds int64), conditions (Ready, Exhausted)
// A device gets one address per family the pool has. The spec is strict: an unknown field is an error
// naming it (the API server prunes them anyway; files and `explain` see them).
//
// Public API: `IP_POOL_API_VERSION`, `IP_POOL_KIND`, `ipPoolSpecSchema`, `ipPoolStatusSchema`,
// `poolConditionSchema`, `IPPoolSpec`, `IPPool`, `IPPoolStatus`, `PoolCondition`, `ParseIpPoolResult`,
// `parseIpPool`, `ipPoolSpecProblems`, `poolFamilies`.
import { z } from "zod";
import {
  inNetwork,
  IP_FAMILIES,
  lastAddress,
  MAX_POOL_NAME_FOR_ALLOCATIONS,
  parseCidr,
  parseIp,
} from "./ip-address.ts";
import type { IpFamily, IpNetwork } from "./ip-address.ts";

export const IP_POOL_API_VERSION = "netclaim.dev/v1alpha1";
export const IP_POOL_KIND = "IPPool";
const MAX_CIDRS = 16;
const MAX_LIST = 1024;

function checked(problem: (text: string) => string | undefined) {
  return z.string().superRefine((text, ctx) => {
    const found = problem(text);
    if (found !== undefined) ctx.addIssue({ code: "custom", message: found });
  });
}

const cidr = checked((text) => {
  const parsed = parseCidr(text);
  return typeof parsed === "string" ? parsed : undefined;
});
const address = checked((text) =>
  parseIp(text) === undefined ? `${JSON.stringify(text)} is not an IP address` : undefined,
);

export const ipPoolSpecSchema = z.strictObject({
  cidrs: z.array(cidr).min(1).max(MAX_CIDRS),
  ranges: z
    .array(z.strictObject({ start: address, end: address }))
    .max(MAX_LIST)
    .optional(),
  exclude: z.array(cidr).max(MAX_LIST).optional(),
  gateway: address.optional(),
  routes: z
    .array(z.strictObject({ dst: cidr, gw: address.optional() }))
    .max(MAX_LIST)
    .optional(),
});

export type IPPoolSpec = z.infer<typeof ipPoolSpecSchema>;

/** metav1.Condition. */
export const poolConditionSchema = z.object({
  type: z.string(),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: z.string(),
  observedGeneration: z.int().optional(),
});
export type PoolCondition = z.infer<typeof poolConditionSchema>;

export const ipPoolStatusSchema = z.object({
  allocated: z.int().min(0).optional(),
  size: z
    .string()
    .regex(/^[0-9]+$/)
    .optional(),
  free: z
    .string()
    .regex(/^[0-9]+$/)
    .optional(),
  observedGeneration: z.int().optional(),
  conditions: z.array(poolConditionSchema).optional(),
});
export type IPPoolStatus = z.infer<typeof ipPoolStatusSchema>;

export interface IPPool {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; uid?: string; resourceVersion?: string; generation?: number };
  spec?: unknown;
  status?: IPPoolStatus;
}

/** The families of the pool's cidrs, IPv4 first. */
export function poolFamilies(spec: IPPoolSpec): IpFamily[] {
  const families = new Set(spec.cidrs.map((c) => (parseCidr(c) as IpNetwork).family));
  return IP_FAMILIES.filter((f) => families.has(f));
}

function networksOf(spec: IPPoolSpec): IpNetwork[] {
  return spec.cidrs.map((c) => parseCidr(c) as IpNetwork);
}

function overlapProblems(nets: readonly IpNetwork[], texts: readonly string[]): string[] {
  const problems: string[] = [];
  for (let i = 0; i < nets.length; i++) {
    for (let j = i + 1; j < nets.length; j++) {
      const a = nets[i]!;
      const b = nets[j]!;
      if (a.family !== b.family) continue;
      if (a.value <= lastAddress(b) && b.value <= lastAddress(a)) {
        problems.push(`cidrs: ${texts[i]} and ${texts[j]} overlap`);
      }
    }
  }
  return problems;
}

function rangeProblems(spec: IPPoolSpec, nets: readonly IpNetwork[]): string[] {
  const problems: string[] = [];
  for (const [index, range] of (spec.ranges ?? []).entries()) {
    const start = parseIp(range.start)!;
    const end = parseIp(range.end)!;
    const at = `ranges[${index}]`;
    if (start.family !== end.family) {
      problems.push(`${at}: start ${range.start} and end ${range.end} are of different families`);
    } else if (start.value > end.value) {
      problems.push(`${at}: start ${range.start} is after end ${range.end}`);
    } else if (!nets.some((n) => inNetwork(n, start) && inNetwork(n, end))) {
      problems.push(`${at}: ${range.start}-${range.end} is not inside one of the cidrs`);
    }
  }
  return problems;
}

function routeProblems(spec: IPPoolSpec): string[] {
  const problems: string[] = [];
  for (const [index, route] of (spec.routes ?? []).entries()) {
    if (route.gw === undefined) continue;
    const dst = parseCidr(route.dst) as IpNetwork;
    if (parseIp(route.gw)!.family !== dst.family) {
      problems.push(`routes[${index}]: gw ${route.gw} is not of the family of dst ${route.dst}`);
    }
  }
  return problems;
}

/** The semantic problems of a syntactically valid spec (overlaps, ranges, gateway, routes); [] if none. */
export function ipPoolSpecProblems(spec: IPPoolSpec): string[] {
  const nets = networksOf(spec);
  const problems = [
    ...overlapProblems(nets, spec.cidrs),
    ...rangeProblems(spec, nets),
    ...routeProblems(spec),
  ];
  if (spec.gateway !== undefined) {
    const gateway = parseIp(spec.gateway)!;
    if (!nets.some((n) => inNetwork(n, gateway))) {
      problems.push(`gateway: ${spec.gateway} is not inside one of the cidrs`);
    }
  }
  return problems;
}

export type ParseIpPoolResult =
  { ok: true; name: string; spec: IPPoolSpec } | { ok: false; name: string; problems: string[] };

/** Validates a pool object's spec; every problem names its field. */
export function parseIpPool(pool: IPPool): ParseIpPoolResult {
  const name = pool.metadata?.name ?? "";
  const parsed = ipPoolSpecSchema.safeParse(pool.spec);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
      const field = path.replace(/^\./, "");
      if (issue.code === "unrecognized_keys") {
        return `${field === "" ? "spec" : field}: unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
      }
      return `${field === "" ? "spec" : field}: ${issue.message}`;
    });
    return { ok: false, name, problems };
  }
  const problems = ipPoolSpecProblems(parsed.data);
  if (name.length > MAX_POOL_NAME_FOR_ALLOCATIONS) {
    problems.unshift(
      `metadata.name: longer than ${MAX_POOL_NAME_FOR_ALLOCATIONS} characters (its IPAllocation names would exceed 253)`,
    );
  }
  return problems.length > 0 ? { ok: false, name, problems } : { ok: true, name, spec: parsed.data };
}
