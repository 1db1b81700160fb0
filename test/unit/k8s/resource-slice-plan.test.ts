// The pure split and sync plan: what gets created, updated and deleted, and which pool generation
// the slices carry, for the situations a node's publisher meets.
import { describe, expect, it } from "vitest";
import {
  indexLength,
  nodeOwnerReference,
  sliceGenerateName,
  sliceIndexOf,
} from "../../../src/k8s/resource-slice-names.ts";
import { desiredSlices, isNoopPlan, planSliceSync } from "../../../src/k8s/resource-slice-plan.ts";
import type { DesiredPool, PlanOptions, SlicePlan } from "../../../src/k8s/resource-slice-plan.ts";
import { sliceContentKey } from "../../../src/k8s/resource-slice-semantic.ts";
import type { Device, ResourceSlice } from "../../../src/k8s/resource-slice-types.ts";

const DRIVER = "netclaim.dev";
const NODE = "node-a";

function vf(i: number, extra: Partial<Device> = {}): Device {
  const name = `vf-${String(i).padStart(4, "0")}`;
  return {
    name,
    attributes: {
      "netclaim.dev/pciAddress": { string: `0000:3b:${(i >> 3).toString(16).padStart(2, "0")}.${i & 7}` },
      "netclaim.dev/vfIndex": { int: i },
      "k8s.cni.cncf.io/resourceName": { string: "sriov-a" },
    },
    capacity: { "netclaim.dev/bandwidth": { value: "10Gi" } },
    ...extra,
  };
}

function devices(n: number, from = 0): Device[] {
  return Array.from({ length: n }, (_, i) => vf(from + i));
}

function pool(
  list: Device[],
  extra: { poolName?: string; generation?: number; max?: number } = {},
): DesiredPool {
  return desiredSlices({
    driver: DRIVER,
    nodeName: NODE,
    devices: list,
    poolName: extra.poolName,
    generation: extra.generation,
    maxDevicesPerSlice: extra.max,
  });
}

/** What the API server does with a plan: names, uids, resourceVersions, deletes. */
function applyPlan(existing: ResourceSlice[], plan: SlicePlan, start = { n: 0 }): ResourceSlice[] {
  const gone = new Set(plan.delete.map((d) => d.name));
  const byName = new Map(
    existing.filter((s) => !gone.has(s.metadata?.name ?? "")).map((s) => [s.metadata?.name, s]),
  );
  for (const u of plan.update) {
    const rv = String(Number(u.metadata?.resourceVersion ?? 0) + 1000);
    byName.set(u.metadata?.name, structuredClone({ ...u, metadata: { ...u.metadata, resourceVersion: rv } }));
  }
  for (const c of plan.create) {
    start.n++;
    const name = `${c.metadata?.generateName}x${start.n}`;
    const metadata = { ...c.metadata, name, uid: `uid-${start.n}`, resourceVersion: String(start.n) };
    delete metadata.generateName;
    byName.set(name, structuredClone({ ...c, metadata }));
  }
  return [...byName.values()];
}

/** Plans from nothing and applies: the slices a fresh publish leaves in the server. */
function published(list: Device[], extra: Parameters<typeof pool>[1] = {}): ResourceSlice[] {
  return applyPlan([], planSliceSync(pool(list, extra), []));
}

function counts(plan: SlicePlan): { create: number; update: number; delete: number; generation: number } {
  return {
    create: plan.create.length,
    update: plan.update.length,
    delete: plan.delete.length,
    generation: plan.generation,
  };
}

function otherSlice(name: string, spec: Partial<ResourceSlice["spec"]>, gen = 1): ResourceSlice {
  return {
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceSlice",
    metadata: { name, uid: `uid-${name}`, resourceVersion: "7" },
    spec: {
      driver: DRIVER,
      nodeName: NODE,
      pool: { name: NODE, generation: gen, resourceSliceCount: 1 },
      devices: [vf(0)],
      ...spec,
    },
  };
}

