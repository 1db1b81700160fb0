// Pure URL building for the API server's REST layout: /api/v1/... for the core group,
// /apis/<group>/<version>/... for the rest, optional namespaces/<ns>/, name and subresource.

/** A kind of object the API serves: group ("" for core), version, plural resource name. */
export interface ResourceType {
  group: string;
  version: string;
  /** Plural, lower case: "pods", "resourceclaims". */
  resource: string;
  namespaced: boolean;
  /** For messages and for objects we build; optional. */
  kind?: string;
}

export interface ObjectLocation {
  namespace?: string | undefined;
  name?: string | undefined;
  subresource?: string | undefined;
}

export function apiVersionOf(type: Pick<ResourceType, "group" | "version">): string {
  return type.group === "" ? type.version : `${type.group}/${type.version}`;
}

/** The path prefix serving a group/version: "/api/v1" or "/apis/<group>/<version>". */
export function groupVersionPath(group: string, version: string): string {
  return group === ""
    ? `/api/${version}`
    : `/apis/${encodeURIComponent(group)}/${encodeURIComponent(version)}`;
}

/**
 * The REST path for a collection (no name) or one object. A namespaced type without a namespace
 * addresses the collection across all namespaces (list/watch only).
 */
export function resourcePath(type: ResourceType, at: ObjectLocation = {}): string {
  if (!type.namespaced && at.namespace !== undefined) {
    throw new Error(
      `${type.resource}.${type.group || "core"} is cluster-scoped; got namespace ${at.namespace}`,
    );
  }
  if (at.subresource !== undefined && at.name === undefined) {
    throw new Error(`subresource ${at.subresource} of ${type.resource} needs an object name`);
  }
  let path = groupVersionPath(type.group, type.version);
  if (at.namespace !== undefined && at.namespace !== "") {
    path += `/namespaces/${encodeURIComponent(at.namespace)}`;
  }
  path += `/${encodeURIComponent(type.resource)}`;
  if (at.name !== undefined) path += `/${encodeURIComponent(at.name)}`;
  if (at.subresource !== undefined) path += `/${encodeURIComponent(at.subresource)}`;
  return path;
}

export type QueryValue = string | number | boolean | undefined;

/**
 * A query string ("" or "?a=b&c=d"), key order kept, leaving out undefined and "" values (the API
 * server reads an empty parameter as unset; resourceVersion "" must not be sent with a continue token).
 */
export function queryString(params: Record<string, QueryValue>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

/** "namespace/name" for namespaced objects, "name" for cluster-scoped ones (client-go's MetaNamespaceKey). */
export function objectKey(meta: { namespace?: string | undefined; name?: string | undefined }): string {
  const name = meta.name ?? "";
  return meta.namespace ? `${meta.namespace}/${name}` : name;
}

/** Well-known types netclaim uses; the DRA ones at resource.k8s.io/v1 (see discovery for older servers). */
export const RESOURCE_TYPES = {
  pods: { group: "", version: "v1", resource: "pods", namespaced: true, kind: "Pod" },
  nodes: { group: "", version: "v1", resource: "nodes", namespaced: false, kind: "Node" },
  events: { group: "", version: "v1", resource: "events", namespaced: true, kind: "Event" },
  leases: {
    group: "coordination.k8s.io",
    version: "v1",
    resource: "leases",
    namespaced: true,
    kind: "Lease",
  },
  resourceClaims: {
    group: "resource.k8s.io",
    version: "v1",
    resource: "resourceclaims",
    namespaced: true,
    kind: "ResourceClaim",
  },
  resourceSlices: {
    group: "resource.k8s.io",
    version: "v1",
    resource: "resourceslices",
    namespaced: false,
    kind: "ResourceSlice",
  },
  deviceClasses: {
    group: "resource.k8s.io",
    version: "v1",
    resource: "deviceclasses",
    namespaced: false,
    kind: "DeviceClass",
  },
  networkAttachmentDefinitions: {
    group: "k8s.cni.cncf.io",
    version: "v1",
    resource: "network-attachment-definitions",
    namespaced: true,
    kind: "NetworkAttachmentDefinition",
  },
  ipPools: {
    group: "netclaim.dev",
    version: "v1alpha1",
    resource: "ippools",
    namespaced: false,
    kind: "IPPool",
  },
} as const satisfies Record<string, ResourceType>;

/** The same type at another version of its group (resource.k8s.io v1 → v1beta2 on older clusters). */
export function atVersion(type: ResourceType, version: string): ResourceType {
  return { ...type, version };
}
