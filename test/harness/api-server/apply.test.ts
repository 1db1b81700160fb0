import { describe, expect, it } from "vitest";
import { serverSideApply } from "./apply.ts";
import { builtinResources } from "./builtin-resources.ts";
import { fieldSetOf, formatPath, fromFieldsV1, toFieldsV1 } from "./field-set.ts";
import { recordUpdate } from "./managed-fields.ts";
import { ApiError } from "./status-errors.ts";
import type { KubeObject, ResourceDef } from "./types.ts";

const claimDef = builtinResources(["v1"]).find((d) => d.plural === "resourceclaims") as ResourceDef;
const rules = claimDef.listRules;
const NOW = "2025-01-01T00:00:00Z";

function device(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { driver: "netclaim.dev", pool: "node-a", device: name, ...extra };
}

function claim(devices?: Array<Record<string, unknown>>): KubeObject {
  const obj: KubeObject = {
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceClaim",
    metadata: { name: "c", namespace: "ns" },
  };
  if (devices !== undefined) obj["status"] = { devices };
  return obj;
}

function apply(
  live: KubeObject | undefined,
  devices: Array<Record<string, unknown>>,
  manager: string,
  force = false,
): KubeObject {
  return serverSideApply({
    live,
    applied: claim(devices),
    manager,
    force,
    apiVersion: "resource.k8s.io/v1",
    subresource: "status",
    rules,
    now: NOW,
  });
}

function devicesOf(obj: KubeObject): unknown {
  return (obj["status"] as { devices?: unknown } | undefined)?.devices;
}

function conflictOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected a conflict");
}

describe("field sets", () => {
  it("keys status.devices items by driver, device, pool (and shareID)", () => {
    const set = fieldSetOf(claim([device("eth1", { data: { a: 1 } })]), rules);
    const key = 'k:{"device":"eth1","driver":"netclaim.dev","pool":"node-a"}';
    expect(toFieldsV1(set)).toEqual({
      "f:status": {
        "f:devices": {
          [key]: { ".": {}, "f:data": { "f:a": {} }, "f:device": {}, "f:driver": {}, "f:pool": {} },
        },
      },
    });
    expect(fromFieldsV1(toFieldsV1(set))).toEqual(set);
  });

  it("formats paths as conflict messages print them", () => {
    expect(formatPath(["f:status", "f:devices", 'k:{"device":"d","driver":"x","pool":"p"}', "f:data"])).toBe(
      '.status.devices[device="d",driver="x",pool="p"].data',
    );
  });
});

describe("server-side apply of status.devices", () => {
  const kubelet = "netclaim-kubelet-plugin";
  const other = "other-driver";

  it("records the applier's entries in managedFields", () => {
    const out = apply(claim(), [device("eth1", { data: { v: 1 } })], kubelet);
    expect(out.metadata?.managedFields).toEqual([
      expect.objectContaining({
        manager: kubelet,
        operation: "Apply",
        subresource: "status",
        apiVersion: "resource.k8s.io/v1",
        time: NOW,
      }),
    ]);
  });

  const cases = [
    {
      name: "a second manager's entries are added, not replacing the first's",
      steps: [
        { manager: kubelet, devices: [device("eth1")] },
        { manager: other, devices: [device("eth2")] },
      ],
      want: [device("eth1"), device("eth2")],
    },
    {
      name: "a manager dropping its entry removes only that entry",
      steps: [
        { manager: kubelet, devices: [device("eth1"), device("eth3")] },
        { manager: other, devices: [device("eth2")] },
        { manager: kubelet, devices: [device("eth3")] },
      ],
      want: [device("eth2"), device("eth3")],
    },
    {
      name: "the same value applied by two managers is shared, not a conflict",
      steps: [
        { manager: kubelet, devices: [device("eth1", { data: { v: 1 } })] },
        { manager: other, devices: [device("eth1", { data: { v: 1 } })] },
        { manager: kubelet, devices: [] },
      ],
      want: [device("eth1", { data: { v: 1 } })],
    },
    {
      name: "fields of another manager inside the same entry survive",
      steps: [
        { manager: kubelet, devices: [device("eth1", { networkData: { interfaceName: "net1" } })] },
        { manager: other, devices: [device("eth1", { data: { v: 1 } })] },
        { manager: kubelet, devices: [] },
      ],
      want: [device("eth1", { data: { v: 1 } })],
    },
  ];
  it.each(cases)("$name", ({ steps, want }) => {
    let live: KubeObject = claim();
    for (const step of steps) live = apply(live, step.devices, step.manager);
    const byName = (a: unknown, b: unknown): number =>
      String((a as { device: string }).device).localeCompare(String((b as { device: string }).device));
    expect([...(devicesOf(live) as unknown[])].sort(byName)).toEqual(want);
  });

  it("changing another manager's field is a 409 naming the manager and path", () => {
    const live = apply(claim(), [device("eth1", { data: { v: 1 } })], kubelet);
    const error = conflictOf(() => apply(live, [device("eth1", { data: { v: 2 } })], other));
    expect(error.status).toMatchObject({
      code: 409,
      reason: "Conflict",
      message: `Apply failed with 1 conflict: conflict with "${kubelet}" with subresource "status": .status.devices[device="eth1",driver="netclaim.dev",pool="node-a"].data.v`,
    });
    expect(error.status.details?.causes?.[0]).toMatchObject({ type: "FieldManagerConflict" });
  });

  it("force takes the field over", () => {
    const live = apply(claim(), [device("eth1", { data: { v: 1 } })], kubelet);
    const forced = apply(live, [device("eth1", { data: { v: 2 } })], other, true);
    expect(devicesOf(forced)).toEqual([device("eth1", { data: { v: 2 } })]);
    const owners = (forced.metadata?.managedFields ?? []).map((e) => e.manager);
    expect(owners).toEqual([kubelet, other]);
    // The first manager still owns the entry's keys but no longer the value it lost.
    const kubeletFields = JSON.stringify(forced.metadata?.managedFields?.[0]?.fieldsV1);
    expect(kubeletFields).not.toContain('"f:v"');
  });

  it("conflicts with an Update manager name its API version", () => {
    const prev = claim([device("eth1", { data: { v: 1 } })]);
    const next = structuredClone(prev);
    recordUpdate({
      prev: claim(),
      next,
      manager: "kube-scheduler",
      apiVersion: "resource.k8s.io/v1",
      subresource: "status",
      rules,
      now: NOW,
    });
    const error = conflictOf(() => apply(next, [device("eth1", { data: { v: 2 } })], kubelet));
    expect(error.status.message).toContain(
      'conflict with "kube-scheduler" with subresource "status" using resource.k8s.io/v1',
    );
  });
});
