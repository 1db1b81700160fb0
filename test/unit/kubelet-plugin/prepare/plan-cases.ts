// Shared inputs for the prepare-decision tests: the allocated-mixed claim fixture and this node's devices.
import { readFileSync } from "node:fs";
import { deviceKey } from "../../../../src/kubelet-plugin/prepare/plan-types.ts";
import type { NodeDevice, ResourceClaim } from "../../../../src/kubelet-plugin/prepare/plan-types.ts";

export const DRIVER = "netclaim.dev";
export const CLAIM_UID = "3f0c9a52-7d4e-4b8f-9c1e-0a2b4c6d8e10";
export const POD_UID = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a";
export const requested = { uid: CLAIM_UID, namespace: "team-a", name: "net-a" };

const fixture = new URL("../../../fixtures/claims/allocated-mixed.json", import.meta.url);

/** A fresh copy of the fixture claim. */
export function mixedClaim(): ResourceClaim {
  return JSON.parse(readFileSync(fixture, "utf8")) as ResourceClaim;
}

export const vf1: NodeDevice = {
  name: "vf-0000-3b-02-1",
  kind: "sriov-vf",
  pciAddress: "0000:3b:02.1",
  ifName: "ens1f0v1",
  pfName: "ens1f0",
  vfIndex: 1,
  driver: "iavf",
  iommuGroup: 41,
  attributes: { "k8s.cni.cncf.io/resourceName": { string: "sf-pool-1" } },
};

export const vf2: NodeDevice = {
  name: "vf-0000-3b-02-2",
  kind: "sriov-vf",
  pciAddress: "0000:3b:02.2",
  ifName: "ens1f0v2",
  pfName: "ens1f0",
  vfIndex: 2,
  driver: "iavf",
  iommuGroup: 42,
  resourceName: "vfio-vfs",
};

export const sf1: NodeDevice = {
  name: "sf-1",
  kind: "subfunction",
  ifName: "enp59s0f0s1",
  driver: "mlx5_core",
};
export const veth0: NodeDevice = { name: "veth-host0", kind: "netdev", ifName: "veth-host0" };

export function nodeDevices(...devices: NodeDevice[]): Map<string, NodeDevice> {
  return new Map(devices.map((d) => [deviceKey("node-a", d.name), d]));
}
