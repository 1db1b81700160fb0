// readSnapshot: what it asks the API for (the pod, the NADs the networks name, the claims, the classes,
// the node's slices page by page), what a NotFound means (left out; the pod's is an error naming it),
// and that other API errors fail the read naming the object.
import { describe, expect, it } from "vitest";
import { CodedError } from "../../../src/common/errors.ts";
import { ApiError } from "../../../src/k8s/api-error.ts";
import { classNamesOf, POD_NOT_FOUND, readSnapshot } from "../../../src/explain/reader.ts";
import { claim, nad, pod, settings, slice, snapshot } from "./builders.ts";
import { FakeExplainApi } from "./fake-api.ts";

const REF = { namespace: "default", name: "demo" };

describe("readSnapshot", () => {
  it("reads the pod's objects and nothing else", async () => {
    const world = snapshot({
      pod: pod({
        annotations: {
          "k8s.v1.cni.cncf.io/networks": "sf-net,infra/other",
          "v1.multus-cni.io/default-network": "calico",
        },
      }),
      nads: [nad("sf-net", { resourceName: "sf-pool-1" }), nad("unrelated", { resourceName: "x" })],
      slices: [
        slice([{ name: "vf-0" }], { node: "node-a" }),
        slice([{ name: "vf-0" }], { node: "node-b" }),
        slice([{ name: "x" }], { node: "node-a", driver: "other.example.com" }),
        slice([{ name: "y" }], { node: "node-a", driver: "third.example.com" }),
      ],
    });
    const api = new FakeExplainApi(world);
    const got = await readSnapshot(api.ports(), REF, settings());
    expect(api.callsOf("pods")).toEqual([
      { resource: "pods", verb: "get", namespace: "default", name: "demo" },
    ]);
    expect(api.callsOf("nads").map((c) => `${c.namespace}/${c.name}`)).toEqual([
      "kube-system/calico",
      "default/sf-net",
      "infra/other",
    ]);
    expect(api.callsOf("claims").map((c) => c.name)).toEqual(["demo-net"]);
    expect(api.callsOf("deviceClasses").map((c) => c.name)).toEqual(["sf-pool-1"]);
    expect(api.callsOf("slices").map((c) => [c.fieldSelector, c.continue])).toEqual([
      ["spec.nodeName=node-a", undefined],
      ["spec.nodeName=node-a", "2"],
    ]);
    expect(got.nads.map((n) => n.metadata?.name)).toEqual(["sf-net"]);
    expect(got.claims.map((c) => c.metadata?.name)).toEqual(["demo-net"]);
    expect(got.slices.map((s) => `${s.spec.driver} ${s.spec.nodeName}`)).toEqual([
      "netclaim.dev node-a",
      "other.example.com node-a",
      "third.example.com node-a",
    ]);
  });

  it("lists the driver's slices of every node for a pod not scheduled", async () => {
    const api = new FakeExplainApi(snapshot({ pod: pod({ node: "" }) }));
    await readSnapshot(api.ports(), REF, settings());
    expect(api.callsOf("slices").map((c) => c.fieldSelector)).toEqual(["spec.driver=netclaim.dev"]);
  });

  it("leaves out claims and classes that are not found", async () => {
    const api = new FakeExplainApi(snapshot({ claims: [], deviceClasses: [] }));
    const got = await readSnapshot(api.ports(), REF, settings());
    expect([got.claims, got.deviceClasses]).toEqual([[], []]);
    expect(api.callsOf("deviceClasses").map((c) => c.name)).toEqual(["sf-pool-1"]);
  });

  it("fails with POD_NOT_FOUND naming the pod", async () => {
    const api = new FakeExplainApi(snapshot());
    const failure = readSnapshot(api.ports(), { namespace: "default", name: "gone" }, settings());
    await expect(failure).rejects.toBeInstanceOf(CodedError);
    await expect(failure).rejects.toMatchObject({
      code: POD_NOT_FOUND,
      message: "pod default/gone not found",
    });
  });

  it.each([
    ["nads", "get network-attachment-definition default/sf-net"],
    ["claims", "get resourceclaim default/demo-net"],
    ["deviceClasses", "get deviceclass sf-pool-1"],
    ["slices", "list resourceslices spec.nodeName=node-a"],
  ] as const)("an API error reading %s names the object", async (resource, message) => {
    const api = new FakeExplainApi(snapshot());
    const cause = new ApiError({ status: 403, reason: "Forbidden", message: "no" });
    api.failures.set(resource, cause);
    await expect(readSnapshot(api.ports(), REF, settings())).rejects.toMatchObject({ message, cause });
  });
});

describe("classNamesOf", () => {
  it("takes request classes, subrequest classes and NAD resourceNames that can name a class", () => {
    const claims = [
      claim("a", {
        requests: [
          { name: "r", className: "c1" },
          {
            name: "s",
            firstAvailable: [
              { name: "x", className: "c2" },
              { name: "y", className: "c3" },
            ],
          },
        ],
      }),
    ];
    const nads = [
      nad("n1", { resourceName: "c4" }),
      nad("n2", { resourceName: "intel.com/sriov" }),
      nad("n3", { resourceName: "c1" }),
    ];
    expect(classNamesOf(claims, nads)).toEqual(["c1", "c2", "c3", "c4"]);
  });
});
