// Quantities as apimachinery parses them (suffixes, rounding to the nano unit, the binary cap, its error
// texts) and the exact arithmetic the CEL library builds on; properties over generated values.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addQuantities,
  compareQuantities,
  formatQuantity,
  multiplyQuantity,
  parseQuantity,
  QUANTITY_FORMAT_ERROR,
  QUANTITY_SUFFIX_ERROR,
  quantityAsInt64,
  quantityOf,
  quantitySign,
  quantityToFloat,
  subtractQuantities,
} from "../../../src/api/cel/quantity.ts";
import type { Quantity } from "../../../src/api/cel/quantity.ts";

function parsed(text: string): Quantity {
  const result = parseQuantity(text);
  if (!result.ok) throw new Error(`${text}: ${result.message}`);
  return result.quantity;
}

describe("parseQuantity: values", () => {
  const cases: { text: string; want: string }[] = [
    { text: "0", want: "0" },
    { text: "12", want: "12" },
    { text: "+12", want: "12" },
    { text: "-12", want: "-12" },
    { text: "1.5", want: "15e-1" },
    { text: "1500m", want: "15e-1" },
    { text: "1k", want: "1e3" },
    { text: "1M", want: "1e6" },
    { text: "1G", want: "1e9" },
    { text: "1T", want: "1e12" },
    { text: "1P", want: "1e15" },
    { text: "1E", want: "1e18" },
    { text: "5n", want: "5e-9" },
    { text: "5u", want: "5e-6" },
    { text: "1Ki", want: "1024" },
    { text: "1Mi", want: "1048576" },
    { text: "12Mi", want: "12582912" },
    { text: "1.5Gi", want: "1610612736" },
    { text: "0.5Ki", want: "512" },
    { text: "1e3", want: "1e3" },
    { text: "1E3", want: "1e3" },
    { text: "1e-3", want: "1e-3" },
    { text: "1.", want: "1" },
    { text: ".5", want: "5e-1" },
    { text: "007", want: "7" },
    { text: "000", want: "0" },
    // A bare sign is zero for apimachinery too (its scanner stops before any digit).
    { text: "-", want: "0" },
    // Rounded up to the nano unit, away from zero.
    { text: "0.1n", want: "1e-9" },
    { text: "-0.1n", want: "-1e-9" },
    { text: "1.0000000001", want: "1000000001e-9" },
    // Binary SI is capped at 2^63-1; decimal is not.
    { text: "16Ei", want: "9223372036854775807" },
    { text: "9999999999999999999999999999999999999G", want: "9999999999999999999999999999999999999e9" },
  ];
  it.each(cases)("$text", ({ text, want }) => expect(formatQuantity(parsed(text))).toBe(want));
});

describe("parseQuantity: errors", () => {
  const cases: { text: string; want: string }[] = [
    { text: "", want: QUANTITY_FORMAT_ERROR },
    { text: "10Mo", want: QUANTITY_FORMAT_ERROR },
    { text: "1.5.5", want: QUANTITY_FORMAT_ERROR },
    { text: "abc", want: QUANTITY_FORMAT_ERROR },
    { text: "1 Gi", want: QUANTITY_FORMAT_ERROR },
    { text: "10Mm", want: QUANTITY_SUFFIX_ERROR },
    { text: "200K", want: QUANTITY_SUFFIX_ERROR },
    { text: "1e", want: QUANTITY_SUFFIX_ERROR },
    { text: "1e99999", want: QUANTITY_SUFFIX_ERROR },
  ];
  it.each(cases)("$text", ({ text, want }) =>
    expect(parseQuantity(text)).toEqual({ ok: false, message: want }),
  );

  it("names apimachinery's regular expression", () => {
    expect(QUANTITY_FORMAT_ERROR).toBe(
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  });
});

describe("quantity operations", () => {
  const compare: { a: string; b: string; want: number }[] = [
    { a: "200M", b: "0.2G", want: 0 },
    { a: "50M", b: "50Mi", want: -1 },
    { a: "50Mi", b: "50M", want: 1 },
    { a: "1Gi", b: "1024Mi", want: 0 },
    { a: "-1", b: "1m", want: -1 },
  ];
  it.each(compare)("compare $a $b", ({ a, b, want }) =>
    expect(compareQuantities(parsed(a), parsed(b))).toBe(want),
  );

  it("adds, subtracts and multiplies exactly", () => {
    expect(addQuantities(parsed("50k"), parsed("20"))).toEqual(parsed("50.02k"));
    expect(subtractQuantities(parsed("50k"), parsed("20"))).toEqual(parsed("49.98k"));
    expect(multiplyQuantity(parsed("50k"), 2n)).toEqual(parsed("100000"));
    expect(addQuantities(parsed("0.1"), parsed("0.2"))).toEqual(parsed("0.3"));
  });

  const ints: { text: string; want: bigint | undefined }[] = [
    { text: "50k", want: 50000n },
    { text: "1000m", want: 1n },
    { text: "1.5", want: undefined },
    { text: "9223372036854775807", want: 9223372036854775807n },
    { text: "9223372036854775808", want: undefined },
    { text: "-9223372036854775808", want: -9223372036854775808n },
    { text: "9999999999999999999999999999999999999G", want: undefined },
  ];
  it.each(ints)("asInt64 $text", ({ text, want }) => expect(quantityAsInt64(parsed(text))).toBe(want));

  it("sign and float", () => {
    expect([quantitySign(parsed("-3")), quantitySign(parsed("0")), quantitySign(parsed("1n"))]).toEqual([
      -1, 0, 1,
    ]);
    expect(quantityToFloat(parsed("50.703k"))).toBe(50703);
    expect(quantityToFloat(parsed("1e400"))).toBe(Infinity);
  });
});

describe("quantity properties", () => {
  const quantity = fc
    .tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: -9, max: 12 }))
    .map(([m, e]) => quantityOf(m, e));

  it("normal form: equal values have equal fields", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
        fc.integer({ min: 0, max: 6 }),
        (m, shift) => {
          expect(quantityOf(m * 10n ** BigInt(shift), -shift)).toEqual(quantityOf(m, 0));
        },
      ),
    );
  });

  it("a - b + b = a, and compare agrees with subtraction's sign", () => {
    fc.assert(
      fc.property(quantity, quantity, (a, b) => {
        expect(addQuantities(subtractQuantities(a, b), b)).toEqual(a);
        expect(compareQuantities(a, b)).toBe(quantitySign(subtractQuantities(a, b)));
        expect(compareQuantities(b, a) + compareQuantities(a, b)).toBe(0);
      }),
    );
  });

  it("integer texts parse to themselves", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (n) => {
        expect(parsed(n.toString())).toEqual(quantityOf(n, 0));
      }),
    );
  });

  it("a decimal suffix is a power of ten", () => {
    const suffixes = { k: 3, M: 6, G: 9, T: 12, m: -3, u: -6, n: -9 } as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 9 }),
        fc.constantFrom(...Object.entries(suffixes)),
        (n, [s, e]) => {
          expect(parsed(`${n}${s}`)).toEqual(quantityOf(BigInt(n), e));
        },
      ),
    );
  });
});
