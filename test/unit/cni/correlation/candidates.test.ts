// What each source makes of what it reads (pure): checkpoint entries, PodResources answers, API objects,
// and the merge of several sources' devices into one list.
import { describe, expect, it } from "vitest";
import { apiCandidates, indexSlices, podClaimRefs } from "../../../../src/cni/correlation/api-candidates.ts";
import type { ApiClaim, ApiPod, ApiSlice } from "../../../../src/cni/correlation/api-candidates.ts";
import { checkpointCandidates } from "../../../../src/cni/correlation/checkpoint-source.ts";
import { mergeCandidates } from "../../../../src/cni/correlation/merge-candidates.ts";
import { podResourcesCandidates } from "../../../../src/cni/correlation/pod-resources-candidates.ts";
import type { PodResources__Output } from "../../../../src/generated/podresources-v1/v1/PodResources.ts";
import { claimDevice, pluginDevice } from "../../../fakes/cni-devices.ts";
import { checkpointOf, claimObject, podObject, preparedDevice, sliceObject } from "./support.ts";

describe("checkpointCandidates", () => {
  const checkpoint = checkpointOf({
    "uid-b": { name: "claim-b", podUIDs: ["pod-1"], devices: [preparedDevice("veth-b")] },
    "uid-a": {
      name: "claim-a",
      podUIDs: ["pod-1", "pod-2"],
      devices: [
        preparedDevice("vf-1", {
          kind: "sriov-vf",
          pciAddress: "0000:3b:02.1",
          ifName: "ens1f0v1",
          shareID: "s-1",
        }),
        preparedDevice("sf-2", { kind: "subfunction", resourceName: undefined, requestNames: ["a", "b"] }),
      ],
    },
    "uid-c": { name: "claim-c", podUIDs: ["pod-1"], devices: [preparedDevice("x")], state: "unpreparing" },
  });

  it("lists the prepared devices reserved for the pod, claim by claim, as the plugin's driver", () => {
    expect(checkpointCandidates(checkpoint, "pod-1", "netclaim.dev")).toEqual([
      claimDevice({
        device: "vf-1",
        claimName: "claim-a",
        requestNames: ["nic"],
        kind: "sriov-vf",
        pciAddress: "0000:3b:02.1",
        ifName: "ens1f0v1",
        shareID: "s-1",
        resourceNameAttr: "sf-pool-1",
        cdiDeviceIds: ["netclaim.dev/net=claim-uid-vf-1"],
      }),
      claimDevice({
        device: "sf-2",
        claimName: "claim-a",
        requestNames: ["a", "b"],
        kind: "subfunction",
        ifName: "sf-2",
        cdiDeviceIds: ["netclaim.dev/net=claim-uid-sf-2"],
      }),
      claimDevice({
        device: "veth-b",
        claimName: "claim-b",
        requestNames: ["nic"],
        ifName: "veth-b",
        resourceNameAttr: "sf-pool-1",
        cdiDeviceIds: ["netclaim.dev/net=claim-uid-veth-b"],
      }),
    ]);
  });

  it.each([
    { name: "another pod", uid: "pod-3", want: 0 },
    { name: "no pod UID", uid: "", want: 0 },
    { name: "a pod sharing a claim", uid: "pod-2", want: 2 },
  ])("$name", ({ uid, want }) => {
    expect(checkpointCandidates(checkpoint, uid, "netclaim.dev")).toHaveLength(want);
  });
});

function container(name: string, fields: Partial<PodResources__Output["containers"][number]>) {
  return { name, devices: [], cpu_ids: [], memory: [], dynamic_resources: [], ...fields };
}

describe("podResourcesCandidates", () => {
  const claimResource = (device: string, cdi: string[], driver = "netclaim.dev") => ({
    driver_name: driver,
    pool_name: "node-1",
    device_name: device,
    cdi_devices: cdi.map((name) => ({ name })),
  });

  it("lists container claims (CDI IDs of earlier devices dropped), then device-plugin devices", () => {
    const pod: PodResources__Output = {
      name: "pod-a",
      namespace: "ns1",
      containers: [
        container("app", {
          devices: [
            { resource_name: "intel.com/vf", device_ids: ["0000:af:0a.3", "0000:af:0a.4"], topology: null },
          ],
          dynamic_resources: [
            {
              claim_name: "claim-a",
              claim_namespace: "ns1",
              claim_resources: [
                claimResource("vf-1", ["netclaim.dev/net=u-vf-1"]),
                // the kubelet quirk: the second device's list carries the first's ID too
                claimResource("vf-2", ["netclaim.dev/net=u-vf-1", "netclaim.dev/net=u-vf-2"]),
              ],
            },
          ],
        }),
        container("sidecar", {
          dynamic_resources: [
            {
              claim_name: "claim-a",
              claim_namespace: "ns1",
              claim_resources: [claimResource("vf-1", ["netclaim.dev/net=u-vf-1"])],
            },
          ],
        }),
      ],
    };
    const found = podResourcesCandidates(pod);
    expect(found.map((d) => [d.origin, d.claimName, d.device, d.cdiDeviceIds])).toEqual([
      ["claim", "claim-a", "vf-1", ["netclaim.dev/net=u-vf-1"]],
      ["claim", "claim-a", "vf-2", ["netclaim.dev/net=u-vf-2"]],
      ["device-plugin", "", "0000:af:0a.3", []],
      ["device-plugin", "", "0000:af:0a.4", []],
    ]);
    expect(found[2]).toEqual(pluginDevice("intel.com/vf", "0000:af:0a.3", { pciAddress: "0000:af:0a.3" }));
  });

  it("has nothing for a pod the kubelet does not know", () => {
    expect(podResourcesCandidates(undefined)).toEqual([]);
  });
});

