// CDI rendering: the golden spec of a claim with every device kind, the environment per kind, the
// cdiVersion chosen from what the spec uses, vfio device nodes, and the refusals.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderCdiSpec } from "../../../../src/kubelet-plugin/cdi/render.ts";
import type { CdiInputDevice } from "../../../../src/kubelet-plugin/cdi/render.ts";
import { serializeCdiSpec } from "../../../../src/kubelet-plugin/cdi/spec-files.ts";
import {
  DIGIT_UID,
  DRIVER,
  kernelVf,
  LETTER_UID,
  mixedClaim,
  subfunction,
  veth,
  vfioVf,
} from "./render-cases.ts";

const golden = new URL("./golden/mixed-claim.cdi.json", import.meta.url);
const claim = { uid: LETTER_UID, namespace: "team-a", name: "net-a" };

function envOf(devices: CdiInputDevice[], index = 0): string[] {
  return renderCdiSpec({ driver: DRIVER, claim, devices }).devices[index]?.containerEdits.env ?? [];
}

describe("renderCdiSpec: golden spec", () => {
  it("renders the mixed claim exactly as the golden file", () => {
    const rendered = serializeCdiSpec(renderCdiSpec(mixedClaim()));
    expect(JSON.parse(rendered)).toEqual(JSON.parse(readFileSync(golden, "utf8")));
  });
});

describe("renderCdiSpec: environment per device kind", () => {
  const cases: { name: string; devices: CdiInputDevice[]; index?: number; want: string[] }[] = [
    {
      name: "a VF on its kernel driver, with a pod ifName and a resource",
      devices: [kernelVf],
      want: [
        "NETCLAIM_VF_CLAIM=team-a/net-a",
        "NETCLAIM_VF_DEVICE=vf-0000-3b-02-1",
        "NETCLAIM_VF_POOL=node-a",
        "NETCLAIM_VF_KIND=sriov-vf",
        "NETCLAIM_VF_PCI_ADDRESS=0000:3b:02.1",
        "NETCLAIM_VF_IFNAME=ens1f0v1",
        "NETCLAIM_VF_POD_IFNAME=net1",
        "NETCLAIM_VF_RESOURCE_NAME=sf-pool-1",
        "PCIDEVICE_NETCLAIM_DEV_SF_POOL_1=0000:3b:02.1",
      ],
    },
    {
      name: "a VF on vfio-pci, with a prefixed resource name",
      devices: [vfioVf],
      want: [
        "NETCLAIM_DPDK_CLAIM=team-a/net-a",
        "NETCLAIM_DPDK_DEVICE=vf-0000-3b-02-2",
        "NETCLAIM_DPDK_POOL=node-a",
        "NETCLAIM_DPDK_KIND=sriov-vf",
        "NETCLAIM_DPDK_PCI_ADDRESS=0000:3b:02.2",
        "NETCLAIM_DPDK_VFIO_DEVICE=/dev/vfio/42",
        "NETCLAIM_DPDK_RESOURCE_NAME=intel.com/intel_sriov_dpdk",
        "PCIDEVICE_INTEL_COM_INTEL_SRIOV_DPDK=0000:3b:02.2",
      ],
    },
    {
      name: "a subfunction of a subrequest: named after the main request",
      devices: [subfunction],
      want: [
        "NETCLAIM_SF_CLAIM=team-a/net-a",
        "NETCLAIM_SF_DEVICE=sf-1",
        "NETCLAIM_SF_POOL=node-a",
        "NETCLAIM_SF_KIND=subfunction",
        "NETCLAIM_SF_IFNAME=enp59s0f0s1",
      ],
    },
    {
      name: "a host netdev",
      devices: [veth(3)],
      want: [
        "NETCLAIM_UPLINK_CLAIM=team-a/net-a",
        "NETCLAIM_UPLINK_DEVICE=veth-host3",
        "NETCLAIM_UPLINK_POOL=node-a",
        "NETCLAIM_UPLINK_KIND=netdev",
        "NETCLAIM_UPLINK_IFNAME=veth-host3",
      ],
    },
    {
      name: "the second of two devices of one request is indexed",
      devices: [veth(0), veth(1)],
      index: 1,
      want: [
        "NETCLAIM_UPLINK_1_CLAIM=team-a/net-a",
        "NETCLAIM_UPLINK_1_DEVICE=veth-host1",
        "NETCLAIM_UPLINK_1_POOL=node-a",
        "NETCLAIM_UPLINK_1_KIND=netdev",
        "NETCLAIM_UPLINK_1_IFNAME=veth-host1",
      ],
    },
    {
      name: "one device serving two requests carries both sets",
      devices: [{ ...veth(0), requestNames: ["a", "b-c"] }],
      want: [
        "NETCLAIM_A_CLAIM=team-a/net-a",
        "NETCLAIM_A_DEVICE=veth-host0",
        "NETCLAIM_A_POOL=node-a",
        "NETCLAIM_A_KIND=netdev",
        "NETCLAIM_A_IFNAME=veth-host0",
        "NETCLAIM_B_C_CLAIM=team-a/net-a",
        "NETCLAIM_B_C_DEVICE=veth-host0",
        "NETCLAIM_B_C_POOL=node-a",
        "NETCLAIM_B_C_KIND=netdev",
        "NETCLAIM_B_C_IFNAME=veth-host0",
      ],
    },
    {
      name: "two VFs of one resource each carry the resource's whole PCI list",
      devices: [
        kernelVf,
        { ...kernelVf, requestNames: ["vf2"], deviceName: "vf-0000-3b-02-3", pciAddress: "0000:3b:02.3" },
      ],
      index: 1,
      want: [
        "NETCLAIM_VF2_CLAIM=team-a/net-a",
        "NETCLAIM_VF2_DEVICE=vf-0000-3b-02-3",
        "NETCLAIM_VF2_POOL=node-a",
        "NETCLAIM_VF2_KIND=sriov-vf",
        "NETCLAIM_VF2_PCI_ADDRESS=0000:3b:02.3",
        "NETCLAIM_VF2_IFNAME=ens1f0v1",
        "NETCLAIM_VF2_POD_IFNAME=net1",
        "NETCLAIM_VF2_RESOURCE_NAME=sf-pool-1",
        "PCIDEVICE_NETCLAIM_DEV_SF_POOL_1=0000:3b:02.1,0000:3b:02.3",
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(envOf(c.devices, c.index)).toEqual(c.want);
    });
  }
});

