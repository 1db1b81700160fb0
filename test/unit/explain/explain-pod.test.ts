// explainPod over snapshots: every reason a network can miss its NAD, device or addresses, both
// annotation forms, namespace isolation, pod-level and container claims, two claims for two NADs, a
// device-plugin resource, and the CNI config's networks. Each case states the verdict, and per network
// its status, the findings (severity and code, in order), and the device or addresses it gets.
import { describe, expect, it } from "vitest";
import { explainPod } from "../../../src/explain/explain-pod.ts";
import type { Explanation, FindingCode, NetworkStatus } from "../../../src/explain/explanation.ts";
import type { ExplainSettings, ExplainSnapshot } from "../../../src/explain/snapshot.ts";
import { claim, managedClass, nad, pod, settings, slice, snapshot } from "./builders.ts";

interface NetworkWant {
  name?: string;
  status: NetworkStatus;
  findings: string[];
  device?: string;
  rule?: string;
  ips?: string[];
  ifName?: string;
}

interface Case {
  name: string;
  snapshot: ExplainSnapshot;
  settings?: ExplainSettings;
  resolved: boolean;
  /** By index; index 0 (the cluster network) is checked only when given. */
  networks: Record<number, NetworkWant>;
  podFindings?: string[];
  claimFindings?: string[];
}

const CLUSTER = "info CLUSTER_NETWORK_UNKNOWN";
const codes = (findings: { severity: string; code: FindingCode }[]) =>
  findings.map((f) => `${f.severity} ${f.code}`);
const net = (e: Explanation, i: number) => e.networks[i]!;

const TWO_NETS = { "k8s.v1.cni.cncf.io/networks": "sf-net,sf-net-2" };