describe("API: pod claims, slices, allocation results", () => {
  it.each([
    {
      name: "a template claim through resourceClaimStatuses, a direct claim by its name",
      pod: podObject({
        name: "p",
        uid: "u",
        claims: { nic: { generated: "p-nic-x7k2p" }, data: { claim: "shared" } },
      }),
      want: [
        { podClaimName: "nic", claimName: "p-nic-x7k2p" },
        { podClaimName: "data", claimName: "shared" },
      ],
    },
    {
      name: "a template claim not generated yet",
      pod: podObject({ name: "p", uid: "u", claims: { nic: {} } }),
      want: [],
    },
    {
      name: "the extended-resource claim",
      pod: {
        ...podObject({ name: "p", uid: "u", claims: {} }),
        status: { extendedResourceClaimStatus: { resourceClaimName: "p-ext" } },
      },
      want: [{ claimName: "p-ext" }],
    },
  ])("podClaimRefs: $name", ({ pod, want }) => {
    expect(podClaimRefs(pod as ApiPod)).toEqual(want);
  });

  it("takes attributes from the newest generation of the node's slices", () => {
    const index = indexSlices([
      sliceObject("old", [{ name: "sf-1", attributes: { "k8s.cni.cncf.io/resourceName": "stale" } }], {
        generation: 1,
      }),
      sliceObject(
        "new",
        [
          {
            name: "sf-1",
            attributes: {
              "k8s.cni.cncf.io/resourceName": "sf-pool-1",
              "k8s.cni.cncf.io/deviceID": "mlx5_core.sf.1",
              type: "subfunction",
              ifName: "enp59s0f0s1",
            },
          },
          {
            name: "vf-1",
            attributes: {
              "resource.kubernetes.io/pciBusID": "0000:3b:02.1",
              "netclaim.dev/pfPciAddress": "0000:3b:00.0",
            },
          },
        ],
        { generation: 2 },
      ),
    ] as ApiSlice[]);
    const claim = claimObject({
      name: "p-nic-x7k2p",
      requests: { nic: "sf-pool-1", vf: "vf-class" },
      results: [
        { request: "nic", device: "sf-1" },
        { request: "vf", device: "vf-1" },
        { request: "vf", device: "gone" },
      ],
    }) as ApiClaim;
    const found = apiCandidates(
      claim,
      { podClaimName: "nic", claimName: "p-nic-x7k2p" },
      new Map([["netclaim.dev", index]]),
    );
    const common = { sources: ["api" as const], claimName: "p-nic-x7k2p", podClaimName: "nic" };
    expect(found).toEqual([
      claimDevice({
        ...common,
        device: "sf-1",
        requestNames: ["nic"],
        className: "sf-pool-1",
        kind: "subfunction",
        resourceNameAttr: "sf-pool-1",
        deviceIDAttr: "mlx5_core.sf.1",
        ifName: "enp59s0f0s1",
      }),
      claimDevice({
        ...common,
        device: "vf-1",
        requestNames: ["vf"],
        className: "vf-class",
        kind: "unknown",
        pciAddress: "0000:3b:02.1",
        pfPciAddress: "0000:3b:00.0",
      }),
      claimDevice({
        ...common,
        device: "gone",
        requestNames: ["vf"],
        className: "vf-class",
        kind: "unknown",
      }),
    ]);
  });

  it("finds a subrequest's DeviceClass in firstAvailable", () => {
    const claim = {
      metadata: { namespace: "ns1", name: "c" },
      spec: {
        devices: {
          requests: [{ name: "nic", firstAvailable: [{ name: "fast", deviceClassName: "vf-100g" }] }],
        },
      },
      status: {
        allocation: { devices: { results: [{ request: "nic/fast", driver: "d", pool: "p", device: "x" }] } },
      },
    } as ApiClaim;
    expect(apiCandidates(claim, { claimName: "c" }, new Map())[0]?.className).toBe("vf-100g");
  });
});

describe("mergeCandidates", () => {
  it("keeps the first sighting and fills what it lacks from later sources", () => {
    const checkpoint = claimDevice({
      device: "sf-1",
      ifName: "enp59s0f0s1",
      cdiDeviceIds: ["c/net=1"],
      kind: "subfunction",
    });
    const podResources = claimDevice({
      device: "sf-1",
      sources: ["podresources"],
      requestNames: [],
      kind: "unknown",
      cdiDeviceIds: ["c/net=other"],
    });
    const api = claimDevice({
      device: "sf-1",
      sources: ["api"],
      className: "sf-pool-1",
      deviceIDAttr: "mlx5_core.sf.1",
      ifName: "ignored",
    });
    const other = claimDevice({ device: "sf-2", sources: ["api"] });
    expect(mergeCandidates(mergeCandidates([checkpoint], [podResources]), [api, other])).toEqual([
      {
        ...checkpoint,
        sources: ["checkpoint", "podresources", "api"],
        className: "sf-pool-1",
        deviceIDAttr: "mlx5_core.sf.1",
      },
      other,
    ]);
  });

  it.each([
    { name: "another claim", b: claimDevice({ device: "d", claimName: "other" }) },
    { name: "another share", b: claimDevice({ device: "d", shareID: "s2" }) },
    { name: "another driver", b: claimDevice({ device: "d", driver: "dra.net" }) },
    { name: "a device-plugin device of the same ID", b: pluginDevice("r", "d") },
  ])("tells devices apart by $name", ({ b }) => {
    expect(mergeCandidates([claimDevice({ device: "d" })], [b])).toHaveLength(2);
  });
});
