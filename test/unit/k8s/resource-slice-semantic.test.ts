// Semantic comparison of slice content: quantities by value, empty equals absent, server-set fields
// ignored, order of devices significant.
import { describe, expect, it } from "vitest";
import { canonicalQuantity, pruneEmpty, sliceContentKey } from "../../../src/k8s/resource-slice-semantic.ts";
import type { Device, ResourceSliceSpec } from "../../../src/k8s/resource-slice-types.ts";

describe("canonicalQuantity", () => {
  it.each([
    { a: "1Gi", b: "1024Mi" },
    { a: "1Gi", b: "1073741824" },
    { a: "1.5", b: "1500m" },
    { a: "1k", b: "1e3" },
    { a: "1000", b: "1k" },
    { a: ".5", b: "500m" },
    { a: "0", b: "0Mi" },
    { a: 10, b: "10" },
    { a: "+2", b: "2" },
    { a: "1E6", b: "1M" },
  ])("$a equals $b", ({ a, b }) => {
    expect(canonicalQuantity(a)).toBe(canonicalQuantity(b));
  });

  it.each([
    { a: "1Gi", b: "1G" },
    { a: "1", b: "-1" },
    { a: "1m", b: "1M" },
    { a: "1Ki", b: "1k" },
  ])("$a differs from $b", ({ a, b }) => {
    expect(canonicalQuantity(a)).not.toBe(canonicalQuantity(b));
  });

  it("keeps text that is no quantity as itself", () => {
    expect(canonicalQuantity("lots")).toBe("raw:lots");
  });
});

describe("pruneEmpty", () => {
  it.each([
    { name: "empty list", input: { a: [], b: 1 }, want: { b: 1 } },
    { name: "empty map", input: { a: {}, b: 1 }, want: { b: 1 } },
    { name: "null and undefined", input: { a: null, c: undefined, b: 1 }, want: { b: 1 } },
    { name: "nested empties", input: { a: { b: { c: [] } } }, want: undefined },
    { name: "false and 0 stay", input: { a: false, b: 0 }, want: { a: false, b: 0 } },
  ])("drops $name", ({ input, want }) => {
    expect(pruneEmpty(input)).toEqual(want);
  });

  it("sorts keys", () => {
    expect(JSON.stringify(pruneEmpty({ b: 1, a: 2 }))).toBe('{"a":2,"b":1}');
  });

  it("writes lists in order, an emptied item as null", () => {
    expect(pruneEmpty([{ a: [] }, "x", 1])).toEqual([null, "x", 1]);
  });
});

describe("sliceContentKey", () => {
  const dev = (name: string, extra: Partial<Device> = {}): Device => ({
    name,
    attributes: { x: { int: 1 } },
    ...extra,
  });
  const key = (devices: Device[], extra = {}): string => sliceContentKey({ driver: "d", devices, ...extra });

  it.each([
    {
      name: "attribute map order",
      a: [dev("a", { attributes: { x: { int: 1 }, y: { bool: true } } })],
      b: [dev("a", { attributes: { y: { bool: true }, x: { int: 1 } } })],
    },
    {
      name: "a taint's timeAdded",
      a: [dev("a", { taints: [{ key: "k", effect: "None" }] })],
      b: [dev("a", { taints: [{ key: "k", effect: "None", timeAdded: "2025-01-01T00:00:00Z" }] })],
    },
    {
      name: "capacity spelling",
      a: [dev("a", { capacity: { c: { value: "1Gi" } } })],
      b: [dev("a", { capacity: { c: { value: "1024Mi" } } })],
    },
    {
      name: "counter spelling",
      a: [dev("a", { consumesCounters: [{ counterSet: "s", counters: { m: { value: "1k" } } }] })],
      b: [dev("a", { consumesCounters: [{ counterSet: "s", counters: { m: { value: "1000" } } }] })],
    },
    { name: "empty capacity map", a: [dev("a", { capacity: {} })], b: [dev("a")] },
  ])("equal despite $name", ({ a, b }) => {
    expect(key(a)).toBe(key(b));
  });

  it.each([
    { name: "device order", a: [dev("a"), dev("b")], b: [dev("b"), dev("a")] },
    { name: "an attribute value", a: [dev("a")], b: [dev("a", { attributes: { x: { int: 2 } } })] },
    { name: "an attribute type", a: [dev("a")], b: [dev("a", { attributes: { x: { string: "1" } } })] },
    {
      name: "a taint's effect",
      a: [dev("a", { taints: [{ key: "k", effect: "None" }] })],
      b: [dev("a", { taints: [{ key: "k", effect: "NoSchedule" }] })],
    },
    {
      name: "a capacity value",
      a: [dev("a", { capacity: { c: { value: "1Gi" } } })],
      b: [dev("a", { capacity: { c: { value: "1G" } } })],
    },
  ])("different for $name", ({ a, b }) => {
    expect(key(a)).not.toBe(key(b));
  });

  it("counts the node name and leaves the pool out", () => {
    const spec = (nodeName: string, generation: number): ResourceSliceSpec => ({
      driver: "d",
      nodeName,
      pool: { name: "p", generation, resourceSliceCount: 1 },
    });
    expect(sliceContentKey(spec("a", 1))).not.toBe(sliceContentKey(spec("b", 1)));
    expect(sliceContentKey(spec("a", 1))).toBe(sliceContentKey(spec("a", 9)));
  });
});
