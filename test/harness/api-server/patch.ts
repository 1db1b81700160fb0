// PATCH bodies: JSON patch (RFC 6902), merge patch (RFC 7386), strategic merge patch; the apply patch
// type is recognised here and handled by apply.ts.
import jsonpatch from "fast-json-patch";
import type { Operation } from "fast-json-patch";
import { isRecord } from "./field-set.ts";
import { badRequest, failure, unsupportedMediaType } from "./status-errors.ts";
import { strategicMerge } from "./strategic-merge.ts";
import type { KubeObject, ResourceDef } from "./types.ts";

export const PATCH_CONTENT_TYPES = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;

export type PatchKind = keyof typeof PATCH_CONTENT_TYPES;

/** The patch kind of a Content-Type, or a 415 Status listing what this resource accepts. */
export function patchKindOf(contentType: string | undefined, def: ResourceDef): PatchKind {
  const mediaType = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const accepted: PatchKind[] = def.custom
    ? ["json", "merge", "apply"]
    : ["json", "merge", "strategic", "apply"];
  const kind = accepted.find((k) => PATCH_CONTENT_TYPES[k] === mediaType);
  if (kind === undefined)
    throw unsupportedMediaType(
      mediaType,
      accepted.map((k) => PATCH_CONTENT_TYPES[k]),
    );
  return kind;
}

/** RFC 7386: objects merge recursively, null removes, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete out[field];
    else out[field] = mergePatch(out[field], value);
  }
  return out;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    throw badRequest(`error decoding patch: ${(error as Error).message}`);
  }
}

function jsonPatchMessage(error: unknown): string {
  if (error instanceof jsonpatch.JsonPatchError) {
    const path = (error.operation as { path?: string } | undefined)?.path ?? "";
    const op = (error.operation as { op?: string } | undefined)?.op ?? "";
    switch (error.name) {
      case "TEST_OPERATION_FAILED":
        return `testing value ${path} failed: test failed`;
      case "OPERATION_PATH_UNRESOLVABLE":
      case "OPERATION_FROM_UNRESOLVABLE":
        return `${op} operation does not apply: doc is missing path: "${path}": missing value`;
      default:
        return `invalid JSON patch operation ${JSON.stringify(error.operation)}: ${error.message.split("\n")[0] ?? ""}`;
    }
  }
  return (error as Error).message;
}

/** RFC 6902. Failing operations (including `test`) are 422 Invalid, as the apiserver answers. */
export function jsonPatch(target: KubeObject, body: string): KubeObject {
  const operations = parseJson(body);
  if (!Array.isArray(operations))
    throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  try {
    return jsonpatch.applyPatch(structuredClone(target), operations as Operation[], true, true).newDocument;
  } catch (error) {
    throw failure(422, "Invalid", jsonPatchMessage(error));
  }
}

/** Applies a non-apply patch to the object as the client's version shows it. */
export function applyPatchBody(
  kind: Exclude<PatchKind, "apply">,
  target: KubeObject,
  body: string,
  def: ResourceDef,
): KubeObject {
  if (kind === "json") return jsonPatch(target, body);
  const patch = parseJson(body);
  if (!isRecord(patch)) throw badRequest("error decoding patch: the patch must be a JSON object");
  if (kind === "merge") return mergePatch(target, patch) as KubeObject;
  return strategicMerge(target, patch, [], def.listRules) as KubeObject;
}
