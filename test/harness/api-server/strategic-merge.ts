// application/strategic-merge-patch+json for the lists netclaim touches: maps merge like a merge patch,
// lists with a patchMergeKey merge by it, `patchStrategy=merge` primitive lists union, other lists are
// replaced. Directives: `$patch: replace|delete`, `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>`
// (accepted, order not applied), `$retainKeys`.
import { isRecord } from "./field-set.ts";
import { findListRule, schemaPathOf } from "./list-rules.ts";
import { badRequest } from "./status-errors.ts";
import type { ListRule } from "./types.ts";

type Json = Record<string, unknown>;

const DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/";
const SET_ELEMENT_ORDER = "$setElementOrder/";

function mergeKeyedList(
  original: unknown[],
  patch: unknown[],
  key: string,
  steps: string[],
  rules: readonly ListRule[],
): unknown[] {
  if (patch.some((item) => isRecord(item) && item["$patch"] === "replace")) {
    return patch.filter((item) => !(isRecord(item) && item["$patch"] === "replace"));
  }
  const out = original.map((item) => structuredClone(item));
  for (const item of patch) {
    if (!isRecord(item)) {
      out.push(item);
      continue;
    }
    const index = out.findIndex((existing) => isRecord(existing) && existing[key] === item[key]);
    if (item["$patch"] === "delete") {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    if (index >= 0) out[index] = strategicMerge(out[index], item, [...steps, "[]"], rules);
    else out.push(strategicMerge(undefined, item, [...steps, "[]"], rules));
  }
  return out;
}

function mergeList(
  original: unknown,
  patch: unknown[],
  steps: string[],
  rules: readonly ListRule[],
): unknown[] {
  const rule = findListRule(rules, schemaPathOf(steps));
  const base = Array.isArray(original) ? original : [];
  if (rule?.smpMergeKey !== undefined) return mergeKeyedList(base, patch, rule.smpMergeKey, steps, rules);
  if (rule?.smpMergePrimitives === true) {
    const out: unknown[] = [...(base as unknown[])];
    for (const item of patch)
      if (!out.some((e) => JSON.stringify(e) === JSON.stringify(item))) out.push(item);
    return out;
  }
  return patch.map((item) =>
    isRecord(item) ? strategicMerge(undefined, item, [...steps, "[]"], rules) : item,
  );
}

function applyDirectives(out: Json, patch: Json): void {
  for (const [field, value] of Object.entries(patch)) {
    if (!field.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    const target = field.slice(DELETE_FROM_PRIMITIVE_LIST.length);
    if (!Array.isArray(value)) throw badRequest(`invalid ${field}: must be a list`);
    const current = out[target];
    if (Array.isArray(current)) {
      const removed = new Set(value.map((v) => JSON.stringify(v)));
      out[target] = current.filter((item) => !removed.has(JSON.stringify(item)));
    }
  }
  const retainKeys = patch["$retainKeys"];
  if (Array.isArray(retainKeys)) {
    for (const field of Object.keys(out))
      if (!retainKeys.includes(field) && !(field in patch)) delete out[field];
  }
}

/** Applies a strategic merge patch to a value; `undefined` result means the value was deleted. */
export function strategicMerge(
  original: unknown,
  patch: unknown,
  steps: string[],
  rules: readonly ListRule[],
): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  if (patch["$patch"] === "delete") return undefined;
  const replace = patch["$patch"] === "replace";
  const out: Json = !replace && isRecord(original) ? { ...original } : {};
  applyDirectives(out, patch);
  for (const [field, value] of Object.entries(patch)) {
    if (field === "$patch" || field === "$retainKeys") continue;
    if (field.startsWith(DELETE_FROM_PRIMITIVE_LIST) || field.startsWith(SET_ELEMENT_ORDER)) continue;
    if (value === null) {
      delete out[field];
      continue;
    }
    const childSteps = [...steps, field];
    const merged = Array.isArray(value)
      ? mergeList(out[field], value, childSteps, rules)
      : strategicMerge(out[field], value, childSteps, rules);
    if (merged === undefined) delete out[field];
    else out[field] = merged;
  }
  return out;
}
