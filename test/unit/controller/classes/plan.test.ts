// The class controller's decisions as tables: (NADs, classes, slices) → class actions + warnings.
import { describe, expect, it } from "vitest";
import { desiredDeviceClass } from "../../../../src/controller/classes/device-class.ts";
import type { DeviceClass } from "../../../../src/controller/classes/device-class.ts";
import type { NetworkAttachmentDefinition } from "../../../../src/controller/classes/nad.ts";
import { decideResourceName, planDeviceClasses } from "../../../../src/controller/classes/plan.ts";
import type { ResourceSlice } from "../../../../src/k8s/resource-slice-types.ts";

const DRIVER = "netclaim.dev";

function nad(
  name: string,
  resourceName: string | undefined,
  opts: { manage?: boolean; deleting?: boolean; namespace?: string } = {},
): NetworkAttachmentDefinition {
  return {
    apiVersion: "k8s.cni.cncf.io/v1",
    kind: "NetworkAttachmentDefinition",
    metadata: {
      name,
      namespace: opts.namespace ?? "default",
      uid: `uid-${name}`,
      ...(resourceName === undefined
        ? {}
        : { annotations: { "k8s.v1.cni.cncf.io/resourceName": resourceName } }),
      ...(opts.manage ? { labels: { "netclaim.dev/manage-device-class": "true" } } : {}),
      ...(opts.deleting ? { deletionTimestamp: "2025-01-01T00:00:00Z" } : {}),
    },
  };
}

function ours(r: string, networks: string[], extra: Partial<DeviceClass["metadata"]> = {}): DeviceClass {
  const cls = desiredDeviceClass({ driverName: DRIVER, resourceName: r, networks });
  return { ...cls, metadata: { ...cls.metadata, uid: `class-${r}`, resourceVersion: "5", ...extra } };
}

const foreign = (r: string): DeviceClass => ({
  apiVersion: "resource.k8s.io/v1",
  kind: "DeviceClass",
  metadata: { name: r, uid: `foreign-${r}` },
  spec: { selectors: [{ cel: { expression: "true" } }] },
});

function slice(pool: string, generation: number, resourceNames: string[], driver = DRIVER): ResourceSlice {
  return {
    metadata: { name: `${pool}-${generation}-${resourceNames.join("-")}` },
    spec: {
      driver,
      nodeName: pool,
      pool: { name: pool, generation, resourceSliceCount: 1 },
      devices: resourceNames.map((r, i) => ({
        name: `dev-${i}`,
        attributes: { "k8s.cni.cncf.io/resourceName": { string: r } },
      })),
    },
  };
}

type Row = {
  name: string;
  nads: NetworkAttachmentDefinition[];
  existing?: DeviceClass;
  published?: boolean;
  action: string;
  warnings: string[];
};

