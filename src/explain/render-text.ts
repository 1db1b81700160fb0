// The human form of an Explanation: the pod, then each network (its NAD, device, addresses, findings,
// and for a network without its device what the DeviceClass of its resourceName selects), then each
// claim (its results and, per request, which of the node's devices its class and selectors select and
// which selector rejected each other device), then one verdict line. Device lists are cut after
// MAX_DEVICE_LINES with a count of the rest. Pure.
//
// Public API: `renderText`, `MAX_DEVICE_LINES`.
import type {
  AddressesExplanation,
  ClaimExplanation,
  DeviceEvaluation,
  DeviceExplanation,
  Explanation,
  Finding,
  NadExplanation,
  NetworkExplanation,
  RequestExplanation,
  SelectorRef,
} from "./explanation.ts";

export const MAX_DEVICE_LINES = 10;

const quote = (s: string): string => JSON.stringify(s);

function findingLines(findings: readonly Finding[], indent: string): string[] {
  return findings.map((f) => `${indent}${f.severity} ${f.code}: ${f.message}`);
}

function nadLine(nad: NadExplanation): string {
  if (!nad.found) return `NAD ${nad.namespace}/${nad.name}: not found`;
  const parts = [`NAD ${nad.namespace}/${nad.name}`];
  if (nad.resourceName !== undefined) parts.push(`resourceName ${quote(nad.resourceName)}`);
  if (nad.ipPool !== undefined) parts.push(`IPPool ${nad.ipPool}`);
  if (nad.config?.source === "conf-dir") parts.push("config from the node's confDir");
  else if (nad.config?.kind !== undefined)
    parts.push(`${nad.config.kind} ${(nad.config.types ?? []).join(", ")}`);
  return parts.join(", ");
}

function deviceLines(device: DeviceExplanation): string[] {
  const from = [`claim ${device.claim}`, `request ${device.request}`];
  if (device.className !== undefined) from.push(`class ${device.className}`);
  const facts = [device.published ? "published" : "not in any current ResourceSlice", `rule ${device.rule}`];
  if (device.deviceId !== undefined) facts.push(`deviceID ${device.deviceId}`);
  if (device.resourceNameAttribute !== undefined)
    facts.push(`resourceName ${quote(device.resourceNameAttribute)}`);
  return [`device ${device.device} (${from.join(", ")})`, `  ${facts.join(", ")}`];
}

function addressLine(addresses: AddressesExplanation): string {
  const ips = addresses.ips.length === 0 ? "none yet" : addresses.ips.join(", ");
  const parts = [`addresses ${ips}`];
  if (addresses.ipPool !== undefined) parts.push(`IPPool ${addresses.ipPool}`);
  if (addresses.allocated !== undefined) {
    parts.push(`AddressesAllocated ${addresses.allocated.status} ${addresses.allocated.reason}`.trimEnd());
  }
  if (addresses.interfaceName !== undefined) parts.push(`attached as ${addresses.interfaceName}`);
  if (addresses.hardwareAddress !== undefined) parts.push(`mac ${addresses.hardwareAddress}`);
  return parts.join(", ");
}

function evaluationLine(e: DeviceEvaluation): string {
  if (e.matches) return `${e.device}: selected`;
  const by = e.rejectedBy;
  if (by === undefined) return `${e.device}: not selected`;
  const where =
    by.source === "class"
      ? `class ${by.className ?? "?"} selector ${by.index}`
      : `request selector ${by.index}`;
  const what = by.outcome === "error" ? `error: ${by.message ?? ""}` : "false";
  return `${e.device}: rejected by ${where} (${what})`;
}

function selectorLines(selectors: readonly SelectorRef[], indent: string): string[] {
  return selectors.map((s) => {
    const where =
      s.source === "class"
        ? `class ${s.className ?? "?"} selector ${s.index}`
        : `request selector ${s.index}`;
    return `${indent}${where}: ${s.expression}`;
  });
}

