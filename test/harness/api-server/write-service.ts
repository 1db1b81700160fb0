// Create, update and delete against the store, with the registry strategies, managedFields, no-op
// detection, dry runs, and the side effects of CRDs (serving them) and namespaces (deleting contents).
import { isDeepStrictEqual } from "node:util";
import { toStorage } from "./conversion.ts";
import { defFromCrd, establishedStatus, validateCrd } from "./crd.ts";
import { recordUpdate } from "./managed-fields.ts";
import {
  checkFinalizersWhileDeleting,
  planDelete,
  prepareCreate,
  prepareUpdate,
  shouldDeleteAfterUpdate,
} from "./object-rules.ts";
import type { DeleteOptions } from "./object-rules.ts";
import { groupVersion, typeKeyOf } from "./registry.ts";
import type { ResourceRegistry } from "./registry.ts";
import { alreadyExists, badRequest, conflict, invalid, notFound } from "./status-errors.ts";
import { objectKey } from "./store.ts";
import type { ObjectStore } from "./store.ts";
import type { KubeObject, ResourceDef } from "./types.ts";

export interface ServiceContext {
  store: ObjectStore;
  registry: ResourceRegistry;
  nowMs: () => number;
  uid: () => string;
  nameSuffix: () => string;
  podGracefulDeletion: boolean;
}

export interface Target {
  def: ResourceDef;
  version: string;
  namespace?: string;
  name?: string;
  subresource: string;
}

export interface WriteMeta {
  manager: string;
  dryRun: boolean;
}

export function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

export function keyOf(target: Target, name = target.name ?? ""): string {
  return objectKey(target.def.namespaced ? target.namespace : undefined, name);
}

function comparable(obj: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  const meta = { ...copy.metadata };
  delete meta.resourceVersion;
  meta.managedFields = (meta.managedFields ?? []).map((e) => ({ ...e, time: "" }));
  copy.metadata = meta;
  return copy;
}

const CRD_TYPE = "apiextensions.k8s.io/customresourcedefinitions";

function syncCrd(ctx: ServiceContext, crd: KubeObject, removed: boolean): void {
  const previous = ctx.registry.all().find((d) => d.crdName === crd.metadata?.name);
  const def = removed ? undefined : defFromCrd(crd);
  if (previous !== undefined && (def === undefined || typeKeyOf(previous) !== typeKeyOf(def))) {
    ctx.registry.unregister(previous.group, previous.plural);
    for (const obj of ctx.store.list(typeKeyOf(previous))) {
      ctx.store.remove(typeKeyOf(previous), objectKey(obj.metadata?.namespace, obj.metadata?.name ?? ""));
    }
  }
  if (def !== undefined) ctx.registry.register(def);
}

function afterCreate(ctx: ServiceContext, def: ResourceDef, stored: KubeObject): void {
  if (typeKeyOf(def) !== CRD_TYPE) return;
  syncCrd(ctx, stored, false);
  const established = { ...stored, status: establishedStatus(stored, timestamp(ctx.nowMs())) };
  ctx.store.put(CRD_TYPE, objectKey(undefined, stored.metadata?.name ?? ""), established);
}

function afterRemove(ctx: ServiceContext, def: ResourceDef, removed: KubeObject): void {
  if (typeKeyOf(def) === CRD_TYPE) syncCrd(ctx, removed, true);
  if (def.group === "" && def.plural === "namespaces") {
    const namespace = removed.metadata?.name;
    for (const other of ctx.registry.all().filter((d) => d.namespaced)) {
      for (const obj of ctx.store.list(typeKeyOf(other), namespace)) {
        const target: Target = { def: other, version: other.storageVersion, namespace, subresource: "" };
        applyDelete(ctx, target, obj, {}, false);
      }
    }
  }
}

/** POST: stores a new object. `body` is in the request's version. */
export function createObject(
  ctx: ServiceContext,
  target: Target,
  body: KubeObject,
  meta: WriteMeta,
): KubeObject {
  const { def } = target;
  if (body.kind !== undefined && body.kind !== def.kind) {
    throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${def.kind})`);
  }
  const prepared = prepareCreate(def, toStorage(def, target.version, body), {
    namespace: target.namespace,
    now: timestamp(ctx.nowMs()),
    uid: ctx.uid(),
    suffix: ctx.nameSuffix(),
  });
  return storeNew(ctx, target, prepared, meta, false);
}

/** Stores a prepared new object; `managed` says managedFields are already computed (apply). */
export function storeNew(
  ctx: ServiceContext,
  target: Target,
  prepared: KubeObject,
  meta: WriteMeta,
  managed: boolean,
): KubeObject {
  const { def } = target;
  const name = prepared.metadata?.name ?? "";
  const key = objectKey(prepared.metadata?.namespace, name);
  if (ctx.store.get(typeKeyOf(def), key) !== undefined) throw alreadyExists(def, name);
  if (typeKeyOf(def) === CRD_TYPE) {
    const errors = validateCrd(prepared);
    if (errors.length > 0) throw invalid(def, name, errors);
  }
  if (!managed) {
    recordUpdate({
      prev: undefined,
      next: prepared,
      manager: meta.manager,
      apiVersion: groupVersion(def.group, target.version),
      subresource: target.subresource,
      rules: def.listRules,
      now: timestamp(ctx.nowMs()),
    });
  }
  if (meta.dryRun) return prepared;
  const stored = ctx.store.put(typeKeyOf(def), key, prepared);
  afterCreate(ctx, def, stored);
  return stored;
}

/** PUT: replaces the object (or its status). `body` is in the request's version. */
export function updateObject(
  ctx: ServiceContext,
  target: Target,
  body: KubeObject,
  meta: WriteMeta,
): KubeObject {
  const { def } = target;
  const name = target.name ?? "";
  if (body.kind !== undefined && body.kind !== def.kind) {
    throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${def.kind})`);
  }
  if (body.metadata?.name !== undefined && body.metadata.name !== name) {
    throw badRequest(
      `the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`,
    );
  }
  const current = ctx.store.get(typeKeyOf(def), keyOf(target));
  if (current === undefined) throw notFound(def, name);
  const rv = body.metadata?.resourceVersion ?? "";
  if (rv === "" && !def.unconditionalUpdate) {
    throw invalid(def, name, [
      {
        field: "metadata.resourceVersion",
        reason: "FieldValueInvalid",
        detail: "Invalid value: 0x0: must be specified for an update",
      },
    ]);
  }
  if (rv !== "" && rv !== current.metadata?.resourceVersion) throw conflict(def, name);
  return commitUpdate(ctx, target, current, toStorage(def, target.version, body), meta, false);
}

