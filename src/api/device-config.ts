// The devices config (`--devices-config`, YAML), shaped like the SR-IOV network device plugin's
// resourceList (DESIGN.md "Devices config"):
//   apiVersion: netclaim.dev/v1alpha1
//   kind: DeviceConfig
//   resources:
//     - resourceName: vf-pool-1        # published as k8s.cni.cncf.io/resourceName
//       kind: sriov-vf                 # sriov-vf | subfunction | netdev
//       selectors: { pfNames: ["ens1f0#0-3"] }
//       attributes: { tier: gold, generation: { version: 2.0.0 } }
// Selectors (device-config-selectors.ts for the value syntax): every given selector must match, each list
// matches when any of its entries does; an empty list counts as not given (as in the device plugin), and
// so does `isRdma: false`. `numaNodes: [-1]` selects devices without NUMA affinity. A `netdev` resource
// must name its interfaces (`ifNames`): matching every host netdev would hand out the node's uplink.
// Selectors a kind has no data for are errors (no PF for a netdev; no PCI address of its own for a
// subfunction), and so are VF index ranges outside `sriov-vf`.
// Extra attributes: a plain string, integer or boolean, or the API's form `{string|int|bool|version: v}`;
// names are QualifiedNames; netclaim's own names (device-config-attributes.ts) are refused; the total per
// device must stay within the API's 32.
//
// Every error names the resource and the field:
//   devices config /etc/netclaim/devices.yaml: resources[1] (vf-pool-b): field "selectors.pfNames[0]": ...
//
// Public API: `DeviceConfig`, `DeviceResource`, `DeviceSelectors`, `parseDeviceConfig`,
// `parseDeviceConfigYaml`, `loadDeviceConfig`, `deviceConfigSchema`, `describeConfigIssue`,
// `DEVICE_CONFIG_API_VERSION`, `DEVICE_CONFIG_KIND`.
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { CodedError } from "../common/errors.ts";
import {
  attributeValueProblem,
  builtinAttributeCount,
  DEVICE_KINDS,
  qualifiedNameProblem,
  reservedAttributeProblem,
  RESOURCE_SLICE_MAX_ATTRIBUTES_AND_CAPACITIES_PER_DEVICE,
} from "./device-config-attributes.ts";
import type { DeviceAttributeValue, DeviceKind } from "./device-config-attributes.ts";
import { describeIssue, isJsonObject, kindOf } from "./netconf-issues.ts";
import {
  fullMatchRegExp,
  normalizeHexId,
  normalizeLinkType,
  normalizePciAddress,
  parsePfSelector,
} from "./device-config-selectors.ts";
import type { PfSelector } from "./device-config-selectors.ts";

export const DEVICE_CONFIG_API_VERSION = "netclaim.dev/v1alpha1";
export const DEVICE_CONFIG_KIND = "DeviceConfig";
const RESOURCE_NAME_RE = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;
const RESOURCE_NAME_MAX_LENGTH = 64; // it is published as a string attribute
const MAX_ISSUES_SHOWN = 10;

export interface DeviceSelectors {
  pfNames?: PfSelector[];
  rootDevices?: PfSelector[];
  pciAddresses?: string[];
  vendors?: string[];
  devices?: string[];
  drivers?: string[];
  ifNames?: string[];
  numaNodes?: number[];
  linkTypes?: string[];
  isRdma?: boolean;
}

export interface DeviceResource {
  resourceName: string;
  kind: DeviceKind;
  selectors: DeviceSelectors;
  attributes: Record<string, DeviceAttributeValue>;
}

export interface DeviceConfig {
  apiVersion: typeof DEVICE_CONFIG_API_VERSION;
  kind: typeof DEVICE_CONFIG_KIND;
  resources: DeviceResource[];
}

/** A string turned into T by `convert`, or a custom issue with the reason `convert` gave instead. */
function converted<T>(convert: (s: string) => { value: T } | { problem: string }) {
  return z.string().transform((s, ctx): T => {
    const result = convert(s);
    if ("value" in result) return result.value;
    ctx.addIssue({ code: "custom", message: result.problem, input: s });
    return z.NEVER;
  });
}

