// What ADD answers and records, from the attached networks. Pure.
// - The result: the default network's result (its IPs, routes and DNS, default routes as they are in
//   the pod), with the interfaces of every other network appended, in attach order, so that the runtime
//   sees every interface the pod got (issue 3). Only the default network's IPs are in it: runtimes take
//   the pod's IPs from the result. Multus returns the default network's result alone.
// - The network-status annotation value: one entry per sandbox interface of each network (NAD client
//   rules, network-status.ts), names `ns/name` or the config's name, `default` on the default network,
//   `gateway` from the results as rewritten for default-route, `device-info` from the network's CNI
//   device-info file (add-attach.ts).
import type { Result100 } from "../protocol/result.ts";
import { buildNetworkStatuses, serializeNetworkStatuses } from "../selection/network-status.ts";
import type { AttachedNetwork } from "./add-attach.ts";

export function mergeResults(attached: readonly AttachedNetwork[]): Result100 {
  const first = attached.find((a) => a.attachment.isDefault) ?? attached[0];
  if (first === undefined) return { cniVersion: "1.1.0", interfaces: [], ips: [], routes: [], dns: {} };
  const base = first.result;
  const others = attached
    .filter((a) => a !== first)
    .flatMap((a) => a.result.interfaces.map((i) => ({ ...i })));
  return {
    ...base,
    interfaces: [...base.interfaces.map((i) => ({ ...i })), ...others],
    ips: base.ips.map((ip) => ({ ...ip })),
    routes: base.routes.map((r) => ({ ...r })),
  };
}

export function networkStatusValue(attached: readonly AttachedNetwork[]): string {
  const outcomes = attached.map((a) => ({
    name: a.attachment.name,
    isDefault: a.attachment.isDefault,
    result: a.result,
    ...(a.deviceInfo === undefined ? {} : { deviceInfo: a.deviceInfo }),
  }));
  return serializeNetworkStatuses(buildNetworkStatuses(outcomes));
}
