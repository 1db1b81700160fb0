// Reads the snapshot `explainPod` needs, with plain GETs and one LIST: the pod (NotFound is a
// POD_NOT_FOUND error naming it), the NADs its networks may name (networks.ts referencedNads), its
// ResourceClaims (the CNI side's podClaimRefs), the DeviceClasses those claims' requests and the NADs'
// resourceNames name, and the ResourceSlices of its node (`spec.nodeName=`; for a pod not scheduled yet,
// every slice of the driver, `spec.driver=`), page by page. A NAD, claim or class that is NotFound is
// left out of the snapshot; any other API error fails the read, naming the object.
//
// Public API: `ExplainReadPorts`, `PodRef`, `POD_NOT_FOUND`, `readSnapshot`, `classNamesOf`.
import { CodedError } from "../common/errors.ts";
import { isNotFound } from "../k8s/api-error.ts";
import type { ResourceClient } from "../k8s/resource-client.ts";
import type { ResourceSlice } from "../k8s/resource-slice-types.ts";
import { isClassName } from "../controller/classes/device-class.ts";
import { podClaimRefs } from "../cni/correlation/api-candidates.ts";
import { RESOURCE_NAME_ANNOTATION } from "../cni/correlation/types.ts";
import { referencedNads } from "./networks.ts";
import type {
  ExplainClaim,
  ExplainDeviceClass,
  ExplainNad,
  ExplainPod,
  ExplainSettings,
  ExplainSnapshot,
} from "./snapshot.ts";

export const POD_NOT_FOUND = "POD_NOT_FOUND";
const PAGE_SIZE = 500;

/** The reads explain makes (KubeClient resource clients in production, fakes in tests). */
export interface ExplainReadPorts {
  pods: Pick<ResourceClient<ExplainPod>, "get">;
  nads: Pick<ResourceClient<ExplainNad>, "get">;
  claims: Pick<ResourceClient<ExplainClaim>, "get">;
  deviceClasses: Pick<ResourceClient<ExplainDeviceClass>, "get">;
  slices: Pick<ResourceClient<ResourceSlice>, "list">;
}

export interface PodRef {
  namespace: string;
  name: string;
}

async function getOrUndefined<T>(what: string, get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw new Error(`get ${what}`, { cause: err });
  }
}

async function getAll<T>(
  what: (name: string) => string,
  names: Iterable<string>,
  get: (name: string) => Promise<T>,
) {
  const found: T[] = [];
  for (const name of new Set(names)) {
    const object = await getOrUndefined(what(name), () => get(name));
    if (object !== undefined) found.push(object);
  }
  return found;
}

/** The DeviceClasses worth reading: those the claims' requests name, and the NADs' resourceNames. */
export function classNamesOf(claims: readonly ExplainClaim[], nads: readonly ExplainNad[]): string[] {
  const names = new Set<string>();
  for (const claim of claims) {
    for (const request of claim.spec?.devices?.requests ?? []) {
      const bodies = request.exactly !== undefined ? [request.exactly] : (request.firstAvailable ?? []);
      for (const body of bodies) if (body.deviceClassName) names.add(body.deviceClassName);
    }
  }
  for (const nad of nads) {
    const resourceName = nad.metadata?.annotations?.[RESOURCE_NAME_ANNOTATION]?.trim() ?? "";
    if (isClassName(resourceName)) names.add(resourceName);
  }
  return [...names];
}

async function listSlices(ports: ExplainReadPorts, fieldSelector: string, signal?: AbortSignal) {
  const items: ResourceSlice[] = [];
  let token: string | undefined;
  do {
    const page = await ports.slices
      .list({ fieldSelector, limit: PAGE_SIZE, continue: token, signal })
      .catch((err: unknown) => {
        throw new Error(`list resourceslices ${fieldSelector}`, { cause: err });
      });
    items.push(...page.items);
    token = page.metadata?.continue || undefined;
  } while (token !== undefined);
  return items;
}

/** The snapshot of `ref` (see the header). */
export async function readSnapshot(
  ports: ExplainReadPorts,
  ref: PodRef,
  settings: ExplainSettings,
  signal?: AbortSignal,
): Promise<ExplainSnapshot> {
  const { namespace } = ref;
  const pod = await getOrUndefined(`pod ${namespace}/${ref.name}`, () =>
    ports.pods.get(ref.name, { namespace, signal }),
  );
  if (pod === undefined) throw new CodedError(POD_NOT_FOUND, `pod ${namespace}/${ref.name} not found`);
  const nads: ExplainNad[] = [];
  for (const target of referencedNads(pod, settings)) {
    const what = `network-attachment-definition ${target.namespace}/${target.name}`;
    const nad = await getOrUndefined(what, () =>
      ports.nads.get(target.name, { namespace: target.namespace, signal }),
    );
    if (nad !== undefined) nads.push(nad);
  }
  const claimNames = podClaimRefs(pod).map((r) => r.claimName);
  const claims = await getAll(
    (name) => `resourceclaim ${namespace}/${name}`,
    claimNames,
    (name) => ports.claims.get(name, { namespace, signal }),
  );
  const deviceClasses = await getAll(
    (name) => `deviceclass ${name}`,
    classNamesOf(claims, nads),
    (name) => ports.deviceClasses.get(name, { signal }),
  );
  const node = pod.spec?.nodeName ?? "";
  const selector = node === "" ? `spec.driver=${settings.driverName}` : `spec.nodeName=${node}`;
  const slices = await listSlices(ports, selector, signal);
  return { pod, nads, claims, deviceClasses, slices };
}
