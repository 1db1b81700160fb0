// Label and field selectors with the grammar and per-kind field labels of k8s.io/apimachinery.
import { badRequest } from "./status-errors.ts";
import { groupVersion } from "./registry.ts";
import type { KubeObject, ResourceDef } from "./types.ts";

export type LabelOperator = "=" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

export interface LabelRequirement {
  key: string;
  op: LabelOperator;
  values: string[];
}

const NAME = "[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?";
const KEY = new RegExp(`^(([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?${NAME}$`);
const VALUE = new RegExp(`^(${NAME})?$`);

/** Splits on commas outside parentheses. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of selector) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      terms.push(current);
      current = "";
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim());
}

function checkKey(key: string, term: string): string {
  if (!KEY.test(key) || key.length > 316)
    throw badRequest(`unable to parse requirement: invalid label key "${key}" in "${term}"`);
  return key;
}

function checkValue(value: string, term: string): string {
  if (!VALUE.test(value) || value.length > 63) {
    throw badRequest(`unable to parse requirement: invalid label value: "${value}" in "${term}"`);
  }
  return value;
}

function parseTerm(term: string): LabelRequirement {
  let m = /^!\s*(\S+)$/.exec(term);
  if (m !== null) return { key: checkKey(m[1] ?? "", term), op: "!", values: [] };
  m = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
  if (m !== null) {
    const values = (m[3] ?? "").split(",").map((v) => checkValue(v.trim(), term));
    return { key: checkKey(m[1] ?? "", term), op: m[2] === "in" ? "in" : "notin", values };
  }
  m = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*([^=!<>\s]*)$/.exec(term);
  if (m !== null) {
    const [, key = "", op = "", value = ""] = m;
    if (op === ">" || op === "<") {
      if (!/^-?\d+$/.test(value))
        throw badRequest(`unable to parse requirement: invalid integer value "${value}"`);
      return { key: checkKey(key, term), op: op === ">" ? "gt" : "lt", values: [value] };
    }
    return { key: checkKey(key, term), op: op === "!=" ? "!=" : "=", values: [checkValue(value, term)] };
  }
  if (/^\S+$/.test(term)) return { key: checkKey(term, term), op: "exists", values: [] };
  throw badRequest(`unable to parse requirement: cannot parse "${term}"`);
}

/** Parses a label selector; empty means everything. Throws a 400 Status on bad syntax. */
export function parseLabelSelector(selector: string | null | undefined): LabelRequirement[] {
  if (selector === null || selector === undefined || selector.trim() === "") return [];
  return splitTerms(selector).map((term) => {
    if (term === "") throw badRequest(`unable to parse requirement: empty term in "${selector}"`);
    return parseTerm(term);
  });
}

export function matchesLabels(
  requirements: readonly LabelRequirement[],
  labels: Record<string, string> = {},
): boolean {
  return requirements.every(({ key, op, values }) => {
    const has = Object.hasOwn(labels, key);
    const value = labels[key];
    switch (op) {
      case "=":
      case "in":
        return has && values.includes(value ?? "");
      case "!=":
      case "notin":
        return !has || !values.includes(value ?? "");
      case "exists":
        return has;
      case "!":
        return !has;
      case "gt":
      case "lt": {
        if (!has || !/^-?\d+$/.test(value ?? "")) return false;
        const diff = Number(value) - Number(values[0]);
        return op === "gt" ? diff > 0 : diff < 0;
      }
    }
    return false;
  });
}

export interface FieldRequirement {
  field: string;
  op: "=" | "!=";
  value: string;
}

function unescapeFieldValue(value: string): string {
  return value.replace(/\\(.)/g, "$1");
}

/** Splits on commas not escaped by a backslash. */
function splitFieldTerms(selector: string): string[] {
  return selector.split(/(?<!\\),/).map((t) => t.trim());
}

function fieldLabelError(def: ResourceDef, version: string, label: string): string {
  switch (def.fieldLabelStyle) {
    case "core":
      return `field label not supported: ${label}`;
    case "kind":
      return `field label not supported for ${groupVersion(def.group, version)}, Kind=${def.kind}: ${label}`;
    case "default":
      return `"${label}" is not a known field selector: only "metadata.name", "metadata.namespace"`;
  }
}

export function supportedFields(def: ResourceDef): string[] {
  return ["metadata.name", ...(def.namespaceField ? ["metadata.namespace"] : []), ...def.selectableFields];
}

/** Parses a field selector and checks its labels against what the kind supports (400 otherwise). */
export function parseFieldSelector(
  selector: string | null | undefined,
  def: ResourceDef,
  version: string,
): FieldRequirement[] {
  if (selector === null || selector === undefined || selector.trim() === "") return [];
  const supported = supportedFields(def);
  return splitFieldTerms(selector).map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (m === null) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const [, field = "", op = "", value = ""] = m;
    if (!supported.includes(field)) throw badRequest(fieldLabelError(def, version, field));
    return { field, op: op === "!=" ? "!=" : "=", value: unescapeFieldValue(value) };
  });
}

/** The string a field selector compares: missing and null are "", booleans and numbers printed. */
export function fieldValue(obj: KubeObject, field: string): string {
  let node: unknown = obj;
  for (const step of field.split(".")) {
    if (typeof node !== "object" || node === null) return "";
    node = (node as Record<string, unknown>)[step];
  }
  if (node === undefined || node === null) return "";
  if (typeof node === "string") return node;
  if (typeof node === "number" || typeof node === "boolean") return String(node);
  return JSON.stringify(node);
}

export function matchesFields(requirements: readonly FieldRequirement[], obj: KubeObject): boolean {
  return requirements.every(({ field, op, value }) => (fieldValue(obj, field) === value) === (op === "="));
}

export interface Selection {
  labels: LabelRequirement[];
  fields: FieldRequirement[];
}

export function matchesSelection(selection: Selection, obj: KubeObject): boolean {
  return matchesLabels(selection.labels, obj.metadata?.labels) && matchesFields(selection.fields, obj);
}

export function isEmptySelection(selection: Selection): boolean {
  return selection.labels.length === 0 && selection.fields.length === 0;
}