function valueOr<T>(value: T | undefined, problem: string): { value: T } | { problem: string } {
  return value === undefined ? { problem } : { value };
}

const hexId = (what: string) =>
  converted<string>((s) =>
    valueOr(normalizeHexId(s), `expected a ${what} ID of 4 hex digits (e.g. "8086" or "0x8086"), got "${s}"`),
  );

const pfSelector = converted<PfSelector>((s) => {
  const parsed = parsePfSelector(s);
  return typeof parsed === "string" ? { problem: parsed } : { value: parsed };
});
const pciAddress = converted<string>((s) =>
  valueOr(normalizePciAddress(s), `expected a PCI address DDDD:BB:DD.F, got "${s}"`),
);
const ifNamePattern = converted<string>((s) => {
  const re = fullMatchRegExp(s);
  return typeof re === "string" ? { problem: re } : { value: s };
});

const selectorsSchema = z.strictObject({
  pfNames: z.array(pfSelector).optional(),
  rootDevices: z.array(pfSelector).optional(),
  pciAddresses: z.array(pciAddress).optional(),
  vendors: z.array(hexId("vendor")).optional(),
  devices: z.array(hexId("device")).optional(),
  drivers: z.array(z.string().min(1)).optional(),
  ifNames: z.array(ifNamePattern).optional(),
  numaNodes: z.array(z.int().min(-1)).optional(),
  linkTypes: z.array(z.string().min(1).transform(normalizeLinkType)).optional(),
  isRdma: z.boolean().optional(),
});

const VALUE_FORMS =
  "a string, an integer, a boolean, or one of {string: ...}, {int: ...}, {bool: ...}, {version: ...}";

function toAttributeValue(value: unknown): DeviceAttributeValue | string {
  if (typeof value === "string") return { string: value };
  if (typeof value === "boolean") return { bool: value };
  if (typeof value === "number")
    return Number.isInteger(value) ? { int: value } : `expected an integer, got ${value}`;
  if (!isJsonObject(value) || Object.keys(value).length !== 1)
    return `expected ${VALUE_FORMS}, got ${kindOf(value)}`;
  const [key, inner] = Object.entries(value)[0]!;
  if ((key === "string" || key === "version") && typeof inner === "string")
    return { [key]: inner } as DeviceAttributeValue;
  if (key === "int" && typeof inner === "number" && Number.isInteger(inner)) return { int: inner };
  if (key === "bool" && typeof inner === "boolean") return { bool: inner };
  return `expected ${VALUE_FORMS}, got {${key}: ${kindOf(inner)}}`;
}

const attributeValueSchema = z.unknown().transform((value, ctx): DeviceAttributeValue => {
  const result = toAttributeValue(value);
  const problem = typeof result === "string" ? result : attributeValueProblem(result);
  if (problem === undefined && typeof result !== "string") return result;
  ctx.addIssue({ code: "custom", message: problem ?? "invalid value", input: value });
  return z.NEVER;
});

const resourceSchema = z.strictObject({
  resourceName: z
    .string()
    .min(1)
    .max(RESOURCE_NAME_MAX_LENGTH)
    .regex(
      RESOURCE_NAME_RE,
      "must be letters, digits and - _ . /, starting and ending with a letter or digit",
    ),
  kind: z.enum(DEVICE_KINDS),
  selectors: selectorsSchema.default({}),
  attributes: z.record(z.string(), attributeValueSchema).default({}),
});

/** Selectors a kind has no data for. */
const INAPPLICABLE: Readonly<Record<DeviceKind, readonly (keyof DeviceSelectors)[]>> = {
  "sriov-vf": [],
  subfunction: ["pciAddresses"],
  netdev: ["pfNames", "rootDevices"],
};

type Issue = { path: PropertyKey[]; message: string };

