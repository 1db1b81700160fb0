// A cluster on paper for the examples: one node, PAPER_NODE, whose ResourceSlice holds the devices the
// kubelet plugin publishes for a devices config on two sysfs fixture trees (the seed NIC — a ConnectX PF
// with a subfunction — and an Intel PF with 8 VFs); a pod's claims generated from its templates as the
// resourceclaim controller names them; each claim allocated as kube-scheduler's allocator would for these
// plain requests (the first free devices the class's and the request's CEL selectors match, in netclaim's
// DRA CEL environment), with the class's and the claim's opaque config in the allocation; and then the
// decision of `netclaim explain pod` (src/explain) on that snapshot: which network each interface gets,
// which device each NAD with a resourceName gets, and whether the CNI ADD would fail.
//
// Public API: `PAPER_NODE`, `paperSlice`, `ExampleObjects`, `ScheduledPod`, `schedulePod`,
// `explainScheduled`.
import type { DeviceConfig } from "../../../src/api/device-config.ts";
import { matchDevice } from "../../../src/api/cel/dra-selector.ts";
import { explainPod } from "../../../src/explain/explain-pod.ts";
import type { Explanation } from "../../../src/explain/explanation.ts";
import type {
  ExplainClaim,
  ExplainDeviceClass,
  ExplainNad,
  ExplainPod,
  ExplainSettings,
} from "../../../src/explain/snapshot.ts";
import type { ResourceSlice } from "../../../src/k8s/resource-slice-types.ts";
import { classSelectors, discoverOn } from "./devices.ts";

export const PAPER_NODE = "node-1";
const SCENARIOS = ["subfunction", "pf-8-vfs-mixed"] as const;

/** The node's ResourceSlice for `config` (the devices of both fixture trees). */
export async function paperSlice(config: DeviceConfig, driverName: string): Promise<ResourceSlice> {
  const devices = [];
  for (const scenario of SCENARIOS) {
    const found = await discoverOn(scenario, config, driverName);
    if (found.problems.length > 0) throw new Error(`discovery on ${scenario}: ${found.problems.join("; ")}`);
    devices.push(...found.devices.map((d) => ({ name: d.name, attributes: d.attributes })));
  }
  return {
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceSlice",
    metadata: { name: `${PAPER_NODE}-${driverName}` },
    spec: {
      driver: driverName,
      nodeName: PAPER_NODE,
      pool: { name: PAPER_NODE, generation: 1, resourceSliceCount: 1 },
      devices,
    },
  };
}

type Template = { metadata?: { name?: string; namespace?: string }; spec?: { spec?: ExplainClaim["spec"] } };
type AllocatedConfig = {
  source: string;
  requests?: string[];
  opaque?: { driver: string; parameters?: unknown };
};
type ClassWithConfig = ExplainDeviceClass & {
  spec?: { config?: { opaque?: { driver: string; parameters?: unknown } }[] };
};

export interface ExampleObjects {
  nads: readonly ExplainNad[];
  templates: readonly Template[];
  claims: readonly ExplainClaim[];
  classes: readonly ClassWithConfig[];
}

interface PodClaimSource {
  name: string;
  resourceClaimName?: string;
  resourceClaimTemplateName?: string;
}

