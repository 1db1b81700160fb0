// ResourceSlices at whichever resource.k8s.io version the API server serves. netclaim works in v1
// shapes; v1beta2 has the same ResourceSlice shape, v1beta1 wraps every device field but the name in
// `basic` (Kubernetes 1.32). The adapter renders on the way out and reads back on the way in, so the
// publisher never sees a version.
import type { ResourceClient } from "./resource-client.ts";
import { RESOURCE_TYPES, atVersion } from "./resource-path.ts";
import type { ResourceType } from "./resource-path.ts";
import { RESOURCE_GROUP } from "./resource-slice-types.ts";
import type { ResourceSlice } from "./resource-slice-types.ts";
import type { ResourceSliceApi } from "./resource-slice-api.ts";
import type { KubeObject } from "./types.ts";

/** Most preferred first (the same order as discovery's RESOURCE_API_VERSIONS). */
export const RESOURCE_SLICE_VERSIONS = ["v1", "v1beta2", "v1beta1"] as const;
export type ResourceSliceVersion = (typeof RESOURCE_SLICE_VERSIONS)[number];
export type { ResourceSliceApi } from "./resource-slice-api.ts";

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function mapDevices(obj: KubeObject, fn: (device: Json) => Json): KubeObject {
  const spec = (obj as { spec?: unknown }).spec;
  if (!isRecord(spec) || !Array.isArray(spec["devices"])) return obj;
  const devices = spec["devices"].map((d: unknown) => (isRecord(d) ? fn(d) : d));
  return { ...obj, spec: { ...spec, devices } } as KubeObject;
}

/** A v1 slice as the given version carries it (apiVersion set; v1beta1: devices[].basic{...}). */
export function renderSlice(slice: ResourceSlice, version: ResourceSliceVersion): KubeObject {
  const out: KubeObject = { ...slice, apiVersion: `${RESOURCE_GROUP}/${version}`, kind: "ResourceSlice" };
  if (version !== "v1beta1") return out;
  // A v1beta1 device must have `basic` set even when it has nothing in it.
  return mapDevices(out, ({ name, ...rest }) => ({ name, basic: rest }));
}

/** A slice read at `version`, in v1 shape. */
export function parseSlice(obj: KubeObject, version: ResourceSliceVersion): ResourceSlice {
  const out = { ...obj, apiVersion: `${RESOURCE_GROUP}/v1`, kind: "ResourceSlice" };
  if (version !== "v1beta1") return out as ResourceSlice;
  return mapDevices(out, (device) => {
    const { basic, ...rest } = device;
    return isRecord(basic) ? { ...rest, ...basic } : rest;
  }) as ResourceSlice;
}

/** Lists page by page so that a cluster with many slices of this node is read in bounded chunks. */
const LIST_PAGE_SIZE = 500;

/** The ResourceSliceApi over a generic client already pointed at `version`. */
export function resourceSliceApiOver(
  client: ResourceClient<KubeObject>,
  version: ResourceSliceVersion,
): ResourceSliceApi {
  return {
    version,
    async list(opts) {
      const items: ResourceSlice[] = [];
      let token: string | undefined;
      do {
        const page = await client.list({
          fieldSelector: opts.fieldSelector,
          limit: LIST_PAGE_SIZE,
          continue: token,
          signal: opts.signal,
        });
        for (const item of page.items) items.push(parseSlice(item, version));
        token = page.metadata?.continue || undefined;
      } while (token !== undefined);
      return items;
    },
    async create(slice, opts = {}) {
      return parseSlice(await client.create(renderSlice(slice, version), opts), version);
    },
    async update(slice, opts = {}) {
      return parseSlice(await client.update(renderSlice(slice, version), opts), version);
    },
    async delete(name, opts = {}) {
      const preconditions = opts.preconditions;
      await client.delete(name, {
        signal: opts.signal,
        ...(preconditions === undefined ? {} : { preconditions }),
      });
    },
  };
}

/** What picking a version needs of the API client (KubeClient has both). */
export interface ResourceSliceClientSource {
  pickServedVersion(
    group: string,
    candidates: readonly string[],
    signal?: AbortSignal,
  ): Promise<string | undefined>;
  resource<T extends KubeObject>(type: ResourceType): ResourceClient<T>;
}

/** Discovers the most preferred served version (v1, then v1beta2, then v1beta1) and returns its API. */
export async function createResourceSliceApi(
  source: ResourceSliceClientSource,
  signal?: AbortSignal,
): Promise<ResourceSliceApi> {
  const version = await source.pickServedVersion(RESOURCE_GROUP, RESOURCE_SLICE_VERSIONS, signal);
  if (version === undefined) {
    throw new Error(
      `the API server serves none of ${RESOURCE_SLICE_VERSIONS.map((v) => `${RESOURCE_GROUP}/${v}`).join(", ")}`,
    );
  }
  const served = version as ResourceSliceVersion;
  const client = source.resource<KubeObject>(atVersion(RESOURCE_TYPES.resourceSlices, served));
  return resourceSliceApiOver(client, served);
}
