// Shared inputs for the CDI rendering tests: one claim with a device of every kind.
import type { CdiInputDevice, RenderCdiSpecInput } from "../../../../src/kubelet-plugin/cdi/render.ts";

export const DRIVER = "netclaim.dev";
/** Starts with a digit, as many UIDs do: the spec then needs cdiVersion 0.5.0. */
export const DIGIT_UID = "3f0c9a52-7d4e-4b8f-9c1e-0a2b4c6d8e10";
/** Starts with a letter: 0.3.0 is enough. */
export const LETTER_UID = "c1d2e3f4-0000-4000-8000-000000000001";

export const kernelVf: CdiInputDevice = {
  requestNames: ["vf"],
  poolName: "node-a",
  deviceName: "vf-0000-3b-02-1",
  kind: "sriov-vf",
  pciAddress: "0000:3b:02.1",
  ifName: "ens1f0v1",
  resourceName: "sf-pool-1",
  config: { ifName: "net1", mtu: 9000 },
};

export const vfioVf: CdiInputDevice = {
  requestNames: ["dpdk"],
  poolName: "node-a",
  deviceName: "vf-0000-3b-02-2",
  kind: "sriov-vf",
  pciAddress: "0000:3b:02.2",
  vfioGroup: "42",
  resourceName: "intel.com/intel_sriov_dpdk",
  config: { driver: "vfio-pci" },
};

export const subfunction: CdiInputDevice = {
  requestNames: ["sf/fast"],
  poolName: "node-a",
  deviceName: "sf-1",
  kind: "subfunction",
  ifName: "enp59s0f0s1",
  config: {},
};

export const veth = (n: number): CdiInputDevice => ({
  requestNames: ["uplink"],
  poolName: "node-a",
  deviceName: `veth-host${n}`,
  kind: "netdev",
  ifName: `veth-host${n}`,
  config: {},
});

export function mixedClaim(uid = DIGIT_UID): RenderCdiSpecInput {
  return {
    driver: DRIVER,
    claim: { uid, namespace: "team-a", name: "net-a" },
    devices: [kernelVf, vfioVf, subfunction, veth(0), veth(1)],
  };
}
