// Full gRPC method paths of the kubelet services, as typed from upstream: /<proto package>.<Service>/<Method>.
import { describe, expect, it } from "vitest";
import { kubeletServices } from "../../src/k8s/kubelet-grpc.ts";

describe("kubelet gRPC method paths", () => {
  const services = kubeletServices();
  const methods: Record<string, { path: string; responseStream: boolean }> = {
    ...services.registration.service,
    ...services.podResources.service,
    ...services.draHealthV1alpha1.service,
  };
  const cases = [
    { def: services.registration.service.GetInfo, want: "/pluginregistration.Registration/GetInfo" },
    {
      def: services.registration.service.NotifyRegistrationStatus,
      want: "/pluginregistration.Registration/NotifyRegistrationStatus",
    },
    {
      def: services.draV1.service.NodePrepareResources,
      want: "/k8s.io.kubelet.pkg.apis.dra.v1.DRAPlugin/NodePrepareResources",
    },
    {
      def: services.draV1.service.NodeUnprepareResources,
      want: "/k8s.io.kubelet.pkg.apis.dra.v1.DRAPlugin/NodeUnprepareResources",
    },
    {
      def: services.draV1beta1.service.NodePrepareResources,
      want: "/k8s.io.kubelet.pkg.apis.dra.v1beta1.DRAPlugin/NodePrepareResources",
    },
    {
      def: services.draV1beta1.service.NodeUnprepareResources,
      want: "/k8s.io.kubelet.pkg.apis.dra.v1beta1.DRAPlugin/NodeUnprepareResources",
    },
    {
      def: services.draHealthV1alpha1.service.NodeWatchResources,
      want: "/v1alpha1.DRAResourceHealth/NodeWatchResources",
      stream: true,
    },
    { def: services.podResources.service.List, want: "/v1.PodResourcesLister/List" },
    {
      def: services.podResources.service.GetAllocatableResources,
      want: "/v1.PodResourcesLister/GetAllocatableResources",
    },
    { def: services.podResources.service.Get, want: "/v1.PodResourcesLister/Get" },
  ];

  it.each(cases)("$want", ({ def, want, stream }) => {
    expect(def.path).toBe(want);
    expect(def.requestStream).toBe(false);
    expect(def.responseStream).toBe(stream === true);
  });

  it("services have no methods beyond those", () => {
    const all = [
      ...Object.values(methods),
      ...Object.values(services.draV1.service),
      ...Object.values(services.draV1beta1.service),
    ].map((m) => m.path);
    expect(all.sort()).toEqual(cases.map((c) => c.want).sort());
  });
});
