// Every example is a directory with a README and manifests, and every one of its pods gets the networks
// its README promises: each pod is scheduled to a node on paper (support/paper-cluster.ts: the devices
// the kubelet plugin publishes for the example's devices config on sysfs fixture trees, the pod's claims
// generated from its templates and allocated through the classes' CEL selectors) and explained with
// `netclaim explain pod`'s own decision, under the CNI settings the default installation's install-cni
// writes (support/cni-settings.ts). The explanation uses the CNI side's annotation parsers, namespace
// isolation, NAD config checks, interface naming and claim-device correlation. Below that, the pieces
// each example is made of are checked with the parsers netclaim reads them with: NAD configs, opaque
// device configs, IPPools, and the flags and settings the READMEs name.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { IDaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { parseIpPool } from "../../src/api/ip-pool.ts";
import { parseDelegateConfig } from "../../src/api/netconf-delegate.ts";
import { networkDeviceConfigProblems } from "../../src/api/network-device-config.ts";
import { isSupportedVersion } from "../../src/cni/protocol/version.ts";
import { DEVICE_ENV_FIELDS } from "../../src/kubelet-plugin/cdi/cdi-env.ts";
import { envNamesOf } from "../../src/common/config.ts";
import type { FlagSpecs } from "../../src/common/config.ts";
import { cniSettingsOf, SAMPLE_MASTER } from "./support/cni-settings.ts";
import { COMMAND_FLAGS } from "./support/containers.ts";
import { devicesConfigOf, loadExample, podsOf } from "./support/example-objects.ts";
import type { ExampleSet } from "./support/example-objects.ts";
import {
  exampleDirs,
  findObject,
  objectName,
  objectsOfKind,
  readManifests,
  repoPath,
} from "./support/manifests.ts";
import { containerOf } from "./support/node-daemon-checks.ts";
import { explainScheduled, paperSlice, schedulePod } from "./support/paper-cluster.ts";

const DRIVER = "netclaim.dev";
const BASE_DS = findObject<IDaemonSet>(
  readManifests("deployments/base/kubelet-plugin-daemonset.yaml"),
  "DaemonSet",
  "netclaim-kubelet-plugin",
);
const SETTINGS = cniSettingsOf(containerOf(BASE_DS.spec!.template.spec!, "install-cni")!, DRIVER);
const EXAMPLES = exampleDirs().map(loadExample);
/** The cluster network as explain names it: the master config install-cni wrapped (node-side: deferred). */
const CLUSTER = SAMPLE_MASTER.path;

/** What explain must say of each example pod: [network, interface, status, device?] and the error codes. */
const EXPECTED: Record<string, { networks: (string | undefined)[][]; errors?: string[] }> = {
  "examples/macvlan-conf default/samplepod": {
    networks: [
      [CLUSTER, "eth0", "deferred"],
      ["default/macvlan-conf", "net1", "ok"],
    ],
  },
  "examples/multiple-networks default/two-networks-json": {
    networks: [
      [CLUSTER, "eth0", "deferred"],
      ["default/bridge-data", "data0", "ok"],
      ["default/macvlan-storage", "storage0", "ok"],
    ],
  },
  "examples/multiple-networks default/two-networks-text": {
    networks: [
      [CLUSTER, "eth0", "deferred"],
      ["default/bridge-data", "data0", "ok"],
      ["default/macvlan-storage", "storage0", "ok"],
    ],
  },
  "examples/default-route default/default-route-pod": {
    networks: [
      [CLUSTER, "eth0", "deferred"],
      ["default/macvlan-uplink", "net1", "ok"],
    ],
  },
  "examples/namespace-isolation team-a/storage-client": {
    networks: [
      [CLUSTER, "eth0", "deferred"],
      ["team-a/team-a-storage", "net1", "ok"],
      ["default/shared-monitoring", "net2", "ok"],
    ],
  },
  // Without isolation (the default installation) team-b may borrow it; examples-scenarios.test.ts turns
  // isolation on as the example's install/ does.
  "examples/namespace-isolation team-b/borrower": {
    networks: [
      [CLUSTER, "eth0", "deferred"],
      ["team-a/team-a-storage", "net1", "ok"],
    ],
  },
  "examples/dra-seed default/sf-pod": {
    networks: [["default/sf-pool-1", "eth0", "ok", "sf-0000-06-00-0-88"]],
  },
  "examples/sriov-dpdk default/dpdk-app": { networks: [[CLUSTER, "eth0", "deferred"]] },
  // The controller has not allocated on paper: examples-scenarios.test.ts gives the claims their addresses.
  "examples/claim-ipam default/ipam-by-nad": {
    networks: [
      [CLUSTER, "eth0", "deferred"],
      ["default/pool-a-net", "net1", "missing", "sf-0000-06-00-0-88"],
    ],
    errors: ["ADDRESSES_PENDING"],
  },
  "examples/claim-ipam default/ipam-by-claim": {
    networks: [
      [CLUSTER, "eth0", "deferred"],
      ["default/pool-a-net", "net1", "missing", "sf-0000-06-00-0-88"],
    ],
    errors: ["ADDRESSES_PENDING"],
  },
};

