// Converting CNI results between spec versions, like libcni's `convert` (any supported → any supported),
// through the 1.1.0 shape:
//
//   0.3.x/0.4.0 → 1.x   drop `ips[].version`
//   1.x → 0.3.x/0.4.0   add `ips[].version` ("4"/"6" from the address); interfaces keep name, mac and
//                       sandbox only (the 0.x interface has no mtu/socketPath/pciID — libcni drops them
//                       too); routes keep every attribute (libcni's route type is shared by all versions)
//   0.1.0/0.2.0 → any   ip4/ip6 become `ips`, their routes become `routes`
//   any → 0.1.0/0.2.0   one address per family; routes go under the address of their family; interfaces
//                       and route attributes other than dst/gw are not part of that format
//   1.0.0 ↔ 1.1.0, 0.3.0 ↔ 0.3.1 ↔ 0.4.0, 0.1.0 ↔ 0.2.0   only the version changes
//
// Where libcni drops data silently, netclaim refuses what the target cannot express (CniError code 1):
// more than one address of a family, or a route whose family has no address, in a 0.1.0/0.2.0 result,
// and a 0.1.0/0.2.0 result without any address (libcni refuses that one too).
//
// Public API: `convertResult`, `toCanonicalResult`.
import { CniError } from "./errors.ts";
import { cidrFamily } from "./ip.ts";
import type { IpFamily } from "./ip.ts";
import { RESULT_SHAPE_OF } from "./result.ts";
import type {
  CniDns,
  CniInterface040,
  CniIpConfig,
  CniResult,
  CniRoute,
  Ip020,
  Result020,
  Result040,
  Result100,
} from "./result.ts";
import { requireSupportedVersion } from "./version.ts";

function copyDns(dns: CniDns): CniDns {
  const out: CniDns = {};
  if (dns.nameservers !== undefined) out.nameservers = [...dns.nameservers];
  if (dns.domain !== undefined) out.domain = dns.domain;
  if (dns.search !== undefined) out.search = [...dns.search];
  if (dns.options !== undefined) out.options = [...dns.options];
  return out;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function ipFrom020(ip: Ip020): CniIpConfig {
  return withoutUndefined({ address: ip.ip, gateway: ip.gateway });
}

function canonicalFrom020(result: Result020): Result100 {
  const sections = [result.ip4, result.ip6].filter((s): s is Ip020 => s !== undefined);
  return {
    cniVersion: "1.1.0",
    interfaces: [],
    ips: sections.map(ipFrom020),
    routes: sections.flatMap((s) => s.routes.map((r) => withoutUndefined({ dst: r.dst, gw: r.gw }))),
    dns: copyDns(result.dns),
  };
}

/** The result in the 1.1.0 shape (a copy; the input is not changed). */
export function toCanonicalResult(result: CniResult): Result100 {
  if (RESULT_SHAPE_OF[result.cniVersion] === "020") return canonicalFrom020(result as Result020);
  const full = result as Result040 | Result100;
  return {
    cniVersion: "1.1.0",
    interfaces: full.interfaces.map((i) => ({ ...i })),
    ips: full.ips.map((entry) => {
      const { version: _version, ...rest } = entry as CniIpConfig & { version?: string };
      return rest;
    }),
    routes: full.routes.map((r) => ({ ...r })),
    dns: copyDns(full.dns),
  };
}

function to100(c: Result100, cniVersion: Result100["cniVersion"]): Result100 {
  return { ...c, cniVersion };
}

function to040(c: Result100, cniVersion: Result040["cniVersion"]): Result040 {
  return {
    cniVersion,
    interfaces: c.interfaces.map((i): CniInterface040 =>
      withoutUndefined({ name: i.name, mac: i.mac, sandbox: i.sandbox }),
    ),
    ips: c.ips.map((entry) => ({ version: String(cidrFamily(entry.address) ?? 6) as "4" | "6", ...entry })),
    routes: c.routes,
    dns: c.dns,
  };
}

function cannot(target: string, problem: string): CniError {
  return new CniError("INCOMPATIBLE_VERSION", `cannot convert the result to CNI ${target}: ${problem}`);
}

function section020(c: Result100, family: IpFamily, target: string): Ip020 | undefined {
  const ips = c.ips.filter((entry) => cidrFamily(entry.address) === family);
  const routes = c.routes.filter((r) => cidrFamily(r.dst) === family);
  if (ips.length > 1) {
    const list = ips.map((i) => i.address).join(", ");
    throw cannot(target, `it has ${ips.length} IPv${family} addresses (${list}) and ${target} can carry one`);
  }
  const first = ips[0];
  if (first === undefined) {
    if (routes.length > 0) {
      const list = routes.map((r) => r.dst).join(", ");
      throw cannot(target, `IPv${family} route(s) ${list} but no IPv${family} address to carry them`);
    }
    return undefined;
  }
  return {
    ...withoutUndefined({ ip: first.address, gateway: first.gateway }),
    routes: routes.map((r: CniRoute) => withoutUndefined({ dst: r.dst, gw: r.gw })),
  };
}

function to020(c: Result100, cniVersion: Result020["cniVersion"]): Result020 {
  if (c.ips.length === 0) throw cannot(cniVersion, "it has no IP address");
  const out: Result020 = { cniVersion, dns: c.dns };
  const ip4 = section020(c, 4, cniVersion);
  const ip6 = section020(c, 6, cniVersion);
  if (ip4 !== undefined) out.ip4 = ip4;
  if (ip6 !== undefined) out.ip6 = ip6;
  return out;
}

/**
 * The result in spec version `toVersion` (a new object). Throws a CniError with code 1 for an
 * unsupported version or a result that version cannot express (see the top of this file).
 */
export function convertResult(result: CniResult, toVersion: string): CniResult {
  const target = requireSupportedVersion(toVersion);
  const canonical = toCanonicalResult(result);
  switch (RESULT_SHAPE_OF[target]) {
    case "100":
      return to100(canonical, target as Result100["cniVersion"]);
    case "040":
      return to040(canonical, target as Result040["cniVersion"]);
    case "020":
      return to020(canonical, target as Result020["cniVersion"]);
  }
}
