import { describe, expect, it } from "vitest";
import { builtinResources } from "./builtin-resources.ts";
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from "./selectors.ts";
import { ApiError } from "./status-errors.ts";
import type { ResourceDef } from "./types.ts";

const defs = builtinResources(["v1"]);
function def(group: string, plural: string): ResourceDef {
  const found = defs.find((d) => d.group === group && d.plural === plural);
  if (found === undefined) throw new Error(`no ${plural}`);
  return found;
}

describe("label selectors", () => {
  const labels = { app: "web", tier: "front", "netclaim.dev/pool": "a", n: "5" };
  const cases = [
    { selector: "", want: true },
    { selector: "app=web", want: true },
    { selector: "app==web", want: true },
    { selector: "app=db", want: false },
    { selector: "app!=db", want: true },
    { selector: "missing!=x", want: true },
    { selector: "app in (db, web)", want: true },
    { selector: "app in (db)", want: false },
    { selector: "app notin (db)", want: true },
    { selector: "missing notin (db)", want: true },
    { selector: "app notin (web,db)", want: false },
    { selector: "tier", want: true },
    { selector: "missing", want: false },
    { selector: "!missing", want: true },
    { selector: "!app", want: false },
    { selector: "netclaim.dev/pool=a,app=web", want: true },
    { selector: "app=web,tier=back", want: false },
    { selector: "n>4", want: true },
    { selector: "n<5", want: false },
  ];
  it.each(cases)("$selector → $want", ({ selector, want }) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(want);
  });

  const invalid = ["=web", "app in db", "a b", "Bad Key=x", "app=web,", "app=a=b"];
  it.each(invalid)("%s is a 400 Status", (selector) => {
    const error = (() => {
      try {
        parseLabelSelector(selector);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status.code).toBe(400);
  });

  it("an empty value is valid and matches an empty label", () => {
    expect(matchesLabels(parseLabelSelector("app="), { app: "" })).toBe(true);
    expect(matchesLabels(parseLabelSelector("app="), { app: "web" })).toBe(false);
  });
});

describe("field selectors", () => {
  const pod = {
    metadata: { name: "p1", namespace: "ns1" },
    spec: { nodeName: "node-a", hostNetwork: true },
    status: { phase: "Running" },
  };
  const slice = { metadata: { name: "s1" }, spec: { nodeName: "node-a", driver: "netclaim.dev" } };
  const cases = [
    { name: "pod by node", def: def("", "pods"), selector: "spec.nodeName=node-a", obj: pod, want: true },
    { name: "pod by phase", def: def("", "pods"), selector: "status.phase!=Running", obj: pod, want: false },
    { name: "pod by bool", def: def("", "pods"), selector: "spec.hostNetwork=true", obj: pod, want: true },
    {
      name: "pod by name and namespace",
      def: def("", "pods"),
      selector: "metadata.name=p1,metadata.namespace==ns1",
      obj: pod,
      want: true,
    },
    {
      name: "missing field is empty",
      def: def("", "pods"),
      selector: "spec.schedulerName=",
      obj: pod,
      want: true,
    },
    {
      name: "slice by driver",
      def: def("resource.k8s.io", "resourceslices"),
      selector: "spec.driver=netclaim.dev",
      obj: slice,
      want: true,
    },
    {
      name: "slice by node",
      def: def("resource.k8s.io", "resourceslices"),
      selector: "spec.nodeName=node-b",
      obj: slice,
      want: false,
    },
  ];
  it.each(cases)("$name", ({ def: d, selector, obj, want }) => {
    expect(matchesFields(parseFieldSelector(selector, d, "v1"), obj)).toBe(want);
  });

  const unsupported = [
    {
      def: def("", "pods"),
      selector: "spec.containers=x",
      message: "field label not supported: spec.containers",
    },
    {
      def: def("resource.k8s.io", "resourceslices"),
      selector: "metadata.namespace=x",
      message: "field label not supported for resource.k8s.io/v1, Kind=ResourceSlice: metadata.namespace",
    },
    {
      def: def("coordination.k8s.io", "leases"),
      selector: "spec.holderIdentity=x",
      message:
        '"spec.holderIdentity" is not a known field selector: only "metadata.name", "metadata.namespace"',
    },
    {
      def: def("", "pods"),
      selector: "spec.nodeName",
      message: "invalid selector: 'spec.nodeName'; can't understand 'spec.nodeName'",
    },
  ];
  it.each(unsupported)("$selector is a 400 with the real message", ({ def: d, selector, message }) => {
    try {
      parseFieldSelector(selector, d, "v1");
      expect.unreachable();
    } catch (error) {
      expect((error as ApiError).status).toMatchObject({ code: 400, reason: "BadRequest", message });
    }
  });
});
