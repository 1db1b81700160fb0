// Recovery after a crash: what is rolled back, finished, rewritten, rebound or removed, for each state a
// claim can be left in, with and without the node's current devices.
import { describe, expect, it } from "vitest";
import { planRecovery } from "../../../../src/kubelet-plugin/prepare/plan-recovery.ts";
import type { RecoveryAction, RecoveryInput } from "../../../../src/kubelet-plugin/prepare/plan-recovery.ts";
import type { ClaimState, PreparedClaimEntry, PreparedDeviceRecord } from "../../../../src/api/checkpoint.ts";
import type { NodeDevice } from "../../../../src/kubelet-plugin/prepare/plan-types.ts";
import { nodeDevices, vf1, vf2 } from "./plan-cases.ts";

const at = "2026-11-30T10:00:00.000Z";

const toVfio: PreparedDeviceRecord = {
  requestNames: ["dpdk"],
  poolName: "node-a",
  deviceName: vf2.name,
  kind: "sriov-vf",
  pciAddress: "0000:3b:02.2",
  vfioGroup: "42",
  cdiDeviceIDs: ["x"],
  rebind: { from: "iavf", to: "vfio-pci" },
  config: { driver: "vfio-pci" },
};
const toKernel: PreparedDeviceRecord = {
  requestNames: ["vf"],
  poolName: "node-a",
  deviceName: vf1.name,
  kind: "sriov-vf",
  pciAddress: "0000:3b:02.1",
  cdiDeviceIDs: ["y"],
  rebind: { from: "vfio-pci", to: "kernel" },
  config: { driver: "kernel" },
};
const plain: PreparedDeviceRecord = { ...toKernel, rebind: undefined, config: {} };

function entry(state: ClaimState, devices: PreparedDeviceRecord[]): PreparedClaimEntry {
  return { namespace: "ns", name: `c-${state}`, state, podUIDs: [], devices, createdAt: at, updatedAt: at };
}

const restoreVfio = { poolName: "node-a", deviceName: vf2.name, pciAddress: "0000:3b:02.2", bind: "iavf" };
const restoreKernel = {
  poolName: "node-a",
  deviceName: vf1.name,
  pciAddress: "0000:3b:02.1",
  bind: "vfio-pci",
};

