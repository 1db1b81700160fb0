// Shared types of "what a pod asks for": one parsed network selection per entry of the pod's
// `k8s.v1.cni.cncf.io/networks` (or `v1.multus-cni.io/default-network`) annotation, and the result union
// every pure decision in src/cni/selection returns.
//
// Decisions never throw for bad input: they return `{ ok: false, error }` with a `CodedError` whose message
// describes the input only (the annotation, the network, the interface). The caller adds the pod context:
// `new Error(\`pod ${ns}/${name}\`, { cause: error })`.
import { CodedError } from "../../common/errors.ts";

export const SELECTION_ERROR_CODES = [
  /** An annotation value that cannot be parsed or names something that cannot exist. */
  "INVALID_ANNOTATION",
  /** A network-status annotation value that cannot be parsed. */
  "INVALID_NETWORK_STATUS",
  /** An interface name that the kernel would refuse. */
  "INVALID_INTERFACE_NAME",
  /** Two attachments would get the same interface name. */
  "INTERFACE_NAME_CONFLICT",
  /** A selection refers to a namespace the pod may not use. */
  "NAMESPACE_ISOLATION",
  /** More than one default route per IP family, or an unusable gateway. */
  "DEFAULT_ROUTE_CONFLICT",
] as const;

export type SelectionErrorCode = (typeof SELECTION_ERROR_CODES)[number];

export type SelectionError = CodedError<SelectionErrorCode>;

export type SelectionResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: SelectionError };

export function succeed<T>(value: T): SelectionResult<T> {
  return { ok: true, value };
}

export function fail<T>(code: SelectionErrorCode, message: string): SelectionResult<T> {
  return { ok: false, error: new CodedError(code, message) };
}

/** One entry of `portMappings`, as the CNI `portMappings` capability carries it. */
export interface PortMapping {
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol?: string;
  readonly hostIP?: string;
}

/** `bandwidth`, as the CNI `bandwidth` capability carries it. Absent members are 0, as in Multus. */
export interface Bandwidth {
  readonly ingressRate: number;
  readonly ingressBurst: number;
  readonly egressRate: number;
  readonly egressBurst: number;
}

/**
 * One network a pod asks for. Optional members are absent when the annotation did not give them (or gave
 * JSON `null`, which Multus treats as absent); an empty array is kept as given, because Multus treats
 * `"default-route": []` differently from no `default-route` at all.
 */
export interface NetworkSelection {
  /** Namespace of the NetworkAttachmentDefinition; the caller's default namespace when none was given. */
  readonly namespace: string;
  /** Name of the NetworkAttachmentDefinition. */
  readonly name: string;
  /** Requested interface name (text `@ifname`, JSON `interface`, or the deprecated `interfaceRequest`). */
  readonly interfaceName?: string;
  /** Requested addresses, each an IP or a CIDR (`runtimeConfig.ips`). */
  readonly ips?: readonly string[];
  /** Requested MAC address (`runtimeConfig.mac`). */
  readonly mac?: string;
  /** Requested InfiniBand GUID (`runtimeConfig.infinibandGUID`). */
  readonly infinibandGuid?: string;
  /** Gateways this attachment should carry the pod's default route through (`default-route`). */
  readonly defaultRoute?: readonly string[];
  readonly portMappings?: readonly PortMapping[];
  readonly bandwidth?: Bandwidth;
  /** Merged into the delegate config under `args.cni`. */
  readonly cniArgs?: Readonly<Record<string, unknown>>;
  /** Requested device (`runtimeConfig.deviceID`), unless a resourceName mapping supplies one. */
  readonly deviceId?: string;
  /** Name of an IPAMClaim (`ipam-claim-reference`); Multus parses none, netclaim passes it on. */
  readonly ipamClaimReference?: string;
}

/** The display name Multus gives a NAD-backed attachment in network-status and logs: `namespace/name`. */
export function selectionDisplayName(selection: Pick<NetworkSelection, "namespace" | "name">): string {
  return `${selection.namespace}/${selection.name}`;
}

/** The JSON type of a value, for "got ..." in messages. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
