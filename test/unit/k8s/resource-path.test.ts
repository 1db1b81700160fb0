import { describe, expect, it } from "vitest";
import {
  apiVersionOf,
  atVersion,
  objectKey,
  queryString,
  RESOURCE_TYPES,
  resourcePath,
} from "../../../src/k8s/resource-path.ts";

describe("resourcePath", () => {
  it.each([
    { name: "core collection across namespaces", type: RESOURCE_TYPES.pods, at: {}, want: "/api/v1/pods" },
    {
      name: "core collection in a namespace",
      type: RESOURCE_TYPES.pods,
      at: { namespace: "kube-system" },
      want: "/api/v1/namespaces/kube-system/pods",
    },
    {
      name: "core object",
      type: RESOURCE_TYPES.pods,
      at: { namespace: "a", name: "p" },
      want: "/api/v1/namespaces/a/pods/p",
    },
    {
      name: "cluster-scoped core object",
      type: RESOURCE_TYPES.nodes,
      at: { name: "n1" },
      want: "/api/v1/nodes/n1",
    },
    {
      name: "group object",
      type: RESOURCE_TYPES.leases,
      at: { namespace: "x", name: "l" },
      want: "/apis/coordination.k8s.io/v1/namespaces/x/leases/l",
    },
    {
      name: "status subresource",
      type: RESOURCE_TYPES.resourceClaims,
      at: { namespace: "x", name: "c", subresource: "status" },
      want: "/apis/resource.k8s.io/v1/namespaces/x/resourceclaims/c/status",
    },
    {
      name: "an older version of the group",
      type: atVersion(RESOURCE_TYPES.resourceSlices, "v1beta1"),
      at: {},
      want: "/apis/resource.k8s.io/v1beta1/resourceslices",
    },
    {
      name: "CRD with a dash",
      type: RESOURCE_TYPES.networkAttachmentDefinitions,
      at: { namespace: "n" },
      want: "/apis/k8s.cni.cncf.io/v1/namespaces/n/network-attachment-definitions",
    },
    { name: "escapes names", type: RESOURCE_TYPES.nodes, at: { name: "a/b" }, want: "/api/v1/nodes/a%2Fb" },
  ])("$name", ({ type, at, want }) => {
    expect(resourcePath(type, at)).toBe(want);
  });

  it.each([
    {
      name: "namespace on a cluster-scoped type",
      type: RESOURCE_TYPES.nodes,
      at: { namespace: "x" },
      want: /cluster-scoped/,
    },
    {
      name: "subresource without a name",
      type: RESOURCE_TYPES.pods,
      at: { subresource: "status" },
      want: /needs an object name/,
    },
  ])("refuses $name", ({ type, at, want }) => {
    expect(() => resourcePath(type, at)).toThrow(want);
  });
});

describe("queryString, apiVersionOf, objectKey", () => {
  it.each([
    { params: {}, want: "" },
    { params: { a: undefined, b: "" }, want: "" },
    {
      params: { watch: "true", limit: 5, allowWatchBookmarks: true },
      want: "?watch=true&limit=5&allowWatchBookmarks=true",
    },
    { params: { labelSelector: "app in (a,b)" }, want: "?labelSelector=app+in+%28a%2Cb%29" },
  ])("queryString($params) = $want", ({ params, want }) => {
    expect(queryString(params)).toBe(want);
  });

  it.each([
    { type: RESOURCE_TYPES.pods, want: "v1" },
    { type: RESOURCE_TYPES.resourceClaims, want: "resource.k8s.io/v1" },
  ])("apiVersionOf $type.resource = $want", ({ type, want }) => {
    expect(apiVersionOf(type)).toBe(want);
  });

  it.each([
    { meta: { namespace: "a", name: "b" }, want: "a/b" },
    { meta: { name: "n1" }, want: "n1" },
    { meta: { namespace: "", name: "n1" }, want: "n1" },
  ])("objectKey($meta) = $want", ({ meta, want }) => {
    expect(objectKey(meta)).toBe(want);
  });
});
