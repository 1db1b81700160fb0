// Device attribute names and values as resource.k8s.io/v1 defines them (kubernetes/api resource/v1
// types.go, validation in pkg/apis/resource/validation), and the names netclaim publishes itself.
//
// - A QualifiedName is a C identifier (≤ 32 characters) or `<DNS subdomain ≤ 63>/<C identifier ≤ 32>`.
//   Names without a domain belong to the driver's domain; the API asks drivers to list their own
//   attributes WITHOUT the domain prefix ("attributes defined by the vendor must be listed without the
//   driver name as domain prefix"), so netclaim publishes `ifName`, not `netclaim.dev/ifName`. CEL sees
//   both as `device.attributes["netclaim.dev"].ifName`.
// - A DeviceAttribute has exactly one of `int` (int64), `bool`, `string` (≤ 64 characters) or `version`
//   (semver 2.0.0, ≤ 64 characters) — the JSON field names on the wire.
// - Attributes plus capacities per device ≤ 32 (ResourceSliceMaxAttributesAndCapacitiesPerDevice); devices
//   per slice ≤ 128 (ResourceSliceMaxDevices; ≤ 64 with taints or counters).
//
// Public API: the limits, `DEFAULT_DRIVER_NAME`, `DeviceAttributeValue`, `DeviceAttributes`,
// `DEVICE_KINDS`, `DeviceKind`, `BUILTIN_ATTRIBUTES`, `STANDARD_ATTRIBUTES`, `MULTUS_ATTRIBUTES`,
// `qualifiedNameProblem`, `attributeValueProblem`, `reservedAttributeProblem`, `driverDomainName`,
// `builtinAttributeCount`.

export const RESOURCE_SLICE_MAX_ATTRIBUTES_AND_CAPACITIES_PER_DEVICE = 32;
export const RESOURCE_SLICE_MAX_DEVICES = 128;
export const DEVICE_ATTRIBUTE_MAX_VALUE_LENGTH = 64;
export const DEVICE_MAX_ID_LENGTH = 32;
export const DEVICE_MAX_DOMAIN_LENGTH = 63;
export const DEFAULT_DRIVER_NAME = "netclaim.dev";

/** One attribute value in resource.k8s.io/v1 JSON form. */
export type DeviceAttributeValue =
  { string: string } | { int: number } | { bool: boolean } | { version: string };
export type DeviceAttributes = Record<string, DeviceAttributeValue>;

export const DEVICE_KINDS = ["sriov-vf", "subfunction", "netdev"] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/**
 * The driver-domain attributes each kind may carry (published unqualified). Which of them a given device
 * has depends on what sysfs shows (no ifName for a VF bound to vfio-pci, no numaNode without affinity).
 */
export const BUILTIN_ATTRIBUTES: Readonly<Record<DeviceKind, readonly string[]>> = {
  "sriov-vf": [
    "type",
    "ifName",
    "pciAddress",
    "pfName",
    "pfPciAddress",
    "vfIndex",
    "vendor",
    "deviceId",
    "driver",
    "numaNode",
    "rdma",
    "linkType",
    "mac",
    "iommuGroup",
  ],
  subfunction: [
    "type",
    "ifName",
    "pfName",
    "pfPciAddress",
    "sfNum",
    "vendor",
    "deviceId",
    "driver",
    "numaNode",
    "rdma",
    "linkType",
    "mac",
  ],
  netdev: [
    "type",
    "ifName",
    "pciAddress",
    "vendor",
    "deviceId",
    "driver",
    "numaNode",
    "rdma",
    "linkType",
    "mac",
    "mtu",
    "virtual",
  ],
};

/** Standard attributes (k8s.io/dynamic-resource-allocation/deviceattribute). */
export const STANDARD_ATTRIBUTES = {
  pciBusID: "resource.kubernetes.io/pciBusID",
  pcieRoot: "resource.kubernetes.io/pcieRoot",
  numaNode: "resource.kubernetes.io/numaNode",
} as const;