/** The pod scheduled to the paper node, with its template claims generated (named as Kubernetes does). */
function generate(pod: ExplainPod, objects: ExampleObjects): { pod: ExplainPod; claims: ExplainClaim[] } {
  const namespace = pod.metadata?.namespace ?? "default";
  const sources = (pod.spec?.resourceClaims ?? []) as PodClaimSource[];
  const claims: ExplainClaim[] = [];
  const statuses: { name: string; resourceClaimName: string }[] = [];
  for (const source of sources) {
    if (source.resourceClaimName !== undefined) {
      const claim = objects.claims.find((c) => c.metadata?.name === source.resourceClaimName);
      if (claim !== undefined) claims.push(structuredClone(claim));
      continue;
    }
    const template = objects.templates.find((t) => t.metadata?.name === source.resourceClaimTemplateName);
    if (template === undefined)
      throw new Error(`no ResourceClaimTemplate ${source.resourceClaimTemplateName ?? "?"}`);
    const name = `${pod.metadata?.name ?? "pod"}-${source.name}-paper`;
    statuses.push({ name: source.name, resourceClaimName: name });
    claims.push({
      apiVersion: "resource.k8s.io/v1",
      kind: "ResourceClaim",
      metadata: { name, namespace, uid: `uid-${name}` },
      spec: structuredClone(template.spec?.spec ?? {}),
    });
  }
  const scheduled = structuredClone(pod);
  scheduled.spec = { ...scheduled.spec, nodeName: PAPER_NODE };
  scheduled.status = { ...scheduled.status, resourceClaimStatuses: statuses };
  return { pod: scheduled, claims };
}

/** `claim` with its allocation on the paper node; devices in `taken` are not handed out again. */
function allocate(
  claim: ExplainClaim,
  classes: readonly ClassWithConfig[],
  slice: ResourceSlice,
  taken: Set<string>,
): ExplainClaim {
  const results: { request: string; driver: string; pool: string; device: string }[] = [];
  const config: AllocatedConfig[] = [];
  for (const request of claim.spec?.devices?.requests ?? []) {
    const body = request.exactly;
    if (body === undefined)
      throw new Error(
        `claim ${claim.metadata?.name ?? "?"}: request ${request.name} is not an exact request`,
      );
    const cls = classes.find((c) => c.metadata?.name === body.deviceClassName);
    if (cls === undefined)
      throw new Error(`request ${request.name}: no DeviceClass ${body.deviceClassName ?? "?"}`);
    const selectors = classSelectors({
      spec: { selectors: [...(cls.spec?.selectors ?? []), ...(body.selectors ?? [])] },
    });
    const count = body.count ?? 1;
    const free = (slice.spec.devices ?? []).filter((d) => !taken.has(d.name));
    const chosen = free
      .filter(
        (d) => matchDevice(selectors, { driver: slice.spec.driver, attributes: d.attributes ?? {} }).matches,
      )
      .slice(0, count);
    if (chosen.length < count)
      throw new Error(
        `request ${request.name}: ${chosen.length} of ${count} devices of class ${cls.metadata?.name ?? "?"}`,
      );
    for (const device of chosen) {
      taken.add(device.name);
      results.push({
        request: request.name,
        driver: slice.spec.driver,
        pool: slice.spec.pool.name,
        device: device.name,
      });
    }
    for (const entry of cls.spec?.config ?? [])
      config.push({ source: "FromClass", requests: [request.name], ...entry });
  }
  for (const entry of claim.spec?.devices?.config ?? []) config.push({ source: "FromClaim", ...entry });
  return { ...claim, status: { allocation: { devices: { results, config } } } };
}

/** The pod on the paper node with its claims generated and allocated. */
export function schedulePod(pod: ExplainPod, objects: ExampleObjects, slice: ResourceSlice): ScheduledPod {
  const generated = generate(pod, objects);
  const taken = new Set<string>();
  const claims = generated.claims.map((claim) => allocate(claim, objects.classes, slice, taken));
  return { pod: generated.pod, claims };
}

export interface ScheduledPod {
  pod: ExplainPod;
  claims: ExplainClaim[];
}

/** `netclaim explain pod` for a scheduled pod. */
export function explainScheduled(
  scheduled: ScheduledPod,
  objects: ExampleObjects,
  slice: ResourceSlice,
  settings: ExplainSettings,
): Explanation {
  const { pod, claims } = scheduled;
  return explainPod(
    { pod, nads: objects.nads, claims, deviceClasses: objects.classes, slices: [slice] },
    settings,
  );
}
