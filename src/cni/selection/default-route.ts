// Which interface carries the pod's default route, per IP family, when selections ask for one with
// `default-route`.
//
// API:
//   planDefaultRoutes(requests)                        → SelectionResult<DefaultRoutePlan>, before any ADD
//   instructionForResult(instruction, result)          what to do once the delegate's result is known
//   applyDefaultRouteInstruction(result, instruction)  the result with its routes rewritten (pure)
//
// Multus's rules (CheckGatewayConfig in pkg/types/conf.go, CmdAdd in pkg/multus/multus.go):
// - Nothing happens unless some attachment has a `default-route` key, even an empty list.
// - More than one gateway of one IP family across all attachments (the same network listing two counts
//   too) fails the ADD before anything is attached. IPv4-mapped IPv6 gateways count as IPv4 (To4).
// - Otherwise every attachment loses its default routes of both families, and an attachment that asked
//   for a gateway gets `default via <gw> dev <ifname>` for it. So the pod ends with a default route of a
//   family only if some attachment asked for one of that family: asking for an IPv4 gateway on net1 also
//   removes eth0's IPv6 default route, and `[]` alone removes all default routes. netclaim keeps this.
// - An attachment whose result has no interfaces and no IPs is left alone.
// How Multus applies it, after each delegate's ADD: inside the pod's netns it deletes every route
// without a destination on the interface (both families at once), adds the requested gateway routes,
// and rewrites libcni's cached result (drops the filtered families' 0.0.0.0/0 and ::0/0 routes, appends
// the requested ones) so CHECK and DEL see them; the result returned to the runtime and network-status
// still show the delegate's own routes. netclaim's engine runs the instruction with `ip route` in the
// netns (a child process given the netns path) and keeps applyDefaultRouteInstruction's result as the
// attachment's prevResult; building network-status from it makes `gateway` show the real routes.
import { goIpFamily, goIpString, parseGoCidr, parseGoIp } from "./go-compat.ts";
import type { CniResultLike, CniRouteLike } from "./cni-result.ts";
import { fail, succeed } from "./types.ts";
import type { SelectionResult } from "./types.ts";

export interface DefaultRouteRequest {
  /** How messages name the network: `namespace/name` or the CNI config name. */
  readonly network: string;
  readonly interfaceName: string;
  /** The selection's `default-route`; undefined when the key was absent. */
  readonly gateways?: readonly string[];
}

export type FamilyRouteAction =
  /** Leave the delegate's default routes of this family as they are. */
  | { readonly kind: "keep" }
  /** Delete this family's default routes on the interface. */
  | { readonly kind: "remove" }
  /** Delete this family's default routes on the interface, then add one via `gateway`. */
  | { readonly kind: "replace"; readonly gateway: string };

export interface DefaultRouteInstruction {
  readonly network: string;
  readonly interfaceName: string;
  readonly ipv4: FamilyRouteAction;
  readonly ipv6: FamilyRouteAction;
}

export interface DefaultRoutePlan {
  /** False when no attachment has a `default-route` key; then every instruction keeps. */
  readonly active: boolean;
  /** One per request, in the same order. */
  readonly instructions: readonly DefaultRouteInstruction[];
}

type Family = "ipv4" | "ipv6";
const FAMILY_LABEL: Record<Family, string> = { ipv4: "IPv4", ipv6: "IPv6" };
const KEEP: FamilyRouteAction = { kind: "keep" };
const REMOVE: FamilyRouteAction = { kind: "remove" };

interface Wanted {
  readonly index: number;
  readonly gateway: string;
}

function who(request: DefaultRouteRequest): string {
  return `network ${JSON.stringify(request.network)} (${request.interfaceName})`;
}

