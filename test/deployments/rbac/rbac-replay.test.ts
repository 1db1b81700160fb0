// The RBAC of deployments/base/rbac/ against the API requests netclaim's components really make: the
// scenarios (scenarios/) run the node daemon with its CNI server, the kubelet plugin's slice life, the
// standalone CNI plugin and two controller replicas against the stand-in API server, which records every
// request with its user agent; recorded-calls.ts turns the components' requests into RBAC attributes per
// service account and adds the resourceclaims/driver checks Kubernetes 1.36+ makes of claim status writes.
// Then, with a small RBAC authorizer (support/rbac-authorizer.ts):
//   1. every recorded request and derived check is allowed for its component's service account;
//   2. nothing is granted that no request uses (each API group, resource, verb and resource name of a rule);
//   3. (rbac-manifests.test.ts: no wildcard anywhere;)
//   4. taking away any one rule, verb, group, resource, resource name or binding denies some request.
// And the admission policies of deployments/base/admission/ admit what the node daemon really wrote — the
// ResourceSlices it published, its pods/status write — for its own node, and deny them to another node's.
import { beforeAll, describe, expect, it } from "vitest";
import { describePrivileged } from "../../harness/privileged.ts";
import { recordAllScenarios } from "./scenarios/index.ts";
import type { ScenarioRecording } from "./scenarios/recording.ts";
import { unusedGrants } from "./support/grant-usage.ts";
import { admissionPolicy, pluginOn } from "./support/admission-samples.ts";
import { rbacPolicyOf, readManifestDocs, withBootstrapDiscovery } from "./support/manifests.ts";
import { authorize, serviceAccountUser } from "./support/rbac-authorizer.ts";
import type { RbacPolicy } from "./support/rbac-authorizer.ts";
import { singleRemovals } from "./support/rbac-mutations.ts";
import { callsOf, derivedStatusChecks, describeAttributes } from "./support/recorded-calls.ts";
import type { ComponentCall } from "./support/recorded-calls.ts";
import { evaluatePolicy } from "./support/vap-evaluator.ts";
import type { AdmissionRequest } from "./support/vap-evaluator.ts";

const POLICY: RbacPolicy = rbacPolicyOf(readManifestDocs("rbac"));
const describeCall = (c: ComponentCall) => `${c.component}: ${describeAttributes(c.attrs)} (${c.source})`;

describePrivileged("RBAC replay: the components' recorded API requests against deployments/base/rbac", () => {
  let recordings: ScenarioRecording[] = [];
  let recorded: ComponentCall[] = [];
  let required: ComponentCall[] = [];

  beforeAll(async () => {
    recordings = await recordAllScenarios();
    recorded = recordings.flatMap((r) => callsOf(r.requests, r.name));
    required = [...recorded, ...derivedStatusChecks(recorded)];
  }, 240_000);

  const denied = (policy: RbacPolicy): ComponentCall[] =>
    required.filter((c) => {
      const user = serviceAccountUser(c.serviceAccount.namespace, c.serviceAccount.name);
      return authorize(withBootstrapDiscovery(policy), user, c.attrs) === undefined;
    });

  it("records requests of every component, and derives the 1.36 status checks of their claim status writes", () => {
    expect([...new Set(recorded.map((c) => c.component))].sort()).toEqual([
      "cni",
      "controller",
      "kubelet-plugin",
    ]);
    const derived = derivedStatusChecks(recorded).map((c) => `${c.component} ${c.attrs.verb}`);
    expect([...new Set(derived)].sort()).toEqual([
      "cni associated-node:patch",
      "controller arbitrary-node:patch",
      "kubelet-plugin associated-node:patch",
    ]);
  });

  it("allows every recorded request and every derived check for its component's service account", () => {
    expect(denied(POLICY).map(describeCall)).toEqual([]);
  });

  it("grants nothing that no request of the bound service account uses", () => {
    expect(unusedGrants(POLICY, required)).toEqual([]);
  });

  describe("fails when a rule is removed", () => {
    it.each(singleRemovals(POLICY).map((m) => ({ name: m.name, policy: m.policy })))(
      "$name",
      ({ policy }) => {
        expect(denied(policy).length).toBeGreaterThan(0);
      },
    );
  });

  it("admits the ResourceSlices the kubelet plugin published for its own node only", () => {
    const vap = admissionPolicy("netclaim-kubelet-plugin-resourceslices");
    const published = recordings.flatMap((r) =>
      r.slices === undefined ? [] : r.slices.objects.map((o) => ({ node: r.slices!.nodeName, o })),
    );
    expect(published.length).toBeGreaterThanOrEqual(2);
    for (const { node, o } of published) {
      const request = (operation: AdmissionRequest["operation"], userNode: string): AdmissionRequest => ({
        operation,
        resource: { group: "resource.k8s.io", version: "v1", resource: "resourceslices" },
        name: o.metadata?.name ?? "",
        userInfo: pluginOn(userNode),
        object: operation === "DELETE" ? null : o,
        oldObject: operation === "CREATE" ? null : o,
      });
      for (const op of ["CREATE", "UPDATE", "DELETE"] as const) {
        expect(evaluatePolicy(vap, request(op, node)), `${op} ${o.metadata?.name}`).toEqual({
          kind: "allowed",
        });
        expect(evaluatePolicy(vap, request(op, `${node}-other`)).kind, `${op} from another node`).toBe(
          "denied",
        );
      }
    }
  });

  it("admits the node daemon's real pods/status write (network-status) for its own node only", () => {
    const vap = admissionPolicy("netclaim-kubelet-plugin-pod-status");
    const writes = recordings.flatMap((r) => r.podStatusWrites ?? []);
    expect(writes.length).toBeGreaterThan(0);
    for (const { nodeName, before, after } of writes) {
      const request = (userNode: string): AdmissionRequest => ({
        operation: "UPDATE",
        resource: { group: "", version: "v1", resource: "pods" },
        subResource: "status",
        namespace: before.metadata?.namespace ?? "",
        name: before.metadata?.name ?? "",
        userInfo: pluginOn(userNode),
        object: after,
        oldObject: before,
      });
      expect(evaluatePolicy(vap, request(nodeName))).toEqual({ kind: "allowed" });
      expect(evaluatePolicy(vap, request(`${nodeName}-other`)).kind).toBe("denied");
    }
  });
});
