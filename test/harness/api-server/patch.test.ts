import { describe, expect, it } from "vitest";
import { builtinResources } from "./builtin-resources.ts";
import { defFromResourceType } from "./crd.ts";
import { jsonPatch, mergePatch, patchKindOf } from "./patch.ts";
import { ApiError } from "./status-errors.ts";
import { strategicMerge } from "./strategic-merge.ts";
import type { KubeObject, ResourceDef } from "./types.ts";

const defs = builtinResources(["v1"]);
const podDef = defs.find((d) => d.plural === "pods") as ResourceDef;
const claimDef = defs.find((d) => d.plural === "resourceclaims") as ResourceDef;
const crDef = defFromResourceType({
  group: "netclaim.dev",
  version: "v1alpha1",
  kind: "IPPool",
  plural: "ippools",
  namespaced: false,
});

function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected a Status error");
}

describe("merge patch (RFC 7386)", () => {
  const cases = [
    {
      name: "adds and replaces",
      target: { a: 1, b: { c: 2 } },
      patch: { a: 3, b: { d: 4 } },
      want: { a: 3, b: { c: 2, d: 4 } },
    },
    {
      name: "null removes",
      target: { a: 1, b: { c: 2, d: 3 } },
      patch: { b: { c: null } },
      want: { a: 1, b: { d: 3 } },
    },
    { name: "lists replace", target: { l: [1, 2, 3] }, patch: { l: [4] }, want: { l: [4] } },
    { name: "object over scalar", target: { a: "x" }, patch: { a: { b: 1 } }, want: { a: { b: 1 } } },
  ];
  it.each(cases)("$name", ({ target, patch, want }) => {
    expect(mergePatch(target, patch)).toEqual(want);
  });
});

describe("JSON patch (RFC 6902)", () => {
  const target: KubeObject = { metadata: { name: "p", labels: { a: "1" } }, spec: { list: ["x"] } };
  const cases = [
    { name: "add", ops: [{ op: "add", path: "/metadata/labels/b", value: "2" }], want: { a: "1", b: "2" } },
    { name: "remove", ops: [{ op: "remove", path: "/metadata/labels/a" }], want: {} },
    {
      name: "test then replace",
      ops: [
        { op: "test", path: "/metadata/labels/a", value: "1" },
        { op: "replace", path: "/metadata/labels/a", value: "9" },
      ],
      want: { a: "9" },
    },
  ];
  it.each(cases)("$name", ({ ops, want }) => {
    expect(jsonPatch(target, JSON.stringify(ops)).metadata?.labels).toEqual(want);
  });

  const failures = [
    {
      name: "failing test",
      ops: [{ op: "test", path: "/metadata/labels/a", value: "2" }],
      code: 422,
      message: "testing value /metadata/labels/a failed: test failed",
    },
    { name: "missing path", ops: [{ op: "replace", path: "/spec/nothing/x", value: 1 }], code: 422 },
    { name: "not a list", ops: { op: "add" }, code: 400 },
  ];
  it.each(failures)("$name → $code", ({ ops, code, message }) => {
    const error = thrown(() => jsonPatch(target, JSON.stringify(ops)));
    expect(error.status.code).toBe(code);
    if (message !== undefined) expect(error.status.message).toBe(message);
  });

  it("leaves the target untouched when an operation fails", () => {
    const before = structuredClone(target);
    thrown(() =>
      jsonPatch(
        target,
        JSON.stringify([
          { op: "add", path: "/metadata/labels/z", value: "1" },
          { op: "test", path: "/x", value: 1 },
        ]),
      ),
    );
    expect(target).toEqual(before);
  });
});

describe("strategic merge patch", () => {
  const cases = [
    {
      name: "finalizers merge as a set",
      target: { metadata: { finalizers: ["a", "b"] } },
      patch: { metadata: { finalizers: ["b", "c"] } },
      want: { metadata: { finalizers: ["a", "b", "c"] } },
    },
    {
      name: "$deleteFromPrimitiveList removes finalizers",
      target: { metadata: { finalizers: ["a", "b"] } },
      patch: {
        metadata: { "$deleteFromPrimitiveList/finalizers": ["a"], "$setElementOrder/finalizers": ["b"] },
      },
      want: { metadata: { finalizers: ["b"] } },
    },
    {
      name: "labels and annotations merge, null deletes",
      target: { metadata: { labels: { a: "1", b: "2" }, annotations: { x: "y" } } },
      patch: { metadata: { labels: { a: null, c: "3" }, annotations: { z: "w" } } },
      want: { metadata: { labels: { b: "2", c: "3" }, annotations: { x: "y", z: "w" } } },
    },
    {
      name: "pod conditions merge by type",
      target: {
        status: {
          conditions: [
            { type: "Ready", status: "False" },
            { type: "PodScheduled", status: "True" },
          ],
        },
      },
      patch: {
        status: {
          conditions: [
            { type: "Ready", status: "True" },
            { type: "Initialized", status: "True" },
          ],
        },
      },
      want: {
        status: {
          conditions: [
            { type: "Ready", status: "True" },
            { type: "PodScheduled", status: "True" },
            { type: "Initialized", status: "True" },
          ],
        },
      },
    },
    {
      name: "$patch: delete removes a keyed item",
      target: {
        spec: {
          containers: [
            { name: "a", image: "x" },
            { name: "b", image: "y" },
          ],
        },
      },
      patch: { spec: { containers: [{ name: "a", $patch: "delete" }] } },
      want: { spec: { containers: [{ name: "b", image: "y" }] } },
    },
    {
      name: "lists without a strategy are replaced",
      target: { spec: { tolerations: [{ key: "a" }] } },
      patch: { spec: { tolerations: [{ key: "b" }] } },
      want: { spec: { tolerations: [{ key: "b" }] } },
    },
    {
      name: "$patch: replace on a map",
      target: { metadata: { labels: { a: "1" } } },
      patch: { metadata: { labels: { $patch: "replace", b: "2" } } },
      want: { metadata: { labels: { b: "2" } } },
    },
  ];
  it.each(cases)("$name", ({ target, patch, want }) => {
    expect(strategicMerge(target, patch, [], podDef.listRules)).toEqual(want);
  });

  it("merges claim status device conditions by type", () => {
    const target = {
      status: {
        devices: [{ driver: "d", pool: "p", device: "x", conditions: [{ type: "Ready", status: "False" }] }],
      },
    };
    const patch = {
      status: {
        devices: [{ driver: "d", pool: "p", device: "x", conditions: [{ type: "Ready", status: "True" }] }],
      },
    };
    // status.devices has no patchMergeKey (listType=map only), so the list is replaced as a whole.
    expect(strategicMerge(target, patch, [], claimDef.listRules)).toEqual(patch);
  });
});

describe("patch content types", () => {
  const cases = [
    { contentType: "application/merge-patch+json", def: podDef, want: "merge" },
    { contentType: "application/json-patch+json; charset=utf-8", def: podDef, want: "json" },
    { contentType: "application/strategic-merge-patch+json", def: podDef, want: "strategic" },
    { contentType: "application/apply-patch+yaml", def: crDef, want: "apply" },
  ];
  it.each(cases)("$contentType → $want", ({ contentType, def, want }) => {
    expect(patchKindOf(contentType, def)).toBe(want);
  });

  it("refuses strategic merge for custom resources with 415 and the accepted list", () => {
    const error = thrown(() => patchKindOf("application/strategic-merge-patch+json", crDef));
    expect(error.status.code).toBe(415);
    expect(error.status.message).toBe(
      "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
    );
  });
});
