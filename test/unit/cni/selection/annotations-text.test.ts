// parseNetworkSelections, text form (`[namespace/]name[@ifname]`, comma-separated): Multus's syntax and
// every error path with its exact message; also parseDefaultNetworkSelection.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_NETWORK_ANNOTATION,
  NETWORKS_ANNOTATION,
  parseDefaultNetworkSelection,
  parseNetworkSelections,
} from "../../../../src/cni/selection/annotations.ts";
import type { NetworkSelection } from "../../../../src/cni/selection/types.ts";
import { LABEL_RULE, POD_NS, expectParse, sel } from "./selection-test-helpers.ts";
import type { SelectionCase } from "./selection-test-helpers.ts";

const N = NETWORKS_ANNOTATION;

const textCases: SelectionCase[] = [
  { name: "empty value: no networks", input: "", want: { selections: [] } },
  { name: "whitespace only: no networks", input: " \t\n", want: { selections: [] } },
  { name: "one name", input: "net-a", want: { selections: [sel("net-a")] } },
  {
    name: "several, with namespace and ifname, whitespace trimmed everywhere",
    input: " net-a , other / net-b @ eth9 ,ns3/net-c@net7",
    want: {
      selections: [
        sel("net-a"),
        { namespace: "other", name: "net-b", interfaceName: "eth9" },
        { namespace: "ns3", name: "net-c", interfaceName: "net7" },
      ],
    },
  },
  { name: "the same NAD twice", input: "net-a,net-a", want: { selections: [sel("net-a"), sel("net-a")] } },
  { name: "empty namespace is the pod's", input: "/net-a", want: { selections: [sel("net-a")] } },
  { name: "empty ifname after @ means none", input: "net-a@", want: { selections: [sel("net-a")] } },
  {
    name: "ifname of exactly 15 bytes, with '_' and '.'",
    input: "net-a@abc_def.ghij-kl",
    want: { selections: [sel("net-a", { interfaceName: "abc_def.ghij-kl" })] },
  },
  {
    name: "Go trims U+0085 (NEL), which String.prototype.trim keeps",
    input: "\u0085net-a\u0085",
    want: { selections: [sel("net-a")] },
  },
  { name: "a bare 'null' is a text-form name", input: "null", want: { selections: [sel("null")] } },
  {
    name: "more than one '/'",
    input: "net-a,a/b/c",
    want: { error: `${N}: entry 2 ("a/b/c"): more than one "/"` },
  },
  {
    name: "more than one '@'",
    input: "a@b@c",
    want: { error: `${N}: entry 1 ("a@b@c"): more than one "@"` },
  },
  {
    name: "empty entry in the middle",
    input: "a,,b",
    want: { error: `${N}: entry 2 (""): no network name` },
  },
  { name: "trailing comma", input: "a, ", want: { error: `${N}: entry 2 (""): no network name` } },
  { name: "namespace without name", input: "ns/", want: { error: `${N}: entry 1 ("ns/"): no network name` } },
  {
    name: "ifname without name",
    input: "@net1",
    want: { error: `${N}: entry 1 ("@net1"): no network name` },
  },
  {
    name: "upper-case namespace",
    input: "Ns/net-a",
    want: { error: `${N}: entry 1 ("Ns/net-a"): namespace "Ns" ${LABEL_RULE}` },
  },
  {
    name: "namespace longer than 63",
    input: `${"n".repeat(64)}/net-a`,
    want: {
      error: `${N}: entry 1 ("${"n".repeat(64)}/net-a"): namespace "${"n".repeat(64)}" must be at most 63 characters long`,
    },
  },
  {
    name: "dotted name (a subdomain, but Multus's text form wants a label)",
    input: "my.net",
    want: { error: `${N}: entry 1 ("my.net"): network name "my.net" ${LABEL_RULE}` },
  },
  {
    name: "name starting with '-'",
    input: "-net",
    want: { error: `${N}: entry 1 ("-net"): network name "-net" ${LABEL_RULE}` },
  },
  {
    name: "'@' before '/' lands in the namespace",
    input: "a@x/y",
    want: { error: `${N}: entry 1 ("a@x/y"): namespace "a@x" ${LABEL_RULE}` },
  },
  {
    name: "name longer than 253",
    input: "a".repeat(254),
    want: {
      error: `${N}: entry 1 ("${"a".repeat(254)}"): network name "${"a".repeat(254)}" must be at most 253 characters long`,
    },
  },
  {
    name: "ifname of 16 bytes",
    input: "net-a@abcdefghijklmnop",
    want: {
      error: `${N}: entry 1 ("net-a@abcdefghijklmnop"): interface name "abcdefghijklmnop" must be at most 15 bytes long (it has 16)`,
    },
  },
  {
    name: "ifname counted in UTF-8 bytes",
    input: "net-a@ééééééééé",
    want: {
      error: `${N}: entry 1 ("net-a@ééééééééé"): interface name "ééééééééé" must be at most 15 bytes long (it has 18)`,
    },
  },
  {
    name: "ifname with inner space",
    input: "net-a@my if",
    want: { error: `${N}: entry 1 ("net-a@my if"): interface name "my if" must not contain whitespace` },
  },
  {
    name: "ifname with ':' (dev_valid_name refuses it)",
    input: "net-a@eth0:1",
    want: { error: `${N}: entry 1 ("net-a@eth0:1"): interface name "eth0:1" must not contain ":"` },
  },
  {
    name: "ifname '..'",
    input: "net-a@..",
    want: { error: `${N}: entry 1 ("net-a@.."): interface name ".." must not be "." or ".."` },
  },
  {
    name: "ifname template with '%'",
    input: "net-a@net%d",
    want: { error: `${N}: entry 1 ("net-a@net%d"): interface name "net%d" must not contain "%"` },
  },
];

