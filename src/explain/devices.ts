// Which device each network gets, decided by the CNI side's own correlation (deviceNeeds, correlate,
// ruleFor, delegateDeviceId) over the devices the API shows, and for a network that gets none, why: its
// devices went to other networks; the resource is a device plugin's (not in the API, PodResources decides
// at ADD); the pod has no claim; or no device of its claims carries the resourceName — with the state of
// every claim that might, and what the DeviceClass named after the resourceName selects on the node
// (the class the netclaim controller keeps for a labelled NAD). Pure.
//
// Public API: `DeviceInputs`, `explainDevices`.
import type { DelegateConfig } from "../api/netconf-delegate.ts";
import { isManagedClass } from "../controller/classes/device-class.ts";
import { isClassName } from "../controller/classes/device-class.ts";
import { MANAGE_DEVICE_CLASS_LABEL } from "../controller/classes/nad.ts";
import { correlate, ruleFor } from "../cni/correlation/correlate.ts";
import { delegateDeviceId, describeDevice, parseDeviceIdFormat } from "../cni/correlation/handover.ts";
import type { CandidateDevice, DeviceNeed, NetworkDeviceOutcome } from "../cni/correlation/types.ts";
import { deviceNeeds } from "../cni/engine/add-devices.ts";
import type { NetworkSlot } from "../cni/engine/resolve-networks.ts";
import { explainAddresses } from "./addresses.ts";
import type { ClaimsView } from "./claims.ts";
import { finding } from "./explanation.ts";
import type { ClassCheck, DeviceExplanation, Finding } from "./explanation.ts";
import type { NetworkDraft } from "./networks.ts";
import { statusOf } from "./networks.ts";
import { classSelectors, evaluateDevices, matchingDevices } from "./selectors.ts";
import type { PublishedDevice } from "./selectors.ts";
import type { ExplainSnapshot } from "./snapshot.ts";

export interface DeviceInputs {
  snapshot: ExplainSnapshot;
  driverName: string;
  view: ClaimsView;
  published: readonly PublishedDevice[];
  scope: string;
}

/** deviceNeeds reads a slot's name and NAD annotations only; the delegate config plays no part. */
const NOT_READ: DelegateConfig = {
  kind: "conf",
  name: "",
  plugins: [],
  disableCheck: false,
  disableGC: false,
  raw: {},
  source: "explain",
};

function slotsOf(drafts: readonly NetworkDraft[]): NetworkSlot[] {
  return drafts.map(({ explanation: e, nadAnnotations }): NetworkSlot =>
    nadAnnotations === undefined
      ? { name: e.name, origin: e.origin, problem: new Error("not resolved") }
      : { name: e.name, origin: e.origin, delegate: NOT_READ, nadAnnotations },
  );
}

function deviceView(
  device: CandidateDevice,
  outcome: Extract<NetworkDeviceOutcome, { kind: "device" }>,
  draft: NetworkDraft,
  published: boolean,
): DeviceExplanation {
  const view: DeviceExplanation = {
    rule: outcome.rule,
    device: describeDevice(device),
    driver: device.driver,
    pool: device.pool,
    name: device.device,
    claim: `${device.claimNamespace}/${device.claimName}`,
    request: device.requestNames.join(", "),
    published,
  };
  const optional: [keyof DeviceExplanation, string | undefined][] = [
    ["shareID", device.shareID],
    ["podClaimName", device.podClaimName],
    ["className", device.className],
    ["resourceNameAttribute", device.resourceNameAttr],
    ["pciAddress", device.pciAddress],
    ["ifName", device.ifName],
  ];
  for (const [key, value] of optional) if (value !== undefined && value !== "") view[key] = value as never;
  const format = parseDeviceIdFormat(draft.nadAnnotations);
  const id = format.ok ? delegateDeviceId(device, format.format) : undefined;
  if (id?.ok === true && id.id !== undefined) view.deviceId = id.id;
  return view;
}

/** A container asks for `resourceName` and nothing says DRA serves it (no extended-resource claim or class). */
function devicePluginResource(inputs: DeviceInputs, resourceName: string): boolean {
  const { pod, deviceClasses } = inputs.snapshot;
  if (pod.status?.extendedResourceClaimStatus?.resourceClaimName) return false;
  if (deviceClasses.some((c) => c.spec?.extendedResourceName === resourceName)) return false;
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].some((c) =>
    [c.resources?.limits, c.resources?.requests].some((r) => r !== undefined && resourceName in r),
  );
}

function candidateText(device: CandidateDevice): string {
  const attr =
    device.resourceNameAttr === undefined
      ? "no resourceName attribute"
      : `resourceName ${JSON.stringify(device.resourceNameAttr)}`;
  const cls = device.className === undefined ? "" : `, class ${JSON.stringify(device.className)}`;
  return `${describeDevice(device)} (${attr}${cls})`;
}

