// The node world's stand-in for kube-scheduler's DRA allocation (the stand-in API server has no scheduler):
// for each request of a claim, `count` devices of the request's DeviceClass from the node's ResourceSlices
// that no other claim holds, written to the claim's status like kube-scheduler does (one status update
// with status.allocation — results, the class's and the claim's opaque config, the node selector — and
// status.reservedFor the pod).
//
// Deliberately small: a class selector is understood only in the form netclaim's controller writes
// (src/controller/classes/device-class.ts): `device.driver == "<d>"` and/or
// `device.attributes["k8s.cni.cncf.io"].resourceName == "<R>"`, joined by `&&` (an `"resourceName" in ...`
// guard is accepted and ignored). Anything else is refused rather than guessed. No CEL, no capacity, no
// prioritized lists, no admin access, no partitionable devices, first fit in slice order.
//
// `releaseClaim` is the resourceclaim controller's part after the pod is gone: the pod leaves reservedFor,
// and a claim reserved for nobody is deallocated (allocation and status.devices cleared).
//
// Pure: `parseClassSelector`, `allocateClaim`, `heldDevices`. I/O: `scheduleClaim`, `releaseClaim`.
//
// Public API: `ClassSelector`, `parseClassSelector`, `heldDevices`, `AllocateInput`, `Allocation`,
// `allocateClaim`, `scheduleClaim`, `releaseClaim`, `ClaimStatusShape`, `claimStatusOf`.
import type { FakeApiServer, KubeObject } from "../../harness/api-server/index.ts";
import { call } from "../../harness/api-server/test-client.ts";

export interface ClassSelector {
  driver?: string;
  resourceName?: string;
}

const DRIVER_TERM_RE = /^device\.driver\s*==\s*("(?:[^"\\]|\\.)*")$/;
const RESOURCE_NAME_TERM_RE =
  /^device\.attributes\["k8s\.cni\.cncf\.io"\]\.resourceName\s*==\s*("(?:[^"\\]|\\.)*")$/;
const GUARD_TERM_RE = /^"resourceName"\s+in\s+device\.attributes\["k8s\.cni\.cncf\.io"\]$/;

/** The selector's terms, or undefined when the expression is not of the understood form. */
export function parseClassSelector(expression: string): ClassSelector | undefined {
  const out: ClassSelector = {};
  for (const term of expression.split("&&").map((t) => t.trim())) {
    const driver = DRIVER_TERM_RE.exec(term);
    const resource = RESOURCE_NAME_TERM_RE.exec(term);
    if (driver?.[1] !== undefined) out.driver = JSON.parse(driver[1]) as string;
    else if (resource?.[1] !== undefined) out.resourceName = JSON.parse(resource[1]) as string;
    else if (!GUARD_TERM_RE.test(term)) return undefined;
  }
  return out;
}

interface SliceDevice {
  name: string;
  attributes?: Record<string, { string?: string }>;
}
interface Slice {
  spec?: { driver?: string; nodeName?: string; pool?: { name?: string }; devices?: SliceDevice[] };
}
interface Request {
  name: string;
  exactly?: { deviceClassName?: string; count?: number };
}
interface ClaimShape {
  metadata?: { namespace?: string; name?: string };
  spec?: { devices?: { requests?: Request[]; config?: { requests?: string[]; opaque?: unknown }[] } };
  status?: { allocation?: { devices?: { results?: { driver: string; pool: string; device: string }[] } } };
}
interface ClassShape {
  spec?: { selectors?: { cel?: { expression?: string } }[]; config?: { opaque?: unknown }[] };
}

export type ClaimStatusShape = Record<string, unknown> & {
  allocation?: unknown;
  reservedFor?: { uid: string }[];
};

/** The claim's status, or undefined when it has none. */
export function claimStatusOf(claim: KubeObject | undefined): ClaimStatusShape | undefined {
  const status: unknown = claim?.status;
  return typeof status === "object" && status !== null ? (status as ClaimStatusShape) : undefined;
}

const deviceKey = (driver: string, pool: string, device: string): string => `${driver}/${pool}/${device}`;

/** The devices the allocated claims hold, as `driver/pool/device`. */
export function heldDevices(claims: readonly KubeObject[]): Set<string> {
  const held = new Set<string>();
  for (const claim of claims as readonly unknown[] as readonly ClaimShape[]) {
    for (const r of claim.status?.allocation?.devices?.results ?? []) {
      held.add(deviceKey(r.driver, r.pool, r.device));
    }
  }
  return held;
}

export interface AllocateInput {
  claim: KubeObject;
  classes: ReadonlyMap<string, KubeObject>;
  /** The node's ResourceSlices. */
  slices: readonly KubeObject[];
  held: ReadonlySet<string>;
  nodeName: string;
  pod: { name: string; uid: string };
}

export type Allocation = { ok: true; status: Record<string, unknown> } | { ok: false; problem: string };

function classSelectors(cls: KubeObject, className: string): ClassSelector[] | string {
  const out: ClassSelector[] = [];
  for (const selector of (cls as ClassShape).spec?.selectors ?? []) {
    const expression = selector.cel?.expression ?? "";
    const parsed = parseClassSelector(expression);
    if (parsed === undefined)
      return `DeviceClass ${className}: selector ${JSON.stringify(expression)} not understood`;
    out.push(parsed);
  }
  return out;
}

