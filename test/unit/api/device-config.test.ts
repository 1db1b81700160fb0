// The devices config: YAML → validated config (selector values normalised), and every error naming the
// resource (index and name) and the field.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDeviceConfig, parseDeviceConfigYaml } from "../../../src/api/device-config.ts";
import { errorCodeOf } from "../../../src/common/errors.ts";

const FIXTURES = join(import.meta.dirname, "../../fixtures/device-config");

describe("parseDeviceConfigYaml: a valid config", () => {
  it("reads every field, normalising IDs, link types and PF selectors", async () => {
    const config = await loadDeviceConfig(join(FIXTURES, "full.yaml"));
    expect(config).toEqual({
      apiVersion: "netclaim.dev/v1alpha1",
      kind: "DeviceConfig",
      resources: [
        {
          resourceName: "intel_sriov_netdevice",
          kind: "sriov-vf",
          selectors: {
            pfNames: [
              {
                entry: "ens1f0#0-3,6",
                pattern: "ens1f0",
                vfRanges: [
                  { first: 0, last: 3 },
                  { first: 6, last: 6 },
                ],
              },
              { entry: "ens2f.*", pattern: "ens2f.*" },
            ],
            rootDevices: [
              { entry: "0000:81:00.0#0-1", pattern: "0000:81:00.0", vfRanges: [{ first: 0, last: 1 }] },
            ],
            vendors: ["8086", "15b3"],
            devices: ["154c"],
            drivers: ["iavf", "mlx5_core"],
            numaNodes: [0, -1],
            linkTypes: ["ether"],
            pciAddresses: ["0000:03:02.0"],
          },
          attributes: {
            tier: { string: "gold" },
            ports: { int: 2 },
            fast: { bool: true },
            "example.com/generation": { version: "2.1.0" },
            note: { string: "10" },
          },
        },
        {
          resourceName: "sf-pool-1",
          kind: "subfunction",
          selectors: { pfNames: [{ entry: "ens3f0np0", pattern: "ens3f0np0" }], isRdma: true },
          attributes: {},
        },
        { resourceName: "veths", kind: "netdev", selectors: { ifNames: ["veth[0-9]+"] }, attributes: {} },
      ],
    });
  });

  it("an empty resource list is valid (nothing to publish)", () => {
    const config = parseDeviceConfigYaml(
      "apiVersion: netclaim.dev/v1alpha1\nkind: DeviceConfig\nresources: []\n",
    );
    expect(config.resources).toEqual([]);
  });
});

const HEAD = "apiVersion: netclaim.dev/v1alpha1\nkind: DeviceConfig\nresources:\n";

/** The message of what parsing `yaml` throws (and that its code is INVALID_CONFIG). */
function failure(yaml: string): string {
  try {
    parseDeviceConfigYaml(yaml, "devices config t.yaml");
  } catch (err) {
    expect(errorCodeOf(err)).toBe("INVALID_CONFIG");
    return (err as Error).message;
  }
  return "no error";
}

const vf = (selectors: string, extra = "") =>
  `${HEAD}  - resourceName: a\n    kind: sriov-vf\n  - resourceName: vf-pool-b\n    kind: sriov-vf\n    selectors: ${selectors}\n${extra}`;

