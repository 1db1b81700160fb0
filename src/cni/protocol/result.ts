// CNI results in the three shapes the spec has had, and `parseResult` for a delegate's output.
//
//   0.1.0, 0.2.0   { ip4: {ip, gateway, routes}, ip6: {...}, dns }
//   0.3.x, 0.4.0   { interfaces, ips: [{version "4"|"6", interface, address, gateway}], routes, dns }
//   1.0.0, 1.1.0   { interfaces, ips: [{interface, address, gateway}], routes, dns }  (no ips[].version)
//
// 1.1.0 added interface `mtu`, `socketPath`, `pciID` and route `mtu`, `advmss`, `priority`, `table`,
// `scope`; libcni's types for 1.0.0 and 1.1.0 are one type, so both carry them. Like Go's decoder, keys a
// shape does not know are dropped and `null` counts as absent. Unlike libcni, garbage is refused with a
// message naming the field: addresses must be CIDRs, gateways IPs, `ips[].interface` an index into
// `interfaces`, and a 0.3.x/0.4.0 `version` must match its address.
//
// The version of a result is its own `cniVersion`, or, when it has none, the delegate config's version
// (libcni's fixup for old plugins). netclaim does not demand that the two are of one family.
//
// Public API: the result types, `CniResult`, `parseResult`, `resultShape`, `RESULT_SHAPE_OF`.
import { z } from "zod";
import { describeIssues, isJsonObject, kindOf } from "../../api/netconf-issues.ts";
import { CniError } from "./errors.ts";
import { cidrFamily, ipFamily } from "./ip.ts";
import { requireSupportedVersion } from "./version.ts";
import type { CniVersion } from "./version.ts";

export interface CniInterface {
  name: string;
  mac?: string;
  /** 1.1.0 */
  mtu?: number;
  sandbox?: string;
  /** 1.1.0 */
  socketPath?: string;
  /** 1.1.0 */
  pciID?: string;
}

/** The interface of a 0.3.x/0.4.0 result. */
export type CniInterface040 = Pick<CniInterface, "name" | "mac" | "sandbox">;

export interface CniIpConfig {
  /** Index into `interfaces`. */
  interface?: number;
  /** Address with prefix length, e.g. "10.1.1.5/24". */
  address: string;
  gateway?: string;
}

export interface CniIpConfig040 extends CniIpConfig {
  version: "4" | "6";
}

export interface CniRoute {
  dst: string;
  gw?: string;
  mtu?: number;
  advmss?: number;
  priority?: number;
  table?: number;
  scope?: number;
}

export interface CniDns {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

export interface Result100 {
  cniVersion: "1.0.0" | "1.1.0";
  interfaces: CniInterface[];
  ips: CniIpConfig[];
  routes: CniRoute[];
  dns: CniDns;
}

export interface Result040 {
  cniVersion: "0.3.0" | "0.3.1" | "0.4.0";
  interfaces: CniInterface040[];
  ips: CniIpConfig040[];
  routes: CniRoute[];
  dns: CniDns;
}

export interface Ip020 {
  /** Address with prefix length. */
  ip: string;
  gateway?: string;
  routes: Pick<CniRoute, "dst" | "gw">[];
}

export interface Result020 {
  cniVersion: "0.1.0" | "0.2.0";
  ip4?: Ip020;
  ip6?: Ip020;
  dns: CniDns;
}

export type CniResult = Result020 | Result040 | Result100;
export type ResultShape = "020" | "040" | "100";

export const RESULT_SHAPE_OF: Readonly<Record<CniVersion, ResultShape>> = {
  "0.1.0": "020",
  "0.2.0": "020",
  "0.3.0": "040",
  "0.3.1": "040",
  "0.4.0": "040",
  "1.0.0": "100",
  "1.1.0": "100",
};

export function resultShape(result: CniResult): ResultShape {
  return RESULT_SHAPE_OF[result.cniVersion];
}

// ---- schemas -------------------------------------------------------------------------------------

function checked(test: (s: string) => boolean, what: string) {
  return z.string().superRefine((value, ctx) => {
    if (!test(value))
      ctx.addIssue({ code: "custom", message: `expected ${what}, got ${JSON.stringify(value)}` });
  });
}

const cidr = checked((s) => cidrFamily(s) !== undefined, "an address with prefix length (CIDR)");
const ip = checked((s) => ipFamily(s) !== undefined, "an IP address");

/** Optional, and `null` counts as absent (Go's decoder). */
function opt<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((v) => v ?? undefined);
}
/** An optional list; absent or null is []. */
function list<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .nullish()
    .transform((v) => v ?? []);
}

const int = z.number().int();
const dnsSchema = opt(
  z.object({
    nameservers: opt(z.array(z.string())),
    domain: opt(z.string()),
    search: opt(z.array(z.string())),
    options: opt(z.array(z.string())),
  }),
).transform((v) => v ?? {});
const routeSchema = z.object({
  dst: cidr,
  gw: opt(ip),
  mtu: opt(int),
  advmss: opt(int),
  priority: opt(int),
  table: opt(int),
  scope: opt(int),
});
const interface040Schema = z.object({ name: z.string(), mac: opt(z.string()), sandbox: opt(z.string()) });
const interface100Schema = interface040Schema.extend({
  mtu: opt(int),
  socketPath: opt(z.string()),
  pciID: opt(z.string()),
});
const ip100Schema = z.object({ interface: opt(int.min(0)), address: cidr, gateway: opt(ip) });
const ip040Schema = ip100Schema.extend({ version: z.enum(["4", "6"]) });
const ip020Schema = z.object({
  ip: cidr,
  gateway: opt(ip),
  routes: list(z.object({ dst: cidr, gw: opt(ip) })),
});

