// The install, configuration, operations, troubleshooting and migration docs against the code they
// describe: the flag tables of configuration.md are exactly what the flag definitions render (rewrite
// them with `node test/deployments/image/config-doc.ts --write`); every CNI config key, annotation,
// label, device attribute and field of DeviceConfig, NetworkDeviceConfig and IPPool is named there; every
// Prometheus metric the two registries define is in operations.md; every CNI error code (number and
// name on one table row) and prepare error code is in troubleshooting.md; and every relative link of these
// pages, with its #anchor, points at a file and heading that exist.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { FLAG_COMMANDS, generatedBlock, renderFlagTable } from "./config-doc.ts";
import { claimDeviceConfigKeys, headingAnchors, relativeLinks, slugOf } from "./docs-support.ts";
import { ADDRESSES_CONDITION, IP_POOL_ANNOTATION } from "../../../src/api/claim-addresses.ts";
import {
  BUILTIN_ATTRIBUTES,
  DEVICE_KINDS,
  MULTUS_ATTRIBUTES,
  STANDARD_ATTRIBUTES,
} from "../../../src/api/device-config-attributes.ts";
import { NETCLAIM_DEVICE_KEY } from "../../../src/api/device-info.ts";
import { CLAIM_NAMESPACE_LABEL, CLAIM_UID_LABEL } from "../../../src/api/ip-address.ts";
import { ipPoolSpecSchema, ipPoolStatusSchema } from "../../../src/api/ip-pool.ts";
import { netConfSchema } from "../../../src/api/netconf-schema.ts";
import { NETWORK_DEVICE_DRIVERS } from "../../../src/api/network-device-config.ts";
import { DEVICE_ID_FORMAT_ANNOTATION, DEVICE_ID_FORMATS } from "../../../src/cni/correlation/handover.ts";
import { RESOURCE_NAME_ANNOTATION } from "../../../src/cni/correlation/types.ts";
import { CNI_ERROR_CODES } from "../../../src/cni/protocol/errors.ts";
import { DEFAULT_NETWORK_ANNOTATION, NETWORKS_ANNOTATION } from "../../../src/cni/selection/annotations.ts";
import { NETWORK_STATUS_ANNOTATION } from "../../../src/cni/selection/network-status.ts";
import {
  DRIVER_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  NETWORKS_ANNOTATION as CLASS_NETWORKS_ANNOTATION,
} from "../../../src/controller/classes/device-class.ts";
import { MANAGE_DEVICE_CLASS_LABEL } from "../../../src/controller/classes/nad.ts";
import {
  CONDITION_REASONS,
  FIELD_MANAGER,
  IP_ALLOCATION_FINALIZER,
} from "../../../src/controller/ipam/types.ts";
import { ControllerMetrics } from "../../../src/controller/runtime/metrics.ts";
import { PluginMetrics } from "../../../src/kubelet-plugin/ops/metrics.ts";
import { PLAN_ERROR_CODES } from "../../../src/kubelet-plugin/prepare/plan.ts";

const DOCS = fileURLToPath(new URL("../../../docs/", import.meta.url));
const PAGES = [
  "install.md",
  "migrating-from-multus.md",
  "configuration.md",
  "operations.md",
  "troubleshooting.md",
];
const read = (page: string): string => readFileSync(join(DOCS, page), "utf8");
const CONFIGURATION = read("configuration.md");

/** The names in `names` that `text` does not carry as `code`. */
function missingCode(text: string, names: Iterable<string>): string[] {
  return [...new Set(names)].filter((n) => !text.includes(`\`${n}\``));
}

