// The pod's ResourceClaims and the devices they give it, read the way the CNI side's API source reads
// them (src/cni/correlation/api-candidates.ts: podClaimRefs, indexSlices, apiCandidates), with what the
// CNI side cannot say from one view: claims not generated or not found, claims not allocated, results
// whose device no current slice of the node lists, containers that reference each claim, the IPPool of
// each device's opaque config (src/api/network-device-config.ts), and for every request the devices of
// the node its DeviceClass and selectors would select (selectors.ts). Pure.
//
// Public API: `ClaimsView`, `readClaims`.
import { configForRequest, parseClaimDeviceConfigs } from "../api/network-device-config.ts";
import { apiCandidates, indexSlices, podClaimRefs } from "../cni/correlation/api-candidates.ts";
import type { PodClaimRef, SliceDeviceIndex } from "../cni/correlation/api-candidates.ts";
import { mergeCandidates } from "../cni/correlation/merge-candidates.ts";
import type { CandidateDevice } from "../cni/correlation/types.ts";
import { finding } from "./explanation.ts";
import type { ClaimExplanation, Finding, RequestExplanation } from "./explanation.ts";
import { classSelectors, evaluateDevices, matchingDevices, requestSelectors } from "./selectors.ts";
import type { PublishedDevice } from "./selectors.ts";
import type { ExplainClaim, ExplainPod, ExplainSnapshot } from "./snapshot.ts";

export interface ClaimsView {
  /** Every device of the pod's allocated claims, merged as the CNI side merges its sources. */
  candidates: CandidateDevice[];
  claims: ClaimExplanation[];
  /** Claim name → its explanation (for the results' networks). */
  byName: Map<string, ClaimExplanation>;
}

interface ClaimInputs {
  snapshot: ExplainSnapshot;
  driverName: string;
  published: readonly PublishedDevice[];
  scope: string;
}

const deviceId = (d: { driver: string; pool: string; device: string }) => `${d.driver}/${d.pool}/${d.device}`;

function containersOf(pod: ExplainPod, podClaimName: string | undefined): string[] {
  if (podClaimName === undefined) return [];
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return all
    .filter((c) => (c.resources?.claims ?? []).some((r) => r.name === podClaimName))
    .map((c) => c.name);
}

function sliceIndex(snapshot: ExplainSnapshot): Map<string, SliceDeviceIndex> {
  const index = new Map<string, SliceDeviceIndex>();
  for (const driver of new Set(snapshot.slices.map((s) => s.spec?.driver ?? ""))) {
    index.set(driver, indexSlices(snapshot.slices.filter((s) => s.spec?.driver === driver)));
  }
  return index;
}

function requestExplanations(
  claim: ExplainClaim,
  inputs: ClaimInputs,
  findings: Finding[],
): RequestExplanation[] {
  const out: RequestExplanation[] = [];
  for (const request of claim.spec?.devices?.requests ?? []) {
    const bodies =
      request.exactly !== undefined
        ? [{ name: request.name, body: request.exactly }]
        : (request.firstAvailable ?? []).map((sub) => ({ name: `${request.name}/${sub.name}`, body: sub }));
    for (const { name, body } of bodies) {
      const className = body.deviceClassName;
      const cls = inputs.snapshot.deviceClasses.find((c) => c.metadata?.name === className);
      if (className !== undefined && cls === undefined) {
        const message = `request ${JSON.stringify(name)} names DeviceClass ${JSON.stringify(className)}, which does not exist`;
        findings.push(finding("warning", "NO_DEVICE_CLASS", message));
      }
      const selectors = [
        ...(cls === undefined ? [] : classSelectors(cls)),
        ...requestSelectors(body.selectors),
      ];
      const devices =
        cls === undefined && className !== undefined ? [] : evaluateDevices(selectors, inputs.published);
      const entry: RequestExplanation = {
        name,
        classFound: cls !== undefined,
        selectors,
        scope: inputs.scope,
        matching: matchingDevices(devices),
        devices,
      };
      if (className !== undefined) entry.className = className;
      out.push(entry);
    }
  }
  return out;
}

/** The devices of an allocated claim, with the IPPool of each one's config. */
function claimCandidates(
  claim: ExplainClaim,
  ref: PodClaimRef,
  index: Map<string, SliceDeviceIndex>,
  inputs: ClaimInputs,
  findings: Finding[],
): CandidateDevice[] {
  const candidates = apiCandidates(claim, ref, index);
  const configs = parseClaimDeviceConfigs(claim, inputs.driverName);
  if (!configs.ok) {
    findings.push(finding("error", "INVALID_CLAIM_CONFIG", configs.error.message));
    return candidates;
  }
  for (const candidate of candidates) {
    if (candidate.driver !== inputs.driverName) continue;
    const pool = candidate.requestNames
      .map((r) => configForRequest(configs.entries, r).config.ipPool)
      .find(Boolean);
    if (pool !== undefined) candidate.ipPool = pool;
  }
  return candidates;
}