const errorCases: { name: string; yaml: string; want: string }[] = [
  {
    name: "a VF range that ends before it starts",
    yaml: vf('{ pfNames: ["ens1f0#3-1"] }'),
    want: 'devices config t.yaml: resources[1] (vf-pool-b): field "selectors.pfNames[0]": VF range "3-1" in "ens1f0#3-1" ends before it starts',
  },
  {
    name: "a VF index that is no number",
    yaml: vf('{ pfNames: ["ens1f0#x"] }'),
    want: 'devices config t.yaml: resources[1] (vf-pool-b): field "selectors.pfNames[0]": VF index "x" in "ens1f0#x" is not a number',
  },
  {
    name: "two # in a PF selector",
    yaml: vf('{ rootDevices: ["0000:03:00.0#1#2"] }'),
    want: 'devices config t.yaml: resources[1] (vf-pool-b): field "selectors.rootDevices[0]": "0000:03:00.0#1#2" has more than one "#"',
  },
  {
    name: "a PF name that is an invalid regular expression",
    yaml: vf('{ pfNames: ["ens(1"] }'),
    want: 'devices config t.yaml: resources[1] (vf-pool-b): field "selectors.pfNames[0]": invalid regular expression "ens(1": Invalid regular expression: /^(?:ens(1)$/: Unterminated group',
  },
  {
    name: "an ifNames pattern that does not compile",
    yaml: vf('{ ifNames: ["[ab"] }'),
    want: 'devices config t.yaml: resources[1] (vf-pool-b): field "selectors.ifNames[0]": invalid regular expression "[ab": Invalid regular expression: /^(?:[ab)$/: Unterminated character class',
  },
  {
    name: "a vendor that is no 4-digit hex ID",
    yaml: vf('{ vendors: ["intel"] }'),
    want: 'devices config t.yaml: resources[1] (vf-pool-b): field "selectors.vendors[0]": expected a vendor ID of 4 hex digits (e.g. "8086" or "0x8086"), got "intel"',
  },
  {
    name: "a short PCI address",
    yaml: vf('{ pciAddresses: ["03:02.0"] }'),
    want: 'devices config t.yaml: resources[1] (vf-pool-b): field "selectors.pciAddresses[0]": expected a PCI address DDDD:BB:DD.F, got "03:02.0"',
  },
  {
    name: "a NUMA node below -1",
    yaml: vf("{ numaNodes: [-2] }"),
    want: 'devices config t.yaml: resources[1] (vf-pool-b): field "selectors.numaNodes[0]": must be at least -1, got number -2',
  },
  {
    name: "isRdma as a string",
    yaml: vf('{ isRdma: "yes" }'),
    want: 'devices config t.yaml: resources[1] (vf-pool-b): field "selectors.isRdma": expected boolean, got string',
  },
  {
    name: "an unknown selector (typo)",
    yaml: vf("{ pfname: [ens1f0] }"),
    want: 'devices config t.yaml: resources[1] (vf-pool-b): field "selectors": Unrecognized key: "pfname"',
  },
  {
    name: "an unknown kind",
    yaml: `${HEAD}  - resourceName: x\n    kind: vdpa\n`,
    want: 'devices config t.yaml: resources[0] (x): field "kind": expected one of "sriov-vf", "subfunction", "netdev", got string "vdpa"',
  },
  {
    name: "a missing resourceName",
    yaml: `${HEAD}  - kind: netdev\n    selectors: { ifNames: [veth0] }\n`,
    want: 'devices config t.yaml: resources[0]: field "resourceName": required (expected string)',
  },
  {
    name: "a resourceName with spaces",
    yaml: `${HEAD}  - resourceName: my pool\n    kind: sriov-vf\n`,
    want: 'devices config t.yaml: resources[0] (my pool): field "resourceName": must be letters, digits and - _ . /, starting and ending with a letter or digit',
  },
  {
    name: "the wrong apiVersion",
    yaml: "apiVersion: v1\nkind: DeviceConfig\nresources: []\n",
    want: 'devices config t.yaml: field "apiVersion": expected one of "netclaim.dev/v1alpha1", got string "v1"',
  },
  {
    name: "a resourceName used twice",
    yaml: `${HEAD}  - resourceName: p\n    kind: sriov-vf\n  - resourceName: p\n    kind: subfunction\n`,
    want: 'devices config t.yaml: resources[1] (p): field "resourceName": resourceName "p" is used twice',
  },
  {
    name: "a netdev resource that names no interfaces",
    yaml: `${HEAD}  - resourceName: n\n    kind: netdev\n    selectors: { drivers: [virtio_net] }\n`,
    want: 'devices config t.yaml: resources[0] (n): field "selectors.ifNames": a netdev resource must name its interfaces',
  },
  {
    name: "selectors a kind has no data for, and VF ranges outside sriov-vf",
    yaml: `${HEAD}  - resourceName: n\n    kind: netdev\n    selectors: { ifNames: [x], pfNames: [ens1f0] }\n  - resourceName: s\n    kind: subfunction\n    selectors: { pfNames: ["ens3f0np0#0-1"], pciAddresses: ["0000:06:00.0"] }\n`,
    want:
      'devices config t.yaml: resources[0] (n): field "selectors.pfNames": does not apply to kind netdev; ' +
      'resources[1] (s): field "selectors.pciAddresses": does not apply to kind subfunction; ' +
      'resources[1] (s): field "selectors.pfNames[0]": VF index ranges need kind sriov-vf, not subfunction',
  },
  {
    name: "an attribute name that is no QualifiedName",
    yaml: vf("{}", "    attributes: { my-attr: x }\n"),
    want: 'devices config t.yaml: resources[1] (vf-pool-b): field "attributes.my-attr": the name must be a C identifier ([A-Za-z_][A-Za-z0-9_]*)',
  },
  {
    name: "an attribute name netclaim publishes itself",
    yaml: vf("{}", "    attributes: { k8s.cni.cncf.io/resourceName: other }\n"),
    want: 'devices config t.yaml: resources[1] (vf-pool-b): field "attributes[\'k8s.cni.cncf.io/resourceName\']": "k8s.cni.cncf.io/resourceName" is an attribute netclaim publishes itself',
  },
  {
    name: "attribute values: a float, a bad version, a long string, an unknown form",
    yaml: vf(
      "{}",
      `    attributes:\n      speed: 2.5\n      gen: { version: "2.1" }\n      long: "${"x".repeat(65)}"\n      odd: { quantity: 1 }\n`,
    ),
    want:
      'devices config t.yaml: resources[1] (vf-pool-b): field "attributes.speed": expected an integer, got 2.5; ' +
      'resources[1] (vf-pool-b): field "attributes.gen": version "2.1" is not semver 2.0.0; ' +
      'resources[1] (vf-pool-b): field "attributes.long": a string value must be at most 64 characters; ' +
      'resources[1] (vf-pool-b): field "attributes.odd": expected a string, an integer, a boolean, or one of {string: ...}, {int: ...}, {bool: ...}, {version: ...}, got {quantity: number}',
  },
  {
    name: "more extra attributes than fit a device",
    yaml: vf(
      "{}",
      `    attributes:\n${Array.from({ length: 14 }, (_, i) => `      a${i}: true\n`).join("")}`,
    ),
    want: 'devices config t.yaml: resources[1] (vf-pool-b): field "attributes": at most 13 extra attributes fit a sriov-vf device (the API allows 32 per device)',
  },
  {
    name: "YAML that does not parse",
    yaml: `${HEAD}  - resourceName: [\n`,
    want: "devices config t.yaml: invalid YAML: ",
  },
  {
    name: "a duplicate key",
    yaml: `${HEAD}  - resourceName: a\n    resourceName: b\n    kind: sriov-vf\n`,
    want: "devices config t.yaml: invalid YAML: Map keys must be unique",
  },
];

describe("parseDeviceConfigYaml: errors name the resource and the field", () => {
  for (const c of errorCases) {
    it(c.name, () => {
      const message = failure(c.yaml);
      if (c.want.endsWith(": ") || c.want.endsWith("unique")) expect(message.startsWith(c.want)).toBe(true);
      else expect(message).toBe(c.want);
    });
  }

  it("a missing file is an INVALID_CONFIG error naming the path", async () => {
    const path = join(FIXTURES, "does-not-exist.yaml");
    await expect(loadDeviceConfig(path)).rejects.toThrow(`read devices config ${path}`);
  });

  it("the seed scenario's pool file parses", async () => {
    const text = await readFile(join(FIXTURES, "sf-pool.yaml"), "utf8");
    expect(parseDeviceConfigYaml(text).resources.map((r) => r.resourceName)).toEqual(["sf-pool-1"]);
  });
});
