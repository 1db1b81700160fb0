// metadata.managedFields: who owns which fields, updated on every write like the apiserver's field manager.
import { isDeepStrictEqual } from "node:util";
import { fieldSetOf, fromFieldsV1, parsePath, toFieldsV1, valueAt } from "./field-set.ts";
import type { FieldSet } from "./field-set.ts";
import type { KubeObject, ListRule, ManagedFieldsEntry } from "./types.ts";

export interface ManagerEntry {
  manager: string;
  operation: "Apply" | "Update";
  subresource: string;
  apiVersion: string;
  time: string;
  set: FieldSet;
}

export function readManagers(obj: KubeObject | undefined): ManagerEntry[] {
  const entries = obj?.metadata?.managedFields ?? [];
  return entries.map((e) => ({
    manager: e.manager,
    operation: e.operation,
    subresource: e.subresource ?? "",
    apiVersion: e.apiVersion,
    time: e.time,
    set: fromFieldsV1(e.fieldsV1),
  }));
}

/** Writes the entries with a non-empty set into the object (managedFields omitted when none). */
export function writeManagers(obj: KubeObject, entries: readonly ManagerEntry[]): void {
  const managedFields: ManagedFieldsEntry[] = entries
    .filter((e) => e.set.size > 0)
    .map((e) => {
      const entry: ManagedFieldsEntry = {
        manager: e.manager,
        operation: e.operation,
        apiVersion: e.apiVersion,
        time: e.time,
        fieldsType: "FieldsV1",
        fieldsV1: toFieldsV1(e.set),
      };
      if (e.subresource !== "") entry.subresource = e.subresource;
      return entry;
    });
  const metadata = { ...obj.metadata };
  if (managedFields.length > 0) metadata.managedFields = managedFields;
  else delete metadata.managedFields;
  obj.metadata = metadata;
}

/** The manager name of a non-apply write: fieldManager, else the user agent up to its first "/". */
export function managerName(fieldManager: string | undefined, userAgent: string | undefined): string {
  if (fieldManager !== undefined && fieldManager !== "") return fieldManager;
  const prefix = (userAgent ?? "").split("/")[0] ?? "";
  return prefix === "" ? "unknown" : prefix;
}

function isItemElement(serialized: string): boolean {
  const path = parsePath(serialized);
  const last = path[path.length - 1] ?? "";
  return last.startsWith("k:") || last.startsWith("v:");
}

/** Paths of `next` that are new or whose value changed since `prev`. */
export function changedPaths(
  prev: KubeObject | undefined,
  next: KubeObject,
  rules: readonly ListRule[],
): FieldSet {
  const prevSet = prev === undefined ? new Set<string>() : fieldSetOf(prev, rules);
  const changed: FieldSet = new Set();
  for (const serialized of fieldSetOf(next, rules)) {
    if (!prevSet.has(serialized)) changed.add(serialized);
    else if (!isItemElement(serialized)) {
      const path = parsePath(serialized);
      if (!isDeepStrictEqual(valueAt(prev, path), valueAt(next, path))) changed.add(serialized);
    }
  }
  return changed;
}

export interface UpdateRecord {
  prev: KubeObject | undefined;
  next: KubeObject;
  manager: string;
  apiVersion: string;
  subresource: string;
  rules: readonly ListRule[];
  now: string;
}

/** An Update operation: the writer takes the fields it changed, removed fields leave every set. */
export function recordUpdate(update: UpdateRecord): void {
  const { prev, next, rules } = update;
  const changed = changedPaths(prev, next, rules);
  const nextSet = fieldSetOf(next, rules);
  const entries = readManagers(prev);
  for (const entry of entries) {
    for (const path of entry.set) if (changed.has(path) || !nextSet.has(path)) entry.set.delete(path);
  }
  if (changed.size > 0) {
    let mine = entries.find(
      (e) => e.manager === update.manager && e.operation === "Update" && e.subresource === update.subresource,
    );
    if (mine === undefined) {
      mine = {
        manager: update.manager,
        operation: "Update",
        subresource: update.subresource,
        apiVersion: "",
        time: "",
        set: new Set(),
      };
      entries.push(mine);
    }
    for (const path of changed) mine.set.add(path);
    mine.apiVersion = update.apiVersion;
    mine.time = update.now;
  }
  writeManagers(next, entries);
}