function podCases(): { key: string; example: ExampleSet; pod: ReturnType<typeof podsOf>[number] }[] {
  return EXAMPLES.flatMap((example) =>
    podsOf(example).map((pod) => ({
      key: `${example.dir} ${pod.metadata?.namespace}/${pod.metadata?.name}`,
      example,
      pod,
    })),
  );
}

describe("every example pod gets the networks its README promises (netclaim explain pod, on paper)", () => {
  it("every example pod has an expectation here, and every expectation a pod", () => {
    expect(
      podCases()
        .map((c) => c.key)
        .sort(),
    ).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(podCases())("$key", async ({ key, example, pod }) => {
    const slice = await paperSlice(devicesConfigOf(example), DRIVER);
    const explanation = explainScheduled(
      schedulePod(pod, example.objects, slice),
      example.objects,
      slice,
      SETTINGS,
    );
    const networks = explanation.networks.map((n) =>
      [n.name, n.interface?.name, n.status, n.device?.name].filter((v, i) => i < 3 || v !== undefined),
    );
    const errors = [
      ...explanation.findings,
      ...explanation.networks.flatMap((n) => n.findings),
      ...explanation.claims.flatMap((c) => c.findings),
    ]
      .filter((f) => f.severity === "error")
      .map((f) => f.code);
    const want = EXPECTED[key]!;
    expect({ networks, errors }).toEqual({ networks: want.networks, errors: want.errors ?? [] });
    expect(explanation.resolved).toBe(errors.length === 0);
  });
});

describe("each example's pieces, read as netclaim reads them", () => {
  it.each(EXAMPLES)("$dir has a README and manifests", ({ dir, manifests }) => {
    expect(existsSync(repoPath(join(dir, "README.md")))).toBe(true);
    expect(manifests.length).toBeGreaterThan(0);
  });

  it.each(EXAMPLES)(
    "$dir: NAD configs are CNI configs netclaim accepts, named after their NAD",
    ({ manifests }) => {
      for (const m of objectsOfKind(manifests, "NetworkAttachmentDefinition")) {
        const text = (m.object as { spec?: { config?: string } }).spec?.config ?? "";
        const parsed = parseDelegateConfig(text, {
          source: objectName(m),
          defaultName: m.object.metadata.name,
        });
        expect(parsed.name, objectName(m)).toBe(m.object.metadata.name);
        expect(isSupportedVersion(parsed.cniVersion ?? ""), `${objectName(m)} cniVersion`).toBe(true);
      }
    },
  );

  it.each(EXAMPLES)(
    "$dir: opaque device configs for netclaim are valid NetworkDeviceConfigs",
    ({ manifests }) => {
      for (const m of manifests) {
        for (const parameters of opaqueParameters(m.object)) {
          expect(networkDeviceConfigProblems(parameters), objectName(m)).toEqual([]);
        }
      }
    },
  );

  it.each(EXAMPLES)("$dir: IPPools pass the controller's own checks", ({ manifests }) => {
    for (const m of objectsOfKind(manifests, "IPPool")) {
      const parsed = parseIpPool(m.object);
      expect(parsed.ok ? [] : parsed.problems, objectName(m)).toEqual([]);
    }
  });

  it.each(EXAMPLES)("$dir: the flags and settings its README names exist", ({ dir }) => {
    const text = readFileSync(repoPath(join(dir, "README.md")), "utf8");
    const flags = new Set(Object.values(COMMAND_FLAGS).flatMap((specs) => Object.keys(specs)));
    const settings = new Set(
      Object.values<FlagSpecs>(COMMAND_FLAGS).flatMap((specs) =>
        Object.entries(specs).flatMap(([f, s]) => envNamesOf(f, s)),
      ),
    );
    const deviceEnv = new RegExp(`^NETCLAIM_[A-Z0-9_]+?(_\\d+)?_(${DEVICE_ENV_FIELDS.join("|")})$`);
    for (const flag of text.match(/(?<![\w-])--[a-z][a-z-]+/g) ?? [])
      expect(flags.has(flag.slice(2)), flag).toBe(true);
    for (const name of text.match(/\bNETCLAIM_[A-Z0-9_]+\b/g) ?? []) {
      expect(settings.has(name) || deviceEnv.test(name), name).toBe(true);
    }
  });
});

/** The `parameters` of every opaque config entry for netclaim in a class, claim or claim template. */
function opaqueParameters(object: Record<string, unknown>): unknown[] {
  const spec = object["spec"] as Record<string, unknown> | undefined;
  const claimSpec = (object["kind"] === "ResourceClaimTemplate" ? spec?.["spec"] : spec) as
    { devices?: { config?: unknown[] }; config?: unknown[] } | undefined;
  const entries = [
    ...(claimSpec?.devices?.config ?? []),
    ...(object["kind"] === "DeviceClass" ? (claimSpec?.config ?? []) : []),
  ];
  return entries
    .map((e) => (e as { opaque?: { driver?: string; parameters?: unknown } }).opaque)
    .filter((o) => o?.driver === DRIVER)
    .map((o) => o?.parameters);
}
