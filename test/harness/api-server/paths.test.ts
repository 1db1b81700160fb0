import { describe, expect, it } from "vitest";
import { auditVerb, parsePath } from "./paths.ts";
import type { ParsedPath } from "./paths.ts";

describe("parsePath", () => {
  const cases: Array<{ name: string; path: string; want: ParsedPath }> = [
    {
      name: "version",
      path: "/version",
      want: { type: "discovery", doc: "version", group: "", version: "" },
    },
    {
      name: "core versions",
      path: "/api",
      want: { type: "discovery", doc: "core-versions", group: "", version: "" },
    },
    {
      name: "core resources",
      path: "/api/v1",
      want: { type: "discovery", doc: "core-resources", group: "", version: "v1" },
    },
    {
      name: "group list",
      path: "/apis",
      want: { type: "discovery", doc: "group-list", group: "", version: "" },
    },
    {
      name: "group",
      path: "/apis/resource.k8s.io",
      want: { type: "discovery", doc: "group", group: "resource.k8s.io", version: "" },
    },
    {
      name: "group version",
      path: "/apis/resource.k8s.io/v1",
      want: { type: "discovery", doc: "group-resources", group: "resource.k8s.io", version: "v1" },
    },
    {
      name: "namespaced collection",
      path: "/api/v1/namespaces/default/pods",
      want: { type: "resource", group: "", version: "v1", resource: "pods", namespace: "default" },
    },
    {
      name: "namespaced object subresource",
      path: "/apis/resource.k8s.io/v1/namespaces/ns1/resourceclaims/c1/status",
      want: {
        type: "resource",
        group: "resource.k8s.io",
        version: "v1",
        resource: "resourceclaims",
        namespace: "ns1",
        name: "c1",
        subresource: "status",
      },
    },
    {
      name: "all namespaces collection",
      path: "/api/v1/pods",
      want: { type: "resource", group: "", version: "v1", resource: "pods" },
    },
    {
      name: "namespaces collection",
      path: "/api/v1/namespaces",
      want: { type: "resource", group: "", version: "v1", resource: "namespaces" },
    },
    {
      name: "a namespace",
      path: "/api/v1/namespaces/ns1",
      want: { type: "resource", group: "", version: "v1", resource: "namespaces", name: "ns1" },
    },
    {
      name: "namespace status is a namespace subresource",
      path: "/api/v1/namespaces/ns1/status",
      want: {
        type: "resource",
        group: "",
        version: "v1",
        resource: "namespaces",
        name: "ns1",
        subresource: "status",
      },
    },
    {
      name: "cluster-scoped object",
      path: "/apis/resource.k8s.io/v1/resourceslices/node-a-x",
      want: {
        type: "resource",
        group: "resource.k8s.io",
        version: "v1",
        resource: "resourceslices",
        name: "node-a-x",
      },
    },
    {
      name: "percent-encoded name",
      path: "/api/v1/namespaces/a/configmaps/x%2Ey",
      want: {
        type: "resource",
        group: "",
        version: "v1",
        resource: "configmaps",
        namespace: "a",
        name: "x.y",
      },
    },
    { name: "health", path: "/healthz", want: { type: "health" } },
    { name: "too deep", path: "/api/v1/namespaces/a/pods/p/status/extra", want: { type: "unknown" } },
    { name: "outside the API", path: "/metrics", want: { type: "unknown" } },
  ];
  it.each(cases)("$name", ({ path, want }) => {
    expect(parsePath(path)).toEqual(want);
  });
});

describe("auditVerb", () => {
  const cases = [
    { method: "GET", named: true, watch: false, want: "get" },
    { method: "GET", named: false, watch: false, want: "list" },
    { method: "GET", named: false, watch: true, want: "watch" },
    { method: "GET", named: true, watch: true, want: "watch" },
    { method: "POST", named: false, watch: false, want: "create" },
    { method: "PUT", named: true, watch: false, want: "update" },
    { method: "PATCH", named: true, watch: false, want: "patch" },
    { method: "DELETE", named: true, watch: false, want: "delete" },
    { method: "DELETE", named: false, watch: false, want: "deletecollection" },
  ];
  it.each(cases)("$method named=$named watch=$watch → $want", ({ method, named, watch, want }) => {
    expect(auditVerb(method, named, watch)).toBe(want);
  });
});
