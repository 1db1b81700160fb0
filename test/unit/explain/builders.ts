// Builders of the API objects `explainPod` reads, shaped as kube-apiserver serves them (resource.k8s.io/v1),
// with the defaults of the seed scenario: pod default/demo on node-a, NAD sf-net of resourceName sf-pool-1,
// claim demo-net from template demo-tmpl, device vf-0 of pool node-a of driver netclaim.dev.
import type { ResourceSlice } from "../../../src/k8s/resource-slice-types.ts";
import { settingsFrom } from "../../../src/explain/snapshot.ts";
import type {
  ExplainClaim,
  ExplainContainer,
  ExplainDeviceClass,
  ExplainNad,
  ExplainPod,
  ExplainSettings,
  ExplainSnapshot,
} from "../../../src/explain/snapshot.ts";
import { selectorExpression } from "../../../src/controller/classes/device-class.ts";

export const DRIVER = "netclaim.dev";
export const NODE = "node-a";

export interface PodClaimSpec {
  name: string;
  /** Directly named claim. */
  claimName?: string;
  /** Template; `generated` is the claim name in status, absent when not generated yet. */
  template?: string;
  generated?: string;
}

export function pod(
  opts: {
    annotations?: Record<string, string>;
    claims?: PodClaimSpec[];
    containers?: ExplainContainer[];
    node?: string;
    namespace?: string;
    extendedClaim?: string;
  } = {},
): ExplainPod {
  const claims = opts.claims ?? [{ name: "net", template: "demo-tmpl", generated: "demo-net" }];
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      namespace: opts.namespace ?? "default",
      name: "demo",
      uid: "uid-demo",
      annotations: opts.annotations ?? { "k8s.v1.cni.cncf.io/networks": "sf-net" },
    },
    spec: {
      ...(opts.node === "" ? {} : { nodeName: opts.node ?? NODE }),
      resourceClaims: claims.map((c) => ({
        name: c.name,
        ...(c.claimName === undefined ? {} : { resourceClaimName: c.claimName }),
        ...(c.template === undefined ? {} : { resourceClaimTemplateName: c.template }),
      })),
      containers: opts.containers ?? [
        { name: "app", resources: { claims: claims.map((c) => ({ name: c.name })) } },
      ],
    },
    status: {
      phase: "Running",
      resourceClaimStatuses: claims.flatMap((c) =>
        c.generated === undefined ? [] : [{ name: c.name, resourceClaimName: c.generated }],
      ),
      ...(opts.extendedClaim === undefined
        ? {}
        : { extendedResourceClaimStatus: { resourceClaimName: opts.extendedClaim } }),
    },
  };
}

export function nad(
  name: string,
  opts: {
    namespace?: string;
    resourceName?: string;
    ipPool?: string;
    config?: string | null;
    annotations?: Record<string, string>;
  } = {},
): ExplainNad {
  const annotations: Record<string, string> = { ...opts.annotations };
  if (opts.resourceName !== undefined) annotations["k8s.v1.cni.cncf.io/resourceName"] = opts.resourceName;
  if (opts.ipPool !== undefined) annotations["netclaim.dev/ip-pool"] = opts.ipPool;
  const config =
    opts.config === undefined ? JSON.stringify({ cniVersion: "1.0.0", type: "host-device" }) : opts.config;
  return {
    apiVersion: "k8s.cni.cncf.io/v1",
    kind: "NetworkAttachmentDefinition",
    metadata: { namespace: opts.namespace ?? "default", name, annotations },
    ...(config === null ? {} : { spec: { config } }),
  };
}

export interface ResultSpec {
  request?: string;
  device: string;
  pool?: string;
  driver?: string;
}

export interface StatusSpec {
  device: string;
  ips?: string[];
  condition?: { status: string; reason: string; message: string };
  interfaceName?: string;
}

