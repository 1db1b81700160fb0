// A typed CNI result as the JSON object on the wire, in libcni's key order and with its `omitempty`
// rules, so that netclaim prints what Multus (libcni) would print: empty lists, empty optional strings
// and zero `mtu`/`advmss`/`priority` are left out; an `interface` index of 0 and `table`/`scope` of 0
// stay (pointers in Go); `dns` is always there, `{}` when empty.
//
// Public API: `resultToJson`.
import type { JsonObject } from "../../api/netconf-issues.ts";
import type { CniDns, CniResult, CniRoute, Ip020 } from "./result.ts";

type Entry = readonly [string, unknown];

/** Builds an object from entries, skipping undefined, "" and [] (Go's omitempty for those kinds). */
function compact(entries: readonly Entry[]): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of entries) {
    if (value === undefined || value === "") continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[key] = value;
  }
  return out;
}

const nonZero = (n: number | undefined): number | undefined => (n === 0 ? undefined : n);

function dnsJson(dns: CniDns): JsonObject {
  return compact([
    ["nameservers", dns.nameservers],
    ["domain", dns.domain],
    ["search", dns.search],
    ["options", dns.options],
  ]);
}

function routeJson(route: CniRoute): JsonObject {
  return compact([
    ["dst", route.dst],
    ["gw", route.gw],
    ["mtu", nonZero(route.mtu)],
    ["advmss", nonZero(route.advmss)],
    ["priority", nonZero(route.priority)],
    ["table", route.table],
    ["scope", route.scope],
  ]);
}

function ip020Json(section: Ip020 | undefined): JsonObject | undefined {
  if (section === undefined) return undefined;
  return compact([
    ["ip", section.ip],
    ["gateway", section.gateway],
    ["routes", section.routes.map(routeJson)],
  ]);
}

function interfaceJson(i: {
  name: string;
  mac?: string;
  mtu?: number;
  sandbox?: string;
  socketPath?: string;
  pciID?: string;
}): JsonObject {
  const rest = compact([
    ["mac", i.mac],
    ["mtu", nonZero(i.mtu)],
    ["sandbox", i.sandbox],
    ["socketPath", i.socketPath],
    ["pciID", i.pciID],
  ]);
  return { name: i.name, ...rest };
}

function ipJson(entry: {
  version?: string;
  interface?: number;
  address: string;
  gateway?: string;
}): JsonObject {
  return compact([
    ["version", entry.version],
    ["interface", entry.interface],
    ["address", entry.address],
    ["gateway", entry.gateway],
  ]);
}

/** The wire form of a result. */
export function resultToJson(result: CniResult): JsonObject {
  if ("interfaces" in result) {
    return {
      ...compact([
        ["cniVersion", result.cniVersion],
        ["interfaces", result.interfaces.map(interfaceJson)],
        ["ips", result.ips.map(ipJson)],
        ["routes", result.routes.map(routeJson)],
      ]),
      dns: dnsJson(result.dns),
    };
  }
  return {
    ...compact([
      ["cniVersion", result.cniVersion],
      ["ip4", ip020Json(result.ip4)],
      ["ip6", ip020Json(result.ip6)],
    ]),
    dns: dnsJson(result.dns),
  };
}
