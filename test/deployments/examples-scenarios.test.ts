// What each example's README says beyond "the pod gets its networks" (examples.test.ts), each checked
// with the part of netclaim that does it: the default-route plan of the CNI side; namespace isolation as
// the example's install/ patch turns it on, through the CNI config install-cni then writes; the seed
// pod's eth0 being its claim's subfunction by the DeviceClass rule; the DPDK VFs' pool, class, vfio-pci
// config and container environment; and the claim-scoped addresses — the pool the controller picks for
// each device, the addresses that pool hands out first, and the pod resolving once they are written.
import { describe, expect, it } from "vitest";
import type { IDaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import type { IContainer } from "kubernetes-models/v1/Container";
import { interfaceAddress } from "../../src/api/ip-address.ts";
import { parseIpPool } from "../../src/api/ip-pool.ts";
import type { IPPool } from "../../src/api/ip-pool.ts";
import { configForRequest, parseClaimDeviceConfigs } from "../../src/api/network-device-config.ts";
import { parseNetworkSelections } from "../../src/cni/selection/annotations.ts";
import { planDefaultRoutes } from "../../src/cni/selection/default-route.ts";
import { resolveDevicePools } from "../../src/controller/ipam/device-pools.ts";
import type { ResourceClaim as IpamClaim } from "../../src/controller/ipam/types.ts";
import { buildPoolLayout, findFree } from "../../src/controller/ipam/pool-math.ts";
import type { Explanation } from "../../src/explain/explanation.ts";
import type { ExplainSettings } from "../../src/explain/snapshot.ts";
import { deviceEnvPrefixes, DEVICE_ENV_FIELDS } from "../../src/kubelet-plugin/cdi/cdi-env.ts";
import { cniSettingsOf, renderedCniConfig } from "./support/cni-settings.ts";
import { classSelectors, discoverOn, draDeviceOf, matchesClass } from "./support/devices.ts";
import { devicesConfigOf, loadExample, podsOf } from "./support/example-objects.ts";
import { findObject, readManifests } from "./support/manifests.ts";
import { containerOf } from "./support/node-daemon-checks.ts";
import { explainScheduled, paperSlice, schedulePod } from "./support/paper-cluster.ts";
import type { ScheduledPod } from "./support/paper-cluster.ts";

const DRIVER = "netclaim.dev";
const BASE_DS = findObject<IDaemonSet>(
  readManifests("deployments/base/kubelet-plugin-daemonset.yaml"),
  "DaemonSet",
  "netclaim-kubelet-plugin",
);
const BASE_INSTALLER = containerOf(BASE_DS.spec!.template.spec!, "install-cni")!;
const SETTINGS = cniSettingsOf(BASE_INSTALLER, DRIVER);

function pod(example: ReturnType<typeof loadExample>, name: string) {
  const found = podsOf(example).find((p) => p.metadata?.name === name);
  if (found === undefined) throw new Error(`${example.dir}: no pod ${name}`);
  return found;
}

async function scheduled(dir: string, podName: string) {
  const example = loadExample(dir);
  const slice = await paperSlice(devicesConfigOf(example), DRIVER);
  const run = schedulePod(pod(example, podName), example.objects, slice);
  const explain = (s: ScheduledPod = run, settings: ExplainSettings = SETTINGS): Explanation =>
    explainScheduled(s, example.objects, slice, settings);
  return { example, slice, run, explain };
}

describe("examples/default-route", () => {
  it("net1 carries the IPv4 default route via 10.20.0.1; every other default route goes", () => {
    const example = loadExample("examples/default-route");
    const annotation = pod(example, "default-route-pod").metadata!.annotations![
      "k8s.v1.cni.cncf.io/networks"
    ]!;
    const parsed = parseNetworkSelections(annotation, "default");
    if (!parsed.ok) throw parsed.error;
    const [selection] = parsed.selections;
    const plan = planDefaultRoutes([
      { network: "cluster", interfaceName: "eth0" },
      { network: "default/macvlan-uplink", interfaceName: "net1", gateways: selection!.defaultRoute! },
    ]);
    if (!plan.ok) throw plan.error;
    expect(plan.value.instructions.map((i) => [i.interfaceName, i.ipv4, i.ipv6])).toEqual([
      ["eth0", { kind: "remove" }, { kind: "remove" }],
      ["net1", { kind: "replace", gateway: "10.20.0.1" }, { kind: "remove" }],
    ]);
  });

  it("the gateway is the NAD's own: its host-local range's gateway, inside its subnet", () => {
    const nad = loadExample("examples/default-route").objects.nads[0]!;
    const ipam = (
      JSON.parse(nad.spec!.config!) as { ipam: { ranges: { subnet: string; gateway: string }[][] } }
    ).ipam;
    expect(ipam.ranges[0]![0]).toMatchObject({ subnet: "10.20.0.0/24", gateway: "10.20.0.1" });
  });
});

describe("examples/namespace-isolation", () => {
  /** The base install-cni with the example's install/ patch merged into its env, as kustomize merges it. */
  function patchedInstaller(): IContainer {
    const patch = findObject<IDaemonSet>(
      readManifests("examples/namespace-isolation/install/namespace-isolation.yaml"),
      "DaemonSet",
      "netclaim-kubelet-plugin",
    );
    const extra = containerOf(patch.spec!.template.spec!, "install-cni")!.env!;
    const installer = structuredClone(BASE_INSTALLER);
    installer.env = [...installer.env!.filter((e) => !extra.some((x) => x.name === e.name)), ...extra];
    return installer;
  }

  it("install/ makes install-cni write namespaceIsolation and globalNamespaces into the CNI config", () => {
    expect(renderedCniConfig(patchedInstaller()).pluginConfig).toMatchObject({
      namespaceIsolation: true,
      globalNamespaces: "default",
    });
    expect(renderedCniConfig(BASE_INSTALLER).pluginConfig["namespaceIsolation"]).toBeUndefined();
  });

  it.each([
    { name: "storage-client", ns: "team-a", errors: [] },
    { name: "borrower", ns: "team-b", errors: ["NAMESPACE_ISOLATION"] },
  ])("with it, $ns/$name gets $errors", async ({ name, errors }) => {
    const { explain } = await scheduled("examples/namespace-isolation", name);
    const explanation = explain(undefined, cniSettingsOf(patchedInstaller(), DRIVER));
    const found = explanation.networks.flatMap((n) => n.findings).filter((f) => f.severity === "error");
    expect(found.map((f) => f.code)).toEqual(errors);
    expect(explanation.resolved).toBe(errors.length === 0);
  });
});

describe("examples/dra-seed", () => {
  it("eth0 is the claim's subfunction, found by the claim request's DeviceClass sf-pool-1", async () => {
    const { explain } = await scheduled("examples/dra-seed", "sf-pod");
    const eth0 = explain().networks[0]!;
    expect(eth0).toMatchObject({ origin: "default-network-annotation", interface: { name: "eth0" } });
    expect(eth0.device).toMatchObject({
      claim: "default/sf-pod-nic-paper",
      request: "nic",
      className: "sf-pool-1",
      resourceNameAttribute: "sf-pool-1",
      name: "sf-0000-06-00-0-88",
    });
  });
});

describe("examples/sriov-dpdk", () => {
  const example = loadExample("examples/sriov-dpdk");

  it("the pool is VFs 0-7 of ens1f0, and the class takes every one of them", async () => {
    const { devices, problems } = await discoverOn("pf-8-vfs-mixed", devicesConfigOf(example), DRIVER);
    expect(problems).toEqual([]);
    const vfs = devices.filter((d) => d.resourceName === "vf-pool-dpdk");
    expect(vfs.map((d) => d.attributes["vfIndex"])).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((int) => ({ int })));
    const selectors = classSelectors(
      example.objects.classes.find((c) => c.metadata?.name === "vf-pool-dpdk")!,
    );
    expect(vfs.filter((d) => matchesClass(selectors, draDeviceOf(d, DRIVER)))).toHaveLength(8);
  });

  it("the claim's two VFs are prepared bound to vfio-pci, on VLAN 100, spoof checking off, trusted", async () => {
    const { run } = await scheduled("examples/sriov-dpdk", "dpdk-app");
    const claim = run.claims[0]!;
    expect(claim.status?.allocation?.devices?.results).toHaveLength(2);
    const parsed = parseClaimDeviceConfigs(claim, DRIVER);
    if (!parsed.ok) throw parsed.error;
    expect(configForRequest(parsed.entries, "vf").config).toEqual({
      driver: "vfio-pci",
      vlan: 100,
      spoofChk: false,
      trust: true,
    });
  });

  it("the variables the container uses are ones the CDI spec of its claim sets", async () => {
    const { run } = await scheduled("examples/sriov-dpdk", "dpdk-app");
    const results = run.claims[0]!.status!.allocation!.devices!.results!;
    const prefixes = deviceEnvPrefixes(
      results.map((r) => ({
        requestNames: [r.request],
        poolName: r.pool,
        deviceName: r.device,
        kind: "sriov-vf",
        config: {},
      })),
    );
    const provided = new Set(prefixes.flat().flatMap((p) => DEVICE_ENV_FIELDS.map((f) => `${p}_${f}`)));
    const container = (pod(example, "dpdk-app") as { spec: { containers: IContainer[] } }).spec
      .containers[0]!;
    const used =
      [...(container.command ?? []), ...(container.args ?? [])].join(" ").match(/\bNETCLAIM_[A-Z0-9_]+/g) ??
      [];
    expect(used).toEqual(["NETCLAIM_VF_0_PCI_ADDRESS", "NETCLAIM_VF_1_PCI_ADDRESS"]);
    for (const name of used) expect(provided.has(name), name).toBe(true);
    expect(container.resources?.limits?.["hugepages-1Gi"]).toBe(
      container.resources?.requests?.["hugepages-1Gi"],
    );
  });
});

