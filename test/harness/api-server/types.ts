// Shared shapes of the stand-in API server: objects, resource definitions, recorded requests, faults.

/** A Kubernetes object as JSON: apiVersion, kind, metadata and whatever else the kind carries. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: Array<Record<string, unknown>>;
  managedFields?: ManagedFieldsEntry[];
  [field: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** A list of this kind keyed by one or more item fields (server-side apply `listType=map`). */
export interface ListRule {
  /** Dotted path from the object root; `[]` steps into list items, e.g. `status.devices[].conditions`. */
  path: string;
  /** `listType=map` keys (server-side apply merges items by these). */
  keys?: readonly string[];
  /** `listType=set` of primitives. */
  set?: boolean;
  /** Strategic merge patch `patchMergeKey` (lists of maps merged by this key). */
  smpMergeKey?: string;
  /** Strategic merge patch `patchStrategy=merge` on a list of primitives (union). */
  smpMergePrimitives?: boolean;
}

/** A resource type registered through the `resources` option (a stand-in for a CRD). */
export interface ResourceType {
  group: string;
  /** One served version, or use `versions`. */
  version?: string;
  /** Served versions, the first one preferred and used for storage. */
  versions?: readonly string[];
  kind: string;
  plural: string;
  singular?: string;
  listKind?: string;
  namespaced: boolean;
  statusSubresource?: boolean;
  shortNames?: readonly string[];
  /** Extra field selectors (CRD `selectableFields` jsonPaths without the leading dot). */
  selectableFields?: readonly string[];
  /** Associative lists for server-side apply (CRD `x-kubernetes-list-type`). */
  listRules?: readonly ListRule[];
}

/** Everything the server knows about one resource (a group/plural, served at one or more versions). */
export interface ResourceDef {
  group: string;
  versions: readonly string[];
  storageVersion: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  statusSubresource: boolean;
  shortNames: readonly string[];
  selectableFields: readonly string[];
  /** `metadata.namespace` accepted as a field selector. */
  namespaceField: boolean;
  fieldLabelStyle: "core" | "kind" | "default";
  /** metadata.generation kept (1 on create, +1 on spec change and on deletion start). */
  generation: boolean;
  /** DELETE answers with the object instead of a Status. */
  returnDeletedObject: boolean;
  /** PUT without metadata.resourceVersion is accepted. */
  unconditionalUpdate: boolean;
  /** Served from a CRD: no strategic merge patch, list items carry apiVersion/kind. */
  custom: boolean;
  /** What create does with status: keep it, drop it, or reset it to a pending pod's. */
  statusOnCreate: "keep" | "drop" | "pod" | "namespace";
  gracefulDeletion: "none" | "pod";
  listRules: readonly ListRule[];
  /** Name of the CRD object this definition came from, if any. */
  crdName?: string;
}

export type AuditVerb =
  "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

export interface RecordedRequest {
  /** kube-apiserver audit verb (get, list, watch, create, update, patch, delete, deletecollection). */
  verb: string;
  method: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path: string;
  query: Record<string, string>;
  /** HTTP status answered; 0 when the connection was destroyed without an answer. */
  status: number;
  userAgent?: string;
  fieldManager?: string;
  contentType?: string;
  /** An `Authorization: Bearer ...` header was present. */
  bearerToken: boolean;
}

export type RequestMatch = Partial<Pick<RecordedRequest, "verb" | "resource" | "subresource" | "namespace">>;

export interface FaultMatch {
  verb?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface FaultRule {
  match: FaultMatch;
  /** How many matching requests this rule answers; unlimited until removed when omitted. */
  times?: number;
  status?: number;
  reason?: string;
  message?: string;
  /** Wait this long first; without `status`/`refuseConnection` the request then proceeds normally. */
  delayMs?: number;
  /** Destroy the socket without answering. */
  refuseConnection?: boolean;
  retryAfterSeconds?: number;
}

export interface FakeApiServerOptions {
  /** Store events kept for watch resume and consistent pagination (global, like etcd's history). */
  watchHistoryLimit?: number;
  /** Period of BOOKMARK events on watches that ask for them. Default 60 s, as kube-apiserver's order. */
  bookmarkIntervalMs?: number;
  /** Extra resource types, served like CRDs. */
  resources?: readonly ResourceType[];
  /** Served versions of resource.k8s.io (any order; discovery prefers v1 > v1beta2 > v1beta1). Default ["v1"], as 1.34. */
  resourceApiVersions?: readonly string[];
  /** When set, requests must carry `Authorization: Bearer <token>` or get 401. */
  requiredToken?: string;
  /** Pods bound to a node are deleted gracefully (kept with deletionTimestamp). Default true. */
  podGracefulDeletion?: boolean;
  /** Reported by /version. Default "v1.34.0". */
  gitVersion?: string;
}

/** Identifies one resource: by plural (and group), or by apiVersion + kind. */
export interface ResourceRef {
  resource?: string;
  group?: string;
  apiVersion?: string;
  kind?: string;
}

export interface ObjectRef extends ResourceRef {
  namespace?: string;
  name: string;
}