describe("decideResourceName (R = sf-pool-1)", () => {
  const R = "sf-pool-1";
  it.each<Row>([
    {
      name: "a labelled NAD, no class yet: create",
      nads: [nad("a", R, { manage: true })],
      published: true,
      action: "create",
      warnings: [],
    },
    {
      name: "our class in step: nothing",
      nads: [nad("a", R, { manage: true })],
      existing: ours(R, ["default/a"]),
      published: true,
      action: "none",
      warnings: [],
    },
    {
      name: "our class drifted: update",
      nads: [nad("a", R, { manage: true }), nad("b", R, { manage: true })],
      existing: ours(R, ["default/a"]),
      published: true,
      action: "update",
      warnings: [],
    },
    {
      name: "no labelled NAD left: delete our class; the unlabelled NAD now lacks a class",
      nads: [nad("a", R)],
      existing: ours(R, ["default/a"]),
      published: true,
      action: "delete",
      warnings: ["a:NoDeviceClass"],
    },
    {
      name: "the only labelled NAD is being deleted: delete",
      nads: [nad("a", R, { manage: true, deleting: true })],
      existing: ours(R, ["default/a"]),
      published: true,
      action: "delete",
      warnings: [],
    },
    {
      name: "someone else's class R: untouched, said so",
      nads: [nad("a", R, { manage: true })],
      existing: foreign(R),
      published: true,
      action: "none",
      warnings: ["a:DeviceClassNotManaged"],
    },
    {
      name: "someone else's class R and no labelled NAD: untouched",
      nads: [],
      existing: foreign(R),
      published: true,
      action: "none",
      warnings: [],
    },
    {
      name: "unlabelled NAD, no class, no device: both warnings",
      nads: [nad("a", R)],
      published: false,
      action: "none",
      warnings: ["a:NoDeviceClass", "a:NoPublishedDevice"],
    },
    {
      name: "labelled NAD, class created, but no device published",
      nads: [nad("a", R, { manage: true })],
      published: false,
      action: "create",
      warnings: ["a:NoPublishedDevice"],
    },
    {
      name: "our class already being deleted while wanted: wait for it to go",
      nads: [nad("a", R, { manage: true })],
      existing: ours(R, ["default/a"], { deletionTimestamp: "2025-01-01T00:00:00Z" }),
      published: true,
      action: "none",
      warnings: ["a:NoDeviceClass"],
    },
  ])("$name", ({ nads, existing, published, action, warnings }) => {
    const decision = decideResourceName({
      resourceName: R,
      driverName: DRIVER,
      nads,
      existing,
      published: published ?? false,
    });
    expect(decision.action.type).toBe(action);
    expect(decision.warnings.map((w) => `${w.nad.metadata?.name}:${w.reason}`)).toEqual(warnings);
  });

  it("a created class selects R and lists every labelled NAD", () => {
    const decision = decideResourceName({
      resourceName: R,
      driverName: DRIVER,
      nads: [nad("b", R, { manage: true, namespace: "ns2" }), nad("a", R, { manage: true }), nad("c", R)],
      existing: undefined,
      published: true,
      apiVersion: "resource.k8s.io/v1beta2",
    });
    expect(decision.action).toEqual({
      type: "create",
      object: desiredDeviceClass({
        driverName: DRIVER,
        resourceName: R,
        networks: ["default/a", "ns2/b"],
        apiVersion: "resource.k8s.io/v1beta2",
      }),
    });
  });

  it("an update keeps the stored object's identity and a delete names the uid", () => {
    const existing = ours(R, ["default/old"]);
    const update = decideResourceName({
      resourceName: R,
      driverName: DRIVER,
      nads: [nad("a", R, { manage: true })],
      existing,
      published: true,
    }).action;
    expect(update).toMatchObject({
      type: "update",
      object: { metadata: { uid: `class-${R}`, resourceVersion: "5" } },
    });
    const del = decideResourceName({
      resourceName: R,
      driverName: DRIVER,
      nads: [],
      existing,
      published: true,
    });
    expect(del.action).toEqual({ type: "delete", name: R, uid: `class-${R}` });
  });
});

describe("decideResourceName with names no class can have", () => {
  it.each([
    { name: "labelled: warned", manage: true, warnings: ["a:InvalidResourceName"] },
    { name: "unlabelled (a device-plugin name): quiet", manage: false, warnings: [] },
  ])("$name", ({ manage, warnings }) => {
    const decision = decideResourceName({
      resourceName: "intel.com/sriov_netdevice",
      driverName: DRIVER,
      nads: [nad("a", "intel.com/sriov_netdevice", { manage })],
      existing: undefined,
      published: false,
    });
    expect(decision.action.type).toBe("none");
    expect(decision.warnings.map((w) => `${w.nad.metadata?.name}:${w.reason}`)).toEqual(warnings);
  });
});

describe("planDeviceClasses", () => {
  it("decides every resourceName of NADs and of our orphaned classes; devices from current generations only", () => {
    const plan = planDeviceClasses({
      driverName: DRIVER,
      nads: [
        nad("a", "sf-pool-1", { manage: true }),
        nad("b", "vf-pool", { manage: true }),
        nad("c", "other"),
        nad("d", undefined, { manage: true }),
      ],
      classes: [ours("sf-pool-1", ["default/a"]), ours("gone", ["default/x"]), foreign("unrelated")],
      slices: [
        slice("node-1", 1, ["vf-pool"]), // superseded by generation 2
        slice("node-1", 2, ["sf-pool-1"]),
        slice("node-2", 1, ["other"], "another.driver"),
      ],
    });
    const summary = Object.fromEntries(
      [...plan].map(([r, d]) => [r, [d.action.type, ...d.warnings.map((w) => w.reason)]]),
    );
    expect(summary).toEqual({
      gone: ["delete"],
      other: ["none", "NoDeviceClass", "NoPublishedDevice"],
      "sf-pool-1": ["none"],
      "vf-pool": ["create", "NoPublishedDevice"],
    });
  });
});