describe("examples/claim-ipam", () => {
  const example = loadExample("examples/claim-ipam");
  const nads = example.objects.nads.map((n) => ({
    namespace: n.metadata!.namespace!,
    name: n.metadata!.name!,
    resourceName: n.metadata!.annotations!["k8s.v1.cni.cncf.io/resourceName"]!,
    ipPool: n.metadata!.annotations!["netclaim.dev/ip-pool"]!,
  }));
  const pool = parseIpPool(findObject<IPPool>(example.manifests, "IPPool", "pool-a"));
  if (!pool.ok) throw new Error(pool.problems.join("; "));
  /** The first address of each family pool-a hands out, as the controller writes it. */
  const firstAddresses = buildPoolLayout(pool.spec).families.map((fl) => {
    const slot = findFree(fl, { cursor: 0n, isTaken: () => false, takenCount: 0 })!;
    return interfaceAddress({ family: fl.family, value: slot.value }, slot.prefix);
  });

  it("pool-a hands out the start of its IPv4 range and the first IPv6 address", () => {
    expect(firstAddresses).toEqual(["10.30.0.10/24", "fd00:30::1/64"]);
  });

  it.each([
    { podName: "ipam-by-nad", source: "nad" },
    { podName: "ipam-by-claim", source: "config" },
  ])(
    "$podName: the controller takes the device's addresses from pool-a (by $source); then the pod resolves",
    async ({ podName, source }) => {
      const { run, explain } = await scheduled("examples/claim-ipam", podName);
      const claim = run.claims[0]!;
      const needs = resolveDevicePools({
        claim: claim as unknown as IpamClaim,
        driverName: DRIVER,
        nads,
        deviceResourceNames: new Map(),
      });
      expect(needs.map((n) => [n.ref.device, n.pool, n.source])).toEqual([
        ["sf-0000-06-00-0-88", "pool-a", source],
      ]);
      const result = claim.status!.allocation!.devices!.results![0]!;
      const condition = { type: "AddressesAllocated", status: "True", reason: "Allocated", message: "" };
      const entry = {
        driver: result.driver,
        pool: result.pool,
        device: result.device,
        conditions: [condition],
        networkData: { ips: firstAddresses },
      };
      const allocated = { ...run, claims: [{ ...claim, status: { ...claim.status, devices: [entry] } }] };
      const explanation = explain(allocated);
      expect(explanation.networks[1]?.addresses).toMatchObject({ ips: firstAddresses, ipPool: "pool-a" });
      expect(explanation.resolved).toBe(true);
    },
  );
});