/** What Multus's DRA client reads (multus-cni pkg/draclient). */
export const MULTUS_ATTRIBUTES = {
  resourceName: "k8s.cni.cncf.io/resourceName",
  deviceID: "k8s.cni.cncf.io/deviceID",
} as const;

const C_IDENTIFIER_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// semver.org 2.0.0, the regular expression the spec suggests.
const SEMVER_RE =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

function identifierProblem(id: string): string | undefined {
  if (id === "") return "the name after the domain must not be empty";
  if (id.length > DEVICE_MAX_ID_LENGTH) return `the name must be at most ${DEVICE_MAX_ID_LENGTH} characters`;
  if (!C_IDENTIFIER_RE.test(id)) return "the name must be a C identifier ([A-Za-z_][A-Za-z0-9_]*)";
  return undefined;
}

/** Why `name` is no valid QualifiedName, or undefined. */
export function qualifiedNameProblem(name: string): string | undefined {
  const parts = name.split("/");
  if (parts.length === 1) return identifierProblem(name);
  if (parts.length > 2) return "at most one '/' between domain and name";
  const [domain = "", id = ""] = parts;
  if (domain === "") return "the domain before '/' must not be empty";
  if (domain.length > DEVICE_MAX_DOMAIN_LENGTH) {
    return `the domain must be at most ${DEVICE_MAX_DOMAIN_LENGTH} characters`;
  }
  if (!DNS_SUBDOMAIN_RE.test(domain)) return "the domain must be a DNS subdomain";
  return identifierProblem(id);
}

/** Why `value` is no valid attribute value, or undefined. */
export function attributeValueProblem(value: DeviceAttributeValue): string | undefined {
  if ("string" in value) {
    if (value.string.length > DEVICE_ATTRIBUTE_MAX_VALUE_LENGTH) {
      return `a string value must be at most ${DEVICE_ATTRIBUTE_MAX_VALUE_LENGTH} characters`;
    }
    return undefined;
  }
  if ("version" in value) {
    if (value.version.length > DEVICE_ATTRIBUTE_MAX_VALUE_LENGTH) {
      return `a version must be at most ${DEVICE_ATTRIBUTE_MAX_VALUE_LENGTH} characters`;
    }
    return SEMVER_RE.test(value.version) ? undefined : `version "${value.version}" is not semver 2.0.0`;
  }
  if ("int" in value) {
    // int64 on the wire; a JS number holds it exactly only up to 2^53 - 1.
    return Number.isSafeInteger(value.int) ? undefined : "an int value must be a (safe) integer";
  }
  return undefined;
}

/** `netclaim.dev/foo` → `foo` when `netclaim.dev` is the driver's domain; other names unchanged. */
export function driverDomainName(name: string, driverName: string): string {
  return name.startsWith(`${driverName}/`) ? name.slice(driverName.length + 1) : name;
}

const RESERVED_QUALIFIED: ReadonlySet<string> = new Set([
  ...Object.values(STANDARD_ATTRIBUTES),
  ...Object.values(MULTUS_ATTRIBUTES),
]);
const RESERVED_UNQUALIFIED: ReadonlySet<string> = new Set(Object.values(BUILTIN_ATTRIBUTES).flat());

/** Why an extra attribute may not use `name` (netclaim publishes it itself), or undefined. */
export function reservedAttributeProblem(name: string, driverName = DEFAULT_DRIVER_NAME): string | undefined {
  const local = driverDomainName(name, driverName);
  if (RESERVED_UNQUALIFIED.has(local) || RESERVED_QUALIFIED.has(local)) {
    return `"${name}" is an attribute netclaim publishes itself`;
  }
  return undefined;
}

/** The most attributes netclaim itself can put on a device of `kind` (driver domain + standard + Multus). */
export function builtinAttributeCount(kind: DeviceKind): number {
  const standard = kind === "subfunction" ? 2 : 3; // no pciBusID for a subfunction
  return BUILTIN_ATTRIBUTES[kind].length + standard + Object.keys(MULTUS_ATTRIBUTES).length;
}
