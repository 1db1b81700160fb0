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
// Like kube-scheduler's PreBind (bindClaim), the claim gets the finalizer CLAIM_FINALIZER
// (resource.kubernetes.io/delete-protection) before its status is written, so a DELETE while it is allocated
// leaves it in place (deletionTimestamp) until it is deallocated.
//
// `releaseClaim` is the resourceclaim controller's part after the pod is gone
// (pkg/controller/resourceclaim/controller.go): the pod leaves reservedFor, and a claim reserved for nobody
// is deallocated (allocation and status.devices cleared), then loses CLAIM_FINALIZER. Writes are PUTs with
// the resourceVersion read, retried on a 409 (other writers — the netclaim controller, the CNI side — write
// the same claim meanwhile).
//
// Pure: `parseClassSelector`, `allocateClaim`, `heldDevices`. I/O: `scheduleClaim`, `releaseClaim`.
//
// Public API: `CLAIM_FINALIZER`, `ClassSelector`, `parseClassSelector`, `heldDevices`, `AllocateInput`,
// `Allocation`, `allocateClaim`, `scheduleClaim`, `releaseClaim`, `ClaimStatusShape`, `claimStatusOf`.
import type { FakeApiServer, KubeObject } from "../../harness/api-server/index.ts";
import { call } from "../../harness/api-server/test-client.ts";

/** kube's resourceapi.Finalizer: set at allocation by kube-scheduler, removed with the deallocation. */
export const CLAIM_FINALIZER = "resource.kubernetes.io/delete-protection";
const GROUP = "resource.k8s.io";
const MAX_CONFLICT_RETRIES = 5;

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

type ClaimRef = { namespace: string; name: string };

function claimPath(ref: ClaimRef, status: boolean): string {
  const base = `/apis/${GROUP}/v1/namespaces/${ref.namespace}/resourceclaims/${ref.name}`;
  return status ? `${base}/status` : base;
}

/**
 * PUTs what `change` makes of the claim as stored (the main resource, or /status), re-reading and retrying
 * on a 409; `change` returning undefined means nothing to write. Resolves with the claim written, or the
 * claim as stored when nothing was, undefined when there is none.
 */
async function updateClaim(
  api: FakeApiServer,
  ref: ClaimRef,
  what: string,
  change: (claim: KubeObject) => { status: boolean; body: KubeObject } | undefined,
): Promise<KubeObject | undefined> {
  for (let attempt = 0; ; attempt++) {
    const claim = api.getObject({ group: GROUP, resource: "resourceclaims", ...ref });
    const write = claim === undefined ? undefined : change(claim);
    if (write === undefined) return claim;
    const reply = await call(api.url, "PUT", claimPath(ref, write.status), write.body);
    if (reply.status === 200) return reply.body;
    if (reply.status !== 409 || attempt >= MAX_CONFLICT_RETRIES) {
      throw new Error(
        `${what} ${ref.namespace}/${ref.name}: PUT: ${reply.status} ${JSON.stringify(reply.body)}`,
      );
    }
  }
}

function withFinalizer(claim: KubeObject, present: boolean): KubeObject | undefined {
  const finalizers = claim.metadata?.finalizers ?? [];
  if (finalizers.includes(CLAIM_FINALIZER) === present) return undefined;
  const next = present ? [...finalizers, CLAIM_FINALIZER] : finalizers.filter((f) => f !== CLAIM_FINALIZER);
  return { ...claim, metadata: { ...claim.metadata, finalizers: next } };
}

/** Allocates the claim (its finalizer first, then PUT .../status); returns the claim. */
export async function scheduleClaim(
  api: FakeApiServer,
  claimRef: ClaimRef,
  pod: { name: string; uid: string },
  nodeName: string,
): Promise<KubeObject> {
  const what = "schedule claim";
  const found = api.getObject({ group: GROUP, resource: "resourceclaims", ...claimRef });
  if (found === undefined) throw new Error(`schedule: no claim ${claimRef.namespace}/${claimRef.name}`);
  const classes = new Map(
    api.listObjects({ group: GROUP, resource: "deviceclasses" }).map((c) => [c.metadata?.name ?? "", c]),
  );
  const allocation = allocateClaim({
    claim: found,
    classes,
    slices: api.listObjects({ group: GROUP, resource: "resourceslices" }),
    held: heldDevices(api.listObjects({ group: GROUP, resource: "resourceclaims" })),
    nodeName,
    pod,
  });
  if (!allocation.ok)
    throw new Error(`${what} ${claimRef.namespace}/${claimRef.name}: ${allocation.problem}`);
  await updateClaim(api, claimRef, what, (claim) => {
    const body = withFinalizer(claim, true);
    return body === undefined ? undefined : { status: false, body };
  });
  const written = await updateClaim(api, claimRef, what, (claim) => ({
    status: true,
    body: { ...claim, status: allocation.status },
  }));
  if (written === undefined) throw new Error(`${what} ${claimRef.namespace}/${claimRef.name}: it is gone`);
  return written;
}

/** Drops the pod from the claim's reservedFor; deallocates the claim when nobody else reserves it. */
export async function releaseClaim(api: FakeApiServer, claimRef: ClaimRef, podUid: string): Promise<void> {
  const what = "release claim";
  const after = await updateClaim(api, claimRef, what, (claim) => {
    const current = claimStatusOf(claim);
    if (current === undefined) return undefined;
    const reservedFor = (current.reservedFor ?? []).filter((r) => r.uid !== podUid);
    const status = reservedFor.length > 0 ? { ...current, reservedFor } : {};
    return { status: true, body: { ...claim, status } };
  });
  if (after === undefined || claimStatusOf(after)?.allocation !== undefined) return;
  await updateClaim(api, claimRef, what, (claim) => {
    if (claimStatusOf(claim)?.allocation !== undefined) return undefined; // allocated again meanwhile
    const body = withFinalizer(claim, false);
    return body === undefined ? undefined : { status: false, body };
  });
}