function explainFound(
  claim: ExplainClaim,
  ref: PodClaimRef,
  inputs: ClaimInputs,
  out: ClaimExplanation,
): CandidateDevice[] {
  const name = `${claim.metadata?.namespace ?? ""}/${ref.claimName}`;
  const allocation = claim.status?.allocation;
  out.allocated = allocation !== undefined;
  out.requests = requestExplanations(claim, inputs, out.findings);
  if (allocation === undefined) {
    const message = `resourceclaim ${name} is not allocated yet: the scheduler has not picked its devices`;
    out.findings.push(finding("warning", "CLAIM_NOT_ALLOCATED", message));
    return [];
  }
  const index = sliceIndex(inputs.snapshot);
  const candidates = claimCandidates(claim, ref, index, inputs, out.findings);
  for (const result of allocation.devices?.results ?? []) {
    const published = index.get(result.driver)?.has(`${result.pool}\0${result.device}`) === true;
    const candidate = candidates.find(
      (c) => c.pool === result.pool && c.device === result.device && c.driver === result.driver,
    );
    out.results.push({
      request: result.request,
      device: deviceId(result),
      ...(result.shareID === undefined ? {} : { shareID: result.shareID }),
      published,
      ...(candidate?.resourceNameAttr === undefined
        ? {}
        : { resourceNameAttribute: candidate.resourceNameAttr }),
    });
    if (!published) {
      const message = `allocated device ${deviceId(result)} of resourceclaim ${name} is in no current ResourceSlice of ${inputs.scope}: its attributes are unknown here`;
      out.findings.push(finding("warning", "DEVICE_NOT_PUBLISHED", message));
    }
  }
  return candidates;
}

function explainRef(
  ref: PodClaimRef,
  inputs: ClaimInputs,
): { claim: ClaimExplanation; found: CandidateDevice[] } {
  const pod = inputs.snapshot.pod;
  const namespace = pod.metadata?.namespace ?? "";
  const entry = (pod.spec?.resourceClaims ?? []).find((r) => r.name === ref.podClaimName);
  const out: ClaimExplanation = {
    name: ref.claimName,
    source:
      ref.podClaimName === undefined ? "extended-resource" : entry?.resourceClaimName ? "claim" : "template",
    found: false,
    containers: containersOf(pod, ref.podClaimName),
    allocated: false,
    results: [],
    requests: [],
    findings: [],
  };
  if (ref.podClaimName !== undefined) out.podClaimName = ref.podClaimName;
  const claim = inputs.snapshot.claims.find((c) => c.metadata?.name === ref.claimName);
  if (claim === undefined) {
    out.findings.push(
      finding("warning", "CLAIM_NOT_FOUND", `resourceclaim ${namespace}/${ref.claimName} not found`),
    );
    return { claim: out, found: [] };
  }
  out.found = true;
  if (ref.podClaimName !== undefined && out.containers.length === 0) {
    const message = `no container references pod claim ${JSON.stringify(ref.podClaimName)}: PodResources does not list it; the node side reads it from the kubelet plugin's checkpoint`;
    out.findings.push(finding("info", "POD_LEVEL_CLAIM", message));
  }
  return { claim: out, found: explainFound(claim, ref, inputs, out) };
}

function notGenerated(podClaimName: string, template: string): ClaimExplanation {
  const message = `pod claim ${JSON.stringify(podClaimName)} (template ${JSON.stringify(template)}) has no ResourceClaim yet: pod.status.resourceClaimStatuses does not name one`;
  return {
    podClaimName,
    source: "template",
    found: false,
    containers: [],
    allocated: false,
    results: [],
    requests: [],
    findings: [finding("warning", "CLAIM_NOT_GENERATED", message)],
  };
}

/** The pod's claims in spec order (then the extended-resource claim) and their devices. */
export function readClaims(inputs: ClaimInputs): ClaimsView {
  const pod = inputs.snapshot.pod;
  const refs = podClaimRefs(pod);
  const claims: ClaimExplanation[] = [];
  let candidates: CandidateDevice[] = [];
  for (const entry of pod.spec?.resourceClaims ?? []) {
    const ref = refs.find((r) => r.podClaimName === entry.name);
    if (ref === undefined) {
      const notYet = notGenerated(entry.name, entry.resourceClaimTemplateName ?? "");
      notYet.containers = containersOf(pod, entry.name);
      claims.push(notYet);
      continue;
    }
    const explained = explainRef(ref, inputs);
    claims.push(explained.claim);
    candidates = mergeCandidates(candidates, explained.found);
  }
  for (const ref of refs.filter((r) => r.podClaimName === undefined)) {
    const explained = explainRef(ref, inputs);
    claims.push(explained.claim);
    candidates = mergeCandidates(candidates, explained.found);
  }
  const byName = new Map(claims.flatMap((c) => (c.name === undefined ? [] : [[c.name, c] as const])));
  return { candidates, claims, byName };
}
