// Which of the pod's devices goes to which network (DESIGN.md, "Correlation"). Pure.
//
// For a network whose NAD carries resourceName R, the first of these rules that matches any device of
// the pod decides where its device comes from:
//   1. "attribute": a claim device whose attribute k8s.cni.cncf.io/resourceName is R;
//   2. "claim-request": a claim device whose request's DeviceClass is R, or whose pod claim reference
//      name, claim name, `<claim>/<request>` or `<pod claim name>/<request>` is R (a subrequest
//      `req/sub` matches as `req/sub` and as `req`);
//   3. "device-plugin": a device-plugin device of resource R (PodResources devices[].resource_name).
// Each device goes to one network only. Networks are served rule by rule — every network decided by
// rule 1 first, then rule 2, then rule 3 — and within a rule in attach order, each taking the first
// device not yet given away, in the order the sources listed them. So a network that names a whole claim
// (rule 2) cannot take the device another network asked for by its attribute (rule 1). A network that
// finds no device, or finds its rule's devices all given away, gets a "missing" outcome whose message
// names the pod, the network and R: the ADD fails rather than attaching the network without its device.
//
// Public API: `CorrelationInput`, `correlate`, `matchesRule`, `ruleFor`.
import type {
  CandidateDevice,
  CorrelationRule,
  DeviceNeed,
  DeviceSourceName,
  NetworkDeviceOutcome,
} from "./types.ts";

export interface CorrelationInput {
  pod: { namespace: string; name: string };
  /** In attach order. */
  needs: readonly DeviceNeed[];
  /** In the order the sources listed them. */
  candidates: readonly CandidateDevice[];
  /** The sources that were asked, for the message of a missing device. */
  consulted?: readonly DeviceSourceName[];
}

const RULES: readonly CorrelationRule[] = ["attribute", "claim-request", "device-plugin"];

function requestForms(request: string): string[] {
  const slash = request.indexOf("/");
  return slash < 0 ? [request] : [request, request.slice(0, slash)];
}

function matchesClaimRequest(device: CandidateDevice, resourceName: string): boolean {
  if (device.className === resourceName) return true;
  const claimNames = [device.claimName, device.podClaimName].filter(
    (n): n is string => n !== undefined && n !== "",
  );
  if (claimNames.includes(resourceName)) return true;
  return device.requestNames.some((request) =>
    requestForms(request).some((form) => claimNames.some((claim) => `${claim}/${form}` === resourceName)),
  );
}

/** Whether `device` is one of the devices rule `rule` offers for `resourceName`. */
export function matchesRule(device: CandidateDevice, rule: CorrelationRule, resourceName: string): boolean {
  if (rule === "device-plugin") {
    return device.origin === "device-plugin" && device.resourceNameAttr === resourceName;
  }
  if (device.origin !== "claim") return false;
  if (rule === "attribute") return device.resourceNameAttr === resourceName;
  return matchesClaimRequest(device, resourceName);
}

/** The rule that decides for `resourceName`: the first that matches any device; undefined for none. */
export function ruleFor(
  candidates: readonly CandidateDevice[],
  resourceName: string,
): CorrelationRule | undefined {
  return RULES.find((rule) => candidates.some((d) => matchesRule(d, rule, resourceName)));
}

function prefix(input: CorrelationInput, need: DeviceNeed): string {
  return `pod ${input.pod.namespace}/${input.pod.name}: network ${JSON.stringify(need.network)} needs a device of resourceName ${JSON.stringify(need.resourceName)}`;
}

function noneMessage(input: CorrelationInput, need: DeviceNeed): string {
  const looked =
    input.consulted === undefined ? "" : `; looked in: ${input.consulted.join(", ") || "nothing"}`;
  return (
    `${prefix(input, need)} and the pod was given none (no device of its claims has the attribute ` +
    `k8s.cni.cncf.io/resourceName ${JSON.stringify(need.resourceName)} or comes from a DeviceClass, claim ` +
    `or request of that name, and it has no device-plugin device of that resource${looked})`
  );
}

function takenMessage(input: CorrelationInput, need: DeviceNeed, holders: readonly string[]): string {
  const networks = [...new Set(holders)].map((n) => JSON.stringify(n)).join(", ");
  const count = holders.length;
  return `${prefix(input, need)} and none is left: the pod's ${count} matching device${count === 1 ? "" : "s"} went to network ${networks}`;
}

/** One outcome per need, in the order of `needs`. */
export function correlate(input: CorrelationInput): NetworkDeviceOutcome[] {
  const { candidates } = input;
  const rules = input.needs.map((need) => ruleFor(candidates, need.resourceName));
  const takenBy = new Map<CandidateDevice, string>();
  const outcomes = new Map<number, NetworkDeviceOutcome>();
  for (const rule of RULES) {
    input.needs.forEach((need, position) => {
      if (rules[position] !== rule) return;
      const matching = candidates.filter((d) => matchesRule(d, rule, need.resourceName));
      const free = matching.find((d) => !takenBy.has(d));
      if (free === undefined) {
        const holders = matching.map((d) => takenBy.get(d) ?? "");
        outcomes.set(position, { kind: "missing", need, message: takenMessage(input, need, holders) });
        return;
      }
      takenBy.set(free, need.network);
      outcomes.set(position, { kind: "device", need, device: free, rule });
    });
  }
  return input.needs.map(
    (need, position) =>
      outcomes.get(position) ?? { kind: "missing", need, message: noneMessage(input, need) },
  );
}
