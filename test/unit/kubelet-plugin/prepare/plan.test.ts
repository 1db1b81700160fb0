// The prepare decision for a claim: the fixture claim's plan in full, every reason a claim fails (each
// naming the claim), result grouping and the pods a claim is reserved for.
import { describe, expect, it } from "vitest";
import {
  groupAllocationResults,
  planClaimPrepare,
  podUIDsOf,
} from "../../../../src/kubelet-plugin/prepare/plan.ts";
import type { NodeDevice, ResourceClaim } from "../../../../src/kubelet-plugin/prepare/plan-types.ts";
import {
  CLAIM_UID,
  DRIVER,
  mixedClaim,
  nodeDevices,
  POD_UID,
  requested,
  sf1,
  veth0,
  vf1,
  vf2,
} from "./plan-cases.ts";

const head = { apiVersion: "netclaim.dev/v1alpha1", kind: "NetworkDeviceConfig" };

describe("planClaimPrepare: the fixture claim", () => {
  it("plans our two devices, with merged config, a vfio-pci rebind and the reserved pod", () => {
    const plan = planClaimPrepare({
      claim: mixedClaim(),
      requested,
      driverName: DRIVER,
      nodeDevices: nodeDevices(vf1, vf2),
    });
    expect(plan).toEqual({
      ok: true,
      claim: requested,
      podUIDs: [POD_UID],
      devices: [
        {
          requestNames: ["vf"],
          poolName: "node-a",
          deviceName: "vf-0000-3b-02-1",
          kind: "sriov-vf",
          pciAddress: "0000:3b:02.1",
          ifName: "ens1f0v1",
          pfName: "ens1f0",
          vfIndex: 1,
          resourceName: "sf-pool-1",
          cdiDeviceIDs: [`netclaim.dev/net=${CLAIM_UID}-vf-0000-3b-02-1`],
          config: { mtu: 9000, spoofChk: true, mac: "02:00:00:00:00:01", vlan: 100, ifName: "net1" },
        },
        {
          requestNames: ["dpdk"],
          poolName: "node-a",
          deviceName: "vf-0000-3b-02-2",
          kind: "sriov-vf",
          pciAddress: "0000:3b:02.2",
          pfName: "ens1f0",
          vfIndex: 2,
          vfioGroup: "42",
          resourceName: "vfio-vfs",
          cdiDeviceIDs: [`netclaim.dev/net=${CLAIM_UID}-vf-0000-3b-02-2`],
          rebind: { from: "iavf", to: "vfio-pci" },
          config: { driver: "vfio-pci" },
        },
      ],
    });
  });
});

type Edit = (claim: ResourceClaim) => void;

function edited(edit: Edit): ResourceClaim {
  const claim = mixedClaim();
  edit(claim);
  return claim;
}

function setClassConfig(request: string, parameters: object): Edit {
  return (claim) => {
    const entry = claim.status?.allocation?.devices?.config?.find((c) => c.requests?.[0] === request);
    if (entry?.opaque !== undefined) entry.opaque.parameters = { ...head, ...parameters };
  };
}