describe("desiredSlices", () => {
  const cases: { name: string; input: Device[]; max?: number; want: number[] }[] = [
    { name: "300 devices → 3 slices", input: devices(300), want: [128, 128, 44] },
    { name: "exactly 128 → 1 slice", input: devices(128), want: [128] },
    { name: "129 → 2 slices", input: devices(129), want: [128, 1] },
    { name: "no devices → one empty slice", input: [], want: [0] },
    { name: "2,048 → 16 full slices", input: devices(2048), want: Array<number>(16).fill(128) },
    { name: "a smaller limit", input: devices(10), max: 4, want: [4, 4, 2] },
    { name: "a limit above the API's is capped", input: devices(200), max: 500, want: [128, 72] },
    {
      name: "a tainted device caps its slice at 64",
      input: [
        ...devices(100),
        vf(100, { taints: [{ key: "k", effect: "NoSchedule" }] }),
        ...devices(100, 101),
      ],
      want: [100, 64, 37],
    },
  ];
  it.each(cases)("$name", ({ input, max, want }) => {
    expect(pool(input, { max }).slices.map((s) => s.length)).toEqual(want);
  });

  it("sorts by name whatever the input order, so the split is deterministic", () => {
    const list = devices(300);
    const shuffled = [...list].reverse();
    expect(pool(shuffled).slices).toEqual(pool(list).slices);
    expect(pool(list).slices[1]?.[0]?.name).toBe("vf-0128");
  });

  it("leaves out devices the API would refuse, and duplicates, saying why", () => {
    const tooMany = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`a${i}`, { int: i }]));
    const got = pool([
      vf(1),
      vf(1),
      { name: "Bad_Name" },
      { name: "two-values", attributes: { x: { int: 1, bool: true } } },
      { name: "long-string", attributes: { x: { string: "y".repeat(65) } } },
      { name: "bad-version", attributes: { v: { version: "1.2" } } },
      { name: "bad-attr-name", attributes: { "not/a/name": { int: 1 } } },
      { name: "too-many", attributes: tooMany },
    ]);
    expect(got.slices).toEqual([[vf(1)]]);
    expect(Object.fromEntries(got.rejected.map((r) => [r.name, r.problems[0]]))).toEqual({
      Bad_Name: expect.stringContaining("not a DNS label") as string,
      "bad-attr-name": expect.stringContaining("not a qualified name") as string,
      "bad-version": expect.stringContaining("not a semantic version") as string,
      "long-string": expect.stringContaining("longer than 64") as string,
      "too-many": expect.stringContaining("exceed 32") as string,
      "two-values": expect.stringContaining("exactly one value field") as string,
      "vf-0001": "duplicate device name",
    });
  });

  it.each([
    { name: "driver", input: { driver: "Not A Driver" }, want: /driver name/ },
    { name: "node", input: { nodeName: "UPPER" }, want: /node name/ },
    { name: "pool", input: { poolName: "a//b" }, want: /pool name/ },
  ])("refuses a bad $name name", ({ input, want }) => {
    expect(() => desiredSlices({ driver: DRIVER, nodeName: NODE, devices: [], ...input })).toThrow(want);
  });
});

describe("slice names", () => {
  it.each([
    { count: 1, want: 5 },
    { count: 16, want: 5 },
    { count: 0x100000, want: 5 },
    { count: 0x100001, want: 6 },
  ])("index width for $count slices is $want", ({ count, want }) => {
    expect(indexLength(count)).toBe(want);
  });

  it.each([
    { name: "00003-netclaim.dev-node-a-x1", width: 5, want: 3 },
    { name: "0000a-netclaim.dev-node-a-x1", width: 5, want: 10 },
    { name: "000003-netclaim.dev-node-a-x1", width: 5, want: undefined },
    { name: "node-a-netclaim.dev-abcde", width: 5, want: undefined },
    { name: "0000g-netclaim.dev", width: 5, want: undefined },
  ])("$name → index $want", ({ name, width, want }) => {
    expect(sliceIndexOf(name, width)).toBe(want);
  });

  it("generateName is index-driver-node-, cut to the 58 characters the server keeps", () => {
    expect(sliceGenerateName(2, 5, DRIVER, NODE)).toBe("00002-netclaim.dev-node-a-");
    expect(sliceGenerateName(0, 5, DRIVER, "n".repeat(80))).toHaveLength(58);
  });
});

