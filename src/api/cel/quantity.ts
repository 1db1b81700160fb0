// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource) as exact decimals, for the CEL
// `quantity` library. Pure.
//
// Parsing follows ParseQuantity: `<signedNumber><suffix>`, the number `digits`, `digits.digits`,
// `digits.` or `.digits` (leading zeros skipped; a bare sign or only zeros is 0), the suffix a binary SI
// one (Ki Mi Gi Ti Pi Ei), a decimal SI one (n u m "" k M G T P E) or a decimal exponent (`e3`, `E-2`).
// A value is rounded up (away from zero) to the nano unit (0.1n → 1n); a binary-SI value is capped at
// 2^63-1 in magnitude. The error texts are apimachinery's (ErrFormatWrong, ErrSuffix).
//
// The value is kept exactly as mantissa × 10^exponent, normalised (no trailing zero in the mantissa;
// zero is 0 × 10^0), so two quantities are equal exactly when their fields are. Where this differs from
// apimachinery: it tracks no internal scale, so `quantity("1000m").isInteger()` is true here (apimachinery
// keeps milli-units and says false), and exponents beyond ±1000 are refused instead of wrapping at int32.
//
// Public API: `Quantity`, `QuantityParse`, `parseQuantity`, `quantityOf`, `compareQuantities`,
// `addQuantities`, `subtractQuantities`, `multiplyQuantity`, `quantityAsInt64`, `quantitySign`,
// `quantityToFloat`, `formatQuantity`, `QUANTITY_FORMAT_ERROR`, `QUANTITY_SUFFIX_ERROR`.

export interface Quantity {
  readonly mantissa: bigint;
  readonly exponent: number;
}

export type QuantityParse = { ok: true; quantity: Quantity } | { ok: false; message: string };

const SPLIT_RE = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";
export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${SPLIT_RE}'`;
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";
const MAX_EXPONENT = 1000;
const NANO = -9;
const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const SUFFIX_CHARS = "eEinumkKMGTP";

const ZERO: Quantity = { mantissa: 0n, exponent: 0 };

