// Properties of parseNetworkSelections: it answers every string with a result (never throws), and a
// generated valid text-form annotation parses back into exactly the entries it was built from.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  parseDefaultNetworkSelection,
  parseNetworkSelections,
} from "../../../../src/cni/selection/annotations.ts";
import type { NetworkSelection } from "../../../../src/cni/selection/types.ts";

const POD_NS = "pod-ns";

const labelChar = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789");
const label = fc
  .tuple(labelChar, fc.array(fc.constantFrom(..."abcxyz019-"), { maxLength: 20 }), labelChar)
  .map(([first, middle, last]) => `${first}${middle.join("")}${last}`);

const ifnameChar = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");
const ifname = fc
  .array(ifnameChar, { minLength: 1, maxLength: 15 })
  .map((chars) => chars.join(""))
  .filter((name) => name !== "." && name !== "..");

const space = fc.constantFrom("", " ", "  ", "\t", "\n");

interface Entry {
  namespace?: string;
  name: string;
  ifname?: string;
  pads: string[];
}

const entry: fc.Arbitrary<Entry> = fc.record(
  {
    namespace: label,
    name: label,
    ifname,
    pads: fc.array(space, { minLength: 6, maxLength: 6 }),
  },
  { requiredKeys: ["name", "pads"] },
);

function render(e: Entry): string {
  const [p0, p1, p2, p3, p4, p5] = e.pads;
  const ns = e.namespace !== undefined ? `${p0}${e.namespace}${p1}/` : "";
  const at = e.ifname !== undefined ? `@${p4}${e.ifname}${p5}` : "";
  return `${ns}${p2}${e.name}${p3}${at}`;
}

function expected(e: Entry): NetworkSelection {
  return {
    namespace: e.namespace ?? POD_NS,
    name: e.name,
    ...(e.ifname !== undefined ? { interfaceName: e.ifname } : {}),
  };
}

describe("parseNetworkSelections properties", () => {
  it("never throws, always answers ok or an INVALID_ANNOTATION error", () => {
    const annotation = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 80 }),
      fc.string({ unit: fc.constantFrom(...'a/@,[]{}":-. \t0'), maxLength: 40 }),
      fc.json().map((j) => `[${j}]`),
      fc
        .array(
          fc.dictionary(
            fc.constantFrom(
              "name",
              "Name",
              "ips",
              "mac",
              "interface",
              "default-route",
              "bandwidth",
              "portMappings",
              "cni-args",
            ),
            fc.jsonValue(),
          ),
          { maxLength: 3 },
        )
        .map((a) => JSON.stringify(a)),
    );
    fc.assert(
      fc.property(annotation, (value) => {
        const got = parseNetworkSelections(value, POD_NS);
        const def = parseDefaultNetworkSelection(value, "kube-system");
        for (const result of [got, def]) {
          if (!result.ok) {
            expect(result.error.code).toBe("INVALID_ANNOTATION");
            expect(result.error.message.length).toBeGreaterThan(0);
          }
        }
        if (got.ok) expect(Array.isArray(got.selections)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("parses generated text-form annotations back into their entries", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), (entries) => {
        const value = entries.map(render).join(",");
        expect(parseNetworkSelections(value, POD_NS)).toEqual({
          ok: true,
          selections: entries.map(expected),
        });
      }),
      { numRuns: 1000 },
    );
  });
});
