// ValidatingAdmissionPolicy netclaim-kubelet-plugin-pod-status (deployments/base/admission/), evaluated with
// its own CEL (support/vap-evaluator.ts): the kubelet plugin's service account may change only the
// k8s.v1.cni.cncf.io/network-status annotation of pods on the node its token names; a pod elsewhere or on no
// node, a status, label or other annotation change, a token without a node name are denied; the kubelet and
// writes of the pod itself (not pods/status) are not matched.
import { describe, it } from "vitest";
import { admissionPolicy, expectOutcome, pluginOn, user } from "./support/admission-samples.ts";
import { evaluatePolicy } from "./support/vap-evaluator.ts";
import type { AdmissionRequest } from "./support/vap-evaluator.ts";

const POLICY = "netclaim-kubelet-plugin-pod-status";
const NETWORK_STATUS = "k8s.v1.cni.cncf.io/network-status";

const pod = (opts: {
  node?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  phase?: string;
}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    namespace: "default",
    name: "p",
    ...(opts.annotations === undefined ? {} : { annotations: opts.annotations }),
    ...(opts.labels === undefined ? {} : { labels: opts.labels }),
  },
  spec: {
    ...(opts.node === undefined ? {} : { nodeName: opts.node }),
    containers: [{ name: "app", image: "x" }],
  },
  status: { phase: opts.phase ?? "Pending", conditions: [{ type: "PodScheduled", status: "True" }] },
});
const ns = (value: string) => ({ [NETWORK_STATUS]: value });
const networks = { "k8s.v1.cni.cncf.io/networks": "macvlan-net" };

const POD_CASES = [
  {
    name: "network-status added on its node",
    u: pluginOn("node-1"),
    old: pod({ node: "node-1", annotations: networks }),
    now: pod({ node: "node-1", annotations: { ...networks, ...ns("[]") } }),
    want: "allowed",
  },
  {
    name: "network-status added to a pod without annotations",
    u: pluginOn("node-1"),
    old: pod({ node: "node-1" }),
    now: pod({ node: "node-1", annotations: ns("[]") }),
    want: "allowed",
  },
  {
    name: "network-status replaced",
    u: pluginOn("node-1"),
    old: pod({ node: "node-1", annotations: ns("[]") }),
    now: pod({ node: "node-1", annotations: ns('[{"name":"a"}]') }),
    want: "allowed",
  },
  {
    name: "a pod on another node",
    u: pluginOn("node-2"),
    old: pod({ node: "node-1" }),
    now: pod({ node: "node-1", annotations: ns("[]") }),
    want: /on node node-2 may not write the status of a pod on node node-1/,
  },
  {
    name: "an unscheduled pod",
    u: pluginOn("node-1"),
    old: pod({}),
    now: pod({ annotations: ns("[]") }),
    want: /a pod on no node/,
  },
  {
    name: "its status changed",
    u: pluginOn("node-1"),
    old: pod({ node: "node-1" }),
    now: pod({ node: "node-1", phase: "Running", annotations: ns("[]") }),
    want: /may not change a pod's status/,
  },
  {
    name: "a label changed",
    u: pluginOn("node-1"),
    old: pod({ node: "node-1" }),
    now: pod({ node: "node-1", labels: { a: "b" } }),
    want: /may not change a pod's labels/,
  },
  {
    name: "another annotation changed",
    u: pluginOn("node-1"),
    old: pod({ node: "node-1", annotations: networks }),
    now: pod({ node: "node-1", annotations: { "k8s.v1.cni.cncf.io/networks": "other" } }),
    want: /only the k8s.v1.cni.cncf.io\/network-status annotation/,
  },
  {
    name: "another annotation removed",
    u: pluginOn("node-1"),
    old: pod({ node: "node-1", annotations: networks }),
    now: pod({ node: "node-1", annotations: ns("[]") }),
    want: /only the k8s.v1.cni.cncf.io\/network-status annotation/,
  },
  {
    name: "no node-name extra",
    u: pluginOn(),
    old: pod({ node: "node-1" }),
    now: pod({ node: "node-1", annotations: ns("[]") }),
    want: /carry no node name/,
  },
  {
    name: "the kubelet writing status",
    u: user("system:node:node-1"),
    old: pod({ node: "node-1" }),
    now: pod({ node: "node-1", phase: "Running" }),
    want: "not-matched",
  },
] as const;

describe(`ValidatingAdmissionPolicy ${POLICY}`, () => {
  it.each(POD_CASES)("$name: $want", ({ u, old, now, want }) => {
    const request: AdmissionRequest = {
      operation: "UPDATE",
      resource: { group: "", version: "v1", resource: "pods" },
      subResource: "status",
      namespace: "default",
      name: "p",
      userInfo: u,
      object: now,
      oldObject: old,
    };
    expectOutcome(evaluatePolicy(admissionPolicy(POLICY), request), want);
  });

  it("does not match a write of the pod itself (no pods/status)", () => {
    const request: AdmissionRequest = {
      operation: "UPDATE",
      resource: { group: "", version: "v1", resource: "pods" },
      userInfo: pluginOn("node-2"),
      object: pod({ node: "node-1", labels: { a: "b" } }),
      oldObject: pod({ node: "node-1" }),
    };
    expectOutcome(evaluatePolicy(admissionPolicy(POLICY), request), "not-matched");
  });
});
