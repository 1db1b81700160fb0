// DRA selectors evaluated as the scheduler does: expressions from real DeviceClasses and requests
// (Kubernetes' DRA docs and examples, dra-example-driver, netclaim's own managed class), the `device`
// variable's rules (driver-domain names, empty map for an unknown domain, "no such key" for a missing
// attribute), the quantity and semver libraries, cel.bind, the strings extension, and errors.
import { describe, expect, it } from "vitest";
import { compileSelector, evaluateSelector, matchDevice } from "../../../src/api/cel/dra-selector.ts";
import type { SelectorOutcome } from "../../../src/api/cel/dra-selector.ts";
import type { DraDeviceInput } from "../../../src/api/cel/dra-device.ts";
import { selectorExpression } from "../../../src/controller/classes/device-class.ts";

const gpu: DraDeviceInput = {
  driver: "gpu.example.com",
  attributes: {
    model: { string: "LATEST-GPU-MODEL" },
    index: { int: 0 },
    uuid: { string: "gpu-18db0e85-99e9-c746-8531-ffeb86328b39" },
    driverVersion: { version: "1.0.0" },
    productName: { string: "NVIDIA A100-SXM4-40GB" },
    "resource.kubernetes.io/pcieRoot": { string: "pci0000:00" },
  },
  capacity: { memory: { value: "80Gi" }, cores: { value: 108 } },
};

const vf: DraDeviceInput = {
  driver: "netclaim.dev",
  attributes: {
    "k8s.cni.cncf.io/resourceName": { string: "sf-pool-1" },
    "k8s.cni.cncf.io/deviceID": { string: "0000:03:00.2" },
    "resource.kubernetes.io/pciBusID": { string: "0000:03:00.2" },
    type: { string: "sriov-vf" },
    pfName: { string: "ens1f0" },
    numaNode: { int: 1 },
    rdma: { bool: true },
    firmware: { version: "22.36.1010-rc.2+build.7" },
    vlans: { ints: [10, 20] },
  },
  allowMultipleAllocations: true,
};

const match: SelectorOutcome = { kind: "match" };
const noMatch: SelectorOutcome = { kind: "no-match" };
const error = (message: string): SelectorOutcome => ({ kind: "error", message });

