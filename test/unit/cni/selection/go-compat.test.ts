// The Go standard-library behaviours the annotation syntax depends on: TrimSpace, encoding/json field
// matching, ParseMAC, ParseIP/ParseCIDR and IP.String().
import { describe, expect, it } from "vitest";
import {
  decodeGoFields,
  goFoldName,
  goIpFamily,
  goIpString,
  goTrimSpace,
  isGoIpOrCidr,
  parseGoCidr,
  parseGoIp,
  parseGoMac,
} from "../../../../src/cni/selection/go-compat.ts";

describe("goTrimSpace", () => {
  const cases = [
    { name: "ASCII spaces", input: " \t\n\v\f\ra b\r\n", want: "a b" },
    { name: "NEL and NBSP", input: "\u0085\u00a0x\u00a0", want: "x" },
    { name: "Unicode spaces", input: "\u2003\u3000x\u2029", want: "x" },
    { name: "BOM is not a Go space", input: "\ufeffx", want: "\ufeffx" },
    { name: "all space", input: " \u0085 ", want: "" },
  ];
  it.each(cases)("$name", ({ input, want }) => expect(goTrimSpace(input)).toBe(want));
});

describe("decodeGoFields", () => {
  const fields = ["name", "interface", "infiniband-guid"];
  const cases: { name: string; input: Record<string, unknown>; want: Record<string, unknown> }[] = [
    { name: "exact keys", input: { name: "a", interface: "b" }, want: { name: "a", interface: "b" } },
    {
      name: "case-insensitive keys",
      input: { NAME: "a", Infiniband_guid: 1, "INFINIBAND-GUID": "g" },
      want: { name: "a", "infiniband-guid": "g" },
    },
    { name: "later key wins", input: { name: "a", Name: "b" }, want: { name: "b" } },
    {
      name: "long s and dotless i fold like Go",
      input: { "\u0131nterface": "x", name: "n" },
      want: { interface: "x", name: "n" },
    },
    { name: "capital I with dot folds to I", input: { "\u0130NTERFACE": "y" }, want: { interface: "y" } },
    { name: "unknown keys ignored", input: { other: 1 }, want: {} },
  ];
  it.each(cases)("$name", ({ input, want }) => {
    expect(Object.fromEntries(decodeGoFields(input, fields))).toEqual(want);
  });

  it("folds the Kelvin sign to K and keeps sharp s", () => {
    expect(goFoldName("\u212aey")).toBe("KEY");
    expect(goFoldName("stra\u00dfe")).toBe("STRA\u00dfE");
  });
});

describe("parseGoMac", () => {
  const cases = [
    { input: "02:00:00:00:00:01", want: [2, 0, 0, 0, 0, 1] },
    { input: "02-00-00-00-00-0A", want: [2, 0, 0, 0, 0, 10] },
    { input: "0200.0000.0001", want: [2, 0, 0, 0, 0, 1] },
    { input: "00:11:22:33:44:55:66:77", want: [0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77] },
    { input: "0011.2233.4455.6677", want: [0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77] },
    { input: "02:00:00:00:00", want: undefined },
    { input: "02:00:00:00:00:01:02", want: undefined },
    { input: "02:00-00:00:00:01", want: undefined },
    { input: "0g:00:00:00:00:01", want: undefined },
    { input: "020000000001", want: undefined },
    { input: "0200.0000.0001.", want: undefined },
  ];
  it.each(cases)("$input", ({ input, want }) => expect(parseGoMac(input)).toEqual(want));

  it("takes 20-byte IPoIB addresses", () => {
    expect(parseGoMac("80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:02:00:23:13:92")).toHaveLength(20);
  });
});

describe("parseGoIp / parseGoCidr / isGoIpOrCidr", () => {
  const cases: { input: string; want: boolean }[] = [
    { input: "10.0.0.1", want: true },
    { input: "0.0.0.0", want: true },
    { input: "255.255.255.255", want: true },
    { input: "256.0.0.1", want: false },
    { input: "010.0.0.1", want: false },
    { input: "10.1", want: false },
    { input: "0x0a.0.0.1", want: false },
    { input: "fd00::1", want: true },
    { input: "::", want: true },
    { input: "::ffff:10.0.0.1", want: true },
    { input: "::ffff:010.0.0.1", want: false },
    { input: "fe80::1%eth0", want: false },
    { input: "1:2:3:4:5:6:7:8:9", want: false },
    { input: "00001::1", want: false },
    { input: "1::2::3", want: false },
    { input: "10.0.0.1/24", want: true },
    { input: "10.0.0.1/032", want: true },
    { input: "10.0.0.1/33", want: false },
    { input: "fd00::/128", want: true },
    { input: "fd00::/129", want: false },
    { input: "10.0.0.1/", want: false },
    { input: "10.0.0.1/24/8", want: false },
    { input: "", want: false },
  ];
  it.each(cases)("$input → $want", ({ input, want }) => expect(isGoIpOrCidr(input)).toBe(want));

  it("gives the prefix length and family", () => {
    const cidr = parseGoCidr("::ffff:10.0.0.1/120");
    expect(cidr?.prefixLength).toBe(120);
    expect(cidr && goIpFamily(cidr.ip)).toBe(4);
    expect(goIpFamily(parseGoIp("fd00::1")!)).toBe(6);
  });
});

describe("goIpString", () => {
  const cases = [
    { input: "10.0.0.1", want: "10.0.0.1" },
    { input: "::FFFF:10.0.0.1", want: "10.0.0.1" },
    { input: "2001:DB8:0:0:0:0:0:1", want: "2001:db8::1" },
    { input: "2001:db8:0:0:1:0:0:1", want: "2001:db8::1:0:0:1" },
    { input: "2001:db8:0:1:1:1:1:1", want: "2001:db8:0:1:1:1:1:1" },
    { input: "0:0:0:0:0:0:0:0", want: "::" },
  ];
  it.each(cases)("$input", ({ input, want }) => expect(goIpString(parseGoIp(input)!)).toBe(want));
});
