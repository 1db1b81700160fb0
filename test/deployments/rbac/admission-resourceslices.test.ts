// ValidatingAdmissionPolicy netclaim-kubelet-plugin-resourceslices (deployments/base/admission/), evaluated
// with its own CEL (support/vap-evaluator.ts): the kubelet plugin's service account may create, update and
// delete ResourceSlices of the node its token names and of driver netclaim.dev only, in any served
// version; another node, another driver, a slice without spec.nodeName, an update taking over another
// node's slice, a token without (or with two) node names are denied; other users (the controller collecting
// a gone node's slices, the kubelet) and other resources are not matched.
import { describe, it } from "vitest";
import {
  admissionPolicy,
  CONTROLLER_USER,
  expectOutcome,
  pluginOn,
  user,
} from "./support/admission-samples.ts";
import { evaluatePolicy } from "./support/vap-evaluator.ts";
import type { AdmissionRequest } from "./support/vap-evaluator.ts";

const POLICY = "netclaim-kubelet-plugin-resourceslices";

const slice = (spec: Record<string, unknown>) => ({
  apiVersion: "resource.k8s.io/v1",
  kind: "ResourceSlice",
  metadata: { name: "s" },
  spec: { pool: { name: "p", generation: 1, resourceSliceCount: 1 }, devices: [], ...spec },
});
const own = slice({ driver: "netclaim.dev", nodeName: "node-1" });

function sliceRequest(
  operation: AdmissionRequest["operation"],
  userInfo: AdmissionRequest["userInfo"],
  objects: { object?: Record<string, unknown>; oldObject?: Record<string, unknown> },
): AdmissionRequest {
  return {
    operation,
    resource: { group: "resource.k8s.io", version: "v1", resource: "resourceslices" },
    name: "s",
    userInfo,
    object: objects.object ?? null,
    oldObject: objects.oldObject ?? null,
  };
}

const SLICE_CASES = [
  {
    name: "own node, own driver: create",
    op: "CREATE",
    u: pluginOn("node-1"),
    o: { object: own },
    want: "allowed",
  },
  {
    name: "own: update",
    op: "UPDATE",
    u: pluginOn("node-1"),
    o: { object: own, oldObject: own },
    want: "allowed",
  },
  { name: "own: delete", op: "DELETE", u: pluginOn("node-1"), o: { oldObject: own }, want: "allowed" },
  {
    name: "a v1beta1 request",
    op: "CREATE",
    u: pluginOn("node-1"),
    o: { object: own },
    version: "v1beta1",
    want: "allowed",
  },
  {
    name: "another node",
    op: "CREATE",
    u: pluginOn("node-2"),
    o: { object: own },
    want: /on node node-2 may not write ResourceSlices of node node-1/,
  },
  {
    name: "another node: delete",
    op: "DELETE",
    u: pluginOn("node-2"),
    o: { oldObject: own },
    want: /ResourceSlices of node node-1/,
  },
  {
    name: "another driver",
    op: "CREATE",
    u: pluginOn("node-1"),
    o: { object: slice({ driver: "gpu.example.com", nodeName: "node-1" }) },
    want: /of driver gpu.example.com/,
  },
  {
    name: "no spec.nodeName",
    op: "CREATE",
    u: pluginOn("node-1"),
    o: { object: slice({ driver: "netclaim.dev", allNodes: true }) },
    want: /ResourceSlices without spec.nodeName/,
  },
  {
    name: "update taking over another node's slice",
    op: "UPDATE",
    u: pluginOn("node-1"),
    o: { object: own, oldObject: slice({ driver: "netclaim.dev", nodeName: "node-2" }) },
    want: /only update ResourceSlices of its own node/,
  },
  { name: "no node-name extra", op: "CREATE", u: pluginOn(), o: { object: own }, want: /carry no node name/ },
  {
    name: "two node names",
    op: "CREATE",
    u: pluginOn("node-1", "node-2"),
    o: { object: own },
    want: /carry no node name/,
  },
  {
    name: "the controller deleting a gone node's slice",
    op: "DELETE",
    u: user(CONTROLLER_USER, ["node-3"]),
    o: { oldObject: own },
    want: "not-matched",
  },
  {
    name: "the kubelet",
    op: "DELETE",
    u: user("system:node:node-2"),
    o: { oldObject: own },
    want: "not-matched",
  },
] as const;

describe(`ValidatingAdmissionPolicy ${POLICY}`, () => {
  it.each(SLICE_CASES)("$name: $want", ({ op, u, o, want, ...rest }) => {
    const request = sliceRequest(op, u, o);
    if ("version" in rest) request.resource.version = rest.version;
    expectOutcome(evaluatePolicy(admissionPolicy(POLICY), request), want);
  });

  it("does not match other resources", () => {
    const request = sliceRequest("CREATE", pluginOn("node-2"), { object: own });
    request.resource = { group: "resource.k8s.io", version: "v1", resource: "deviceclasses" };
    expectOutcome(evaluatePolicy(admissionPolicy(POLICY), request), "not-matched");
  });
});