describe("renderCdiSpec: names, version and device nodes", () => {
  it("names devices <claimUID>-<device> under kind <driver>/net", () => {
    const spec = renderCdiSpec({ driver: "dra.example.org", claim, devices: [veth(0)] });
    expect(spec.kind).toBe("dra.example.org/net");
    expect(spec.devices.map((d) => d.name)).toEqual([`${LETTER_UID}-veth-host0`]);
  });

  const versions: { name: string; uid: string; devices: CdiInputDevice[]; want: string }[] = [
    { name: "a UID starting with a letter needs 0.3.0", uid: LETTER_UID, devices: [kernelVf], want: "0.3.0" },
    { name: "vfio device nodes alone stay at 0.3.0", uid: LETTER_UID, devices: [vfioVf], want: "0.3.0" },
    { name: "a UID starting with a digit needs 0.5.0", uid: DIGIT_UID, devices: [kernelVf], want: "0.5.0" },
  ];
  for (const c of versions) {
    it(c.name, () => {
      const spec = renderCdiSpec({ driver: DRIVER, claim: { ...claim, uid: c.uid }, devices: c.devices });
      expect(spec.cdiVersion).toBe(c.want);
    });
  }

  it("gives vfio-pci devices their group and the VFIO container device, others none", () => {
    const spec = renderCdiSpec({ driver: DRIVER, claim, devices: [vfioVf, kernelVf] });
    expect(spec.devices[0]?.containerEdits.deviceNodes).toEqual([
      { path: "/dev/vfio/42", type: "c" },
      { path: "/dev/vfio/vfio", type: "c" },
    ]);
    expect(spec.devices[1]?.containerEdits.deviceNodes).toBeUndefined();
    expect(spec.containerEdits).toBeUndefined();
  });
});

describe("renderCdiSpec: refusals", () => {
  const cases: { name: string; driver?: string; devices: CdiInputDevice[]; want: string }[] = [
    { name: "no devices", devices: [], want: "no devices" },
    { name: "the same device twice", devices: [veth(0), { ...veth(0), requestNames: ["x"] }], want: "twice" },
    {
      name: "a device name CDI does not allow",
      devices: [{ ...veth(0), deviceName: "bad/name" }],
      want: "is not a CDI device name",
    },
    {
      name: "a driver name CDI does not allow as vendor",
      driver: "-bad",
      devices: [veth(0)],
      want: "is not a CDI vendor name",
    },
    {
      name: "request a with two devices and request a-0 would share NETCLAIM_A_0",
      devices: [veth(0), veth(1), { ...veth(2), requestNames: ["a-0"] }].map((d, i) =>
        i < 2 ? { ...d, requestNames: ["a"] } : d,
      ),
      want: "would both set NETCLAIM_A_0_*",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(() => renderCdiSpec({ driver: c.driver ?? DRIVER, claim, devices: c.devices })).toThrow(c.want);
    });
  }
});