/** The findings of a network that got no device (see the header). */
function whyNone(
  need: DeviceNeed,
  message: string,
  inputs: DeviceInputs,
): { findings: Finding[]; deferred: boolean } {
  const { candidates, claims } = inputs.view;
  if (ruleFor(candidates, need.resourceName) !== undefined) {
    return { findings: [finding("error", "DEVICE_TAKEN", message)], deferred: false };
  }
  if (devicePluginResource(inputs, need.resourceName)) {
    const text = `${JSON.stringify(need.resourceName)} is a device-plugin resource of the pod's containers: not visible in the API; checked at ADD via PodResources`;
    return { findings: [finding("info", "DEVICE_PLUGIN_RESOURCE", text)], deferred: true };
  }
  if (claims.length === 0) {
    const text = `network ${JSON.stringify(need.network)} needs a device of resourceName ${JSON.stringify(need.resourceName)}, and the pod has no ResourceClaim and no container requests that resource`;
    return { findings: [finding("error", "NO_CLAIM", text)], deferred: false };
  }
  const devices = candidates.length === 0 ? "none" : candidates.map(candidateText).join("; ");
  const findings = [finding("error", "NO_MATCHING_DEVICE", `${message}; the pod's devices: ${devices}`)];
  for (const claim of claims) {
    for (const f of claim.findings)
      if (f.severity !== "info") findings.push(finding("info", f.code, f.message));
  }
  return { findings, deferred: false };
}

function classCheck(need: DeviceNeed, inputs: DeviceInputs): { check?: ClassCheck; findings: Finding[] } {
  const name = need.resourceName;
  if (!isClassName(name)) return { findings: [] };
  const cls = inputs.snapshot.deviceClasses.find((c) => c.metadata?.name === name);
  const selectors = cls === undefined ? [] : classSelectors(cls);
  const devices = cls === undefined ? [] : evaluateDevices(selectors, inputs.published);
  const check: ClassCheck = {
    className: name,
    found: cls !== undefined,
    managed: cls !== undefined && isManagedClass(cls, inputs.driverName),
    selectors,
    scope: inputs.scope,
    matching: matchingDevices(devices),
    devices,
  };
  if (cls === undefined) {
    const text = `no DeviceClass named ${JSON.stringify(name)} (the netclaim controller keeps one for a NAD labelled ${MANAGE_DEVICE_CLASS_LABEL}: "true")`;
    return { check, findings: [finding("warning", "NO_DEVICE_CLASS", text)] };
  }
  const selected =
    check.matching.length === 0
      ? "no device"
      : `${check.matching.length} device(s): ${check.matching.join(", ")}`;
  return {
    check,
    findings: [
      finding(
        "info",
        "CLASS_SELECTS",
        `DeviceClass ${JSON.stringify(name)} selects ${selected} on ${inputs.scope}`,
      ),
    ],
  };
}

/** Fills each network's device, addresses, class check, findings and status. */
export function explainDevices(drafts: NetworkDraft[], inputs: DeviceInputs): void {
  const needs = deviceNeeds(slotsOf(drafts));
  const pod = {
    namespace: inputs.snapshot.pod.metadata?.namespace ?? "",
    name: inputs.snapshot.pod.metadata?.name ?? "",
  };
  const outcomes = correlate({ pod, needs, candidates: inputs.view.candidates, consulted: ["api"] });
  for (const outcome of outcomes) {
    const draft = drafts[outcome.need.index] as NetworkDraft;
    const network = draft.explanation;
    const found: Finding[] = [];
    let deferred = network.status === "deferred";
    const cls = classCheck(outcome.need, inputs);
    if (cls.check !== undefined) network.resourceClass = cls.check;
    if (outcome.kind === "device") {
      const claim = inputs.snapshot.claims.find((c) => c.metadata?.name === outcome.device.claimName);
      const claimView = inputs.view.byName.get(outcome.device.claimName);
      const result = claimView?.results.find(
        (r) => r.device === `${outcome.device.driver}/${outcome.device.pool}/${outcome.device.device}`,
      );
      if (result !== undefined) result.network = network.name;
      network.device = deviceView(outcome.device, outcome, draft, result?.published ?? false);
      const addresses = explainAddresses(outcome.need, outcome.device, claim);
      if (addresses.addresses !== undefined) network.addresses = addresses.addresses;
      found.push(...addresses.findings);
    } else {
      const why = whyNone(outcome.need, outcome.message, inputs);
      found.push(...why.findings, ...cls.findings);
      deferred ||= why.deferred;
    }
    network.findings.push(...found);
    network.status = statusOf(network.findings, deferred);
  }
}