describe("planRecovery", () => {
  const cases: { name: string; input: RecoveryInput; want: RecoveryAction[] }[] = [
    { name: "nothing to do", input: { checkpoint: { claims: {} }, cdiSpecsOnDisk: [] }, want: [] },
    {
      name: "killed while preparing, before the CDI spec: roll back every planned rebind",
      input: {
        checkpoint: { claims: { u1: entry("preparing", [toVfio, toKernel, plain]) } },
        cdiSpecsOnDisk: [],
      },
      want: [
        {
          type: "rollback-prepare",
          claimUID: "u1",
          namespace: "ns",
          name: "c-preparing",
          restore: [restoreVfio, restoreKernel],
          removeCdiSpec: false,
        },
      ],
    },
    {
      name: "killed while preparing, after the CDI spec: remove it too",
      input: {
        checkpoint: { claims: { u1: entry("preparing", [toVfio]) } },
        cdiSpecsOnDisk: [{ claimUID: "u1", path: "/cdi/u1.json" }],
      },
      want: [
        {
          type: "rollback-prepare",
          claimUID: "u1",
          namespace: "ns",
          name: "c-preparing",
          restore: [restoreVfio],
          removeCdiSpec: true,
        },
      ],
    },
    {
      name: "with the node's devices, a device already on its original driver is not touched",
      input: {
        checkpoint: { claims: { u1: entry("preparing", [toVfio, toKernel]) } },
        cdiSpecsOnDisk: [],
        nodeDevices: nodeDevices({ ...vf2, driver: "iavf" }, { ...vf1, driver: "ixgbevf" }),
      },
      want: [
        {
          type: "rollback-prepare",
          claimUID: "u1",
          namespace: "ns",
          name: "c-preparing",
          restore: [restoreKernel],
          removeCdiSpec: false,
        },
      ],
    },
    {
      name: "killed while unpreparing: finish it",
      input: {
        checkpoint: { claims: { u2: entry("unpreparing", [toVfio]) } },
        cdiSpecsOnDisk: [{ claimUID: "u2", path: "/cdi/u2.json" }],
      },
      want: [
        {
          type: "finish-unprepare",
          claimUID: "u2",
          namespace: "ns",
          name: "c-unpreparing",
          restore: [restoreVfio],
          removeCdiSpec: true,
        },
      ],
    },
    {
      name: "prepared with its spec: nothing to do",
      input: {
        checkpoint: { claims: { u3: entry("prepared", [toVfio]) } },
        cdiSpecsOnDisk: [{ claimUID: "u3", path: "/cdi/u3.json" }],
      },
      want: [],
    },
    {
      name: "prepared, spec gone (a reboot emptied /var/run): rewrite it",
      input: { checkpoint: { claims: { u3: entry("prepared", [toVfio]) } }, cdiSpecsOnDisk: [] },
      want: [{ type: "rewrite-cdi-spec", claimUID: "u3", namespace: "ns", name: "c-prepared" }],
    },
    {
      name: "prepared, but the reboot put the devices back on their default drivers: bind again",
      input: {
        checkpoint: { claims: { u3: entry("prepared", [toVfio, toKernel]) } },
        cdiSpecsOnDisk: [{ claimUID: "u3", path: "/cdi/u3.json" }],
        nodeDevices: nodeDevices({ ...vf2, driver: "iavf" }, { ...vf1, driver: "vfio-pci" }),
      },
      want: [
        {
          type: "reapply-binding",
          claimUID: "u3",
          namespace: "ns",
          name: "c-prepared",
          rebind: { ...restoreVfio, bind: "vfio-pci" },
        },
        {
          type: "reapply-binding",
          claimUID: "u3",
          namespace: "ns",
          name: "c-prepared",
          rebind: { ...restoreKernel, bind: "kernel" },
        },
      ],
    },
    {
      name: "prepared and still bound as we left it",
      input: {
        checkpoint: { claims: { u3: entry("prepared", [toVfio, toKernel]) } },
        cdiSpecsOnDisk: [{ claimUID: "u3", path: "/cdi/u3.json" }],
        nodeDevices: nodeDevices({ ...vf2, driver: "vfio-pci" }, { ...vf1, driver: "iavf" }),
      },
      want: [],
    },
    {
      name: "a spec with no checkpoint entry is an orphan",
      input: {
        checkpoint: { claims: {} },
        cdiSpecsOnDisk: [
          { claimUID: "zz", path: "/cdi/zz.json" },
          { claimUID: "aa", path: "/cdi/aa.json" },
        ],
      },
      want: [
        { type: "remove-orphan-cdi-spec", claimUID: "aa", path: "/cdi/aa.json" },
        { type: "remove-orphan-cdi-spec", claimUID: "zz", path: "/cdi/zz.json" },
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(planRecovery(c.input)).toEqual(c.want);
    });
  }

  it("orders undo first, then orphans, rewrites and rebinds, claims by UID within each", () => {
    const devices: NodeDevice[] = [{ ...vf2, driver: "iavf" }];
    const actions = planRecovery({
      checkpoint: {
        claims: {
          b: entry("prepared", [toVfio]),
          d: entry("unpreparing", []),
          c: entry("preparing", []),
          a: entry("preparing", []),
        },
      },
      cdiSpecsOnDisk: [{ claimUID: "orphan", path: "/o" }],
      nodeDevices: nodeDevices(...devices),
    });
    expect(actions.map((a) => `${a.type}:${a.claimUID}`)).toEqual([
      "rollback-prepare:a",
      "rollback-prepare:c",
      "finish-unprepare:d",
      "remove-orphan-cdi-spec:orphan",
      "rewrite-cdi-spec:b",
      "reapply-binding:b",
    ]);
  });
});