function conflictMessage(
  family: Family,
  wanted: readonly Wanted[],
  requests: readonly DefaultRouteRequest[],
): string {
  const list = wanted
    .map((w) => `${w.gateway} by ${who(requests[w.index] as DefaultRouteRequest)}`)
    .join(", ");
  return (
    `default-route: more than one ${FAMILY_LABEL[family]} default route requested: ${list}; ` +
    `at most one gateway per IP family is supported`
  );
}

/** The plan for all attachments (index 0 = default network), or DEFAULT_ROUTE_CONFLICT. */
export function planDefaultRoutes(
  requests: readonly DefaultRouteRequest[],
): SelectionResult<DefaultRoutePlan> {
  const keepAll = (r: DefaultRouteRequest): DefaultRouteInstruction => ({
    network: r.network,
    interfaceName: r.interfaceName,
    ipv4: KEEP,
    ipv6: KEEP,
  });
  if (requests.every((r) => r.gateways === undefined)) {
    return succeed({ active: false, instructions: requests.map(keepAll) });
  }
  const wanted: Record<Family, Wanted[]> = { ipv4: [], ipv6: [] };
  for (const [index, request] of requests.entries()) {
    for (const text of request.gateways ?? []) {
      const ip = parseGoIp(text);
      if (ip === undefined) {
        return fail(
          "DEFAULT_ROUTE_CONFLICT",
          `default-route: ${who(request)}: ${JSON.stringify(text)} is not an IP address`,
        );
      }
      wanted[goIpFamily(ip) === 4 ? "ipv4" : "ipv6"].push({ index, gateway: goIpString(ip) });
    }
  }
  for (const family of ["ipv4", "ipv6"] as const) {
    if (wanted[family].length > 1)
      return fail("DEFAULT_ROUTE_CONFLICT", conflictMessage(family, wanted[family], requests));
  }
  const action = (family: Family, index: number): FamilyRouteAction => {
    const mine = wanted[family].find((w) => w.index === index);
    return mine === undefined ? REMOVE : { kind: "replace", gateway: mine.gateway };
  };
  const instructions = requests.map((r, index) => ({
    network: r.network,
    interfaceName: r.interfaceName,
    ipv4: action("ipv4", index),
    ipv6: action("ipv6", index),
  }));
  return succeed({ active: true, instructions });
}

/** Multus leaves an attachment alone whose result has no interfaces and no IPs. */
export function instructionForResult(
  instruction: DefaultRouteInstruction,
  result: CniResultLike,
): DefaultRouteInstruction {
  const empty = (result.interfaces?.length ?? 0) === 0 && (result.ips?.length ?? 0) === 0;
  return empty ? { ...instruction, ipv4: KEEP, ipv6: KEEP } : instruction;
}

/** Whether the instruction changes anything. */
export function changesRoutes(instruction: DefaultRouteInstruction): boolean {
  return instruction.ipv4.kind !== "keep" || instruction.ipv6.kind !== "keep";
}

function defaultRouteFamily(route: CniRouteLike): Family | undefined {
  const dst = parseGoCidr(route.dst);
  if (dst === undefined || dst.prefixLength !== 0) return undefined;
  return goIpFamily(dst.ip) === 4 ? "ipv4" : "ipv6";
}

/** `result` with the instruction's default routes removed and added, the other routes untouched. */
export function applyDefaultRouteInstruction<R extends CniResultLike>(
  result: R,
  instruction: DefaultRouteInstruction,
): R {
  if (!changesRoutes(instruction)) return result;
  const kept = (result.routes ?? []).filter((route) => {
    const family = defaultRouteFamily(route);
    return family === undefined || instruction[family].kind === "keep";
  });
  const added: CniRouteLike[] = [];
  if (instruction.ipv4.kind === "replace") added.push({ dst: "0.0.0.0/0", gw: instruction.ipv4.gateway });
  if (instruction.ipv6.kind === "replace") added.push({ dst: "::/0", gw: instruction.ipv6.gateway });
  if (result.routes === undefined && added.length === 0) return result;
  return { ...result, routes: [...kept, ...added] };
}