describe("DRA selectors on a device", () => {
  const cases: { name: string; device: DraDeviceInput; expression: string; want: SelectorOutcome }[] = [
    // Kubernetes DRA docs / dra-example-driver
    { name: "driver check", device: gpu, expression: `device.driver == "gpu.example.com"`, want: match },
    {
      name: "string attribute under the driver's domain",
      device: gpu,
      expression: `device.attributes["gpu.example.com"].model == "LATEST-GPU-MODEL"`,
      want: match,
    },
    {
      name: "docs: driver, type attribute and memory capacity",
      device: gpu,
      expression: `device.driver == "gpu.example.com" && device.attributes["gpu.example.com"].productName.startsWith("NVIDIA") && device.capacity["gpu.example.com"].memory.compareTo(quantity("40Gi")) >= 0`,
      want: match,
    },
    {
      name: "capacity below the ask",
      device: gpu,
      expression: `device.capacity["gpu.example.com"].memory.isGreaterThan(quantity("100Gi"))`,
      want: noMatch,
    },
    {
      name: "numeric capacity",
      device: gpu,
      expression: `device.capacity["gpu.example.com"].cores == quantity("108")`,
      want: match,
    },
    {
      name: "version attribute is a semver",
      device: gpu,
      expression: `device.attributes["gpu.example.com"].driverVersion.compareTo(semver("0.9.0")) > 0`,
      want: match,
    },
    {
      name: "version equality with semver()",
      device: gpu,
      expression: `device.attributes["gpu.example.com"].driverVersion == semver("1.0.0")`,
      want: match,
    },
    {
      name: "standard attribute domain",
      device: gpu,
      expression: `device.attributes["resource.kubernetes.io"].pcieRoot == "pci0000:00"`,
      want: match,
    },
    {
      name: "cel.bind (compile.go's own example form)",
      device: gpu,
      expression: `cel.bind(dra, device.attributes["gpu.example.com"], dra.model == "LATEST-GPU-MODEL" && dra.index == 0)`,
      want: match,
    },
    // netclaim's managed class (src/controller/classes)
    {
      name: "netclaim's class selector",
      device: vf,
      expression: selectorExpression("netclaim.dev", "sf-pool-1"),
      want: match,
    },
    {
      name: "netclaim's class selector, other resourceName",
      device: vf,
      expression: selectorExpression("netclaim.dev", "sf-pool-2"),
      want: noMatch,
    },
    {
      name: "netclaim's class selector on a device without the domain",
      device: gpu,
      expression: selectorExpression("gpu.example.com", "sf-pool-1"),
      want: noMatch,
    },
    {
      name: "bool and int attributes",
      device: vf,
      expression: `device.attributes["netclaim.dev"].rdma && device.attributes["netclaim.dev"].numaNode == 1`,
      want: match,
    },
    {
      name: "pre-release version below its release",
      device: vf,
      expression: `device.attributes["netclaim.dev"].firmware.isLessThan(semver("22.36.1010"))`,
      want: match,
    },
    {
      name: "semver major()",
      device: vf,
      expression: `device.attributes["netclaim.dev"].firmware.major() == 22`,
      want: match,
    },
    {
      name: "list attribute with exists()",
      device: vf,
      expression: `device.attributes["netclaim.dev"].vlans.exists(v, v == 20)`,
      want: match,
    },
    {
      name: "allowMultipleAllocations",
      device: vf,
      expression: `device.allowMultipleAllocations == true`,
      want: match,
    },
    {
      name: "allowMultipleAllocations defaults to false",
      device: gpu,
      expression: `!device.allowMultipleAllocations`,
      want: match,
    },
    {
      name: "strings extension",
      device: vf,
      expression: `device.attributes["netclaim.dev"].type.upperAscii() == "SRIOV-VF"`,
      want: match,
    },
    {
      name: "matches()",
      device: vf,
      expression: `device.attributes["netclaim.dev"].pfName.matches("^ens[0-9]+f0$")`,
      want: match,
    },
    // the `device` map's rules
    {
      name: "unknown domain is not `in`",
      device: vf,
      expression: `"other.example.com" in device.attributes`,
      want: noMatch,
    },
    {
      name: "known domain is `in`",
      device: vf,
      expression: `"k8s.cni.cncf.io" in device.attributes`,
      want: match,
    },
    {
      name: "unknown domain reads as an empty map",
      device: vf,
      expression: `!("model" in device.attributes["other.example.com"])`,
      want: match,
    },
    {
      name: "has() on a present attribute",
      device: vf,
      expression: `has(device.attributes["netclaim.dev"].pfName)`,
      want: match,
    },
    {
      name: "has() on a missing attribute",
      device: vf,
      expression: `has(device.attributes["netclaim.dev"].model)`,
      want: noMatch,
    },
    {
      name: "missing attribute is an error, not false",
      device: vf,
      expression: `device.attributes["netclaim.dev"].model == "x"`,
      want: error("no such key: model"),
    },
    {
      name: "missing attribute in an unknown domain",
      device: vf,
      expression: `device.attributes["other.example.com"].model == "x"`,
      want: error("no such key: model"),
    },
    {
      name: "false && error is false (commutative logic)",
      device: vf,
      expression: `device.attributes["netclaim.dev"].model == "x" && false`,
      want: noMatch,
    },
    {
      name: "no such field of device",
      device: vf,
      expression: `device.name == "x"`,
      want: error("no such key: name"),
    },
    // library errors and non-bool results
    {
      name: "bad quantity literal",
      device: vf,
      expression: `quantity("10Mo").isInteger()`,
      want: error(
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      ),
    },
    {
      name: "bad semver literal",
      device: vf,
      expression: `semver("v1.0.0").major() == 1`,
      want: error('Invalid character(s) found in major number "v1"'),
    },
    { name: "normalising semver", device: vf, expression: `semver("v1.0", true).major() == 1`, want: match },
    {
      name: "not a bool",
      device: vf,
      expression: `device.driver`,
      want: error("CEL result could not be converted to bool"),
    },
    {
      name: "unknown function",
      device: vf,
      expression: `device.driver.reverse2() == ""`,
      want: { kind: "error", message: expect.stringContaining("reverse2") as unknown as string },
    },
  ];
  it.each(cases)("$name", ({ device, expression, want }) => {
    expect(evaluateSelector(compileSelector(expression), device)).toEqual(want);
  });
});

describe("compileSelector and matchDevice", () => {
  it("reports a syntax error as a compilation failure", () => {
    const compiled = compileSelector(`device.driver ==`);
    expect(compiled.ok).toBe(false);
    expect(evaluateSelector(compiled, vf)).toEqual(
      error(expect.stringMatching(/^compilation failed: /) as unknown as string),
    );
  });

  it("fails every selector of a device whose version attribute is no semver", () => {
    const bad: DraDeviceInput = { driver: "d", attributes: { v: { version: "1.0" } } };
    expect(matchDevice([compileSelector("true")], bad)).toEqual({
      matches: false,
      rejectedBy: {
        index: 0,
        outcome: error("attribute v: parse semantic version: No Major.Minor.Patch elements found"),
      },
    });
  });

  it("ANDs the selectors and names the first that rejects", () => {
    const selectors = [
      `device.driver == "netclaim.dev"`,
      `device.attributes["netclaim.dev"].type == "subfunction"`,
      `device.attributes["netclaim.dev"].model == "x"`,
    ].map(compileSelector);
    expect(matchDevice(selectors, vf)).toEqual({
      matches: false,
      rejectedBy: { index: 1, outcome: noMatch },
    });
    expect(matchDevice(selectors.slice(0, 1), vf)).toEqual({ matches: true });
  });
});
