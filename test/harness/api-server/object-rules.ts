// Registry-strategy decisions as pure functions: what create, update and delete do to an object.
import { isDeepStrictEqual } from "node:util";
import { badRequest, conflict, failure, invalid } from "./status-errors.ts";
import type { KubeObject, ObjectMeta, ResourceDef } from "./types.ts";

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const GENERATED_SUFFIX_CHARS = "bcdfghjklmnpqrstvwxz2456789";

export function randomSuffix(random: () => number = Math.random): string {
  let out = "";
  for (let i = 0; i < 5; i++)
    out += GENERATED_SUFFIX_CHARS[Math.floor(random() * GENERATED_SUFFIX_CHARS.length)];
  return out;
}

function nameError(def: ResourceDef, name: string): string | undefined {
  if (def.plural === "namespaces") {
    if (name.length <= 63 && LABEL.test(name)) return undefined;
    return `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`;
  }
  if (name.length <= 253 && SUBDOMAIN.test(name)) return undefined;
  return `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`;
}

/** ObjectMeta is typed for every kind: empty maps and lists are omitted, as Go's omitempty drops them. */
export function normalizeMeta(meta: ObjectMeta): ObjectMeta {
  const out: ObjectMeta = { ...meta };
  for (const field of [
    "labels",
    "annotations",
    "finalizers",
    "ownerReferences",
    "managedFields",
    "generateName",
  ]) {
    const value = out[field];
    const empty =
      value === null ||
      value === "" ||
      (Array.isArray(value) && value.length === 0) ||
      (typeof value === "object" && value !== null && Object.keys(value).length === 0);
    if (empty) delete out[field];
  }
  return out;
}

export interface CreateContext {
  namespace: string | undefined;
  now: string;
  uid: string;
  suffix: string;
}

function initialStatus(def: ResourceDef, obj: KubeObject, name: string): void {
  switch (def.statusOnCreate) {
    case "drop":
      delete obj["status"];
      return;
    case "pod":
      obj["status"] = { phase: "Pending" };
      return;
    case "namespace": {
      const spec = (obj["spec"] ?? {}) as Record<string, unknown>;
      obj["spec"] = { finalizers: ["kubernetes"], ...spec };
      obj["status"] = { phase: "Active" };
      obj.metadata = {
        ...obj.metadata,
        labels: { ...obj.metadata?.labels, "kubernetes.io/metadata.name": name },
      };
      return;
    }
    case "keep":
      return;
  }
}

