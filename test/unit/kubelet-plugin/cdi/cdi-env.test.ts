// The environment contract: variable names from request names, the PCIDEVICE_* key, and reading a
// device's values back (what the checkpoint rebuild relies on).
import { describe, expect, it } from "vitest";
import {
  claimOfCdiSpec,
  deviceEnvPrefixes,
  envToken,
  mainRequestName,
  pciDeviceEnvKey,
  readDeviceEnv,
} from "../../../../src/kubelet-plugin/cdi/cdi-env.ts";
import { renderCdiSpec } from "../../../../src/kubelet-plugin/cdi/render.ts";
import { kernelVf, mixedClaim, vfioVf } from "./render-cases.ts";

describe("names", () => {
  const tokens: { input: string; want: string }[] = [
    { input: "vf", want: "VF" },
    { input: "sf-pool-1", want: "SF_POOL_1" },
    { input: "netclaim.dev", want: "NETCLAIM_DEV" },
  ];
  for (const c of tokens) {
    it(`envToken(${c.input})`, () => {
      expect(envToken(c.input)).toBe(c.want);
    });
  }

  it("mainRequestName strips a subrequest", () => {
    expect(mainRequestName("net/fast")).toBe("net");
    expect(mainRequestName("net")).toBe("net");
  });

  const keys: { resource: string; want: string }[] = [
    { resource: "sf-pool-1", want: "PCIDEVICE_NETCLAIM_DEV_SF_POOL_1" },
    { resource: "intel.com/intel_sriov_netdevice", want: "PCIDEVICE_INTEL_COM_INTEL_SRIOV_NETDEVICE" },
    { resource: "openshift.io/mlx", want: "PCIDEVICE_OPENSHIFT_IO_MLX" },
  ];
  for (const c of keys) {
    it(`pciDeviceEnvKey(${c.resource})`, () => {
      expect(pciDeviceEnvKey("netclaim.dev", c.resource)).toBe(c.want);
    });
  }

  it("prefixes: single devices plain, several indexed in allocation order, subrequests under their main request", () => {
    const prefixes = deviceEnvPrefixes([
      { ...kernelVf, requestNames: ["a"] },
      { ...kernelVf, requestNames: ["b"] },
      { ...kernelVf, requestNames: ["a/x", "c"] },
    ]);
    expect(prefixes).toEqual([["NETCLAIM_A_0"], ["NETCLAIM_B"], ["NETCLAIM_A_1", "NETCLAIM_C"]]);
  });
});

describe("readDeviceEnv", () => {
  it("reads back what rendering wrote, for every device of the mixed claim", () => {
    const input = mixedClaim();
    const spec = renderCdiSpec(input);
    const prefixes = deviceEnvPrefixes(input.devices);
    const read = spec.devices.map((d, i) =>
      readDeviceEnv(d.containerEdits.env ?? [], prefixes[i]?.[0] ?? ""),
    );
    expect(read[0]).toEqual({
      CLAIM: "team-a/net-a",
      DEVICE: "vf-0000-3b-02-1",
      POOL: "node-a",
      KIND: "sriov-vf",
      PCI_ADDRESS: "0000:3b:02.1",
      IFNAME: "ens1f0v1",
      POD_IFNAME: "net1",
      RESOURCE_NAME: "sf-pool-1",
    });
    expect(read[1]).toMatchObject({ VFIO_DEVICE: "/dev/vfio/42", PCI_ADDRESS: vfioVf.pciAddress });
    expect(read[4]).toEqual({
      CLAIM: "team-a/net-a",
      DEVICE: "veth-host1",
      POOL: "node-a",
      KIND: "netdev",
      IFNAME: "veth-host1",
    });
  });

  it("does not mistake POD_IFNAME for IFNAME, nor another prefix's variables", () => {
    const env = ["NETCLAIM_X_POD_IFNAME=net1", "NETCLAIM_X_Y_IFNAME=other", "NETCLAIM_X_IFNAME=eth9", "junk"];
    expect(readDeviceEnv(env, "NETCLAIM_X")).toEqual({ POD_IFNAME: "net1", IFNAME: "eth9" });
  });
});

describe("claimOfCdiSpec", () => {
  it("names the claim a spec was written for", () => {
    expect(claimOfCdiSpec(renderCdiSpec(mixedClaim()))).toEqual({ namespace: "team-a", name: "net-a" });
  });

  it("is undefined for a spec without our variables", () => {
    const spec = {
      cdiVersion: "0.3.0",
      kind: "x.io/y",
      devices: [{ name: "d", containerEdits: { env: ["CLAIM=a/b"] } }],
    };
    expect(claimOfCdiSpec(spec)).toBeUndefined();
  });
});
