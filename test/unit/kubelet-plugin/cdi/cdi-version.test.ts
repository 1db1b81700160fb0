// The lowest cdiVersion for a spec, one case per rule of CDI's MinimumRequiredVersion, and the version
// comparator.
import { describe, expect, it } from "vitest";
import { compareCdiVersions, minimumCdiVersion } from "../../../../src/kubelet-plugin/cdi/cdi-version.ts";
import type { CdiContainerEdits, CdiSpec } from "../../../../src/kubelet-plugin/cdi/cdi-types.ts";

function spec(edits: CdiContainerEdits, extra: Partial<CdiSpec> = {}, name = "dev0"): CdiSpec {
  return { cdiVersion: "", kind: "netclaim.dev/net", devices: [{ name, containerEdits: edits }], ...extra };
}

describe("minimumCdiVersion", () => {
  const cases: { name: string; spec: CdiSpec; want: string }[] = [
    { name: "env only", spec: spec({ env: ["A=1"] }), want: "0.3.0" },
    {
      name: "device nodes with path and type",
      spec: spec({ deviceNodes: [{ path: "/dev/vfio/7", type: "c" }] }),
      want: "0.3.0",
    },
    {
      name: "hooks",
      spec: spec({ hooks: [{ hookName: "createContainer", path: "/bin/true" }] }),
      want: "0.3.0",
    },
    {
      name: "a mount without type",
      spec: spec({ mounts: [{ hostPath: "/a", containerPath: "/b" }] }),
      want: "0.3.0",
    },
    {
      name: "a mount with type",
      spec: spec({ mounts: [{ hostPath: "/a", containerPath: "/b", type: "bind" }] }),
      want: "0.4.0",
    },
    {
      name: "a device name starting with a digit",
      spec: spec({ env: ["A=1"] }, {}, "3f0c-vf0"),
      want: "0.5.0",
    },
    {
      name: "a device node with hostPath",
      spec: spec({ deviceNodes: [{ path: "/dev/x", hostPath: "/dev/y" }] }),
      want: "0.5.0",
    },
    {
      name: "an empty hostPath does not count",
      spec: spec({ deviceNodes: [{ path: "/dev/x", hostPath: "" }] }),
      want: "0.3.0",
    },
    {
      name: "hostPath in the spec-level edits",
      spec: spec(
        { env: ["A=1"] },
        { containerEdits: { deviceNodes: [{ path: "/dev/x", hostPath: "/dev/x" }] } },
      ),
      want: "0.5.0",
    },
    { name: "spec annotations", spec: spec({ env: ["A=1"] }, { annotations: { a: "b" } }), want: "0.6.0" },
    {
      name: "empty annotations do not count",
      spec: spec({ env: ["A=1"] }, { annotations: {} }),
      want: "0.3.0",
    },
    {
      name: "device annotations",
      spec: {
        cdiVersion: "",
        kind: "v.io/c",
        devices: [{ name: "d", annotations: { a: "b" }, containerEdits: { env: ["A=1"] } }],
      },
      want: "0.6.0",
    },
    {
      name: "a dot in the class",
      spec: spec({ env: ["A=1"] }, { kind: "netclaim.dev/net.vf" }),
      want: "0.6.0",
    },
    { name: "dots in the vendor only", spec: spec({ env: ["A=1"] }, { kind: "a.b.c/net" }), want: "0.3.0" },
    { name: "intelRdt", spec: spec({ intelRdt: { closID: "x" } }), want: "0.7.0" },
    { name: "additionalGids", spec: spec({ additionalGids: [5] }), want: "0.7.0" },
    { name: "intelRdt schemata", spec: spec({ intelRdt: { schemata: ["L3:0=f"] } }), want: "1.1.0" },
    {
      name: "intelRdt enableMonitoring",
      spec: spec({ intelRdt: { enableMonitoring: true } }),
      want: "1.1.0",
    },
    {
      name: "netDevices",
      spec: spec({ netDevices: [{ hostInterfaceName: "eth1", name: "net1" }] }),
      want: "1.1.0",
    },
    {
      name: "the highest rule wins",
      spec: spec(
        { mounts: [{ hostPath: "/a", containerPath: "/b", type: "bind" }], additionalGids: [1] },
        {},
        "9x",
      ),
      want: "0.7.0",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(minimumCdiVersion(c.spec)).toBe(c.want);
    });
  }
});

describe("compareCdiVersions", () => {
  it("orders known versions, with or without a leading v", () => {
    expect(compareCdiVersions("0.3.0", "0.5.0")).toBeLessThan(0);
    expect(compareCdiVersions("v0.5.0", "0.5.0")).toBe(0);
    expect(compareCdiVersions("1.1.0", "0.8.0")).toBeGreaterThan(0);
  });
  it("refuses unknown versions", () => {
    expect(() => compareCdiVersions("0.9.0", "0.5.0")).toThrow('unknown CDI version "0.9.0"');
  });
});