function evaluationLines(devices: readonly DeviceEvaluation[], indent: string): string[] {
  if (devices.length === 0) return [`${indent}no device published`];
  const shown = devices.slice(0, MAX_DEVICE_LINES).map((e) => `${indent}${evaluationLine(e)}`);
  const rest = devices.length - MAX_DEVICE_LINES;
  return rest > 0 ? [...shown, `${indent}... ${rest} more`] : shown;
}

function networkLines(n: NetworkExplanation): string[] {
  const ifName = n.interface === undefined ? "" : ` ${n.interface.name}`;
  const lines = [`[${n.index}] ${n.name} (${n.origin})${ifName}: ${n.status}`];
  const inner = "      ";
  if (n.nad !== undefined) lines.push(`${inner}${nadLine(n.nad)}`);
  if (n.device !== undefined) lines.push(...deviceLines(n.device).map((l) => `${inner}${l}`));
  if (n.addresses !== undefined) lines.push(`${inner}${addressLine(n.addresses)}`);
  lines.push(...findingLines(n.findings, inner));
  const cls = n.resourceClass;
  if (cls !== undefined && cls.found && n.device === undefined) {
    const managed = cls.managed ? ", kept by the netclaim controller" : "";
    lines.push(`${inner}DeviceClass ${cls.className}${managed}, on ${cls.scope}:`);
    lines.push(...selectorLines(cls.selectors, `${inner}  `));
    lines.push(...evaluationLines(cls.devices, `${inner}  `));
  }
  return lines.map((l, i) => (i === 0 ? `  ${l}` : l));
}

function requestLines(r: RequestExplanation): string[] {
  const cls =
    r.className === undefined ? "no class" : `class ${r.className}${r.classFound ? "" : " (not found)"}`;
  const head = `request ${r.name}: ${cls}, ${r.selectors.length} selector(s), selects ${r.matching.length} of ${r.devices.length} device(s) on ${r.scope}`;
  return [head, ...selectorLines(r.selectors, "  "), ...evaluationLines(r.devices, "  ")];
}

function claimLines(c: ClaimExplanation): string[] {
  const label = c.name ?? `(pod claim ${c.podClaimName ?? "?"}, not generated)`;
  const where = [c.podClaimName === undefined ? c.source : `pod claim ${c.podClaimName}`];
  where.push(c.containers.length === 0 ? "no container" : `containers ${c.containers.join(", ")}`);
  const state = !c.found ? "not found" : c.allocated ? "allocated" : "not allocated";
  const lines = [`  ${label} (${where.join("; ")}): ${state}`];
  for (const r of c.results) {
    const to = r.network === undefined ? "" : ` -> ${r.network}`;
    const attr =
      r.resourceNameAttribute === undefined ? "" : ` resourceName ${quote(r.resourceNameAttribute)}`;
    lines.push(`      result ${r.request}: ${r.device}${r.published ? "" : " (not published)"}${attr}${to}`);
  }
  for (const r of c.requests) lines.push(...requestLines(r).map((l) => `      ${l}`));
  lines.push(...findingLines(c.findings, "      "));
  return lines;
}

function verdict(e: Explanation): string {
  const missing = e.networks.filter((n) => n.status === "missing").length;
  if (e.resolved) return "Every network resolves.";
  if (missing === 0) return "Something would fail the ADD (see the errors above).";
  return `${missing} of ${e.networks.length} network(s) would not resolve.`;
}

/** The text `netclaim explain pod` prints (ends with a newline). */
export function renderText(e: Explanation): string {
  const where = e.pod.node === undefined ? "not scheduled" : `on node ${e.pod.node}`;
  const phase = e.pod.phase === undefined ? "" : `, ${e.pod.phase}`;
  const lines = [
    `Pod ${e.pod.namespace}/${e.pod.name} ${where}${phase}`,
    `Driver ${e.driverName}; CNI settings: ${e.settings}`,
    ...findingLines(e.findings, "  "),
    "",
    "Networks:",
    ...e.networks.flatMap(networkLines),
    "",
    e.claims.length === 0 ? "Claims: none" : "Claims:",
    ...e.claims.flatMap(claimLines),
    "",
    verdict(e),
  ];
  return `${lines.join("\n")}\n`;
}