function matches(selectors: readonly ClassSelector[], driver: string, device: SliceDevice): boolean {
  const resourceName = device.attributes?.["k8s.cni.cncf.io/resourceName"]?.string;
  return selectors.every(
    (s) =>
      (s.driver === undefined || s.driver === driver) &&
      (s.resourceName === undefined || s.resourceName === resourceName),
  );
}

function candidates(slices: readonly KubeObject[], nodeName: string) {
  return (slices as readonly unknown[] as readonly Slice[])
    .filter((s) => s.spec?.nodeName === nodeName)
    .flatMap((s) =>
      (s.spec?.devices ?? []).map((device) => ({
        driver: s.spec?.driver ?? "",
        pool: s.spec?.pool?.name ?? "",
        device,
      })),
    );
}

/** The status kube-scheduler would write for the claim, or why it cannot be allocated. */
export function allocateClaim(input: AllocateInput): Allocation {
  const claim = input.claim as ClaimShape;
  const taken = new Set(input.held);
  const results: Record<string, string>[] = [];
  const config: Record<string, unknown>[] = [];
  for (const request of claim.spec?.devices?.requests ?? []) {
    const className = request.exactly?.deviceClassName ?? "";
    const cls = input.classes.get(className);
    if (cls === undefined)
      return { ok: false, problem: `request ${request.name}: no DeviceClass ${className}` };
    const selectors = classSelectors(cls, className);
    if (typeof selectors === "string") return { ok: false, problem: selectors };
    for (let i = 0; i < (request.exactly?.count ?? 1); i++) {
      const found = candidates(input.slices, input.nodeName).find(
        (c) =>
          matches(selectors, c.driver, c.device) && !taken.has(deviceKey(c.driver, c.pool, c.device.name)),
      );
      if (found === undefined)
        return { ok: false, problem: `request ${request.name}: no free device of class ${className}` };
      taken.add(deviceKey(found.driver, found.pool, found.device.name));
      results.push({
        request: request.name,
        driver: found.driver,
        pool: found.pool,
        device: found.device.name,
      });
    }
    for (const c of (cls as ClassShape).spec?.config ?? []) {
      config.push({ source: "FromClass", requests: [request.name], opaque: c.opaque });
    }
  }
  for (const c of claim.spec?.devices?.config ?? []) config.push({ source: "FromClaim", ...c });
  const nodeSelector = {
    nodeSelectorTerms: [
      { matchFields: [{ key: "metadata.name", operator: "In", values: [input.nodeName] }] },
    ],
  };
  return {
    ok: true,
    status: {
      allocation: { devices: { results, config }, nodeSelector },
      reservedFor: [{ resource: "pods", name: input.pod.name, uid: input.pod.uid }],
    },
  };
}

/** Allocates the claim and writes its status through the API (PUT .../status); returns the claim. */
export async function scheduleClaim(
  api: FakeApiServer,
  claimRef: { namespace: string; name: string },
  pod: { name: string; uid: string },
  nodeName: string,
): Promise<KubeObject> {
  const group = "resource.k8s.io";
  const claim = api.getObject({ group, resource: "resourceclaims", ...claimRef });
  if (claim === undefined) throw new Error(`schedule: no claim ${claimRef.namespace}/${claimRef.name}`);
  const classes = new Map(
    api.listObjects({ group, resource: "deviceclasses" }).map((c) => [c.metadata?.name ?? "", c]),
  );
  const allocation = allocateClaim({
    claim,
    classes,
    slices: api.listObjects({ group, resource: "resourceslices" }),
    held: heldDevices(api.listObjects({ group, resource: "resourceclaims" })),
    nodeName,
    pod,
  });
  const what = `schedule claim ${claimRef.namespace}/${claimRef.name}`;
  if (!allocation.ok) throw new Error(`${what}: ${allocation.problem}`);
  const path = `/apis/${group}/v1/namespaces/${claimRef.namespace}/resourceclaims/${claimRef.name}/status`;
  const reply = await call(api.url, "PUT", path, { ...claim, status: allocation.status });
  if (reply.status !== 200)
    throw new Error(`${what}: PUT status: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/** Drops the pod from the claim's reservedFor; deallocates the claim when nobody else reserves it. */
export async function releaseClaim(
  api: FakeApiServer,
  claimRef: { namespace: string; name: string },
  podUid: string,
): Promise<void> {
  const group = "resource.k8s.io";
  const claim = api.getObject({ group, resource: "resourceclaims", ...claimRef });
  const current = claimStatusOf(claim);
  if (claim === undefined || current === undefined) return;
  const reservedFor = (current.reservedFor ?? []).filter((r) => r.uid !== podUid);
  const status = reservedFor.length > 0 ? { ...current, reservedFor } : {};
  const path = `/apis/${group}/v1/namespaces/${claimRef.namespace}/resourceclaims/${claimRef.name}/status`;
  const reply = await call(api.url, "PUT", path, { ...claim, status });
  if (reply.status !== 200) {
    throw new Error(
      `release claim ${claimRef.namespace}/${claimRef.name}: PUT status: ${reply.status} ${JSON.stringify(reply.body)}`,
    );
  }
}
