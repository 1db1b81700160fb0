// The Kubernetes quantity and semver CEL libraries as selectors call them: Kubernetes' own test
// expressions (library/quantity_test.go, semverlib.go's examples) with their results and errors, and
// cel.bind, nested and inside a macro, or left alone when it does not have the macro's shape.
import { describe, expect, it } from "vitest";
import { compileSelector, evaluateSelector } from "../../../src/api/cel/dra-selector.ts";
import type { SelectorOutcome } from "../../../src/api/cel/dra-selector.ts";

const match: SelectorOutcome = { kind: "match" };
const noMatch: SelectorOutcome = { kind: "no-match" };
const error = (message: string): SelectorOutcome => ({ kind: "error", message });

describe("the Kubernetes quantity and semver libraries", () => {
  const cases: { expression: string; want: SelectorOutcome }[] = [
    {
      expression: `quantity("200M") == quantity("0.2G") && quantity("0.2G") == quantity("200M")`,
      want: match,
    },
    { expression: `quantity("200M") == quantity("0.3G")`, want: noMatch },
    { expression: `quantity("50M").isLessThan(quantity("50Mi"))`, want: match },
    { expression: `quantity("50Mi").compareTo(quantity("50M")) == 1`, want: match },
    { expression: `quantity("50k").add(quantity("20")) == quantity("50.02k")`, want: match },
    { expression: `quantity("50k").add(20).isLessThan(quantity("50020"))`, want: noMatch },
    { expression: `quantity("50k").sub(20) == quantity("49980")`, want: match },
    { expression: `quantity("50k").mul(2) == quantity("100000")`, want: match },
    {
      expression: `quantity("50k").add(20).sub(quantity("100k")).sub(-50000).asInteger() == 20`,
      want: match,
    },
    { expression: `quantity("9999999999999999999999999999999999999G").isInteger()`, want: noMatch },
    {
      expression: `quantity("9999999999999999999999999999999999999G").asInteger() == 0`,
      want: error("cannot convert value to integer"),
    },
    { expression: `quantity("50.703k").asApproximateFloat() == 50703.0`, want: match },
    { expression: `quantity("-5").sign() == -1 && sign(quantity("0")) == 0`, want: match },
    { expression: `isQuantity("20Mi") && !isQuantity("20Mo") && !isQuantity("10Mm")`, want: match },
    { expression: `semver("1.2.3").compareTo(semver("2.0.0")) == -1`, want: match },
    { expression: `semver("1.2.3").isGreaterThan(semver("0.1.2"))`, want: match },
    { expression: `semver("1.0.0+a") == semver("1.0.0+b")`, want: match },
    {
      expression: `isSemver("1.0.0") && !isSemver("hello") && !isSemver("v1.0") && isSemver("v1.0", true)`,
      want: match,
    },
    { expression: `semver("01.01.01", true).minor() == 1 && semver("1.2.3").patch() == 3`, want: match },
    { expression: `cel.bind(x, 2, cel.bind(y, x * 3, y + x)) == 8`, want: match },
    { expression: `[1, 2].all(i, cel.bind(d, i * 2, d > i))`, want: match },
    // Not the macro's shape: left alone, so an unbound function, as cel-go refuses it.
    { expression: `cel.bind("x", 1, true)`, want: error("unbound function: bind") },
    { expression: `other.bind(x, 1, true)`, want: error("unbound function: bind") },
  ];
  it.each(cases)("$expression", ({ expression, want }) => {
    expect(evaluateSelector(compileSelector(expression), { driver: "d" })).toEqual(want);
  });
});
