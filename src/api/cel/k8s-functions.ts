// The Kubernetes CEL libraries DRA selectors use, written for @bufbuild/cel (k8s.io/apiserver/pkg/cel/
// library: quantity.go, semverlib.go). Function names, overloads and error texts are Kubernetes'.
//
//   quantity(string) Quantity           isQuantity(string) bool
//   <Quantity>.isGreaterThan(Quantity) bool   .isLessThan(Quantity) bool   .compareTo(Quantity) int
//   <Quantity>.add(Quantity|int) Quantity     .sub(Quantity|int) Quantity  .mul(int) Quantity
//   <Quantity>.asInteger() int (error "cannot convert value to integer")   .isInteger() bool
//   <Quantity>.asApproximateFloat() double    sign(Quantity) int (also as a method)
//   semver(string[, bool normalize]) Semver   isSemver(string[, bool normalize]) bool
//   <Semver>.isGreaterThan(Semver) bool  .isLessThan(Semver) bool  .compareTo(Semver) int
//   <Semver>.major() int  .minor() int  .patch() int
// Not here: Quantity div/divInt (apimachinery's rounding), and the other base libraries (lists, sets,
// regex find, ip, cidr, url, format beyond @bufbuild/cel's strings extension): an expression calling
// them evaluates to an "unbound function" error.
//
// Public API: `QUANTITY_FUNCTIONS`, `SEMVER_FUNCTIONS`, `K8S_FUNCTIONS`.
import { CelScalar, celFunc, celMethod } from "@bufbuild/cel";
import type { CelFunc } from "@bufbuild/cel";
import type { ReflectMessage } from "@bufbuild/protobuf/reflect";
import {
  celQuantity,
  celSemver,
  QUANTITY_TYPE,
  quantityFromCel,
  SEMVER_TYPE,
  semverFromCel,
} from "./object-types.ts";
import {
  addQuantities,
  compareQuantities,
  multiplyQuantity,
  parseQuantity,
  quantityAsInt64,
  quantityOf,
  quantitySign,
  quantityToFloat,
  subtractQuantities,
} from "./quantity.ts";
import type { Quantity } from "./quantity.ts";
import { compareSemvers, parseSemver } from "./semver.ts";

const { BOOL, DOUBLE, INT, STRING } = CelScalar;
const Q = QUANTITY_TYPE;
const V = SEMVER_TYPE;

function parsedQuantity(text: string): Quantity {
  const parsed = parseQuantity(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.quantity;
}

const q = (value: ReflectMessage): Quantity => quantityFromCel(value);
const int = (value: number): bigint => BigInt(value);

function quantityMethod(
  name: string,
  result: typeof BOOL | typeof INT,
  decide: (a: Quantity, b: Quantity) => bigint | boolean,
): CelFunc {
  if (result === BOOL) {
    return celMethod(name, Q, [Q], BOOL, function (other) {
      return decide(q(this), q(other)) as boolean;
    });
  }
  return celMethod(name, Q, [Q], INT, function (other) {
    return decide(q(this), q(other)) as bigint;
  });
}

export const QUANTITY_FUNCTIONS: readonly CelFunc[] = [
  celFunc("quantity", [STRING], Q, (text) => celQuantity(parsedQuantity(text))),
  celFunc("isQuantity", [STRING], BOOL, (text) => parseQuantity(text).ok),
  celFunc("sign", [Q], INT, (value) => int(quantitySign(q(value)))),
  celMethod("sign", Q, [], INT, function () {
    return int(quantitySign(q(this)));
  }),
  quantityMethod("isGreaterThan", BOOL, (a, b) => compareQuantities(a, b) === 1),
  quantityMethod("isLessThan", BOOL, (a, b) => compareQuantities(a, b) === -1),
  quantityMethod("compareTo", INT, (a, b) => int(compareQuantities(a, b))),
  celMethod("add", Q, [Q], Q, function (other) {
    return celQuantity(addQuantities(q(this), q(other)));
  }),
  celMethod("add", Q, [INT], Q, function (other) {
    return celQuantity(addQuantities(q(this), quantityOf(other, 0)));
  }),
  celMethod("sub", Q, [Q], Q, function (other) {
    return celQuantity(subtractQuantities(q(this), q(other)));
  }),
  celMethod("sub", Q, [INT], Q, function (other) {
    return celQuantity(subtractQuantities(q(this), quantityOf(other, 0)));
  }),
  celMethod("mul", Q, [INT], Q, function (factor) {
    return celQuantity(multiplyQuantity(q(this), factor));
  }),
  celMethod("asInteger", Q, [], INT, function () {
    const value = quantityAsInt64(q(this));
    if (value === undefined) throw new Error("cannot convert value to integer");
    return value;
  }),
  celMethod("isInteger", Q, [], BOOL, function () {
    return quantityAsInt64(q(this)) !== undefined;
  }),
  celMethod("asApproximateFloat", Q, [], DOUBLE, function () {
    return quantityToFloat(q(this));
  }),
];

function parsedSemver(text: string, normalize: boolean): ReflectMessage {
  const parsed = parseSemver(text, normalize);
  if (!parsed.ok) throw new Error(parsed.message);
  return celSemver(parsed.version);
}

/** int64 of a uint64 component, as Kubernetes' types.Int(v.Major) wraps it. */
const component = (value: bigint): bigint => BigInt.asIntN(64, value);

export const SEMVER_FUNCTIONS: readonly CelFunc[] = [
  celFunc("semver", [STRING], V, (text) => parsedSemver(text, false)),
  celFunc("semver", [STRING, BOOL], V, (text, normalize) => parsedSemver(text, normalize)),
  celFunc("isSemver", [STRING], BOOL, (text) => parseSemver(text).ok),
  celFunc("isSemver", [STRING, BOOL], BOOL, (text, normalize) => parseSemver(text, normalize).ok),
  celMethod("isGreaterThan", V, [V], BOOL, function (other) {
    return compareSemvers(semverFromCel(this), semverFromCel(other)) === 1;
  }),
  celMethod("isLessThan", V, [V], BOOL, function (other) {
    return compareSemvers(semverFromCel(this), semverFromCel(other)) === -1;
  }),
  celMethod("compareTo", V, [V], INT, function (other) {
    return int(compareSemvers(semverFromCel(this), semverFromCel(other)));
  }),
  celMethod("major", V, [], INT, function () {
    return component(semverFromCel(this).major);
  }),
  celMethod("minor", V, [], INT, function () {
    return component(semverFromCel(this).minor);
  }),
  celMethod("patch", V, [], INT, function () {
    return component(semverFromCel(this).patch);
  }),
];

export const K8S_FUNCTIONS: readonly CelFunc[] = [...QUANTITY_FUNCTIONS, ...SEMVER_FUNCTIONS];
