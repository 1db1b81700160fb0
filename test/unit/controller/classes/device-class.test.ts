// The DeviceClass netclaim keeps for a resourceName: the exact CEL selector text (qualified attribute
// name as domain map + identifier, guarded by `in` so a device without the attribute is no CEL error),
// the managed-by labels, and which corrections count as drift.
import { describe, expect, it } from "vitest";
import {
  correctedClass,
  desiredDeviceClass,
  isClassName,
  isManagedClass,
  selectorExpression,
} from "../../../../src/controller/classes/device-class.ts";
import type { DeviceClass } from "../../../../src/controller/classes/device-class.ts";

const EXPR_SF =
  'device.driver == "netclaim.dev" && "resourceName" in device.attributes["k8s.cni.cncf.io"] && ' +
  'device.attributes["k8s.cni.cncf.io"].resourceName == "sf-pool-1"';

describe("selectorExpression", () => {
  it.each([
    { name: "the seed scenario", driver: "netclaim.dev", r: "sf-pool-1", want: EXPR_SF },
    {
      name: "another driver name and a dotted resourceName",
      driver: "net.example.com",
      r: "vf.pool-2",
      want:
        'device.driver == "net.example.com" && "resourceName" in device.attributes["k8s.cni.cncf.io"] && ' +
        'device.attributes["k8s.cni.cncf.io"].resourceName == "vf.pool-2"',
    },
    {
      name: "quotes escaped as CEL string escapes",
      driver: "netclaim.dev",
      r: 'a"b\\c',
      want:
        'device.driver == "netclaim.dev" && "resourceName" in device.attributes["k8s.cni.cncf.io"] && ' +
        'device.attributes["k8s.cni.cncf.io"].resourceName == "a\\"b\\\\c"',
    },
  ])("$name", ({ driver, r, want }) => {
    expect(selectorExpression(driver, r)).toBe(want);
  });
});

describe("desiredDeviceClass", () => {
  it("is named after the resourceName, labelled as netclaim's, listing its networks", () => {
    expect(
      desiredDeviceClass({
        driverName: "netclaim.dev",
        resourceName: "sf-pool-1",
        networks: ["b/n2", "a/n1"],
      }),
    ).toEqual({
      apiVersion: "resource.k8s.io/v1",
      kind: "DeviceClass",
      metadata: {
        name: "sf-pool-1",
        labels: { "app.kubernetes.io/managed-by": "netclaim", "netclaim.dev/driver": "netclaim.dev" },
        annotations: { "netclaim.dev/networks": "a/n1,b/n2" },
      },
      spec: { selectors: [{ cel: { expression: EXPR_SF } }] },
    });
  });
});

describe("isManagedClass and isClassName", () => {
  it.each([
    {
      name: "ours",
      labels: { "app.kubernetes.io/managed-by": "netclaim", "netclaim.dev/driver": "netclaim.dev" },
      want: true,
    },
    {
      name: "another driver's netclaim",
      labels: { "app.kubernetes.io/managed-by": "netclaim", "netclaim.dev/driver": "x.dev" },
      want: false,
    },
    { name: "Helm's", labels: { "app.kubernetes.io/managed-by": "Helm" }, want: false },
    { name: "unlabelled", labels: undefined, want: false },
  ] as { name: string; labels: Record<string, string> | undefined; want: boolean }[])(
    "$name → $want",
    ({ labels, want }) => {
      const cls: DeviceClass = { metadata: { name: "c", ...(labels ? { labels } : {}) } };
      expect(isManagedClass(cls, "netclaim.dev")).toBe(want);
    },
  );

  it.each([
    { r: "sf-pool-1", want: true },
    { r: "pools.example.com", want: true },
    { r: "intel.com/sriov_netdevice", want: false },
    { r: "Upper", want: false },
  ])("$r can name a class: $want", ({ r, want }) => {
    expect(isClassName(r)).toBe(want);
  });
});

describe("correctedClass", () => {
  const desired = desiredDeviceClass({ driverName: "netclaim.dev", resourceName: "r", networks: ["ns/a"] });
  const stored: DeviceClass = {
    ...desired,
    metadata: { ...desired.metadata, resourceVersion: "7", uid: "u" },
  };

  it.each([
    { name: "in step", change: (c: DeviceClass) => c, drift: false },
    {
      name: "a user's extra label and config are not drift",
      change: (c: DeviceClass) => ({
        ...c,
        metadata: { ...c.metadata, labels: { ...c.metadata?.labels, team: "net" } },
        spec: { ...c.spec, config: [{ opaque: { driver: "netclaim.dev", parameters: {} } }] },
      }),
      drift: false,
    },
    {
      name: "an edited selector is",
      change: (c: DeviceClass) => ({ ...c, spec: { selectors: [{ cel: { expression: "true" } }] } }),
      drift: true,
    },
    {
      name: "a removed managed-by label is",
      change: (c: DeviceClass) => ({ ...c, metadata: { ...c.metadata, labels: {} } }),
      drift: true,
    },
    {
      name: "a stale networks annotation is",
      change: (c: DeviceClass) => ({ ...c, metadata: { ...c.metadata, annotations: {} } }),
      drift: true,
    },
  ])("$name", ({ change, drift }) => {
    const existing = change(structuredClone(stored));
    const corrected = correctedClass(existing, desired);
    expect(corrected !== undefined).toBe(drift);
    if (corrected === undefined) return;
    expect(corrected.metadata).toMatchObject({
      resourceVersion: "7",
      uid: "u",
      labels: desired.metadata?.labels,
    });
    expect(corrected.spec?.selectors).toEqual(desired.spec?.selectors);
    expect(correctedClass(corrected, desired)).toBeUndefined();
  });

  it("keeps a user's spec.config when correcting the selector", () => {
    const config = [{ opaque: { driver: "netclaim.dev", parameters: { mtu: 9000 } } }];
    const existing = { ...stored, spec: { selectors: [], config } };
    expect(correctedClass(existing, desired)?.spec).toEqual({ selectors: desired.spec?.selectors, config });
  });
});