/** Stores an updated object shaped by the strategy; deletes it when its last finalizer went away. */
export function commitUpdate(
  ctx: ServiceContext,
  target: Target,
  current: KubeObject,
  incoming: KubeObject,
  meta: WriteMeta,
  managed: boolean,
): KubeObject {
  const { def } = target;
  const next = prepareUpdate(def, target.subresource, current, incoming);
  if (managed) next.metadata = { ...next.metadata, managedFields: incoming.metadata?.managedFields ?? [] };
  if (next.metadata?.managedFields?.length === 0) delete next.metadata.managedFields;
  checkFinalizersWhileDeleting(def, current, next);
  if (!managed) {
    recordUpdate({
      prev: current,
      next,
      manager: meta.manager,
      apiVersion: groupVersion(def.group, target.version),
      subresource: target.subresource,
      rules: def.listRules,
      now: timestamp(ctx.nowMs()),
    });
  }
  if (isDeepStrictEqual(comparable(current), comparable(next))) return current;
  if (meta.dryRun) return next;
  const key = keyOf(target);
  if (shouldDeleteAfterUpdate(next)) {
    ctx.store.put(typeKeyOf(def), key, next);
    const removed = ctx.store.remove(typeKeyOf(def), key) ?? next;
    afterRemove(ctx, def, removed);
    return removed;
  }
  const stored = ctx.store.put(typeKeyOf(def), key, next);
  if (typeKeyOf(def) === CRD_TYPE) syncCrd(ctx, stored, false);
  return stored;
}

export interface DeleteOutcome {
  /** The object after the call: removed (final state) or still present with deletionTimestamp. */
  object: KubeObject;
  removed: boolean;
}

/** What DELETE does to one existing object. */
export function applyDelete(
  ctx: ServiceContext,
  target: Target,
  current: KubeObject,
  options: DeleteOptions,
  dryRun: boolean,
): DeleteOutcome {
  const { def } = target;
  const plan = planDelete(def, current, options, {
    nowMs: ctx.nowMs(),
    podGraceful: ctx.podGracefulDeletion,
  });
  const key = objectKey(current.metadata?.namespace, current.metadata?.name ?? "");
  if (plan.action === "keep") return { object: current, removed: false };
  if (plan.action === "mark") {
    return { object: dryRun ? plan.object : ctx.store.put(typeKeyOf(def), key, plan.object), removed: false };
  }
  if (dryRun) return { object: current, removed: true };
  const removed = ctx.store.remove(typeKeyOf(def), key) ?? current;
  afterRemove(ctx, def, removed);
  return { object: removed, removed: true };
}

export function deleteObject(
  ctx: ServiceContext,
  target: Target,
  options: DeleteOptions,
  dryRun: boolean,
): DeleteOutcome {
  const current = ctx.store.get(typeKeyOf(target.def), keyOf(target));
  if (current === undefined) throw notFound(target.def, target.name ?? "");
  return applyDelete(ctx, target, current, options, dryRun);
}

/** Test set-up: stores an object as given (status included), filling in what the server always sets. */
export function seedObject(
  ctx: ServiceContext,
  def: ResourceDef,
  version: string,
  obj: KubeObject,
): KubeObject {
  const storage = toStorage(def, version, obj);
  const meta = { ...storage.metadata };
  if (def.namespaced) meta.namespace = meta.namespace ?? "default";
  else delete meta.namespace;
  if ((meta.name ?? "") === "" && (meta.generateName ?? "") !== "")
    meta.name = `${meta.generateName}${ctx.nameSuffix()}`;
  if ((meta.name ?? "") === "") throw new Error(`seed: ${def.kind} needs metadata.name or generateName`);
  const key = objectKey(meta.namespace, meta.name ?? "");
  const existing = ctx.store.get(typeKeyOf(def), key);
  meta.uid = meta.uid ?? existing?.metadata?.uid ?? ctx.uid();
  meta.creationTimestamp =
    meta.creationTimestamp ?? existing?.metadata?.creationTimestamp ?? timestamp(ctx.nowMs());
  if (def.generation) meta.generation = meta.generation ?? existing?.metadata?.generation ?? 1;
  delete meta.resourceVersion;
  storage.metadata = meta;
  const stored = ctx.store.put(typeKeyOf(def), key, storage);
  if (existing === undefined) afterCreate(ctx, def, stored);
  else if (typeKeyOf(def) === CRD_TYPE) syncCrd(ctx, stored, false);
  return ctx.store.get(typeKeyOf(def), key) ?? stored;
}

/** Test clean-up: removes an object at once, finalizers or not. */
export function removeObjectNow(ctx: ServiceContext, def: ResourceDef, key: string): boolean {
  const removed = ctx.store.remove(typeKeyOf(def), key);
  if (removed !== undefined) afterRemove(ctx, def, removed);
  return removed !== undefined;
}