describe("planSliceSync", () => {
  it("publishes a fresh pool: one create per slice, generation 1, the Node as owner", () => {
    const owner = nodeOwnerReference(NODE, "node-uid");
    const plan = planSliceSync(pool(devices(300)), [], { owner });
    expect(counts(plan)).toEqual({ create: 3, update: 0, delete: 0, generation: 1 });
    expect(plan.create.map((s) => s.metadata?.generateName)).toEqual([
      "00000-netclaim.dev-node-a-",
      "00001-netclaim.dev-node-a-",
      "00002-netclaim.dev-node-a-",
    ]);
    for (const s of plan.create) {
      expect(s.spec.pool).toEqual({ name: NODE, generation: 1, resourceSliceCount: 3 });
      expect(s.spec.nodeName).toBe(NODE);
      expect(s.metadata?.ownerReferences).toEqual([
        { apiVersion: "v1", kind: "Node", name: NODE, uid: "node-uid", controller: true },
      ]);
    }
    const names = plan.create.flatMap((s) => (s.spec.devices ?? []).map((d) => d.name));
    expect(new Set(names).size).toBe(300);
  });

  it("writes nothing when nothing changed", () => {
    const slices = published(devices(300));
    expect(isNoopPlan(planSliceSync(pool(devices(300)), slices))).toBe(true);
  });

  it("ignores server-set fields and spelling differences that mean the same", () => {
    const slices = published(devices(3, 0).map((d) => ({ ...d, taints: [{ key: "k", effect: "None" }] })));
    const edited = slices.map((s) => ({
      ...s,
      metadata: {
        ...s.metadata,
        managedFields: [{ manager: "x" }],
        creationTimestamp: "2025-01-01T00:00:00Z",
      },
      spec: {
        ...s.spec,
        devices: (s.spec.devices ?? []).map((d) => ({
          ...d,
          capacity: { "netclaim.dev/bandwidth": { value: "10240Mi" } },
          taints: d.taints?.map((t) => ({ ...t, timeAdded: "2025-01-01T00:00:00Z" })),
          consumesCounters: [],
        })),
      },
    })) as ResourceSlice[];
    const desired = devices(3, 0).map((d) => ({ ...d, taints: [{ key: "k", effect: "None" }] }));
    expect(isNoopPlan(planSliceSync(pool(desired), edited))).toBe(true);
  });

  const changeCases: {
    name: string;
    before: Device[];
    after: Device[];
    want: ReturnType<typeof counts>;
  }[] = [
    {
      // Upstream keeps the generation when one write changes the pool: a single slice is atomic.
      name: "one attribute of one device (1 slice) → one update in place",
      before: devices(10),
      after: devices(10).map((d, i) =>
        i === 3 ? vf(3, { attributes: { "netclaim.dev/x": { int: 1 } } }) : d,
      ),
      want: { create: 0, update: 1, delete: 0, generation: 1 },
    },
    {
      name: "one attribute of one device (3 slices) → only its slice is rewritten",
      before: devices(300),
      after: devices(300).map((d, i) => (i === 200 ? vf(200, { capacity: {} }) : d)),
      want: { create: 0, update: 1, delete: 0, generation: 1 },
    },
    {
      name: "devices changed in two slices → generation bump, every slice rewritten",
      before: devices(300),
      after: devices(300).map((d, i) => (i === 5 || i === 200 ? vf(i, { capacity: {} }) : d)),
      want: { create: 0, update: 3, delete: 0, generation: 2 },
    },
    {
      name: "more devices need a new slice → bump, the new one created, the others rewritten",
      before: devices(256),
      after: devices(300),
      want: { create: 1, update: 2, delete: 0, generation: 2 },
    },
    {
      name: "removing devices shrinks the pool: the extra slices deleted, the rest carry the new count",
      before: devices(300),
      after: devices(100),
      want: { create: 0, update: 1, delete: 2, generation: 1 },
    },
    {
      name: "removing devices from a pool that keeps two slices → bump",
      before: devices(300),
      after: devices(200),
      want: { create: 0, update: 2, delete: 1, generation: 2 },
    },
  ];
  it.each(changeCases)("$name", ({ before, after, want }) => {
    const slices = published(before);
    const plan = planSliceSync(pool(after), slices);
    expect(counts(plan)).toEqual(want);
    for (const s of plan.update) {
      expect(s.spec.pool).toEqual({
        name: NODE,
        generation: want.generation,
        resourceSliceCount: plan.resourceSliceCount,
      });
      expect(s.metadata?.resourceVersion).toBeDefined(); // the update is conditional
    }
    const next = applyPlan(slices, plan, { n: 100 });
    expect(isNoopPlan(planSliceSync(pool(after), next))).toBe(true);
    const live = next.filter((s) => s.spec.pool.generation === want.generation);
    expect(live).toHaveLength(plan.resourceSliceCount);
    expect(
      live
        .flatMap((s) => s.spec.devices ?? [])
        .map((d) => d.name)
        .sort(),
    ).toEqual(after.map((d) => d.name).sort());
  });

  it("uses a generation the driver asks for, rewriting every slice", () => {
    const slices = published(devices(300));
    expect(counts(planSliceSync(pool(devices(300), { generation: 7 }), slices))).toEqual({
      create: 0,
      update: 3,
      delete: 0,
      generation: 7,
    });
  });

  it("deletes leftovers of an earlier run and replaces what does not fit the naming", () => {
    const slices = published(devices(2));
    const current = slices[0]!;
    const leftovers: ResourceSlice[] = [
      otherSlice("node-a-netclaim.dev-abcde", {
        pool: { name: "old-pool", generation: 4, resourceSliceCount: 1 },
      }),
      otherSlice("node-a-netclaim.dev-fghij", {}), // pre-index naming, our pool
      {
        ...structuredClone(current),
        metadata: { ...current.metadata, name: `${current.metadata?.name}dup`, uid: "d" },
      },
    ];
    const notOurs: ResourceSlice[] = [
      otherSlice("00000-other.dev-node-a-x", { driver: "other.dev" }),
      otherSlice("00000-netclaim.dev-node-b-x", { nodeName: "node-b" }),
      {
        ...otherSlice("00000-netclaim.dev-node-a-going", {}),
        metadata: { name: "z", deletionTimestamp: "now" },
      },
    ];
    const plan = planSliceSync(pool(devices(2)), [...slices, ...leftovers, ...notOurs]);
    expect(counts(plan)).toEqual({ create: 0, update: 0, delete: 3, generation: 1 });
    expect(plan.delete.map((d) => d.name).sort()).toEqual(leftovers.map((s) => s.metadata?.name).sort());
    expect(plan.delete.find((d) => d.name === "node-a-netclaim.dev-abcde")).toEqual({
      name: "node-a-netclaim.dev-abcde",
      uid: "uid-node-a-netclaim.dev-abcde",
      resourceVersion: "7",
    });
  });

  it("treats slices of an older generation as obsolete and recreates them", () => {
    const slices = published(devices(300));
    slices[1]!.spec.pool.generation = 0; // e.g. a half-finished update of an earlier run
    const plan = planSliceSync(pool(devices(300)), slices);
    expect(counts(plan)).toEqual({ create: 1, update: 2, delete: 1, generation: 2 });
  });

  it("takes the server's stored form as in sync when the server dropped fields", () => {
    const want = devices(2).map((d) => ({ ...d, bindsToNode: true }));
    const slices = published(devices(2)); // as a server without the feature keeps them
    const desired = pool(want);
    const sentKey = sliceContentKey({ ...slices[0]!.spec, devices: want });
    const storedKey = sliceContentKey(slices[0]!.spec);
    const options: PlanOptions = { serverForms: new Map([[sentKey, storedKey]]) };
    expect(isNoopPlan(planSliceSync(desired, slices))).toBe(false);
    expect(isNoopPlan(planSliceSync(desired, slices, options))).toBe(true);
  });

  it("keeps the time the server gave a taint when rewriting its slice", () => {
    const tainted = (t?: string): Device =>
      vf(1, { taints: [{ key: "k", effect: "NoSchedule", ...(t ? { timeAdded: t } : {}) }] });
    const slices = published([tainted(), vf(2)]);
    slices[0]!.spec.devices![0] = tainted("2025-01-01T00:00:00Z");
    const plan = planSliceSync(pool([tainted(), vf(2, { capacity: {} })]), slices);
    expect(plan.update[0]?.spec.devices?.[0]?.taints?.[0]?.timeAdded).toBe("2025-01-01T00:00:00Z");
  });
});
