// Server-side apply (application/apply-patch+yaml), a small structured-merge-diff: keyed lists merge by
// their keys, maps are granular, other lists atomic; conflicts against other managers unless forced;
// fields a manager stops applying are removed unless someone else owns them.
import { fieldSetOf, formatPath, isRecord, isUnder, itemKey, parsePath, removeAt } from "./field-set.ts";
import type { FieldSet } from "./field-set.ts";
import { findListRule, schemaPathOf } from "./list-rules.ts";
import { changedPaths, readManagers, writeManagers } from "./managed-fields.ts";
import type { ManagerEntry } from "./managed-fields.ts";
import { failure } from "./status-errors.ts";
import type { ApiError, StatusCause } from "./status-errors.ts";
import type { KubeObject, ListRule } from "./types.ts";

function mergeList(
  live: unknown[],
  applied: unknown[],
  rule: ListRule | undefined,
  steps: string[],
  rules: readonly ListRule[],
): unknown[] {
  if (rule?.keys !== undefined) {
    const keys = rule.keys;
    const out = live.map((item) => structuredClone(item));
    for (const item of applied) {
      const index = isRecord(item)
        ? out.findIndex((existing) => isRecord(existing) && itemKey(existing, keys) === itemKey(item, keys))
        : -1;
      if (index >= 0) out[index] = mergeApplied(out[index], item, [...steps, "[]"], rules);
      else out.push(structuredClone(item));
    }
    return out;
  }
  if (rule?.set === true) {
    const out = live.map((item) => structuredClone(item));
    const seen = new Set(out.map((item) => JSON.stringify(item)));
    for (const item of applied) if (!seen.has(JSON.stringify(item))) out.push(structuredClone(item));
    return out;
  }
  return structuredClone(applied);
}

/** The live object with the applied configuration merged in (nothing removed yet). */
export function mergeApplied(
  live: unknown,
  applied: unknown,
  steps: string[],
  rules: readonly ListRule[],
): unknown {
  if (isRecord(applied) && isRecord(live)) {
    const out: Record<string, unknown> = { ...live };
    for (const [field, value] of Object.entries(applied)) {
      if (value === null) delete out[field];
      else out[field] = mergeApplied(live[field], value, [...steps, field], rules);
    }
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live)) {
    return mergeList(live, applied, findListRule(rules, schemaPathOf(steps)), steps, rules);
  }
  return structuredClone(applied);
}

function printManager(entry: ManagerEntry): string {
  let out = JSON.stringify(entry.manager);
  if (entry.subresource !== "") out += ` with subresource ${JSON.stringify(entry.subresource)}`;
  if (entry.operation === "Update") out += ` using ${entry.apiVersion}`;
  return out;
}

interface Conflict {
  entry: ManagerEntry;
  path: string;
}

function conflictError(conflicts: readonly Conflict[]): ApiError {
  const causes: StatusCause[] = conflicts.map((c) => ({
    type: "FieldManagerConflict",
    message: `conflict with ${printManager(c.entry)}`,
    field: formatPath(parsePath(c.path)),
  }));
  let message: string;
  const [first] = conflicts;
  if (conflicts.length === 1 && first !== undefined) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(first.entry)}: ${formatPath(parsePath(first.path))}`;
  } else {
    const byManager = new Map<string, { entry: ManagerEntry; paths: string[] }>();
    for (const c of conflicts) {
      const printed = printManager(c.entry);
      const group = byManager.get(printed) ?? { entry: c.entry, paths: [] };
      group.paths.push(formatPath(parsePath(c.path)));
      byManager.set(printed, group);
    }
    const lines = [...byManager.keys()]
      .sort()
      .flatMap((printed) => [
        `conflicts with ${printed}:`,
        ...(byManager.get(printed)?.paths ?? []).map((p) => `- ${p}`),
      ]);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return failure(409, "Conflict", message, { causes });
}

export interface ApplyRequest {
  /** The stored object, or undefined when the apply creates it. */
  live: KubeObject | undefined;
  /** The applied configuration, in the stored shape, holding only fields this endpoint may set. */
  applied: KubeObject;
  manager: string;
  force: boolean;
  apiVersion: string;
  subresource: string;
  rules: readonly ListRule[];
  now: string;
}

/** A key field of a keyed-list item (`.../k:{"name":"a"}/f:name`): it goes only with its item. */
function isItemKeyField(path: readonly string[]): boolean {
  const parent = path[path.length - 2];
  const last = path[path.length - 1];
  if (parent === undefined || last === undefined || !parent.startsWith("k:") || !last.startsWith("f:"))
    return false;
  return Object.hasOwn(JSON.parse(parent.slice(2)) as object, last.slice(2));
}

/** Paths the manager stopped applying that nobody else owns, shallowest first. */
function unownedRemovals(
  previous: FieldSet,
  applied: FieldSet,
  others: readonly ManagerEntry[],
): Array<readonly string[]> {
  const othersPaths = others.flatMap((e) => [...e.set].map(parsePath));
  return [...previous]
    .filter((serialized) => !applied.has(serialized))
    .map(parsePath)
    .filter((path) => !isItemKeyField(path) && !othersPaths.some((other) => isUnder(other, path)))
    .sort((a, b) => a.length - b.length);
}

/** The object after the apply, managedFields included; throws a 409 Status on unforced conflicts. */
export function serverSideApply(request: ApplyRequest): KubeObject {
  const { live, applied, rules } = request;
  const appliedSet = fieldSetOf(applied, rules);
  const merged = mergeApplied(live ?? {}, applied, [], rules) as KubeObject;
  const changed = changedPaths(live, merged, rules);
  const entries = readManagers(live);
  const isMine = (e: ManagerEntry): boolean =>
    e.manager === request.manager && e.operation === "Apply" && e.subresource === request.subresource;
  const others = entries.filter((e) => !isMine(e));
  const conflicts: Conflict[] = [];
  for (const entry of others) {
    for (const path of entry.set)
      if (changed.has(path) && appliedSet.has(path)) conflicts.push({ entry, path });
  }
  if (conflicts.length > 0 && !request.force) throw conflictError(conflicts);
  for (const { entry, path } of conflicts) entry.set.delete(path);
  let mine = entries.find(isMine);
  if (mine === undefined) {
    mine = {
      manager: request.manager,
      operation: "Apply",
      subresource: request.subresource,
      apiVersion: "",
      time: "",
      set: new Set(),
    };
    entries.push(mine);
  }
  for (const path of unownedRemovals(mine.set, appliedSet, others)) removeAt(merged, path);
  mine.set = appliedSet;
  mine.apiVersion = request.apiVersion;
  mine.time = request.now;
  writeManagers(merged, entries);
  return merged;
}