/** mantissa × 10^exponent with trailing zeros moved into the exponent. */
export function quantityOf(mantissa: bigint, exponent: number): Quantity {
  if (mantissa === 0n) return ZERO;
  let m = mantissa;
  let e = exponent;
  while (m % 10n === 0n) {
    m /= 10n;
    e += 1;
  }
  return { mantissa: m, exponent: e || 0 };
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

interface Scanned {
  negative: boolean;
  whole: string;
  fraction: string;
  suffix: string;
}

function digitsFrom(text: string, start: number): number {
  let i = start;
  while (isDigit(text[i])) i++;
  return i;
}

/** parseQuantityString: the number's parts and the suffix, or undefined when the text is malformed. */
function scan(text: string): Scanned | undefined {
  let pos = 0;
  const negative = text[0] === "-";
  if (text[0] === "-" || text[0] === "+") pos++;
  while (text[pos] === "0") pos++;
  if (pos >= text.length) return { negative, whole: "0", fraction: "", suffix: "" };
  const wholeEnd = digitsFrom(text, pos);
  const whole = text.slice(pos, wholeEnd) || "0";
  pos = wholeEnd;
  let fraction = "";
  if (text[pos] === ".") {
    const end = digitsFrom(text, pos + 1);
    fraction = text.slice(pos + 1, end);
    pos = end;
  }
  const suffixStart = pos;
  while (pos < text.length && SUFFIX_CHARS.includes(text[pos] as string)) pos++;
  if (text[pos] === "-" || text[pos] === "+") pos++;
  pos = digitsFrom(text, pos);
  if (pos < text.length) return undefined;
  return { negative, whole, fraction, suffix: text.slice(suffixStart) };
}

type Suffix = { base: 2 | 10; exponent: number };

function interpretSuffix(suffix: string): Suffix | undefined {
  const decimal = DECIMAL_SUFFIXES[suffix];
  if (decimal !== undefined) return { base: 10, exponent: decimal };
  const binary = BINARY_SUFFIXES[suffix];
  if (binary !== undefined) return { base: 2, exponent: binary };
  if (suffix.length > 1 && (suffix[0] === "e" || suffix[0] === "E") && /^[+-]?\d+$/.test(suffix.slice(1))) {
    const exponent = Number(suffix.slice(1));
    return Math.abs(exponent) > MAX_EXPONENT ? undefined : { base: 10, exponent };
  }
  return undefined;
}

/** Rounds |value| up to a multiple of 10^-9 (apimachinery's inf.RoundUp to the nano scale). */
function roundUpToNano(mantissa: bigint, exponent: number): Quantity {
  if (exponent >= NANO) return quantityOf(mantissa, exponent);
  const divisor = 10n ** BigInt(NANO - exponent);
  const negative = mantissa < 0n;
  const magnitude = negative ? -mantissa : mantissa;
  const rounded = (magnitude + divisor - 1n) / divisor;
  return quantityOf(negative ? -rounded : rounded, NANO);
}

/** Parses a quantity as apimachinery's ParseQuantity does (see the header). */
export function parseQuantity(text: string): QuantityParse {
  if (text === "") return { ok: false, message: QUANTITY_FORMAT_ERROR };
  const scanned = scan(text);
  if (scanned === undefined) return { ok: false, message: QUANTITY_FORMAT_ERROR };
  const suffix = interpretSuffix(scanned.suffix);
  if (suffix === undefined) return { ok: false, message: QUANTITY_SUFFIX_ERROR };
  let mantissa = BigInt(scanned.whole + scanned.fraction);
  let exponent = -scanned.fraction.length;
  if (suffix.base === 10) exponent += suffix.exponent;
  else mantissa *= 1n << BigInt(suffix.exponent);
  if (scanned.negative) mantissa = -mantissa;
  let quantity = roundUpToNano(mantissa, exponent);
  if (suffix.base === 2 && compareQuantities(abs(quantity), quantityOf(MAX_INT64, 0)) > 0) {
    quantity = quantityOf(scanned.negative ? -MAX_INT64 : MAX_INT64, 0);
  }
  return { ok: true, quantity };
}

function abs(q: Quantity): Quantity {
  return q.mantissa < 0n ? { mantissa: -q.mantissa, exponent: q.exponent } : q;
}

/** Both mantissas at the smaller exponent. */
function aligned(a: Quantity, b: Quantity): [bigint, bigint, number] {
  const exponent = Math.min(a.exponent, b.exponent);
  return [
    a.mantissa * 10n ** BigInt(a.exponent - exponent),
    b.mantissa * 10n ** BigInt(b.exponent - exponent),
    exponent,
  ];
}

/** -1, 0 or 1. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function addQuantities(a: Quantity, b: Quantity): Quantity {
  const [x, y, exponent] = aligned(a, b);
  return quantityOf(x + y, exponent);
}

export function subtractQuantities(a: Quantity, b: Quantity): Quantity {
  const [x, y, exponent] = aligned(a, b);
  return quantityOf(x - y, exponent);
}

export function multiplyQuantity(a: Quantity, factor: bigint): Quantity {
  return quantityOf(a.mantissa * factor, a.exponent);
}

/** The value as an int64 when it is an integer in range, else undefined. */
export function quantityAsInt64(q: Quantity): bigint | undefined {
  if (q.exponent < 0) return undefined;
  if (q.exponent > 19) return undefined;
  const value = q.mantissa * 10n ** BigInt(q.exponent);
  return value > MAX_INT64 || value < MIN_INT64 ? undefined : value;
}

export function quantitySign(q: Quantity): number {
  return q.mantissa === 0n ? 0 : q.mantissa < 0n ? -1 : 1;
}

/** The nearest double (±Infinity beyond its range). */
export function quantityToFloat(q: Quantity): number {
  return Number(`${q.mantissa}e${q.exponent}`);
}

/** `12e3`-style text of the exact value, for messages. */
export function formatQuantity(q: Quantity): string {
  return q.exponent === 0 ? `${q.mantissa}` : `${q.mantissa}e${q.exponent}`;
}
