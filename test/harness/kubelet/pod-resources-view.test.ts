import { describe, expect, it } from "vitest";
import { podResourcesView } from "./pod-resources-view.ts";
import type { PreparedClaim, StandInClaim, StandInPod } from "./types.ts";

const netClaim: StandInClaim = {
  podClaimName: "net",
  name: "pod-net-abc",
  uid: "u-net",
  drivers: ["netclaim.dev"],
};
const gpuClaim: StandInClaim = {
  podClaimName: "gpu",
  name: "gpu-claim",
  uid: "u-gpu",
  drivers: ["gpu.example.com"],
};

const prepared: PreparedClaim[] = [
  {
    claim: netClaim,
    namespace: "ns1",
    devicesByDriver: new Map([
      [
        "netclaim.dev",
        [
          {
            requestNames: ["vf"],
            poolName: "node-a",
            deviceName: "vf-0",
            cdiDeviceIds: ["netclaim.dev/net=vf-0"],
          },
          {
            requestNames: ["vf"],
            poolName: "node-a",
            deviceName: "vf-1",
            cdiDeviceIds: [],
            shareId: "share-1",
          },
        ],
      ],
    ]),
  },
  {
    claim: gpuClaim,
    namespace: "ns1",
    devicesByDriver: new Map([
      ["gpu.example.com", [{ requestNames: [], poolName: "p", deviceName: "gpu-0", cdiDeviceIds: [] }]],
    ]),
  },
];

const pod = (containers: StandInPod["containers"]): StandInPod => ({
  uid: "pod-uid",
  namespace: "ns1",
  name: "web",
  claims: [netClaim, gpuClaim],
  containers,
});

describe("podResourcesView", () => {
  it.each([
    {
      name: "a claim appears only under the containers that reference it",
      containers: [{ name: "app", claims: ["net"] }, { name: "sidecar" }],
      want: [["pod-net-abc"], []],
    },
    {
      name: "pod-level claims that no container references are not listed",
      containers: [{ name: "app" }],
      want: [[]],
    },
    {
      name: "a container can reference several claims",
      containers: [{ name: "app", claims: ["gpu", "net"] }],
      want: [["gpu-claim", "pod-net-abc"]],
    },
    {
      name: "two containers can reference the same claim",
      containers: [
        { name: "a", claims: ["net"] },
        { name: "b", claims: ["net"] },
      ],
      want: [["pod-net-abc"], ["pod-net-abc"]],
    },
  ])("$name", ({ containers, want }) => {
    const view = podResourcesView(pod(containers), prepared);
    expect(view.containers?.map((c) => (c.dynamic_resources ?? []).map((r) => r.claim_name))).toEqual(want);
  });

  it("one ClaimResource per device with driver, pool, device, CDI devices and share_id", () => {
    const view = podResourcesView(pod([{ name: "app", claims: ["net"] }]), prepared);
    expect(view.containers?.[0]?.dynamic_resources).toEqual([
      {
        claim_name: "pod-net-abc",
        claim_namespace: "ns1",
        claim_resources: [
          {
            cdi_devices: [{ name: "netclaim.dev/net=vf-0" }],
            driver_name: "netclaim.dev",
            pool_name: "node-a",
            device_name: "vf-0",
          },
          {
            cdi_devices: [],
            driver_name: "netclaim.dev",
            pool_name: "node-a",
            device_name: "vf-1",
            share_id: "share-1",
          },
        ],
      },
    ]);
  });

  it("lists device-plugin devices per container and nothing for claims not prepared", () => {
    const view = podResourcesView(
      pod([
        {
          name: "app",
          claims: ["net"],
          devices: [{ resource_name: "intel.com/sriov", device_ids: ["0000:03:00.2"] }],
        },
      ]),
      [],
    );
    expect(view).toEqual({
      name: "web",
      namespace: "ns1",
      containers: [
        {
          name: "app",
          devices: [{ resource_name: "intel.com/sriov", device_ids: ["0000:03:00.2"] }],
          cpu_ids: [],
          memory: [],
          dynamic_resources: [],
        },
      ],
    });
  });
});
