// Rendering v1 slices for v1beta2/v1beta1 servers and reading them back, and picking the version.
import { describe, expect, it } from "vitest";
import type { ResourceClient } from "../../../src/k8s/resource-client.ts";
import type { ResourceType } from "../../../src/k8s/resource-path.ts";
import type { ResourceSlice } from "../../../src/k8s/resource-slice-types.ts";
import { createResourceSliceApi, parseSlice, renderSlice } from "../../../src/k8s/resource-slice-versions.ts";
import type { KubeObject } from "../../../src/k8s/types.ts";

const slice: ResourceSlice = {
  apiVersion: "resource.k8s.io/v1",
  kind: "ResourceSlice",
  metadata: { name: "00000-netclaim.dev-n1-abcde", resourceVersion: "5" },
  spec: {
    driver: "netclaim.dev",
    nodeName: "n1",
    pool: { name: "n1", generation: 2, resourceSliceCount: 1 },
    devices: [
      {
        name: "vf-0",
        attributes: { "netclaim.dev/vfIndex": { int: 0 } },
        capacity: { bw: { value: "10Gi" } },
      },
      { name: "empty" },
    ],
  },
};

describe("renderSlice / parseSlice", () => {
  it("v1beta1 wraps every device field but the name in basic, an empty device too", () => {
    const rendered = renderSlice(slice, "v1beta1") as KubeObject & { spec: { devices: unknown[] } };
    expect(rendered.apiVersion).toBe("resource.k8s.io/v1beta1");
    expect(rendered.spec.devices).toEqual([
      {
        name: "vf-0",
        basic: { attributes: { "netclaim.dev/vfIndex": { int: 0 } }, capacity: { bw: { value: "10Gi" } } },
      },
      { name: "empty", basic: {} },
    ]);
    expect(rendered.metadata).toEqual(slice.metadata);
  });

  it.each(["v1", "v1beta2"] as const)("%s keeps the flat shape", (version) => {
    const rendered = renderSlice(slice, version);
    expect(rendered).toEqual({ ...slice, apiVersion: `resource.k8s.io/${version}` });
  });

  it.each(["v1", "v1beta2", "v1beta1"] as const)("%s round-trips to the v1 slice", (version) => {
    expect(parseSlice(renderSlice(slice, version), version)).toEqual(slice);
  });
});

function source(served: string[]) {
  const asked: ResourceType[] = [];
  const client = { list: () => Promise.resolve({ items: [] }) } as unknown as ResourceClient<KubeObject>;
  return {
    asked,
    pickServedVersion: (_group: string, candidates: readonly string[]) =>
      Promise.resolve(candidates.find((c) => served.includes(c))),
    resource: <T extends KubeObject>(type: ResourceType): ResourceClient<T> => {
      asked.push(type);
      return client as unknown as ResourceClient<T>;
    },
  };
}

describe("createResourceSliceApi", () => {
  it.each([
    { served: ["v1", "v1beta2", "v1beta1"], want: "v1" },
    { served: ["v1beta1", "v1beta2"], want: "v1beta2" },
    { served: ["v1beta1"], want: "v1beta1" },
    { served: ["v1alpha3", "v1beta1"], want: "v1beta1" },
  ])("serves $served → uses $want", async ({ served, want }) => {
    const src = source(served);
    const api = await createResourceSliceApi(src);
    expect(api.version).toBe(want);
    expect(src.asked).toEqual([
      expect.objectContaining({ group: "resource.k8s.io", version: want, resource: "resourceslices" }),
    ]);
  });

  it("fails, naming the versions, when none is served", async () => {
    await expect(createResourceSliceApi(source(["v1alpha3"]))).rejects.toThrow(
      /none of resource.k8s.io\/v1, .*v1beta1/,
    );
  });
});
