// Spec versions: parsing, ordering, support, and which commands a config version allows.
import { describe, expect, it } from "vitest";
import { CniError } from "../../../../src/cni/protocol/errors.ts";
import {
  compareVersions,
  parseVersion,
  requireCommandAllowed,
  requireSupportedVersion,
  SUPPORTED_VERSIONS,
  versionAllowsCommand,
  versionResponse,
} from "../../../../src/cni/protocol/version.ts";
import type { CniCommand, CniVersion } from "../../../../src/cni/protocol/version.ts";

/** The CNI code of what `fn` throws; fails the test when it throws nothing or no CniError. */
function codeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof CniError) return err.cniCode;
    throw err;
  }
  throw new Error("expected a CniError");
}

describe("parseVersion", () => {
  const cases: { text: string; want: [number, number, number] }[] = [
    { text: "", want: [0, 1, 0] },
    { text: "1", want: [1, 0, 0] },
    { text: "0.4", want: [0, 4, 0] },
    { text: "1.1.0", want: [1, 1, 0] },
    { text: "10.20.30", want: [10, 20, 30] },
  ];
  it.each(cases)("$text", ({ text, want }) => {
    expect(parseVersion(text)).toEqual(want);
  });

  it.each(["v1.0.0", "1.0.0-rc1", "1.0.0.0", "1..0", "a.b.c"])("rejects %s with code 6", (text) => {
    expect(codeOf(() => parseVersion(text))).toBe(6);
  });
});

describe("compareVersions", () => {
  const ordered = ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", "1.10.0", "2.0.0"];
  it("orders the released versions", () => {
    const shuffled = [...ordered].reverse();
    expect(shuffled.sort(compareVersions)).toEqual(ordered);
  });

  const cases: { a: string; b: string; sign: number }[] = [
    { a: "0.3.1", b: "0.4.0", sign: -1 },
    { a: "1.0.0", b: "1", sign: 0 },
    { a: "", b: "0.1.0", sign: 0 },
    { a: "1.1.0", b: "1.0.9", sign: 1 },
  ];
  it.each(cases)("$a vs $b", ({ a, b, sign }) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });
});

describe("requireSupportedVersion", () => {
  it.each([...SUPPORTED_VERSIONS])("accepts %s", (v) => {
    expect(requireSupportedVersion(v)).toBe(v);
  });

  it('reads "" as 0.1.0', () => {
    expect(requireSupportedVersion("")).toBe("0.1.0");
  });

  const cases: { version: string; code: number }[] = [
    { version: "0.3", code: 1 },
    { version: "0.5.0", code: 1 },
    { version: "2.0.0", code: 1 },
    { version: "latest", code: 6 },
  ];
  it.each(cases)("refuses $version with code $code", ({ version, code }) => {
    expect(codeOf(() => requireSupportedVersion(version))).toBe(code);
  });
});

describe("versionAllowsCommand", () => {
  const table: Record<CniCommand, CniVersion[]> = {
    ADD: [...SUPPORTED_VERSIONS],
    DEL: [...SUPPORTED_VERSIONS],
    VERSION: [...SUPPORTED_VERSIONS],
    CHECK: ["0.4.0", "1.0.0", "1.1.0"],
    STATUS: ["1.1.0"],
    GC: ["1.1.0"],
  };
  const cases = Object.entries(table).flatMap(([command, allowed]) =>
    SUPPORTED_VERSIONS.map((version) => ({
      command: command as CniCommand,
      version,
      want: allowed.includes(version),
    })),
  );
  it.each(cases)("$command at $version: $want", ({ command, version, want }) => {
    expect(versionAllowsCommand(version, command)).toBe(want);
  });

  it("requireCommandAllowed answers code 1 naming the command", () => {
    expect(() => requireCommandAllowed("0.3.0", "CHECK")).toThrow("config version does not allow CHECK");
    expect(() => requireCommandAllowed("0.4.0", "CHECK")).not.toThrow();
  });
});

describe("versionResponse", () => {
  it("lists every supported version, answered in the current one", () => {
    expect(versionResponse()).toEqual({
      cniVersion: "1.1.0",
      supportedVersions: ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"],
    });
  });
});
