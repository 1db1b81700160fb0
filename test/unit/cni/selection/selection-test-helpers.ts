// Shared by the selection tests: the rule phrases, a selection builder and V8's JSON error wording.
import { parseNetworkSelections } from "../../../../src/cni/selection/annotations.ts";
import type { NetworkSelection } from "../../../../src/cni/selection/types.ts";
import { expect } from "vitest";

export const POD_NS = "pod-ns";
export const LABEL_RULE =
  "must consist of lower case alphanumeric characters or '-', and start and end with an alphanumeric character";
export const SUBDOMAIN_RULE =
  "must consist of lower case alphanumeric characters, '-' or '.', and start and end with an alphanumeric character";

/** V8's own wording for a JSON syntax error, so the expectation follows the runtime. */
export function jsonSyntax(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`test bug: ${text} is valid JSON`);
}

export function sel(name: string, extra: Partial<NetworkSelection> = {}): NetworkSelection {
  return { namespace: POD_NS, name, ...extra };
}

export type Want = { selections: NetworkSelection[] } | { error: string };

export interface SelectionCase {
  name: string;
  input: string;
  want: Want;
}

/** Parse `input` in the pod namespace and compare with `want`: the selections, or the exact message. */
export function expectParse(input: string, want: Want): void {
  const got = parseNetworkSelections(input, POD_NS);
  if ("error" in want) {
    expect(got.ok).toBe(false);
    if (got.ok) return;
    expect(got.error.message).toBe(want.error);
    expect(got.error.code).toBe("INVALID_ANNOTATION");
  } else {
    expect(got).toEqual({ ok: true, selections: want.selections });
  }
}