describe("docs/configuration.md", () => {
  it.each(Object.entries(FLAG_COMMANDS))("the %s flag table is the flags' rendering", (command, specs) => {
    const block = generatedBlock(CONFIGURATION, command);
    expect(block, `no generated table for ${command}`).toBeDefined();
    expect(block, "stale: node test/deployments/image/config-doc.ts --write").toBe(renderFlagTable(specs));
  });

  it("names every CNI config key", () => {
    expect(missingCode(CONFIGURATION, Object.keys(netConfSchema.shape))).toEqual([]);
  });

  it("names every annotation, label and key netclaim reads or writes", () => {
    const names = [
      NETWORKS_ANNOTATION,
      DEFAULT_NETWORK_ANNOTATION,
      NETWORK_STATUS_ANNOTATION,
      RESOURCE_NAME_ANNOTATION,
      IP_POOL_ANNOTATION,
      DEVICE_ID_FORMAT_ANNOTATION,
      ...DEVICE_ID_FORMATS,
      MANAGE_DEVICE_CLASS_LABEL,
      DRIVER_LABEL,
      CLASS_NETWORKS_ANNOTATION,
      `${MANAGED_BY_LABEL}: ${MANAGED_BY_VALUE}`,
      IP_ALLOCATION_FINALIZER,
      FIELD_MANAGER,
      CLAIM_UID_LABEL,
      CLAIM_NAMESPACE_LABEL,
      NETCLAIM_DEVICE_KEY,
      ADDRESSES_CONDITION,
      ...CONDITION_REASONS.filter((r) => r !== "Allocated"),
    ];
    expect(missingCode(CONFIGURATION, names)).toEqual([]);
  });

  it("names every device attribute and kind", () => {
    const names = [
      ...Object.values(BUILTIN_ATTRIBUTES).flat(),
      ...Object.values(STANDARD_ATTRIBUTES),
      ...Object.values(MULTUS_ATTRIBUTES),
      ...DEVICE_KINDS,
    ];
    const rows = CONFIGURATION.split("\n").filter((l) => l.startsWith("| `"));
    const missing = names.filter((n) => !rows.some((r) => r.includes(`\`${n}\``)));
    expect(missing).toEqual([]);
  });

  it("names every field of DeviceConfig, NetworkDeviceConfig and IPPool", () => {
    const keys = claimDeviceConfigKeys();
    const names = [
      ...keys.resource.map((k) => `resources[].${k}`),
      ...keys.selectors.map((k) => `selectors.${k}`),
      ...keys.networkDeviceConfig,
      ...NETWORK_DEVICE_DRIVERS,
      ...Object.keys(ipPoolSpecSchema.shape).map((k) => `spec.${k}`),
      ...Object.keys(ipPoolStatusSchema.shape).map((k) => `status.${k}`),
    ];
    expect(missingCode(CONFIGURATION, names)).toEqual([]);
  });
});

describe("docs/operations.md", () => {
  it("lists every metric the kubelet plugin and the controller define", async () => {
    const names = new Set<string>();
    for (const metrics of [
      new PluginMetrics({ defaultMetrics: false }),
      new ControllerMetrics({ defaultMetrics: false }),
    ]) {
      for (const metric of await metrics.registry.getMetricsAsJSON()) names.add(metric.name);
    }
    expect(names.size).toBeGreaterThan(15);
    expect(missingCode(read("operations.md"), names)).toEqual([]);
  });

  it("links the explain page", () => {
    expect(read("operations.md")).toContain("](explain.md)");
  });
});

describe("docs/troubleshooting.md", () => {
  const text = read("troubleshooting.md");

  it("has a row for every CNI error code, number and name together", () => {
    const rows = text.split("\n").filter((l) => l.startsWith("| "));
    const missing = Object.entries(CNI_ERROR_CODES)
      .filter(([name, code]) => !rows.some((r) => r.startsWith(`| ${code} | \`${name}\` |`)))
      .map(([name, code]) => `${code} ${name}`);
    expect(missing).toEqual([]);
  });

  it("names every prepare error code", () => {
    expect(missingCode(text, PLAN_ERROR_CODES)).toEqual([]);
  });
});

describe("markdown readers", () => {
  it.each([
    { heading: "`netclaim install-cni`", want: "netclaim-install-cni" },
    { heading: "`DeviceConfig` (the devices config)", want: "deviceconfig-the-devices-config" },
    { heading: "On pods (read)", want: "on-pods-read" },
    { heading: "Differences from Multus", want: "differences-from-multus" },
  ])("slug of $heading", ({ heading, want }) => {
    expect(slugOf(heading)).toBe(want);
  });

  it("numbers repeated headings and skips code blocks", () => {
    const page = "# A\n## A\n```\n# B\n[x](y.md)\n```\n[l](z.md#a-1) [u](https://x.io) [s](#a)";
    expect([...headingAnchors(page)]).toEqual(["a", "a-1"]);
    expect(relativeLinks(page)).toEqual([
      { path: "z.md", anchor: "a-1" },
      { path: "", anchor: "a" },
    ]);
  });
});

describe("links of the docs", () => {
  it.each(PAGES)("%s links only to files and headings that exist", (page) => {
    const problems: string[] = [];
    for (const link of relativeLinks(read(page))) {
      const target = link.path === "" ? join(DOCS, page) : join(DOCS, link.path);
      if (!existsSync(target)) {
        problems.push(`${link.path}: no such file`);
        continue;
      }
      if (link.anchor === undefined || !target.endsWith(".md")) continue;
      if (!headingAnchors(readFileSync(target, "utf8")).has(link.anchor)) {
        problems.push(`${link.path}#${link.anchor}: no such heading in ${dirname(target)}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