type IpsAndInterfaces = { interfaces: unknown[]; ips: (CniIpConfig & { version?: string })[] };

/** Cross-field rules: interface indexes in range, 0.4.0 versions matching their addresses. */
function checkIps(result: IpsAndInterfaces, ctx: z.core.$RefinementCtx): void {
  result.ips.forEach((entry, i) => {
    if (entry.interface !== undefined && entry.interface >= result.interfaces.length) {
      const count = result.interfaces.length;
      ctx.addIssue({
        code: "custom",
        path: ["ips", i, "interface"],
        message: `index ${entry.interface} is out of range: the result has ${count} interface(s)`,
      });
    }
    const family = cidrFamily(entry.address);
    if (entry.version !== undefined && family !== undefined && entry.version !== String(family)) {
      ctx.addIssue({
        code: "custom",
        path: ["ips", i, "version"],
        message: `"${entry.version}" does not match the IPv${family} address ${entry.address}`,
      });
    }
  });
}

const result100Schema = z
  .object({
    interfaces: list(interface100Schema),
    ips: list(ip100Schema),
    routes: list(routeSchema),
    dns: dnsSchema,
  })
  .superRefine(checkIps);
const result040Schema = z
  .object({
    interfaces: list(interface040Schema),
    ips: list(ip040Schema),
    routes: list(routeSchema),
    dns: dnsSchema,
  })
  .superRefine(checkIps);
/** 0.2.0 rules: `ip4` holds an IPv4 address and IPv4 routes, `ip6` IPv6 ones. */
function check020(r: { ip4?: Ip020; ip6?: Ip020 }, ctx: z.core.$RefinementCtx): void {
  const sections = [
    ["ip4", 4],
    ["ip6", 6],
  ] as const;
  for (const [key, want] of sections) {
    const section = r[key];
    if (section === undefined) continue;
    if (cidrFamily(section.ip) !== want) {
      const message = `expected an IPv${want} address, got ${JSON.stringify(section.ip)}`;
      ctx.addIssue({ code: "custom", path: [key, "ip"], message });
    }
    section.routes.forEach((route, i) => {
      if (cidrFamily(route.dst) === want) return;
      const message = `expected an IPv${want} destination, got ${JSON.stringify(route.dst)}`;
      ctx.addIssue({ code: "custom", path: [key, "routes", i, "dst"], message });
    });
  }
}

const result020Schema = z
  .object({ ip4: opt(ip020Schema), ip6: opt(ip020Schema), dns: dnsSchema })
  .superRefine(check020);

const SCHEMA_OF_SHAPE = { "020": result020Schema, "040": result040Schema, "100": result100Schema } as const;

// ---- parsing -------------------------------------------------------------------------------------

function invalid(problem: string): CniError {
  return new CniError("DECODE_FAILURE", `invalid CNI result: ${problem}`);
}

function decodeJson(input: unknown): unknown {
  if (typeof input !== "string" && !(input instanceof Uint8Array)) return input;
  const text = typeof input === "string" ? input : Buffer.from(input).toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw invalid(`not JSON: ${(err as Error).message}`);
  }
}

/** The version a result is in: its own `cniVersion`, else the config's. */
function versionOf(result: Record<string, unknown>, configVersion: string): CniVersion {
  const own = result.cniVersion;
  if (own !== undefined && own !== null && typeof own !== "string") {
    throw invalid(`field "cniVersion": expected string, got ${kindOf(own)}`);
  }
  const version = typeof own === "string" && own !== "" ? own : configVersion;
  try {
    return requireSupportedVersion(version);
  } catch (err) {
    throw new CniError((err as CniError).code, `invalid CNI result: ${(err as CniError).msg}`, {
      details: (err as CniError).details,
    });
  }
}

/**
 * Parses and validates a result — JSON text, bytes (Uint8Array) or an already parsed value — produced for a config of
 * `configVersion`. Throws a CniError: code 6 for garbage (naming the field), code 1 for an unsupported
 * version.
 */
export function parseResult(input: unknown, configVersion: string): CniResult {
  const value = decodeJson(input);
  if (!isJsonObject(value)) throw invalid(`expected a JSON object, got ${kindOf(value)}`);
  const cniVersion = versionOf(value, configVersion);
  const parsed = SCHEMA_OF_SHAPE[RESULT_SHAPE_OF[cniVersion]].safeParse(value, { reportInput: true });
  if (!parsed.success) {
    throw new CniError(
      "DECODE_FAILURE",
      describeIssues(`invalid CNI result (cniVersion ${cniVersion})`, parsed.error.issues),
    );
  }
  return { cniVersion, ...parsed.data } as CniResult;
}
