// Semantic versions as Kubernetes' semver library reads them (blang/semver strict parsing with its
// messages, the normalising form) and semver.org's precedence, as tables and as properties.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareSemvers, formatSemver, parseSemver } from "../../../src/api/cel/semver.ts";
import type { Semver } from "../../../src/api/cel/semver.ts";

function parsed(text: string, normalize = false): Semver {
  const result = parseSemver(text, normalize);
  if (!result.ok) throw new Error(`${text}: ${result.message}`);
  return result.version;
}

describe("parseSemver strict", () => {
  const ok: { text: string; want: Semver }[] = [
    { text: "1.2.3", want: { major: 1n, minor: 2n, patch: 3n, pre: [], build: [] } },
    { text: "0.1.0-alpha.1", want: { major: 0n, minor: 1n, patch: 0n, pre: ["alpha", 1n], build: [] } },
    { text: "1.0.0-0.3.7", want: { major: 1n, minor: 0n, patch: 0n, pre: [0n, 3n, 7n], build: [] } },
    { text: "1.0.0-x-y.z", want: { major: 1n, minor: 0n, patch: 0n, pre: ["x-y", "z"], build: [] } },
    {
      text: "1.0.0+20130313144700",
      want: { major: 1n, minor: 0n, patch: 0n, pre: [], build: ["20130313144700"] },
    },
    {
      text: "1.0.0-beta+exp.sha.5114f85",
      want: { major: 1n, minor: 0n, patch: 0n, pre: ["beta"], build: ["exp", "sha", "5114f85"] },
    },
    {
      text: "18446744073709551615.0.0",
      want: { major: 18446744073709551615n, minor: 0n, patch: 0n, pre: [], build: [] },
    },
  ];
  it.each(ok)("$text", ({ text, want }) => expect(parseSemver(text)).toEqual({ ok: true, version: want }));

  const bad: { text: string; want: string }[] = [
    { text: "", want: "Version string empty" },
    { text: "1.0", want: "No Major.Minor.Patch elements found" },
    { text: "v1.0.0", want: 'Invalid character(s) found in major number "v1"' },
    { text: "01.2.3", want: 'Major number must not contain leading zeroes "01"' },
    { text: "1.02.3", want: 'Minor number must not contain leading zeroes "02"' },
    { text: "1.2.03", want: 'Patch number must not contain leading zeroes "03"' },
    { text: "1.2.x", want: 'Invalid character(s) found in patch number "x"' },
    { text: "1.2.3-", want: "Prerelease is empty" },
    { text: "1.2.3-01", want: 'Numeric PreRelease version must not contain leading zeroes "01"' },
    { text: "1.2.3-a_b", want: 'Invalid character(s) found in prerelease "a_b"' },
    { text: "1.2.3+", want: "Build meta data is empty" },
    { text: "1.2.3+a_b", want: 'Invalid character(s) found in build meta data "a_b"' },
    {
      text: "18446744073709551616.0.0",
      want: 'strconv.ParseUint: parsing "18446744073709551616": value out of range',
    },
    { text: "200K", want: "No Major.Minor.Patch elements found" },
  ];
  it.each(bad)("$text refused", ({ text, want }) =>
    expect(parseSemver(text)).toEqual({ ok: false, message: want }),
  );
});

describe("parseSemver normalized", () => {
  const cases: { text: string; want: string | { problem: string } }[] = [
    { text: "v1.0.0", want: "1.0.0" },
    { text: "1.0", want: "1.0.0" },
    { text: "1", want: "1.0.0" },
    { text: "01.01.01", want: "1.1.1" },
    { text: "v1.2.3-rc.1", want: "1.2.3-rc.1" },
    { text: "00.0.0", want: "0.0.0" },
    { text: "1.0-rc1", want: { problem: "short version cannot contain PreRelease/Build meta data" } },
  ];
  it.each(cases)("$text", ({ text, want }) => {
    const result = parseSemver(text, true);
    if (typeof want === "string") expect(result.ok && formatSemver(result.version)).toBe(want);
    else expect(result).toEqual({ ok: false, message: want.problem });
  });
});

describe("compareSemvers", () => {
  // semver.org §11's example chain, lowest first.
  const chain = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1",
    "1.1.0",
    "2.0.0",
    "10.0.0",
  ];
  it("orders semver.org's chain", () => {
    for (let i = 0; i < chain.length; i++) {
      for (let j = 0; j < chain.length; j++) {
        const want = Math.sign(i - j);
        expect(compareSemvers(parsed(chain[i]!), parsed(chain[j]!)), `${chain[i]} vs ${chain[j]}`).toBe(want);
      }
    }
  });

  it("ignores build metadata", () => {
    expect(compareSemvers(parsed("1.0.0+a"), parsed("1.0.0+b"))).toBe(0);
  });
});

describe("semver properties", () => {
  const ident = fc.oneof(
    fc.bigInt({ min: 0n, max: 10n ** 6n }).map((n) => n.toString()),
    fc.stringMatching(/^[a-zA-Z-][0-9a-zA-Z-]{0,5}$/),
  );
  const version = fc
    .tuple(
      fc.nat(20),
      fc.nat(20),
      fc.nat(20),
      fc.array(ident, { maxLength: 3 }),
      fc.array(fc.stringMatching(/^[0-9a-zA-Z-]{1,4}$/), { maxLength: 2 }),
    )
    .map(
      ([a, b, c, pre, build]) =>
        `${a}.${b}.${c}${pre.length ? `-${pre.join(".")}` : ""}${build.length ? `+${build.join(".")}` : ""}`,
    );

  it("prints back what it parsed", () => {
    fc.assert(
      fc.property(version, (text) => {
        expect(formatSemver(parsed(text))).toBe(text);
      }),
    );
  });

  it("orders antisymmetrically and transitively", () => {
    fc.assert(
      fc.property(version, version, version, (x, y, z) => {
        const [a, b, c] = [parsed(x), parsed(y), parsed(z)];
        expect(compareSemvers(a, b) + compareSemvers(b, a)).toBe(0);
        if (compareSemvers(a, b) <= 0 && compareSemvers(b, c) <= 0)
          expect(compareSemvers(a, c)).toBeLessThanOrEqual(0);
      }),
    );
  });
});
