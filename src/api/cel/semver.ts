// Semantic versions as the Kubernetes CEL `semver` library reads them (github.com/blang/semver/v4 Parse,
// and the library's normalizeAndParse for `semver(text, true)`). DRA version attributes are such values
// too. Pure.
//
// Strict form: `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`, numbers without leading zeros (uint64),
// pre-release identifiers numeric (no leading zero) or of [0-9A-Za-z-], build identifiers of
// [0-9A-Za-z-], none empty. Normalised form: a leading "v" dropped, leading zeros of the first three
// parts dropped, a missing minor or patch filled with 0 (a short version may not carry pre-release or
// build data). Ordering is semver.org's: numbers numerically, a version with a pre-release below the
// same without, identifiers pairwise (numeric below alphanumeric, strings by code unit), a longer list of
// equal identifiers above. Build metadata never counts (Kubernetes compares with EQ).
//
// Public API: `Semver`, `SemverParse`, `parseSemver`, `compareSemvers`, `formatSemver`.

export interface Semver {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  /** Pre-release identifiers: bigint for numeric ones. */
  readonly pre: readonly (bigint | string)[];
  readonly build: readonly string[];
}

export type SemverParse = { ok: true; version: Semver } | { ok: false; message: string };

const MAX_UINT64 = (1n << 64n) - 1n;
const NUMBERS = /^[0-9]*$/;
const ALPHANUM = /^[0-9A-Za-z-]*$/;

const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });
const leadingZero = (s: string): boolean => s.length > 1 && s.startsWith("0");

function parseNumber(part: string, what: string): bigint | string {
  if (!NUMBERS.test(part)) return `Invalid character(s) found in ${what} number ${JSON.stringify(part)}`;
  if (leadingZero(part))
    return `${capital(what)} number must not contain leading zeroes ${JSON.stringify(part)}`;
  if (part === "") return `strconv.ParseUint: parsing "": invalid syntax`;
  const value = BigInt(part);
  if (value > MAX_UINT64) return `strconv.ParseUint: parsing ${JSON.stringify(part)}: value out of range`;
  return value;
}

function capital(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function parsePre(part: string): bigint | string | { problem: string } {
  if (part === "") return { problem: "Prerelease is empty" };
  if (NUMBERS.test(part)) {
    if (leadingZero(part)) {
      return {
        problem: `Numeric PreRelease version must not contain leading zeroes ${JSON.stringify(part)}`,
      };
    }
    const value = BigInt(part);
    if (value > MAX_UINT64)
      return { problem: `strconv.ParseUint: parsing ${JSON.stringify(part)}: value out of range` };
    return value;
  }
  if (ALPHANUM.test(part)) return part;
  return { problem: `Invalid character(s) found in prerelease ${JSON.stringify(part)}` };
}

function splitOff(text: string, mark: string): [string, string[] | undefined] {
  const at = text.indexOf(mark);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1).split(".")];
}

function parseStrict(text: string): SemverParse {
  if (text === "") return fail("Version string empty");
  const dot1 = text.indexOf(".");
  const dot2 = dot1 < 0 ? -1 : text.indexOf(".", dot1 + 1);
  if (dot2 < 0) return fail("No Major.Minor.Patch elements found");
  const major = parseNumber(text.slice(0, dot1), "major");
  if (typeof major === "string") return fail(major);
  const minor = parseNumber(text.slice(dot1 + 1, dot2), "minor");
  if (typeof minor === "string") return fail(minor);
  const [withPre, build] = splitOff(text.slice(dot2 + 1), "+");
  const [patchText, preParts] = splitOff(withPre, "-");
  const patch = parseNumber(patchText, "patch");
  if (typeof patch === "string") return fail(patch);
  const pre: (bigint | string)[] = [];
  for (const part of preParts ?? []) {
    const parsed = parsePre(part);
    if (typeof parsed === "object") return fail(parsed.problem);
    pre.push(parsed);
  }
  for (const part of build ?? []) {
    if (part === "") return fail("Build meta data is empty");
    if (!ALPHANUM.test(part))
      return fail(`Invalid character(s) found in build meta data ${JSON.stringify(part)}`);
  }
  return { ok: true, version: { major, minor, patch, pre, build: build ?? [] } };
}

function normalize(text: string): string | { problem: string } {
  const bare = text.startsWith("v") ? text.slice(1) : text;
  const first = bare.indexOf(".");
  const second = first < 0 ? -1 : bare.indexOf(".", first + 1);
  const parts =
    first < 0
      ? [bare]
      : second < 0
        ? [bare.slice(0, first), bare.slice(first + 1)]
        : [bare.slice(0, first), bare.slice(first + 1, second), bare.slice(second + 1)];
  const trimmed = parts.map((p) => {
    if (p.length <= 1) return p;
    const rest = p.replace(/^0+/, "");
    return rest === "" || !/^[0-9]/.test(rest) ? `0${rest}` : rest;
  });
  if (trimmed.length < 3) {
    if (/[+-]/.test(trimmed.at(-1) ?? ""))
      return { problem: "short version cannot contain PreRelease/Build meta data" };
    while (trimmed.length < 3) trimmed.push("0");
  }
  return trimmed.join(".");
}

/** Parses strictly, or with Kubernetes' normalisation when `normalized` (see the header). */
export function parseSemver(text: string, normalized = false): SemverParse {
  if (!normalized) return parseStrict(text);
  const form = normalize(text);
  return typeof form === "string" ? parseStrict(form) : fail(form.problem);
}

function compareNumbers(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareIdentifiers(a: bigint | string, b: bigint | string): number {
  if (typeof a === "bigint" && typeof b === "bigint") return compareNumbers(a, b);
  if (typeof a === "bigint") return -1;
  if (typeof b === "bigint") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** -1, 0 or 1 (build metadata ignored). */
export function compareSemvers(a: Semver, b: Semver): number {
  const core =
    compareNumbers(a.major, b.major) || compareNumbers(a.minor, b.minor) || compareNumbers(a.patch, b.patch);
  if (core !== 0) return core;
  if (a.pre.length === 0 || b.pre.length === 0)
    return compareNumbers(BigInt(b.pre.length), BigInt(a.pre.length));
  const shared = Math.min(a.pre.length, b.pre.length);
  for (let i = 0; i < shared; i++) {
    const order = compareIdentifiers(a.pre[i] as bigint | string, b.pre[i] as bigint | string);
    if (order !== 0) return order;
  }
  return compareNumbers(BigInt(a.pre.length), BigInt(b.pre.length));
}

export function formatSemver(v: Semver): string {
  const pre = v.pre.length === 0 ? "" : `-${v.pre.join(".")}`;
  const build = v.build.length === 0 ? "" : `+${v.build.join(".")}`;
  return `${v.major}.${v.minor}.${v.patch}${pre}${build}`;
}