export function claim(
  name: string,
  opts: {
    requests?: {
      name: string;
      className?: string;
      selectors?: string[];
      firstAvailable?: { name: string; className: string }[];
    }[];
    results?: ResultSpec[];
    allocated?: boolean;
    status?: StatusSpec[];
    ipPool?: string;
  } = {},
): ExplainClaim {
  const requests = (opts.requests ?? [{ name: "net", className: "sf-pool-1" }]).map((r) =>
    r.firstAvailable !== undefined
      ? {
          name: r.name,
          firstAvailable: r.firstAvailable.map((s) => ({ name: s.name, deviceClassName: s.className })),
        }
      : {
          name: r.name,
          exactly: {
            ...(r.className === undefined ? {} : { deviceClassName: r.className }),
            ...(r.selectors === undefined
              ? {}
              : { selectors: r.selectors.map((expression) => ({ cel: { expression } })) }),
          },
        },
  );
  const results = (opts.results ?? [{ device: "vf-0" }]).map((r) => ({
    request: r.request ?? "net",
    driver: r.driver ?? DRIVER,
    pool: r.pool ?? NODE,
    device: r.device,
  }));
  const config =
    opts.ipPool === undefined
      ? []
      : [
          {
            source: "FromClaim",
            opaque: {
              driver: DRIVER,
              parameters: {
                apiVersion: "netclaim.dev/v1alpha1",
                kind: "NetworkDeviceConfig",
                ipPool: opts.ipPool,
              },
            },
          },
        ];
  return {
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceClaim",
    metadata: { namespace: "default", name },
    spec: { devices: { requests } },
    status: {
      ...(opts.allocated === false ? {} : { allocation: { devices: { results, config } } }),
      devices: (opts.status ?? []).map((s) => ({
        driver: DRIVER,
        pool: NODE,
        device: s.device,
        conditions:
          s.condition === undefined
            ? []
            : [{ type: "AddressesAllocated", lastTransitionTime: "2025-01-01T00:00:00Z", ...s.condition }],
        networkData: {
          ips: s.ips ?? [],
          ...(s.interfaceName === undefined ? {} : { interfaceName: s.interfaceName }),
        },
      })),
    },
  };
}

export interface DeviceSpec {
  name: string;
  resourceName?: string;
  attributes?: Record<string, { string?: string; int?: number; bool?: boolean; version?: string }>;
}

export function slice(
  devices: DeviceSpec[],
  opts: { node?: string; driver?: string; generation?: number } = {},
): ResourceSlice {
  const driver = opts.driver ?? DRIVER;
  const node = opts.node ?? NODE;
  return {
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceSlice",
    metadata: { name: `${node}-${driver}-${opts.generation ?? 1}` },
    spec: {
      driver,
      nodeName: node,
      pool: { name: node, generation: opts.generation ?? 1, resourceSliceCount: 1 },
      devices: devices.map((d) => ({
        name: d.name,
        attributes: {
          ...(d.resourceName === undefined
            ? {}
            : { "k8s.cni.cncf.io/resourceName": { string: d.resourceName } }),
          ...d.attributes,
        },
      })),
    },
  };
}

/** The class the netclaim controller keeps for `resourceName` (managed labels, its CEL selector). */
export function managedClass(resourceName: string): ExplainDeviceClass {
  return {
    apiVersion: "resource.k8s.io/v1",
    kind: "DeviceClass",
    metadata: {
      name: resourceName,
      labels: { "app.kubernetes.io/managed-by": "netclaim", "netclaim.dev/driver": DRIVER },
    },
    spec: { selectors: [{ cel: { expression: selectorExpression(DRIVER, resourceName) } }] },
  };
}

export function deviceClass(name: string, expressions: string[]): ExplainDeviceClass {
  return {
    apiVersion: "resource.k8s.io/v1",
    kind: "DeviceClass",
    metadata: { name },
    spec: { selectors: expressions.map((expression) => ({ cel: { expression } })) },
  };
}

/** The seed scenario resolved: one network, its device found by attribute. */
export function snapshot(overrides: Partial<ExplainSnapshot> = {}): ExplainSnapshot {
  return {
    pod: pod(),
    nads: [nad("sf-net", { resourceName: "sf-pool-1" })],
    claims: [claim("demo-net")],
    deviceClasses: [managedClass("sf-pool-1")],
    slices: [
      slice([
        { name: "vf-0", resourceName: "sf-pool-1" },
        { name: "vf-1", resourceName: "sf-pool-1" },
      ]),
    ],
    ...overrides,
  };
}

export function settings(overrides: Partial<ExplainSettings> = {}): ExplainSettings {
  return { ...settingsFrom(DRIVER), ...overrides };
}
