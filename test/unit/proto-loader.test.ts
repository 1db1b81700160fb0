// The runtime loader of the kubelet protos: the options it decodes with, memoization, the proto dir
// override, and the names and paths it exports.
import type { MessageTypeDefinition } from "@grpc/proto-loader";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  DEFAULT_PROTO_DIR,
  KUBELET_PROTOS,
  draSocketPath,
  kubeletServices,
  loadKubeletPackageDefinition,
  loadKubeletProto,
  registrationSocketPath,
} from "../../src/k8s/kubelet-grpc.ts";
import type { KubeletProtoName } from "../../src/k8s/kubelet-grpc.ts";

function roundTrip(proto: KubeletProtoName, message: string, value: object): unknown {
  const def = loadKubeletPackageDefinition(proto)[message] as MessageTypeDefinition<object, object>;
  return def.deserialize(def.serialize(value));
}

describe("LOADER_OPTIONS as decoded", () => {
  it.each([
    {
      name: "keepCase: wire names, defaults: every field, unset optional share_id stays absent",
      proto: "draV1" as const,
      message: "k8s.io.kubelet.pkg.apis.dra.v1.Device",
      value: { pool_name: "p", device_name: "d" },
      want: { request_names: [], pool_name: "p", device_name: "d", cdi_device_ids: [] },
    },
    {
      name: "oneofs: a set optional field names its synthetic oneof, even when empty",
      proto: "draV1" as const,
      message: "k8s.io.kubelet.pkg.apis.dra.v1.Device",
      value: { share_id: "" },
      want: {
        request_names: [],
        pool_name: "",
        device_name: "",
        cdi_device_ids: [],
        share_id: "",
        _share_id: "share_id",
      },
    },
    {
      name: "longs: String keeps 64-bit values exact",
      proto: "podResourcesV1" as const,
      message: "v1.ContainerMemory",
      value: { memory_type: "hugepages-1Gi", size: "18446744073709551615" },
      want: { memory_type: "hugepages-1Gi", size: "18446744073709551615", topology: null },
    },
    {
      name: "enums: String",
      proto: "draHealthV1alpha1" as const,
      message: "v1alpha1.DeviceHealth",
      value: { health: 2, last_updated_time: 1700000000 },
      want: {
        device: null,
        health: "UNHEALTHY",
        last_updated_time: "1700000000",
        health_check_timeout_seconds: "0",
        message: "",
      },
    },
    {
      name: "NUMANode keeps its capitalised ID",
      proto: "podResourcesV1" as const,
      message: "v1.NUMANode",
      value: { ID: 1 },
      want: { ID: "1" },
    },
  ])("$name", ({ proto, message, value, want }) => {
    expect(roundTrip(proto, message, value)).toEqual(want);
  });
});

describe("loading", () => {
  const copies: string[] = [];
  afterAll(() => {
    for (const dir of copies) rmSync(dir, { recursive: true, force: true });
  });

  it("parses each proto once per proto dir", () => {
    expect(loadKubeletProto("draV1")).toBe(loadKubeletProto("draV1"));
    expect(loadKubeletPackageDefinition("podResourcesV1")).toBe(
      loadKubeletPackageDefinition("podResourcesV1"),
    );
    expect(kubeletServices().draV1).toBe(kubeletServices().draV1);
  });

  it("takes another proto dir", () => {
    const copy = mkdtempSync(join(tmpdir(), "netclaim-protos-"));
    copies.push(copy);
    cpSync(DEFAULT_PROTO_DIR, copy, { recursive: true });
    const other = loadKubeletProto("podResourcesV1", copy);
    expect(other).not.toBe(loadKubeletProto("podResourcesV1"));
    expect(other.v1.PodResourcesLister.service.Get.path).toBe("/v1.PodResourcesLister/Get");
  });

  it("names the file and dir when a proto cannot be loaded", () => {
    expect(() => loadKubeletPackageDefinition("draV1beta1", "/nonexistent/protos")).toThrow(
      `load kubelet proto ${KUBELET_PROTOS.draV1beta1.file} from /nonexistent/protos`,
    );
  });
});

describe("socket paths", () => {
  it.each([
    { got: draSocketPath("netclaim.dev"), want: "/var/lib/kubelet/plugins/netclaim.dev/dra.sock" },
    { got: draSocketPath("netclaim.dev", "/tmp/k/plugins"), want: "/tmp/k/plugins/netclaim.dev/dra.sock" },
    {
      got: registrationSocketPath("netclaim.dev"),
      want: "/var/lib/kubelet/plugins_registry/netclaim.dev-reg.sock",
    },
    { got: registrationSocketPath("netclaim.dev", "/tmp/k/reg"), want: "/tmp/k/reg/netclaim.dev-reg.sock" },
  ])("$want", ({ got, want }) => {
    expect(got).toBe(want);
  });
});
