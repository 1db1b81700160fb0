// The objects of the seed scenario (issue 5) and its variations, as plain data. Pure.
//   DeviceClass R       selects this driver's devices whose k8s.cni.cncf.io/resourceName is R (the
//                       controller's own selector, src/controller/classes/device-class.ts)
//   NAD R               annotation k8s.v1.cni.cncf.io/resourceName R, host-device + static IPAM
//   NAD macvlan-net     macvlan over the fake host's uplink eth1, host-local
//   ResourceClaim       one request per device, of a DeviceClass
//   Pod                 on the node, the networks annotation, spec.resourceClaims, a container that
//                       references the claims it is asked to (resources.claims)
//
// Public API: `DRIVER`, `NODE_NAME`, `NAMESPACE`, `RESOURCE_NAME_ANNOTATION`, `NETWORKS_ANNOTATION`,
// `NETWORK_STATUS_ANNOTATION`, `MACVLAN_NAD`, `MACVLAN_SUBNET`, `deviceClass`, `deviceNad`, `macvlanNad`,
// `resourceClaim`, `PodClaim`, `PodPlan`, `podObject`, `devicesConfig`, `DeviceResource`.
import { selectorExpression } from "../../../src/controller/classes/device-class.ts";
import type { KubeObject } from "../../harness/api-server/index.ts";

export const DRIVER = "netclaim.dev";
export const NODE_NAME = "node-1";
export const NAMESPACE = "default";
export const RESOURCE_NAME_ANNOTATION = "k8s.v1.cni.cncf.io/resourceName";
export const NETWORKS_ANNOTATION = "k8s.v1.cni.cncf.io/networks";
export const NETWORK_STATUS_ANNOTATION = "k8s.v1.cni.cncf.io/network-status";
export const MACVLAN_NAD = "macvlan-net";
export const MACVLAN_SUBNET = "10.245.0.0/24";
/** The fake host's uplink macvlan sits on. */
export const MACVLAN_MASTER = "eth1";

/** A resource of the devices config: veth "NICs" of the fake host by name. */
export interface DeviceResource {
  resourceName: string;
  nics: readonly string[];
}

/** The kubelet plugin's --devices-config (a DeviceConfig of `netdev` resources). */
export function devicesConfig(resources: readonly DeviceResource[]): string {
  const lines = ["apiVersion: netclaim.dev/v1alpha1", "kind: DeviceConfig", "resources:"];
  for (const r of resources) {
    lines.push(`  - resourceName: ${r.resourceName}`, "    kind: netdev", "    selectors:");
    lines.push(`      ifNames: [${r.nics.map((n) => JSON.stringify(n)).join(", ")}]`);
  }
  return `${lines.join("\n")}\n`;
}

export function deviceClass(resourceName: string): KubeObject {
  return {
    apiVersion: "resource.k8s.io/v1",
    kind: "DeviceClass",
    metadata: { name: resourceName },
    spec: { selectors: [{ cel: { expression: selectorExpression(DRIVER, resourceName) } }] },
  };
}

/** A NAD whose network needs a device of `resourceName`: `plugin` (default host-device), static IPAM. */
export function deviceNad(
  name: string,
  resourceName: string,
  address: string,
  plugin = "host-device",
): KubeObject {
  return {
    apiVersion: "k8s.cni.cncf.io/v1",
    kind: "NetworkAttachmentDefinition",
    metadata: { namespace: NAMESPACE, name, annotations: { [RESOURCE_NAME_ANNOTATION]: resourceName } },
    spec: {
      config: JSON.stringify({
        cniVersion: "1.0.0",
        name,
        type: plugin,
        ipam: { type: "static", addresses: [{ address }] },
      }),
    },
  };
}

export function macvlanNad(ipamDir: string): KubeObject {
  return {
    apiVersion: "k8s.cni.cncf.io/v1",
    kind: "NetworkAttachmentDefinition",
    metadata: { namespace: NAMESPACE, name: MACVLAN_NAD },
    spec: {
      config: JSON.stringify({
        cniVersion: "1.0.0",
        name: MACVLAN_NAD,
        type: "macvlan",
        master: MACVLAN_MASTER,
        mode: "bridge",
        ipam: { type: "host-local", ranges: [[{ subnet: MACVLAN_SUBNET }]], dataDir: ipamDir },
      }),
    },
  };
}

/** A claim with one request per entry: request name → DeviceClass. */
export function resourceClaim(name: string, requests: Readonly<Record<string, string>>): KubeObject {
  return {
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceClaim",
    metadata: { namespace: NAMESPACE, name },
    spec: {
      devices: {
        requests: Object.entries(requests).map(([request, className]) => ({
          name: request,
          exactly: { deviceClassName: className, allocationMode: "ExactCount", count: 1 },
        })),
      },
    },
  };
}

export interface PodClaim {
  /** pod.spec.resourceClaims[].name. */
  podClaimName: string;
  /** The ResourceClaim's name. */
  claimName: string;
  /** Whether the container lists it in resources.claims (else: a pod-level claim only). */
  containerRef: boolean;
}

export interface PodPlan {
  name: string;
  uid: string;
  /** The networks annotation; absent: none. */
  networks?: string;
  claims?: readonly PodClaim[];
  /** Device-plugin devices of the container (served by the stand-in kubelet's PodResources only). */
  devicePluginDevices?: readonly { resourceName: string; ids: readonly string[] }[];
}

export const CONTAINER_NAME = "app";

export function podObject(plan: PodPlan): KubeObject {
  const claims = plan.claims ?? [];
  const annotations: Record<string, string> =
    plan.networks === undefined ? {} : { [NETWORKS_ANNOTATION]: plan.networks };
  const refs = claims.filter((c) => c.containerRef).map((c) => ({ name: c.podClaimName }));
  const resources: Record<string, unknown> = refs.length > 0 ? { claims: refs } : {};
  const limits = Object.fromEntries(
    (plan.devicePluginDevices ?? []).map((d) => [d.resourceName, String(d.ids.length)]),
  );
  if (Object.keys(limits).length > 0) Object.assign(resources, { limits, requests: limits });
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { namespace: NAMESPACE, name: plan.name, uid: plan.uid, annotations },
    spec: {
      nodeName: NODE_NAME,
      containers: [{ name: CONTAINER_NAME, image: "registry.k8s.io/pause:3.10", resources }],
      ...(claims.length === 0
        ? {}
        : {
            resourceClaims: claims.map((c) => ({ name: c.podClaimName, resourceClaimName: c.claimName })),
          }),
    },
  };
}
