// Rebuilding a corrupt checkpoint from our CDI specs and the API server's claims: a prepared claim comes
// back as it was planned (less what a spec cannot tell: the driver before a rebind), orphans are found,
// and damaged or incomplete specs are listed for rewriting.
import { describe, expect, it } from "vitest";
import { rebuildCheckpoint } from "../../../../src/kubelet-plugin/checkpoint/rebuild.ts";
import type { RebuildSpec } from "../../../../src/kubelet-plugin/checkpoint/rebuild.ts";
import { renderCdiSpec } from "../../../../src/kubelet-plugin/cdi/render.ts";
import { planClaimPrepare } from "../../../../src/kubelet-plugin/prepare/plan.ts";
import type { ResourceClaim } from "../../../../src/kubelet-plugin/prepare/plan-types.ts";
import type { PreparedDeviceRecord } from "../../../../src/api/checkpoint.ts";
import {
  CLAIM_UID,
  DRIVER,
  mixedClaim,
  nodeDevices,
  POD_UID,
  requested,
  vf1,
  vf2,
} from "../prepare/plan-cases.ts";

const now = new Date("2026-12-01T08:00:00.000Z");

function planned(): PreparedDeviceRecord[] {
  const plan = planClaimPrepare({
    claim: mixedClaim(),
    requested,
    driverName: DRIVER,
    nodeDevices: nodeDevices(vf1, vf2),
  });
  if (!plan.ok) throw new Error(plan.message);
  return plan.devices;
}

function specOnDisk(devices = planned()): RebuildSpec {
  return {
    claimUID: CLAIM_UID,
    path: `/cdi/netclaim.dev-net_${CLAIM_UID}.json`,
    spec: renderCdiSpec({ driver: DRIVER, claim: requested, devices }),
  };
}

function withoutRebind(records: PreparedDeviceRecord[]): PreparedDeviceRecord[] {
  return records.map(({ rebind: _rebind, ...rest }) => rest);
}

describe("rebuildCheckpoint", () => {
  it("restores a prepared claim from its spec alone (no node devices)", () => {
    const result = rebuildCheckpoint({
      driverName: DRIVER,
      cdiSpecs: [specOnDisk()],
      claims: [mixedClaim()],
      now,
    });
    const entry = result.checkpoint.claims[CLAIM_UID];
    expect(entry).toMatchObject({
      namespace: "team-a",
      name: "net-a",
      state: "prepared",
      podUIDs: [POD_UID],
      rebuilt: true,
      createdAt: now.toISOString(),
    });
    // Without the node's devices, the PF name and VF index are not in the spec.
    const expected = withoutRebind(planned()).map(({ pfName: _p, vfIndex: _v, ...rest }) => rest);
    expect(entry?.devices).toEqual(expected);
    expect(result.orphanedSpecs).toEqual([]);
    expect(result.specsToRewrite).toEqual([]);
    expect(result.warnings).toEqual([
      `claim team-a/net-a (${CLAIM_UID}): device vf-0000-3b-02-2: its driver before vfio-pci is unknown; it stays on vfio-pci after unprepare`,
    ]);
  });

  it("with the node's devices, restores everything but the rebind origins", () => {
    const devices = nodeDevices({ ...vf1 }, { ...vf2, driver: "vfio-pci", ifName: undefined });
    const result = rebuildCheckpoint({
      driverName: DRIVER,
      cdiSpecs: [specOnDisk()],
      claims: [mixedClaim()],
      nodeDevices: devices,
      now,
    });
    expect(result.checkpoint.claims[CLAIM_UID]?.devices).toEqual(withoutRebind(planned()));
  });

  it("a spec whose claim is gone, re-created, or no longer allocated to us is an orphan", () => {
    const recreated: ResourceClaim = {
      ...mixedClaim(),
      metadata: { namespace: "team-a", name: "net-a", uid: "new-uid" },
    };
    const unallocated: ResourceClaim = {
      ...mixedClaim(),
      metadata: { namespace: "team-b", name: "x", uid: "uid-unallocated" },
    };
    delete unallocated.status;
    const specs: RebuildSpec[] = [
      specOnDisk(),
      { claimUID: "uid-unallocated", path: "/cdi/b.json", spec: specOnDisk().spec },
      { claimUID: "uid-gone", path: "/cdi/c.json" },
    ];
    const result = rebuildCheckpoint({
      driverName: DRIVER,
      cdiSpecs: specs,
      claims: [recreated, unallocated],
      now,
    });
    expect(result.checkpoint).toEqual({ claims: {} });
    expect(result.orphanedSpecs).toEqual([
      {
        claimUID: CLAIM_UID,
        path: `/cdi/netclaim.dev-net_${CLAIM_UID}.json`,
        reason: "no claim with this UID exists",
      },
      { claimUID: "uid-gone", path: "/cdi/c.json", reason: "no claim with this UID exists" },
      {
        claimUID: "uid-unallocated",
        path: "/cdi/b.json",
        reason: "the claim has no devices of driver netclaim.dev allocated",
      },
    ]);
  });

  it("a corrupt spec of a live claim is rebuilt from the claim and the node, and listed for rewriting", () => {
    const devices = nodeDevices(vf1, { ...vf2, driver: "vfio-pci", ifName: undefined });
    const result = rebuildCheckpoint({
      driverName: DRIVER,
      cdiSpecs: [{ claimUID: CLAIM_UID, path: "/cdi/x.json" }],
      claims: [mixedClaim()],
      nodeDevices: devices,
      now,
    });
    const records = result.checkpoint.claims[CLAIM_UID]?.devices ?? [];
    expect(records.map((r) => [r.deviceName, r.kind, r.pciAddress, r.resourceName])).toEqual([
      ["vf-0000-3b-02-1", "sriov-vf", "0000:3b:02.1", "sf-pool-1"],
      ["vf-0000-3b-02-2", "sriov-vf", "0000:3b:02.2", "vfio-vfs"],
    ]);
    expect(records[0]?.config).toEqual({
      mtu: 9000,
      spoofChk: true,
      mac: "02:00:00:00:00:01",
      vlan: 100,
      ifName: "net1",
    });
    expect(result.specsToRewrite).toEqual([CLAIM_UID]);
  });

  it("a spec missing one of the claim's devices is listed for rewriting", () => {
    const result = rebuildCheckpoint({
      driverName: DRIVER,
      cdiSpecs: [specOnDisk(planned().slice(0, 1))],
      claims: [mixedClaim()],
      now,
    });
    expect(result.checkpoint.claims[CLAIM_UID]?.devices).toHaveLength(2);
    expect(result.specsToRewrite).toEqual([CLAIM_UID]);
  });

  it("a claim whose config became invalid is rebuilt with no config, and says so", () => {
    const claim = mixedClaim();
    const entry = claim.status?.allocation?.devices?.config?.[0];
    if (entry?.opaque !== undefined)
      entry.opaque.parameters = { apiVersion: "netclaim.dev/v1alpha1", kind: "NetworkDeviceConfig", mtu: 1 };
    const result = rebuildCheckpoint({ driverName: DRIVER, cdiSpecs: [specOnDisk()], claims: [claim], now });
    expect(result.checkpoint.claims[CLAIM_UID]?.devices.map((d) => d.config)).toEqual([{}, {}]);
    expect(result.warnings[0]).toBe(
      'claim team-a/net-a: config entry 0 (FromClass): field "mtu": must be at least 68, got number 1; rebuilt with no config',
    );
  });
});
