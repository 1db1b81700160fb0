// Shared by the admission policy tests: the policies of deployments/base/admission/ by name, the users
// that write (the plugin's service account with the node-name extra of a pod-bound token, others), and
// the check of an outcome against a table's `want` ("allowed", "not-matched", or a message pattern of a
// denial).
//
// Public API: `NODE_NAME_EXTRA`, `PLUGIN_USER`, `CONTROLLER_USER`, `admissionPolicy`, `user`, `pluginOn`,
// `expectOutcome`.
import { expect } from "vitest";
import { CONTROLLER_SA, PLUGIN_SA, readManifestDocs } from "./manifests.ts";
import type { AdmissionOutcome, AdmissionRequest, ValidatingPolicy } from "./vap-evaluator.ts";

export const NODE_NAME_EXTRA = "authentication.kubernetes.io/node-name";
export const PLUGIN_USER = `system:serviceaccount:${PLUGIN_SA.namespace}:${PLUGIN_SA.name}`;
export const CONTROLLER_USER = `system:serviceaccount:${CONTROLLER_SA.namespace}:${CONTROLLER_SA.name}`;

const DOCS = readManifestDocs("admission");

export function admissionPolicy(name: string): ValidatingPolicy {
  const found = DOCS.find(
    (d) =>
      d.doc["kind"] === "ValidatingAdmissionPolicy" && (d.doc["metadata"] as { name?: string }).name === name,
  );
  if (found === undefined) throw new Error(`no ValidatingAdmissionPolicy ${name}`);
  return found.doc as unknown as ValidatingPolicy;
}

/** A service account user as a pod-bound token authenticates it: with one node-name per node given. */
export function user(username: string, nodes?: string[]): AdmissionRequest["userInfo"] {
  return {
    username,
    groups: ["system:serviceaccounts", "system:authenticated"],
    extra: nodes === undefined ? {} : { [NODE_NAME_EXTRA]: nodes },
  };
}

/** The kubelet plugin's service account, its token bound to a pod on `nodes` (none: no node-name extra). */
export function pluginOn(...nodes: string[]): AdmissionRequest["userInfo"] {
  return user(PLUGIN_USER, nodes.length === 0 ? undefined : nodes);
}

export function expectOutcome(outcome: AdmissionOutcome, want: "allowed" | "not-matched" | RegExp): void {
  if (typeof want === "string") {
    expect(outcome).toEqual({ kind: want });
    return;
  }
  expect(outcome.kind).toBe("denied");
  expect(outcome.kind === "denied" ? outcome.message : "").toMatch(want);
}