const cases: Case[] = [
  {
    name: "seed scenario: device by attribute",
    snapshot: snapshot(),
    resolved: true,
    networks: {
      0: { name: "cluster network", status: "deferred", findings: [CLUSTER], ifName: "eth0" },
      1: {
        name: "default/sf-net",
        status: "ok",
        findings: [],
        device: "netclaim.dev/node-a/vf-0",
        rule: "attribute",
        ifName: "net1",
      },
    },
  },
  {
    name: "JSON annotation form, requested interface name",
    snapshot: snapshot({
      pod: pod({
        annotations: {
          "k8s.v1.cni.cncf.io/networks": '[{"name":"sf-net","namespace":"default","interface":"sf0"}]',
        },
      }),
    }),
    resolved: true,
    networks: { 1: { status: "ok", findings: [], device: "netclaim.dev/node-a/vf-0", ifName: "sf0" } },
  },
  {
    name: "text annotation form with @ifname",
    snapshot: snapshot({
      pod: pod({ annotations: { "k8s.v1.cni.cncf.io/networks": "default/sf-net@sf0" } }),
    }),
    resolved: true,
    networks: { 1: { status: "ok", findings: [], ifName: "sf0" } },
  },
  {
    name: "NAD not found",
    snapshot: snapshot({ nads: [] }),
    resolved: false,
    networks: { 1: { status: "missing", findings: ["error NAD_NOT_FOUND"] } },
  },
  {
    name: "NAD in another namespace with namespace isolation on",
    snapshot: snapshot({
      pod: pod({ annotations: { "k8s.v1.cni.cncf.io/networks": "infra/sf-net" } }),
      nads: [nad("sf-net", { namespace: "infra", resourceName: "sf-pool-1" })],
    }),
    settings: settings({ namespaceIsolation: true }),
    resolved: false,
    networks: { 1: { name: "infra/sf-net", status: "missing", findings: ["error NAMESPACE_ISOLATION"] } },
  },
  {
    name: "NAD in a global namespace with namespace isolation on",
    snapshot: snapshot({
      pod: pod({ annotations: { "k8s.v1.cni.cncf.io/networks": "infra/sf-net" } }),
      nads: [nad("sf-net", { namespace: "infra", resourceName: "sf-pool-1" })],
    }),
    settings: settings({ namespaceIsolation: true, globalNamespaces: ["infra"] }),
    resolved: true,
    networks: { 1: { name: "infra/sf-net", status: "ok", findings: [], device: "netclaim.dev/node-a/vf-0" } },
  },
  {
    name: "invalid spec.config",
    snapshot: snapshot({
      nads: [nad("sf-net", { resourceName: "sf-pool-1", config: '{"cniVersion":"1.0.0"}' })],
    }),
    resolved: false,
    networks: { 1: { status: "missing", findings: ["error INVALID_NAD_CONFIG"] } },
  },
  {
    name: "no spec.config: the node's confDir decides",
    snapshot: snapshot({ nads: [nad("sf-net", { config: null })] }),
    resolved: true,
    networks: { 1: { status: "deferred", findings: ["info CONF_DIR_NETWORK"] } },
  },
  {
    name: "no claim at all",
    snapshot: snapshot({ pod: pod({ claims: [] }), claims: [] }),
    resolved: false,
    networks: { 1: { status: "missing", findings: ["error NO_CLAIM", "info CLASS_SELECTS"] } },
  },
  {
    name: "claim not generated yet",
    snapshot: snapshot({ pod: pod({ claims: [{ name: "net", template: "demo-tmpl" }] }), claims: [] }),
    resolved: false,
    networks: {
      1: {
        status: "missing",
        findings: ["error NO_MATCHING_DEVICE", "info CLAIM_NOT_GENERATED", "info CLASS_SELECTS"],
      },
    },
    claimFindings: ["warning CLAIM_NOT_GENERATED"],
  },
  {
    name: "claim not found",
    snapshot: snapshot({ claims: [] }),
    resolved: false,
    networks: {
      1: {
        status: "missing",
        findings: ["error NO_MATCHING_DEVICE", "info CLAIM_NOT_FOUND", "info CLASS_SELECTS"],
      },
    },
    claimFindings: ["warning CLAIM_NOT_FOUND"],
  },
  {
    name: "claim not allocated",
    snapshot: snapshot({ claims: [claim("demo-net", { allocated: false })] }),
    resolved: false,
    networks: {
      1: {
        status: "missing",
        findings: ["error NO_MATCHING_DEVICE", "info CLAIM_NOT_ALLOCATED", "info CLASS_SELECTS"],
      },
    },
    claimFindings: ["warning CLAIM_NOT_ALLOCATED"],
  },
  {
    name: "allocated device in no slice: found by class name (rule 2), attributes unknown",
    snapshot: snapshot({ slices: [] }),
    resolved: true,
    networks: {
      1: { status: "ok", findings: [], device: "netclaim.dev/node-a/vf-0", rule: "claim-request" },
    },
    claimFindings: ["warning DEVICE_NOT_PUBLISHED"],
  },
  {
    name: "allocated device not published and its class has another name",
    snapshot: snapshot({
      claims: [claim("demo-net", { requests: [{ name: "net", className: "other" }] })],
      slices: [],
    }),
    resolved: false,
    networks: {
      1: {
        status: "missing",
        findings: [
          "error NO_MATCHING_DEVICE",
          "info NO_DEVICE_CLASS",
          "info DEVICE_NOT_PUBLISHED",
          "info CLASS_SELECTS",
        ],
      },
    },
    claimFindings: ["warning NO_DEVICE_CLASS", "warning DEVICE_NOT_PUBLISHED"],
  },
  {
    name: "no device matches the resourceName, and no class of that name",
    snapshot: snapshot({ nads: [nad("sf-net", { resourceName: "sf-pool-9" })] }),
    resolved: false,
    networks: { 1: { status: "missing", findings: ["error NO_MATCHING_DEVICE", "warning NO_DEVICE_CLASS"] } },
  },
  {
    name: "one device claimed by two networks",
    snapshot: snapshot({
      pod: pod({ annotations: TWO_NETS }),
      nads: [nad("sf-net", { resourceName: "sf-pool-1" }), nad("sf-net-2", { resourceName: "sf-pool-1" })],
    }),
    resolved: false,
    networks: {
      1: { status: "ok", findings: [], device: "netclaim.dev/node-a/vf-0" },
      2: { status: "missing", findings: ["error DEVICE_TAKEN", "info CLASS_SELECTS"], ifName: "net2" },
    },
  },
  {
    name: "two claims for two NADs",
    snapshot: snapshot({
      pod: pod({
        annotations: TWO_NETS,
        claims: [
          { name: "a", template: "t", generated: "demo-a" },
          { name: "b", template: "t", generated: "demo-b" },
        ],
      }),
      nads: [nad("sf-net", { resourceName: "sf-pool-1" }), nad("sf-net-2", { resourceName: "sf-pool-2" })],
      claims: [
        claim("demo-a", { results: [{ device: "vf-0" }] }),
        claim("demo-b", {
          results: [{ device: "vf-9" }],
          requests: [{ name: "net", className: "sf-pool-2" }],
        }),
      ],
      deviceClasses: [managedClass("sf-pool-1"), managedClass("sf-pool-2")],
      slices: [
        slice([
          { name: "vf-0", resourceName: "sf-pool-1" },
          { name: "vf-9", resourceName: "sf-pool-2" },
        ]),
      ],
    }),
    resolved: true,
    networks: {
      1: { status: "ok", findings: [], device: "netclaim.dev/node-a/vf-0", rule: "attribute" },
      2: { status: "ok", findings: [], device: "netclaim.dev/node-a/vf-9", rule: "attribute" },
    },
  },
  {
    name: "addresses allocated by the controller",
    snapshot: snapshot({
      nads: [nad("sf-net", { resourceName: "sf-pool-1", ipPool: "pool-a" })],
      claims: [
        claim("demo-net", {
          status: [
            {
              device: "vf-0",
              ips: ["10.10.0.10/24"],
              condition: { status: "True", reason: "Allocated", message: "10.10.0.10/24 from IPPool pool-a" },
            },
          ],
        }),
      ],
    }),
    resolved: true,
    networks: { 1: { status: "ok", findings: [], ips: ["10.10.0.10/24"] } },
  },
  {
    name: "pool exhausted",
    snapshot: snapshot({
      nads: [nad("sf-net", { resourceName: "sf-pool-1", ipPool: "pool-a" })],
      claims: [
        claim("demo-net", {
          status: [
            {
              device: "vf-0",
              condition: {
                status: "False",
                reason: "PoolExhausted",
                message: "IPPool pool-a has no free IPv4 address",
              },
            },
          ],
        }),
      ],
    }),
    resolved: false,
    networks: { 1: { status: "missing", findings: ["error POOL_EXHAUSTED"], ips: [] } },
  },
  {
    name: "addresses not written yet (pool from the claim's config)",
    snapshot: snapshot({ claims: [claim("demo-net", { ipPool: "pool-b" })] }),
    resolved: false,
    networks: { 1: { status: "missing", findings: ["error ADDRESSES_PENDING"], ips: [] } },
  },
  {
    name: "device-plugin-only resource",
    snapshot: snapshot({
      pod: pod({
        claims: [],
        containers: [{ name: "app", resources: { limits: { "intel.com/sriov_netdevice": "1" } } }],
      }),
      nads: [nad("sf-net", { resourceName: "intel.com/sriov_netdevice" })],
      claims: [],
      deviceClasses: [],
    }),
    resolved: true,
    networks: { 1: { status: "deferred", findings: ["info DEVICE_PLUGIN_RESOURCE"] } },
  },
  {
    name: "extended resource served by DRA: its claim decides, not PodResources",
    snapshot: snapshot({
      pod: pod({
        claims: [],
        containers: [{ name: "app", resources: { limits: { "example.com/nic": "1" } } }],
        extendedClaim: "demo-extended",
      }),
      nads: [nad("sf-net", { resourceName: "example.com/nic" })],
      claims: [claim("demo-extended", { allocated: false })],
      deviceClasses: [],
    }),
    resolved: false,
    networks: {
      1: {
        status: "missing",
        findings: ["error NO_MATCHING_DEVICE", "info NO_DEVICE_CLASS", "info CLAIM_NOT_ALLOCATED"],
      },
    },
    claimFindings: ["warning NO_DEVICE_CLASS", "warning CLAIM_NOT_ALLOCATED"],
  },
  {
    name: "pod-level claim no container references",
    snapshot: snapshot({ pod: pod({ containers: [{ name: "app" }] }) }),
    resolved: true,
    networks: { 1: { status: "ok", findings: [], device: "netclaim.dev/node-a/vf-0" } },
    claimFindings: ["info POD_LEVEL_CLAIM"],
  },
  {
    name: "directly named claim",
    snapshot: snapshot({ pod: pod({ claims: [{ name: "net", claimName: "demo-net" }] }) }),
    resolved: true,
    networks: { 1: { status: "ok", findings: [], device: "netclaim.dev/node-a/vf-0" } },
  },
  {
    name: "annotation that does not parse",
    snapshot: snapshot({ pod: pod({ annotations: { "k8s.v1.cni.cncf.io/networks": "a/b/c" } }) }),
    resolved: false,
    networks: {},
    podFindings: ["error INVALID_ANNOTATION"],
  },
  {
    name: "two networks asking for one interface name",
    snapshot: snapshot({
      pod: pod({ annotations: { "k8s.v1.cni.cncf.io/networks": "sf-net@x,sf-net-2@x" } }),
      nads: [nad("sf-net", { resourceName: "sf-pool-1" }), nad("sf-net-2")],
    }),
    resolved: false,
    networks: { 2: { status: "ok", findings: [] } },
    podFindings: ["error INTERFACE_NAME"],
  },
  {
    name: "default-network annotation replaces the cluster network; multusNamespace allowed under isolation",
    snapshot: snapshot({
      pod: pod({
        annotations: {
          "v1.multus-cni.io/default-network": "calico",
          "k8s.v1.cni.cncf.io/networks": "sf-net",
        },
      }),
      nads: [nad("calico", { namespace: "kube-system" }), nad("sf-net", { resourceName: "sf-pool-1" })],
    }),
    settings: settings({ namespaceIsolation: true }),
    resolved: true,
    networks: {
      0: { name: "kube-system/calico", status: "ok", findings: [], ifName: "eth0" },
      1: { status: "ok", findings: [], device: "netclaim.dev/node-a/vf-0" },
    },
  },
];

describe("explainPod", () => {
  it.each(cases)("$name", (c) => {
    const e = explainPod(c.snapshot, c.settings ?? settings());
    expect(e.resolved).toBe(c.resolved);
    expect(codes(e.findings)).toEqual(c.podFindings ?? []);
    expect(codes(e.claims.flatMap((cl) => cl.findings))).toEqual(c.claimFindings ?? []);
    for (const [i, want] of Object.entries(c.networks)) {
      const got = net(e, Number(i));
      expect({ status: got.status, findings: codes(got.findings) }, `network ${i}`).toEqual({
        status: want.status,
        findings: want.findings,
      });
      if (want.name !== undefined) expect(got.name).toBe(want.name);
      if (want.device !== undefined) expect(got.device?.device).toBe(want.device);
      if (want.rule !== undefined) expect(got.device?.rule).toBe(want.rule);
      if (want.ips !== undefined) expect(got.addresses?.ips).toEqual(want.ips);
      if (want.ifName !== undefined) expect(got.interface?.name).toBe(want.ifName);
    }
  });
});
