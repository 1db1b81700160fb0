// CDI names: kinds, device names and IDs, spec file names (and telling ours from others'), and the
// grammar checks.
import { describe, expect, it } from "vitest";
import {
  cdiDeviceId,
  cdiDeviceNameProblem,
  cdiKind,
  cdiSpecFileName,
  cdiVendorProblem,
  claimUidFromSpecFileName,
} from "../../../../src/kubelet-plugin/cdi/cdi-names.ts";

const UID = "3f0c9a52-7d4e-4b8f-9c1e-0a2b4c6d8e10";

describe("CDI names", () => {
  it("kind, device ID and spec file name", () => {
    expect(cdiKind("netclaim.dev")).toBe("netclaim.dev/net");
    expect(cdiDeviceId("netclaim.dev", UID, "vf-0000-3b-02-1")).toBe(
      `netclaim.dev/net=${UID}-vf-0000-3b-02-1`,
    );
    expect(cdiSpecFileName("netclaim.dev", UID)).toBe(`netclaim.dev-net_${UID}.json`);
    expect(cdiSpecFileName("netclaim.dev", "a/b")).toBe("netclaim.dev-net_a_b.json");
  });

  const files: { file: string; want: string | undefined }[] = [
    { file: `netclaim.dev-net_${UID}.json`, want: UID },
    { file: `netclaim.dev-net_${UID}.yaml`, want: undefined },
    { file: `netclaim.dev-net_.json`, want: undefined },
    { file: `other.dev-net_${UID}.json`, want: undefined },
    { file: `.netclaim.dev-net_${UID}.json.tmp-1-abc`, want: undefined },
    { file: `netclaim.dev-nets_${UID}.json`, want: undefined },
  ];
  for (const c of files) {
    it(`${c.file} → ${String(c.want)}`, () => {
      expect(claimUidFromSpecFileName("netclaim.dev", c.file)).toBe(c.want);
    });
  }

  const deviceNames: { name: string; ok: boolean }[] = [
    { name: `${UID}-vf-0`, ok: true },
    { name: "a", ok: true },
    { name: "a:b.c_d-e", ok: true },
    { name: "-a", ok: false },
    { name: "a-", ok: false },
    { name: "a/b", ok: false },
    { name: "", ok: false },
  ];
  for (const c of deviceNames) {
    it(`device name ${JSON.stringify(c.name)} is ${c.ok ? "valid" : "invalid"}`, () => {
      expect(cdiDeviceNameProblem(c.name) === undefined).toBe(c.ok);
    });
  }

  const vendors: { vendor: string; ok: boolean }[] = [
    { vendor: "netclaim.dev", ok: true },
    { vendor: "k8s.dra-example.io", ok: true },
    { vendor: "1abc", ok: false },
    { vendor: "abc.", ok: false },
    { vendor: "a/b", ok: false },
  ];
  for (const c of vendors) {
    it(`vendor ${JSON.stringify(c.vendor)} is ${c.ok ? "valid" : "invalid"}`, () => {
      expect(cdiVendorProblem(c.vendor) === undefined).toBe(c.ok);
    });
  }
});