/** The object a create stores (before resourceVersion and managedFields). */
export function prepareCreate(def: ResourceDef, body: KubeObject, ctx: CreateContext): KubeObject {
  const obj = structuredClone(body);
  const meta: ObjectMeta = { ...obj.metadata };
  if (meta.resourceVersion !== undefined && meta.resourceVersion !== "") {
    throw failure(
      500,
      "InternalError",
      "Internal error occurred: resourceVersion should not be set on objects to be created",
    );
  }
  if (def.namespaced) {
    if (meta.namespace !== undefined && meta.namespace !== "" && meta.namespace !== ctx.namespace) {
      throw badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    meta.namespace = ctx.namespace ?? "default";
  } else delete meta.namespace;
  if ((meta.name ?? "") === "" && (meta.generateName ?? "") !== "")
    meta.name = `${meta.generateName}${ctx.suffix}`;
  const name = meta.name ?? "";
  if (name === "") {
    throw invalid(def, "", [
      {
        field: "metadata.name",
        reason: "FieldValueRequired",
        detail: "Required value: name or generateName is required",
      },
    ]);
  }
  const error = nameError(def, name);
  if (error !== undefined)
    throw invalid(def, name, [{ field: "metadata.name", reason: "FieldValueInvalid", detail: error }]);
  meta.uid = ctx.uid;
  meta.creationTimestamp = ctx.now;
  for (const field of ["deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "managedFields"])
    delete meta[field];
  if (def.generation) meta.generation = 1;
  else delete meta.generation;
  obj.metadata = normalizeMeta(meta);
  initialStatus(def, obj, name);
  return obj;
}

function specChanged(prev: KubeObject, next: KubeObject): boolean {
  const strip = (o: KubeObject): Record<string, unknown> => {
    const { apiVersion: _a, kind: _k, metadata: _m, status: _s, ...rest } = o;
    return rest;
  };
  return !isDeepStrictEqual(strip(prev), strip(next));
}

function allocatedIds(claim: KubeObject): Set<string> {
  const status = (claim["status"] ?? {}) as {
    allocation?: { devices?: { results?: Array<Record<string, unknown>> } };
  };
  const results = status.allocation?.devices?.results ?? [];
  return new Set(results.map((r) => `${String(r["driver"])}/${String(r["pool"])}/${String(r["device"])}`));
}

/** ResourceClaim status strategy: status.devices entries of devices no longer allocated are dropped. */
function dropDeallocatedDevices(prev: KubeObject, next: KubeObject): void {
  const status = next["status"] as { devices?: Array<Record<string, unknown>> } | undefined;
  if (status?.devices === undefined) return;
  const before = allocatedIds(prev);
  const now = allocatedIds(next);
  status.devices = status.devices.filter((d) => {
    const id = `${String(d["driver"])}/${String(d["pool"])}/${String(d["device"])}`;
    return !before.has(id) || now.has(id);
  });
  if (status.devices.length === 0) delete status.devices;
}

/** The object an update (PUT, or the result of a patch) stores, as the kind's strategy shapes it. */
export function prepareUpdate(
  def: ResourceDef,
  subresource: string,
  prev: KubeObject,
  incoming: KubeObject,
): KubeObject {
  const prevMeta = prev.metadata ?? {};
  const uid = incoming.metadata?.uid;
  if (uid !== undefined && uid !== "" && uid !== prevMeta.uid) {
    throw conflict(
      def,
      prevMeta.name ?? "",
      `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${prevMeta.uid ?? ""}`,
    );
  }
  let next: KubeObject;
  if (subresource === "status") {
    next = { ...structuredClone(prev), status: structuredClone(incoming["status"]) };
    if (next["status"] === undefined) delete next["status"];
    if (def.kind === "ResourceClaim") dropDeallocatedDevices(prev, next);
    // kube-apiserver's pod status strategy keeps the incoming metadata (labels, annotations: Multus
    // writes network-status this way) except owner references and the deletion timestamp; other kinds
    // reset metadata on status writes (ResetObjectMetaForStatus).
    if (def.kind === "Pod") {
      const meta = keepServerMetadata(prevMeta, { ...incoming.metadata });
      meta.ownerReferences = prevMeta.ownerReferences;
      if (meta.ownerReferences === undefined) delete meta.ownerReferences;
      next.metadata = normalizeMeta(meta);
    }
    return next;
  }
  next = structuredClone(incoming);
  if (def.statusSubresource) {
    if (prev["status"] === undefined) delete next["status"];
    else next["status"] = structuredClone(prev["status"]);
  }
  const meta = keepServerMetadata(prevMeta, { ...next.metadata });
  if (def.generation && specChanged(prev, next)) meta.generation = (prevMeta.generation ?? 0) + 1;
  next.metadata = normalizeMeta(meta);
  return next;
}

/** Fields of metadata that clients cannot change on update: taken from the stored object. */
function keepServerMetadata(prevMeta: ObjectMeta, meta: ObjectMeta): ObjectMeta {
  for (const field of [
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "namespace",
    "name",
    "managedFields",
  ]) {
    if (prevMeta[field] === undefined) delete meta[field];
    else meta[field] = prevMeta[field];
  }
  delete meta.selfLink;
  return meta;
}

/** 422 when finalizers are added to an object that is being deleted. */
export function checkFinalizersWhileDeleting(def: ResourceDef, prev: KubeObject, next: KubeObject): void {
  if (prev.metadata?.deletionTimestamp === undefined) return;
  const before = new Set(prev.metadata.finalizers ?? []);
  const added = (next.metadata?.finalizers ?? []).filter((f) => !before.has(f));
  if (added.length === 0) return;
  throw invalid(def, prev.metadata.name ?? "", [
    {
      field: "metadata.finalizers",
      reason: "FieldValueForbidden",
      detail: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(", ")}}`,
    },
  ]);
}

/** Whether an updated object leaves storage: it is being deleted and has no finalizers left. */
export function shouldDeleteAfterUpdate(next: KubeObject): boolean {
  return next.metadata?.deletionTimestamp !== undefined && (next.metadata.finalizers ?? []).length === 0;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type DeletePlan = { action: "remove" } | { action: "mark"; object: KubeObject } | { action: "keep" };

function podGracePeriod(pod: KubeObject, options: DeleteOptions): number {
  const spec = (pod["spec"] ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = ((pod["status"] ?? {}) as { phase?: string }).phase;
  if ((spec.nodeName ?? "") === "" || phase === "Succeeded" || phase === "Failed") return 0;
  return Math.max(0, options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30);
}

function checkPreconditions(def: ResourceDef, current: KubeObject, options: DeleteOptions): void {
  const meta = current.metadata ?? {};
  const { uid, resourceVersion } = options.preconditions ?? {};
  if (uid !== undefined && uid !== meta.uid) {
    throw conflict(
      def,
      meta.name ?? "",
      `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${meta.uid ?? ""}`,
    );
  }
  if (resourceVersion !== undefined && resourceVersion !== meta.resourceVersion) {
    throw conflict(
      def,
      meta.name ?? "",
      `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ""}`,
    );
  }
}

function markDeleting(def: ResourceDef, current: KubeObject, at: string, graceSeconds: number): KubeObject {
  const next = structuredClone(current);
  const meta: ObjectMeta = { ...next.metadata };
  if (meta.deletionTimestamp === undefined && def.generation && meta.generation !== undefined)
    meta.generation += 1;
  meta.deletionTimestamp = at;
  meta.deletionGracePeriodSeconds = graceSeconds;
  next.metadata = meta;
  return next;
}

/** What a DELETE does: remove now, mark as deleting (finalizers, graceful pods), or nothing more. */
export function planDelete(
  def: ResourceDef,
  current: KubeObject,
  options: DeleteOptions,
  clock: { nowMs: number; podGraceful: boolean },
): DeletePlan {
  checkPreconditions(def, current, options);
  const meta = current.metadata ?? {};
  const stamp = (ms: number): string =>
    new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
  if (def.gracefulDeletion === "pod" && clock.podGraceful) {
    const grace = podGracePeriod(current, options);
    const shorter = meta.deletionGracePeriodSeconds === undefined || grace < meta.deletionGracePeriodSeconds;
    if (grace > 0 && shorter)
      return { action: "mark", object: markDeleting(def, current, stamp(clock.nowMs + grace * 1000), grace) };
    if (grace > 0) return { action: "keep" };
  }
  if ((meta.finalizers ?? []).length > 0) {
    if (meta.deletionTimestamp === undefined || (meta.deletionGracePeriodSeconds ?? 0) > 0) {
      return {
        action: "mark",
        object: markDeleting(def, current, meta.deletionTimestamp ?? stamp(clock.nowMs), 0),
      };
    }
    return { action: "keep" };
  }
  return { action: "remove" };
}
