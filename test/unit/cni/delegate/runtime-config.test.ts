import { describe, expect, it } from "vitest";
import { normaliseRuntimeConfig, runtimeConfigFor } from "../../../../src/cni/delegate/runtime-config.ts";

describe("normaliseRuntimeConfig", () => {
  it.each([
    {
      name: "containerd's Go field names",
      input: {
        portMappings: [{ HostPort: 8080, ContainerPort: 80, Protocol: "tcp", HostIP: "" }],
        bandwidth: { IngressRate: 1000, IngressBurst: 5, EgressRate: 2000, EgressBurst: 6 },
        dns: { Servers: ["10.96.0.10"], Searches: ["svc.cluster.local"], Options: null },
        "io.kubernetes.cri.pod-annotations": { a: "b" },
        cgroupPath: "/kubepods/x",
      },
      want: {
        portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "tcp", hostIP: "" }],
        bandwidth: { ingressRate: 1000, ingressBurst: 5, egressRate: 2000, egressBurst: 6 },
        dns: { servers: ["10.96.0.10"], searches: ["svc.cluster.local"], options: null },
        "io.kubernetes.cri.pod-annotations": { a: "b" },
        cgroupPath: "/kubepods/x",
      },
    },
    {
      name: "CRI-O's camelCase stays as it is",
      input: {
        portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "udp", hostIP: "10.0.0.1" }],
        bandwidth: { ingressRate: 1, ingressBurst: 2, egressRate: 3, egressBurst: 4 },
      },
      want: {
        portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "udp", hostIP: "10.0.0.1" }],
        bandwidth: { ingressRate: 1, ingressBurst: 2, egressRate: 3, egressBurst: 4 },
      },
    },
    {
      name: "CRI's hostIp spelling and top-level keys in other cases",
      input: {
        PortMappings: [{ hostIp: "::1", hostport: 1 }],
        MAC: "02:00:00:00:00:01",
        IPs: ["10.1.1.1/24"],
        DeviceID: "0000:03:00.1",
        InfinibandGUID: "g",
      },
      want: {
        portMappings: [{ hostIP: "::1", hostPort: 1 }],
        mac: "02:00:00:00:00:01",
        ips: ["10.1.1.1/24"],
        deviceID: "0000:03:00.1",
        infinibandGUID: "g",
      },
    },
    {
      name: "the canonical spelling wins over another one, whatever the order",
      input: { bandwidth: { ingressRate: 1, IngressRate: 2 }, mac: "a", Mac: "b" },
      want: { bandwidth: { ingressRate: 1 }, mac: "a" },
    },
    {
      name: "ipRanges sets of ranges",
      input: {
        ipRanges: [
          [{ Subnet: "10.0.0.0/24", RangeStart: "10.0.0.10", RangeEnd: "10.0.0.20", Gateway: "10.0.0.1" }],
        ],
      },
      want: {
        ipRanges: [
          [{ subnet: "10.0.0.0/24", rangeStart: "10.0.0.10", rangeEnd: "10.0.0.20", gateway: "10.0.0.1" }],
        ],
      },
    },
    {
      name: "unknown keys and odd shapes kept",
      input: { aliases: ["a"], portMappings: "not a list", bandwidth: null, custom: { HostPort: 1 } },
      want: { aliases: ["a"], portMappings: "not a list", bandwidth: null, custom: { HostPort: 1 } },
    },
    { name: "not an object", input: "x", want: {} },
    { name: "null", input: null, want: {} },
  ])("$name", ({ input, want }) => {
    expect(normaliseRuntimeConfig(input)).toEqual(want);
  });
});

describe("runtimeConfigFor", () => {
  const available = { portMappings: [{ hostPort: 1 }], mac: "m", ips: ["10.0.0.2"], deviceID: null };

  it.each([
    {
      name: "only declared capabilities",
      capabilities: { mac: true, ips: true },
      want: { mac: "m", ips: ["10.0.0.2"] },
    },
    {
      name: "false means no",
      capabilities: { mac: false, portMappings: true },
      want: { portMappings: [{ hostPort: 1 }] },
    },
    { name: "truthy non-true means no (Go bool)", capabilities: { mac: "true" }, want: {} },
    { name: "declared but not available", capabilities: { bandwidth: true }, want: {} },
    {
      name: "available as null is passed (libcni)",
      capabilities: { deviceID: true },
      want: { deviceID: null },
    },
    { name: "no capabilities", capabilities: undefined, want: {} },
    { name: "capabilities not an object", capabilities: ["mac"], want: {} },
  ])("$name", ({ capabilities, want }) => {
    expect(runtimeConfigFor(capabilities, available)).toEqual(want);
  });
});