function resourceIssues(resource: DeviceResource, index: number, seen: Set<string>): Issue[] {
  const at = (...rest: PropertyKey[]): PropertyKey[] => ["resources", index, ...rest];
  const issues: Issue[] = [];
  if (seen.has(resource.resourceName)) {
    issues.push({
      path: at("resourceName"),
      message: `resourceName "${resource.resourceName}" is used twice`,
    });
  }
  seen.add(resource.resourceName);
  const { selectors, kind } = resource;
  for (const field of INAPPLICABLE[kind]) {
    if (selectors[field] !== undefined) {
      issues.push({ path: at("selectors", field), message: `does not apply to kind ${kind}` });
    }
  }
  for (const field of ["pfNames", "rootDevices"] as const) {
    if (kind === "sriov-vf") continue;
    selectors[field]?.forEach((s, i) => {
      if (s.vfRanges !== undefined) {
        issues.push({
          path: at("selectors", field, i),
          message: `VF index ranges need kind sriov-vf, not ${kind}`,
        });
      }
    });
  }
  if (kind === "netdev" && (selectors.ifNames ?? []).length === 0) {
    issues.push({ path: at("selectors", "ifNames"), message: "a netdev resource must name its interfaces" });
  }
  for (const name of Object.keys(resource.attributes)) {
    const problem = qualifiedNameProblem(name) ?? reservedAttributeProblem(name);
    if (problem !== undefined) issues.push({ path: at("attributes", name), message: problem });
  }
  const room = RESOURCE_SLICE_MAX_ATTRIBUTES_AND_CAPACITIES_PER_DEVICE - builtinAttributeCount(kind);
  if (Object.keys(resource.attributes).length > room) {
    issues.push({
      path: at("attributes"),
      message: `at most ${room} extra attributes fit a ${kind} device (the API allows ${RESOURCE_SLICE_MAX_ATTRIBUTES_AND_CAPACITIES_PER_DEVICE} per device)`,
    });
  }
  return issues;
}

export const deviceConfigSchema = z
  .strictObject({
    apiVersion: z.literal(DEVICE_CONFIG_API_VERSION),
    kind: z.literal(DEVICE_CONFIG_KIND),
    resources: z.array(resourceSchema),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.resources.forEach((resource, index) => {
      for (const issue of resourceIssues(resource, index, seen)) ctx.addIssue({ code: "custom", ...issue });
    });
  });

function resourceLabel(input: unknown, index: number): string {
  const resources = isJsonObject(input) ? input.resources : undefined;
  const entry = Array.isArray(resources) ? (resources[index] as unknown) : undefined;
  const name = isJsonObject(entry) ? entry.resourceName : undefined;
  return typeof name === "string" && name !== "" ? `resources[${index}] (${name})` : `resources[${index}]`;
}

/** One line per issue: `resources[1] (vf-pool-b): field "selectors.pfNames[0]": ...`. */
export function describeConfigIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const [first, index, ...rest] = issue.path;
  if (first !== "resources" || typeof index !== "number") return describeIssue(issue);
  const inner = describeIssue({ ...issue, path: rest });
  return `${resourceLabel(input, index)}: ${inner}`;
}

/** Validates a decoded config; throws CodedError "INVALID_CONFIG" naming every field at fault. */
export function parseDeviceConfig(input: unknown, source = "devices config"): DeviceConfig {
  const result = deviceConfigSchema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const issues = result.error.issues;
  const lines = issues.slice(0, MAX_ISSUES_SHOWN).map((i) => describeConfigIssue(i, input));
  const more = issues.length > MAX_ISSUES_SHOWN ? `; and ${issues.length - MAX_ISSUES_SHOWN} more` : "";
  throw new CodedError("INVALID_CONFIG", `${source}: ${lines.join("; ")}${more}`, { cause: result.error });
}

/** Parses the YAML text of a devices config (duplicate keys are errors). */
export function parseDeviceConfigYaml(text: string, source = "devices config"): DeviceConfig {
  let decoded: unknown;
  try {
    decoded = parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    throw new CodedError("INVALID_CONFIG", `${source}: invalid YAML: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return parseDeviceConfig(decoded, source);
}

/** Reads and parses the devices config file at `path`. */
export async function loadDeviceConfig(
  path: string,
  readText: (path: string) => Promise<string> = (p) => readFile(p, "utf8"),
): Promise<DeviceConfig> {
  let text: string;
  try {
    text = await readText(path);
  } catch (err) {
    throw new CodedError("INVALID_CONFIG", `read devices config ${path}`, { cause: err });
  }
  return parseDeviceConfigYaml(text, `devices config ${path}`);
}