describe("planClaimPrepare: a claim that cannot be prepared fails alone, naming itself", () => {
  const cases: { name: string; edit?: Edit; devices?: NodeDevice[]; code: string; message: string }[] = [
    {
      name: "the API server's claim has another UID (re-created under the same name)",
      edit: (c) => {
        if (c.metadata !== undefined) c.metadata.uid = "0000-other";
      },
      code: "UID_MISMATCH",
      message: `claim team-a/net-a: the API server has UID 0000-other, the kubelet asked for ${CLAIM_UID}`,
    },
    {
      name: "not allocated",
      edit: (c) => {
        if (c.status !== undefined) delete c.status.allocation;
      },
      code: "NOT_ALLOCATED",
      message: "claim team-a/net-a: not allocated",
    },
    {
      name: "no results of our driver",
      edit: (c) => {
        const devices = c.status?.allocation?.devices;
        if (devices?.results !== undefined)
          devices.results = devices.results.filter((r) => r.driver !== DRIVER);
      },
      code: "NO_DEVICES",
      message: "claim team-a/net-a: the allocation has no devices of driver netclaim.dev",
    },
    {
      name: "a device that is not on this node",
      devices: [vf1],
      code: "DEVICE_NOT_FOUND",
      message: "claim team-a/net-a: device node-a/vf-0000-3b-02-2 (request dpdk) is not on this node",
    },
    {
      name: "a bad class config",
      edit: setClassConfig("vf", { mtu: 10 }),
      code: "INVALID_CONFIG",
      message:
        'claim team-a/net-a: config entry 0 (FromClass): field "mtu": must be at least 68, got number 10',
    },
    {
      name: "vfio-pci with an mtu",
      edit: setClassConfig("dpdk", { driver: "vfio-pci", mtu: 9000 }),
      code: "UNSUPPORTED_CONFIG",
      message:
        "claim team-a/net-a: device node-a/vf-0000-3b-02-2 (request dpdk): mtu cannot apply with driver vfio-pci (no netdev)",
    },
    {
      name: "vfio-pci for a VF without an IOMMU group",
      devices: [vf1, { ...vf2, iommuGroup: undefined }],
      code: "UNSUPPORTED_CONFIG",
      message:
        "claim team-a/net-a: device node-a/vf-0000-3b-02-2 (request dpdk): driver vfio-pci needs an IOMMU group, and the device has none",
    },
    {
      name: "the same device name from two pools",
      edit: (c) => {
        const results = c.status?.allocation?.devices?.results;
        if (results?.[1] !== undefined)
          results[1] = { ...results[1], pool: "node-a-2", device: "vf-0000-3b-02-1" };
      },
      code: "DEVICE_NAME_CONFLICT",
      message: "claim team-a/net-a: device name vf-0000-3b-02-1 is allocated from two pools",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const claim = c.edit === undefined ? mixedClaim() : edited(c.edit);
      const plan = planClaimPrepare({
        claim,
        requested,
        driverName: DRIVER,
        nodeDevices: nodeDevices(...(c.devices ?? [vf1, vf2])),
      });
      expect(plan).toEqual({ ok: false, claim: requested, code: c.code, message: c.message });
    });
  }

  it("a netdev given VF-only settings", () => {
    const claim: ResourceClaim = {
      metadata: { namespace: "team-a", name: "net-a", uid: CLAIM_UID },
      status: {
        allocation: {
          devices: {
            results: [{ request: "up", driver: DRIVER, pool: "node-a", device: "veth-host0" }],
            config: [
              {
                source: "FromClaim",
                opaque: { driver: DRIVER, parameters: { ...head, vlan: 5, trust: true } },
              },
            ],
          },
        },
      },
    };
    const plan = planClaimPrepare({
      claim,
      requested,
      driverName: DRIVER,
      nodeDevices: nodeDevices(veth0, sf1),
    });
    expect(plan).toMatchObject({
      ok: false,
      code: "UNSUPPORTED_CONFIG",
      message:
        "claim team-a/net-a: device node-a/veth-host0 (request up): vlan, trust apply to SR-IOV VFs only, not to a netdev",
    });
  });
});

describe("groupAllocationResults", () => {
  it("groups by pool, device and shareID; drops other drivers; ORs adminAccess", () => {
    const groups = groupAllocationResults(
      [
        { request: "a", driver: DRIVER, pool: "p", device: "d1" },
        { request: "b/x", driver: DRIVER, pool: "p", device: "d1", adminAccess: true },
        { request: "c", driver: DRIVER, pool: "p", device: "d1", shareID: "s1" },
        { request: "a", driver: "other.dev", pool: "p", device: "d1" },
        { request: "a", driver: DRIVER, pool: "p", device: "d1" },
      ],
      DRIVER,
    );
    expect(groups).toEqual([
      { requestNames: ["a", "b/x"], poolName: "p", deviceName: "d1", adminAccess: true },
      { requestNames: ["c"], poolName: "p", deviceName: "d1", shareID: "s1", adminAccess: false },
    ]);
  });
});

describe("podUIDsOf", () => {
  it("takes pods from reservedFor, not other consumers", () => {
    const claim: ResourceClaim = {
      status: {
        reservedFor: [
          { resource: "pods", name: "a", uid: "pod-a" },
          { apiGroup: "example.com", resource: "pods", name: "x", uid: "not-a-pod" },
          { apiGroup: "batch", resource: "jobs", name: "j", uid: "job-j" },
          { resource: "pods", name: "b", uid: "pod-b", apiGroup: "" },
        ],
      },
    };
    expect(podUIDsOf(claim)).toEqual(["pod-a", "pod-b"]);
  });
});
