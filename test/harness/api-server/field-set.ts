// Field paths and sets as structured-merge-diff writes them in managedFields (FieldsV1):
// `f:<field>` map fields, `k:{"key":"value"}` items of keyed lists, `v:<json>` items of sets.
// Maps are granular, lists atomic unless a ListRule makes them keyed or a set.
import { findListRule, schemaPathOf } from "./list-rules.ts";
import type { ListRule } from "./types.ts";

export type PathElement = string;
export type FieldPath = readonly PathElement[];
/** Paths serialized with JSON.stringify, so that sets compare by value. */
export type FieldSet = Set<string>;

type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `{"device":"d","driver":"x","pool":"p"}`: the present key fields, sorted by name. */
export function itemKey(item: Json, keys: readonly string[]): string {
  const picked: Json = {};
  for (const key of [...keys].sort()) if (item[key] !== undefined) picked[key] = item[key];
  return JSON.stringify(picked);
}

/** metadata fields the server owns; never part of a manager's set. */
const SYSTEM_METADATA = new Set([
  "name",
  "namespace",
  "generateName",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
]);

interface Walk {
  rules: readonly ListRule[];
  out: FieldSet;
}

function walk(value: unknown, path: PathElement[], steps: string[], ctx: Walk): void {
  if (isRecord(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0 && path.length > 0) ctx.out.add(JSON.stringify(path));
    for (const [field, child] of entries) {
      if (path.length === 0 && (field === "apiVersion" || field === "kind")) continue;
      if (path.length === 1 && path[0] === "f:metadata" && SYSTEM_METADATA.has(field)) continue;
      walk(child, [...path, `f:${field}`], [...steps, field], ctx);
    }
    return;
  }
  if (Array.isArray(value)) {
    const rule = findListRule(ctx.rules, schemaPathOf(steps));
    if (rule?.keys !== undefined) {
      for (const item of value) {
        if (!isRecord(item)) continue;
        const itemPath = [...path, `k:${itemKey(item, rule.keys)}`];
        ctx.out.add(JSON.stringify(itemPath));
        walk(item, itemPath, [...steps, "[]"], ctx);
      }
      return;
    }
    if (rule?.set === true) {
      for (const item of value) ctx.out.add(JSON.stringify([...path, `v:${JSON.stringify(item)}`]));
      return;
    }
  }
  ctx.out.add(JSON.stringify(path));
}

/** Every leaf, atomic list and keyed/set item of an object. */
export function fieldSetOf(obj: unknown, rules: readonly ListRule[]): FieldSet {
  const ctx: Walk = { rules, out: new Set() };
  walk(obj, [], [], ctx);
  ctx.out.delete("[]");
  return ctx.out;
}

export function parsePath(serialized: string): FieldPath {
  return JSON.parse(serialized) as FieldPath;
}

/** Whether `path` is `prefix` or below it. */
export function isUnder(path: FieldPath, prefix: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((el, i) => path[i] === el);
}

function findItem(list: unknown[], element: PathElement): number {
  if (element.startsWith("k:")) {
    const wanted = JSON.parse(element.slice(2)) as Json;
    const keys = Object.keys(wanted);
    return list.findIndex((item) => isRecord(item) && itemKey(item, keys) === JSON.stringify(wanted));
  }
  if (element.startsWith("v:")) {
    const wanted = element.slice(2);
    return list.findIndex((item) => JSON.stringify(item) === wanted);
  }
  return -1;
}

/** The value at a path, or undefined. */
export function valueAt(obj: unknown, path: FieldPath): unknown {
  let node: unknown = obj;
  for (const element of path) {
    if (element.startsWith("f:")) {
      node = isRecord(node) ? node[element.slice(2)] : undefined;
    } else if (Array.isArray(node)) {
      const index = findItem(node, element);
      node = index < 0 ? undefined : node[index];
    } else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** Removes the field or item at `path` (in place); parents emptied by it are removed too. */
export function removeAt(obj: Json, path: FieldPath): void {
  const parents: unknown[] = [obj];
  let node: unknown = obj;
  for (const element of path.slice(0, -1)) {
    node = valueAt(node, [element]);
    if (node === undefined) return;
    parents.push(node);
  }
  const last = path[path.length - 1];
  const parent = parents[parents.length - 1];
  if (last === undefined) return;
  if (last.startsWith("f:") && isRecord(parent)) delete parent[last.slice(2)];
  else if (Array.isArray(parent)) {
    const index = findItem(parent, last);
    if (index >= 0) parent.splice(index, 1);
  }
  const isEmpty = (v: unknown): boolean =>
    (isRecord(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0);
  if (path.length > 2 && isEmpty(parent)) removeAt(obj, path.slice(0, -1));
}

interface Node {
  self: boolean;
  children: Map<string, Node>;
}

/** FieldsV1 JSON: nested `{"f:spec":{"f:x":{}}}`, with `".": {}` marking an item that also has children. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const root: Node = { self: false, children: new Map() };
  for (const serialized of [...set].sort()) {
    let node = root;
    for (const element of parsePath(serialized)) {
      const child = node.children.get(element) ?? { self: false, children: new Map() };
      node.children.set(element, child);
      node = child;
    }
    node.self = true;
  }
  const emit = (node: Node): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (node.self && node.children.size > 0) out["."] = {};
    for (const [element, child] of node.children) out[element] = emit(child);
    return out;
  };
  return emit(root);
}

export function fromFieldsV1(
  fields: unknown,
  prefix: PathElement[] = [],
  out: FieldSet = new Set(),
): FieldSet {
  if (!isRecord(fields)) return out;
  for (const [element, child] of Object.entries(fields)) {
    if (element === ".") {
      out.add(JSON.stringify(prefix));
      continue;
    }
    const path = [...prefix, element];
    if (isRecord(child) && Object.keys(child).length > 0) fromFieldsV1(child, path, out);
    else out.add(JSON.stringify(path));
  }
  return out;
}

/** `.status.devices[device="d",driver="x",pool="p"].data`, as conflict messages print paths. */
export function formatPath(path: FieldPath): string {
  return path
    .map((element) => {
      if (element.startsWith("f:")) return `.${element.slice(2)}`;
      if (element.startsWith("k:")) {
        const key = JSON.parse(element.slice(2)) as Json;
        return `[${Object.entries(key)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(",")}]`;
      }
      if (element.startsWith("v:")) return `[=${element.slice(2)}]`;
      return `[${element}]`;
    })
    .join("");
}