describe("parseNetworkSelections, text form", () => {
  it.each(textCases)("$name", ({ input, want }) => expectParse(input, want));

  it("has at least 25 cases", () => {
    expect(textCases.length).toBeGreaterThanOrEqual(25);
  });

  it("names the annotation it was told to", () => {
    const got = parseNetworkSelections("a/b/c", POD_NS, { annotation: "example.com/nets" });
    expect(!got.ok && got.error.message).toBe('example.com/nets: entry 1 ("a/b/c"): more than one "/"');
  });
});

describe("parseDefaultNetworkSelection", () => {
  const D = DEFAULT_NETWORK_ANNOTATION;
  const cases: {
    name: string;
    input: string;
    want: { selection: NetworkSelection | undefined } | { error: string };
  }[] = [
    { name: "not set when empty", input: "  ", want: { selection: undefined } },
    {
      name: "text form defaults to the multus namespace, keeps @ifname",
      input: "calico@eth1",
      want: { selection: { namespace: "kube-system", name: "calico", interfaceName: "eth1" } },
    },
    {
      name: "JSON form with a namespace",
      input: '[{"name":"calico","namespace":"net-ns"}]',
      want: { selection: { namespace: "net-ns", name: "calico" } },
    },
    { name: "two networks", input: "a,b", want: { error: `${D}: exactly one network must be given, got 2` } },
    {
      name: "an empty JSON list",
      input: "[]",
      want: { error: `${D}: exactly one network must be given, got 0` },
    },
    {
      name: "parse errors name this annotation",
      input: "a/b/c",
      want: { error: `${D}: entry 1 ("a/b/c"): more than one "/"` },
    },
  ];
  it.each(cases)("$name", ({ input, want }) => {
    const got = parseDefaultNetworkSelection(input, "kube-system");
    if ("error" in want) {
      expect(!got.ok && got.error.message).toBe(want.error);
    } else {
      expect(got).toEqual({ ok: true, selection: want.selection });
    }
  });
});
