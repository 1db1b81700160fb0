// Delegate CNI configs (NAD spec.config, conf files, `delegates` entries): conf vs conflist, every key
// kept, errors naming the source.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { errorCodeOf } from "../../../src/common/errors.ts";
import { parseDelegateConfig } from "../../../src/api/netconf-delegate.ts";
import type { ParseDelegateOptions } from "../../../src/api/netconf-delegate.ts";

const NAD = "network-attachment-definition default/macvlan";
const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/cni-protocol/${name}`, import.meta.url), "utf8");

function failure(input: string | Record<string, unknown>, options: ParseDelegateOptions): string {
  try {
    parseDelegateConfig(input, options);
  } catch (err) {
    return `${errorCodeOf(err)}: ${(err as Error).message}`;
  }
  return "no error";
}

describe("parseDelegateConfig: accepted configs", () => {
  it("a single-plugin conf (Multus docs' macvlan NAD config)", () => {
    const text = fixture("delegate-macvlan.conf.json");
    const got = parseDelegateConfig(text, { source: "/etc/cni/multus/net.d/bridge.conf" });
    expect(got).toEqual({
      kind: "conf",
      name: "macvlan-conf",
      cniVersion: "0.3.1",
      plugins: [JSON.parse(text) as unknown],
      disableCheck: false,
      disableGC: false,
      raw: JSON.parse(text) as unknown,
      source: "/etc/cni/multus/net.d/bridge.conf",
    });
  });

  it("a conflist keeps each plugin whole, plugin-specific keys included (a Calico conflist)", () => {
    const text = fixture("delegate-calico.conflist.json");
    const got = parseDelegateConfig(Buffer.from(text), { source: NAD });
    const raw = JSON.parse(text) as { plugins: unknown[] };
    expect(got.kind).toBe("conflist");
    expect(got.name).toBe("k8s-pod-network");
    expect(got.plugins[0]).toMatchObject({
      datastore_type: "kubernetes",
      kubernetes: { kubeconfig: "/etc/cni/net.d/calico-kubeconfig" },
    });
    expect(got.plugins).toEqual(raw.plugins);
    expect(got.raw).toEqual(raw);
  });

  const cases: {
    name: string;
    input: Record<string, unknown>;
    options?: Partial<ParseDelegateOptions>;
    want: object;
  }[] = [
    {
      name: "a NAD config without name gets the NAD's name",
      input: { cniVersion: "0.3.1", type: "macvlan", master: "eth0" },
      options: { defaultName: "macvlan" },
      want: { kind: "conf", name: "macvlan", cniVersion: "0.3.1" },
    },
    {
      name: "an empty name also gets the default",
      input: { name: "", type: "macvlan" },
      options: { defaultName: "macvlan" },
      want: { kind: "conf", name: "macvlan" },
    },
    {
      name: "the config's own name wins over the default",
      input: { name: "own", type: "macvlan" },
      options: { defaultName: "macvlan" },
      want: { name: "own" },
    },
    {
      name: "type wins over plugins (Multus's test)",
      input: { name: "n", type: "bridge", plugins: [{ type: "tuning" }] },
      want: { kind: "conf", plugins: [{ name: "n", type: "bridge", plugins: [{ type: "tuning" }] }] },
    },
    {
      name: "an empty type makes it a conflist",
      input: { name: "n", type: "", plugins: [{ type: "ptp" }] },
      want: { kind: "conflist", plugins: [{ type: "ptp" }] },
    },
    {
      name: "disableCheck and disableGC as booleans",
      input: { name: "n", disableCheck: true, disableGC: true, plugins: [{ type: "ptp" }] },
      want: { disableCheck: true, disableGC: true },
    },
    {
      name: 'disableCheck as "True" (libcni accepts the strings)',
      input: { name: "n", disableCheck: "True", disableGC: "false", plugins: [{ type: "ptp" }] },
      want: { disableCheck: true, disableGC: false },
    },
    {
      name: "capabilities per plugin and unknown keys stay",
      input: {
        name: "n",
        plugins: [
          { type: "portmap", capabilities: { portMappings: true }, snat: true, conditionsV4: ["-d", "x"] },
        ],
      },
      want: {
        plugins: [
          { type: "portmap", capabilities: { portMappings: true }, snat: true, conditionsV4: ["-d", "x"] },
        ],
      },
    },
  ];
  it.each(cases)("$name", ({ input, options, want }) => {
    expect(parseDelegateConfig(input, { source: NAD, ...options })).toMatchObject(want);
  });
});

describe("parseDelegateConfig: cniVersion", () => {
  it("is absent when the config has none (the caller backfills it, as Multus does on DEL)", () => {
    const got = parseDelegateConfig({ name: "n", type: "ptp" }, { source: NAD });
    expect(Object.hasOwn(got, "cniVersion")).toBe(false);
  });
});

describe("parseDelegateConfig: errors name the source and the field", () => {
  const cases: {
    name: string;
    input: string | Record<string, unknown>;
    options?: Partial<ParseDelegateOptions>;
    want: string;
  }[] = [
    { name: "bad JSON", input: '{"type": ', want: `DECODE_FAILURE: ${NAD}: not valid JSON: ` },
    {
      name: "JSON that is not an object",
      input: "[]",
      want: `INVALID_NETWORK_CONFIG: ${NAD}: expected a JSON object, got array`,
    },
    {
      name: "neither type nor plugins",
      input: { name: "n" },
      want: `INVALID_NETWORK_CONFIG: ${NAD}: expected "type" (a single plugin) or "plugins" (a list of plugins)`,
    },
    {
      name: "type not a string",
      input: { name: "n", type: 3 },
      want: `INVALID_NETWORK_CONFIG: ${NAD}: field "type": expected string, got number`,
    },
    {
      name: "plugins not a list",
      input: { name: "n", plugins: {} },
      want: `INVALID_NETWORK_CONFIG: ${NAD}: field "plugins": expected array, got object`,
    },
    {
      name: "empty plugins",
      input: { name: "n", plugins: [] },
      want: `INVALID_NETWORK_CONFIG: ${NAD}: field "plugins": expected at least 1 item`,
    },
    {
      name: "a plugin that is not an object",
      input: { name: "n", plugins: ["bridge"] },
      want: `INVALID_NETWORK_CONFIG: ${NAD}: field "plugins[0]": expected object, got string`,
    },
    {
      name: "the second plugin without type",
      input: { name: "n", plugins: [{ type: "bridge" }, { mtu: 1 }] },
      want: `INVALID_NETWORK_CONFIG: ${NAD}: field "plugins[1].type": required (expected string)`,
    },
    {
      name: "a plugin with an empty type",
      input: { name: "n", plugins: [{ type: "" }] },
      want: `INVALID_NETWORK_CONFIG: ${NAD}: field "plugins[0].type": must not be empty`,
    },
    {
      name: "a capability that is not a boolean",
      input: { name: "n", plugins: [{ type: "portmap", capabilities: { portMappings: "yes" } }] },
      want: `INVALID_NETWORK_CONFIG: ${NAD}: field "plugins[0].capabilities.portMappings": expected boolean, got string`,
    },
    {
      name: "disableCheck not a boolean",
      input: { name: "n", disableCheck: "maybe", plugins: [{ type: "ptp" }] },
      want: `INVALID_NETWORK_CONFIG: ${NAD}: field "disableCheck": expected boolean, got string "maybe"`,
    },
    {
      name: "cniVersion not a string",
      input: { name: "n", cniVersion: 1.0, type: "ptp" },
      want: `INVALID_NETWORK_CONFIG: ${NAD}: field "cniVersion": expected string, got number`,
    },
    {
      name: "name not a string",
      input: { name: ["n"], type: "ptp" },
      want: `INVALID_NETWORK_CONFIG: ${NAD}: field "name": expected string, got array`,
    },
    {
      name: "no name and no default",
      input: { type: "ptp" },
      want: `INVALID_NETWORK_CONFIG: ${NAD}: field "name": required (the network name)`,
    },
    {
      name: "a file source",
      input: { name: "n", plugins: [{}] },
      options: { source: "/etc/cni/multus/net.d/10-x.conflist" },
      want: 'INVALID_NETWORK_CONFIG: /etc/cni/multus/net.d/10-x.conflist: field "plugins[0].type": required (expected string)',
    },
  ];
  it.each(cases)("$name", ({ input, options, want }) => {
    const got = failure(input, { source: NAD, ...options });
    if (want.endsWith(": ")) expect(got.startsWith(want)).toBe(true);
    else expect(got).toBe(want);
  });
});
