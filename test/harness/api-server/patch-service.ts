// PATCH: JSON / merge / strategic patches applied to the client's version of the object, and
// server-side apply (which may create the object).
import { parse as parseYaml } from "yaml";
import { serverSideApply } from "./apply.ts";
import { isRecord } from "./field-set.ts";
import { fromStorage, toStorage } from "./conversion.ts";
import { prepareCreate } from "./object-rules.ts";
import { applyPatchBody, patchKindOf } from "./patch.ts";
import { groupVersion, typeKeyOf } from "./registry.ts";
import { badRequest, conflict, failure, notFound } from "./status-errors.ts";
import type { KubeObject, ResourceDef } from "./types.ts";
import { commitUpdate, keyOf, storeNew, timestamp } from "./write-service.ts";
import type { ServiceContext, Target, WriteMeta } from "./write-service.ts";

export interface PatchRequest {
  contentType: string | undefined;
  body: string;
  /** The fieldManager query parameter, as sent. */
  fieldManager: string | undefined;
  force: boolean | undefined;
}

export interface PatchOutcome {
  object: KubeObject;
  created: boolean;
}

function patchOptionsInvalid(field: string, reason: string, detail: string): never {
  throw failure(422, "Invalid", `PatchOptions.meta.k8s.io "" is invalid: ${field}: ${detail}`, {
    group: "meta.k8s.io",
    kind: "PatchOptions",
    causes: [{ reason, message: detail, field }],
  });
}

function checkIdentity(target: Target, obj: KubeObject): void {
  const name = target.name ?? "";
  if (obj.metadata?.name !== name) {
    throw badRequest(
      `the name of the object (${obj.metadata?.name ?? ""}) does not match the name on the URL (${name})`,
    );
  }
  const namespace = obj.metadata?.namespace;
  if (
    target.def.namespaced &&
    namespace !== undefined &&
    namespace !== "" &&
    namespace !== target.namespace
  ) {
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
}

function parseAppliedConfig(target: Target, body: string): KubeObject {
  let parsed: unknown;
  try {
    parsed = parseYaml(body);
  } catch (error) {
    throw badRequest(`error decoding YAML: ${(error as Error).message}`);
  }
  if (!isRecord(parsed)) throw badRequest("error decoding YAML: the applied configuration must be an object");
  const { def, version } = target;
  const expected = groupVersion(def.group, version);
  if (typeof parsed["kind"] !== "string" || parsed["kind"] === "") {
    throw badRequest(`Object 'Kind' is missing in '${body.slice(0, 200)}'`);
  }
  if (parsed["apiVersion"] !== expected) {
    throw badRequest(
      `the API version in the data (${typeof parsed["apiVersion"] === "string" ? parsed["apiVersion"] : ""}) does not match the expected API version (${expected})`,
    );
  }
  if (parsed["kind"] !== def.kind) {
    throw badRequest(
      `the kind in the data (${String(parsed["kind"])}) does not match the expected kind (${def.kind})`,
    );
  }
  const obj = parsed as KubeObject;
  checkIdentity(target, obj);
  return obj;
}

/** Only the fields an endpoint may set: /status sets status; the main resource everything but status. */
function scopeApplied(def: ResourceDef, subresource: string, applied: KubeObject): KubeObject {
  const { metadata, ...rest } = applied;
  const identity = { apiVersion: applied.apiVersion, kind: applied.kind };
  if (subresource === "status") {
    const out: KubeObject = { ...identity, metadata: { name: metadata?.name } };
    if (applied["status"] !== undefined) out["status"] = applied["status"];
    return out;
  }
  const out: KubeObject = { ...rest, metadata: { ...metadata } };
  if (def.statusSubresource) delete out["status"];
  for (const field of [
    "resourceVersion",
    "uid",
    "generation",
    "creationTimestamp",
    "managedFields",
    "namespace",
  ]) {
    delete out.metadata?.[field];
  }
  return out;
}

function applyPatch(
  ctx: ServiceContext,
  target: Target,
  request: PatchRequest,
  meta: WriteMeta,
): PatchOutcome {
  const { def } = target;
  const manager = request.fieldManager ?? "";
  if (manager === "")
    patchOptionsInvalid("fieldManager", "FieldValueRequired", "Required value: is required for apply patch");
  const config = parseAppliedConfig(target, request.body);
  const applied = scopeApplied(def, target.subresource, toStorage(def, target.version, config));
  const current = ctx.store.get(typeKeyOf(def), keyOf(target));
  if (current === undefined && target.subresource !== "") throw notFound(def, target.name ?? "");
  const merged = serverSideApply({
    live: current,
    applied,
    manager,
    force: request.force === true,
    apiVersion: groupVersion(def.group, target.version),
    subresource: target.subresource,
    rules: def.listRules,
    now: timestamp(ctx.nowMs()),
  });
  if (current !== undefined)
    return { object: commitUpdate(ctx, target, current, merged, meta, true), created: false };
  const managedFields = merged.metadata?.managedFields;
  const prepared = prepareCreate(def, merged, {
    namespace: target.namespace,
    now: timestamp(ctx.nowMs()),
    uid: ctx.uid(),
    suffix: ctx.nameSuffix(),
  });
  if (managedFields !== undefined) prepared.metadata = { ...prepared.metadata, managedFields };
  return { object: storeNew(ctx, target, prepared, meta, true), created: true };
}

/** PATCH of any supported type. */
export function patchObject(
  ctx: ServiceContext,
  target: Target,
  request: PatchRequest,
  meta: WriteMeta,
): PatchOutcome {
  const { def } = target;
  const kind = patchKindOf(request.contentType, def);
  if (kind === "apply") return applyPatch(ctx, target, request, meta);
  if (request.force !== undefined)
    patchOptionsInvalid(
      "force",
      "FieldValueForbidden",
      "Forbidden: may not be specified for non-apply patch",
    );
  const current = ctx.store.get(typeKeyOf(def), keyOf(target));
  if (current === undefined) throw notFound(def, target.name ?? "");
  const patched = applyPatchBody(kind, fromStorage(def, target.version, current), request.body, def);
  checkIdentity(target, patched);
  const rv = patched.metadata?.resourceVersion;
  if (rv !== undefined && rv !== current.metadata?.resourceVersion) throw conflict(def, target.name ?? "");
  return {
    object: commitUpdate(ctx, target, current, toStorage(def, target.version, patched), meta, false),
    created: false,
  };
}
