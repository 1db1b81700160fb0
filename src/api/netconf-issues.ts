// Turns zod issues into one readable line that names the field, for CNI configs and CNI results:
//   netclaim config: field "namespaceIsolation": expected boolean, got string
// Field paths are written the way a person would address the JSON: `delegates[0].plugins[1].type`,
// `runtimeConfig["io.kubernetes.cri.pod-annotations"]`. Parse with `{ reportInput: true }` so that
// "got ..." can name what was found.
//
// Public API: `formatPath`, `describeIssue`, `describeIssues`, `JsonObject`, `isJsonObject`, `kindOf`.
import type { z } from "zod";

/** A parsed JSON object (what a CNI config or result is on the wire). */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The JSON kind of a value for messages: "null", "array", "object", "string", "number", "boolean". */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

const PLAIN_KEY_RE = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * `["delegates", 0, "type"]` → `delegates[0].type`. A key that is not a plain identifier is written as
 * it is at the start (`cni.dev/valid-attachments[0]`) and in single-quoted brackets elsewhere
 * (`runtimeConfig['io.kubernetes.cri.pod-annotations']`).
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (out === "") out = String(key);
    else if (typeof key === "string" && PLAIN_KEY_RE.test(key)) out += `.${key}`;
    else out += `['${String(key)}']`;
  }
  return out;
}

/** A short rendering of a found value: strings and numbers as JSON, containers by kind. */
function shown(value: unknown): string {
  if (typeof value === "string")
    return value.length > 60
      ? `string ${JSON.stringify(value.slice(0, 57) + "...")}`
      : `string ${JSON.stringify(value)}`;
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
  return kindOf(value);
}

const EXPECTED_WORDS: Readonly<Record<string, string>> = {
  int: "integer",
  record: "object",
  nonoptional: "a value",
};

function typeProblem(issue: z.core.$ZodIssueInvalidType): string {
  if (!("input" in issue) || issue.input === undefined) return `required (expected ${issue.expected})`;
  const expected = EXPECTED_WORDS[issue.expected] ?? issue.expected;
  if (expected === "integer" && typeof issue.input === "number")
    return `expected integer, got ${issue.input}`;
  return `expected ${expected}, got ${kindOf(issue.input)}`;
}

/** "1 item", "2 items". */
function counted(n: number | bigint, noun: string): string {
  return `${String(n)} ${noun}${Number(n) === 1 ? "" : "s"}`;
}

/** The problem of one issue, without the field. */
function problemOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return typeProblem(issue);
    case "invalid_value": {
      const options = issue.values.map((v) => JSON.stringify(v)).join(", ");
      if (issue.input === undefined) return `required (expected one of ${options})`;
      return `expected one of ${options}, got ${shown(issue.input)}`;
    }
    case "too_small":
      if (issue.origin === "string" && Number(issue.minimum) === 1) return "must not be empty";
      if (issue.origin === "array" || issue.origin === "string") {
        return `expected at least ${counted(issue.minimum, issue.origin === "array" ? "item" : "character")}`;
      }
      return `must be at least ${String(issue.minimum)}, got ${shown(issue.input)}`;
    case "too_big":
      if (issue.origin === "array" || issue.origin === "string") {
        return `expected at most ${counted(issue.maximum, issue.origin === "array" ? "item" : "character")}`;
      }
      return `must be at most ${String(issue.maximum)}, got ${shown(issue.input)}`;
    default:
      return issue.message;
  }
}

/** `field "a.b": expected boolean, got string`; issues on the whole value have no field part. */
export function describeIssue(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[] = []): string {
  const path = formatPath([...prefix, ...issue.path]);
  const problem = problemOf(issue);
  return path === "" ? problem : `field "${path}": ${problem}`;
}

const MAX_ISSUES_SHOWN = 3;

/** `<what>: <issue>; <issue>` (at most three, then "and N more"). */
export function describeIssues(
  what: string,
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): string {
  const shownIssues = issues.slice(0, MAX_ISSUES_SHOWN).map((i) => describeIssue(i, prefix));
  const rest = issues.length - shownIssues.length;
  const tail = rest > 0 ? `; and ${rest} more` : "";
  return `${what}: ${shownIssues.join("; ")}${tail}`;
}
