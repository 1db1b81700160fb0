// From recorded requests to RBAC questions (support/recorded-calls.ts): a request belongs to the netclaim
// component its user agent names (this version only; the scenarios' own "test-setup" client and foreign
// agents are left out, an unknown netclaim component is an error); discovery paths become non-resource
// gets; and each claim status write gets the resourceclaims/driver check of Kubernetes 1.36+
// (associated-node for the node daemon, arbitrary-node for the controller), nothing else does.
import { describe, expect, it } from "vitest";
import { NETCLAIM_VERSION } from "../../../src/k8s/client.ts";
import type { RecordedRequest } from "../../harness/api-server/index.ts";
import { callsOf, componentOf, derivedStatusChecks } from "./support/recorded-calls.ts";

function recorded(userAgent: string, fields: Partial<RecordedRequest> = {}): RecordedRequest {
  return {
    verb: "get",
    method: "GET",
    apiGroup: "resource.k8s.io",
    apiVersion: "v1",
    resource: "resourceclaims",
    path: "/apis/resource.k8s.io/v1/namespaces/ns1/resourceclaims/c",
    namespace: "ns1",
    name: "c",
    query: {},
    status: 200,
    userAgent,
    bearerToken: true,
    ...fields,
  };
}
const agent = (component: string) => `netclaim/${NETCLAIM_VERSION} (${component})`;

describe("componentOf", () => {
  it.each([
    { ua: agent("controller"), want: "controller" },
    { ua: agent("kubelet-plugin"), want: "kubelet-plugin" },
    { ua: "netclaim/0.0.9 (controller)", want: undefined },
    { ua: "stand-in-test/1.0", want: undefined },
    { ua: "", want: undefined },
  ])("$ua: $want", ({ ua, want }) => {
    expect(componentOf(ua)).toBe(want);
  });
});

describe("callsOf", () => {
  it("keeps the components' requests with their service accounts, discovery as a non-resource get", () => {
    const calls = callsOf(
      [
        recorded(agent("cni")),
        recorded(agent("test-setup")),
        recorded("stand-in-test/1.0"),
        recorded(agent("controller"), { resource: "", path: "/apis/netclaim.dev/v1alpha1" }),
      ],
      "s",
    );
    expect(calls.map((c) => ({ component: c.component, sa: c.serviceAccount.name, attrs: c.attrs }))).toEqual(
      [
        {
          component: "cni",
          sa: "netclaim-kubelet-plugin",
          attrs: {
            kind: "resource",
            verb: "get",
            apiGroup: "resource.k8s.io",
            resource: "resourceclaims",
            namespace: "ns1",
            name: "c",
          },
        },
        {
          component: "controller",
          sa: "netclaim-controller",
          attrs: { kind: "non-resource", verb: "get", path: "/apis/netclaim.dev/v1alpha1" },
        },
      ],
    );
  });

  it("refuses a netclaim component without a service account", () => {
    expect(() => callsOf([recorded(agent("explain"))], "s")).toThrow(/"explain" has no service account/);
  });
});

describe("derivedStatusChecks", () => {
  const status = { verb: "patch", method: "PATCH", subresource: "status" };
  it.each([
    {
      name: "the node daemon's status patch",
      component: "kubelet-plugin",
      req: status,
      want: "associated-node:patch",
    },
    { name: "the CNI plugin's status patch", component: "cni", req: status, want: "associated-node:patch" },
    {
      name: "the controller's status patch",
      component: "controller",
      req: status,
      want: "arbitrary-node:patch",
    },
    {
      name: "a status update",
      component: "controller",
      req: { ...status, verb: "update" },
      want: "arbitrary-node:update",
    },
    { name: "a patch of the claim itself", component: "controller", req: { verb: "patch" }, want: undefined },
    { name: "a read", component: "kubelet-plugin", req: {}, want: undefined },
  ])("$name: $want", ({ component, req, want }) => {
    const derived = derivedStatusChecks(callsOf([recorded(agent(component), req)], "s"));
    if (want === undefined) {
      expect(derived).toEqual([]);
      return;
    }
    expect(derived.map((c) => c.attrs)).toEqual([
      {
        kind: "resource",
        verb: want,
        apiGroup: "resource.k8s.io",
        resource: "resourceclaims",
        subresource: "driver",
        namespace: "ns1",
        name: "netclaim.dev",
      },
    ]);
  });
});
