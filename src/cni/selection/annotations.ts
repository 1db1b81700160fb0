// The pod annotations that say which networks a pod wants, parsed into NetworkSelections.
//
// API:
//   parseNetworkSelections(value, podNamespace, { annotation? })  `k8s.v1.cni.cncf.io/networks`
//     → { ok: true, selections } | { ok: false, error }
//   parseDefaultNetworkSelection(value, multusNamespace)          `v1.multus-cni.io/default-network`
//     → { ok: true, selection | undefined } | { ok: false, error }
// Errors are CodedError("INVALID_ANNOTATION") with messages like
//   k8s.v1.cni.cncf.io/networks: entry 2 ("a/b/c"): more than one "/"
// that describe the annotation only; the caller prefixes the pod.
//
// Form (Multus's parsePodNetworkAnnotation, pkg/k8sclient/k8sclient.go): a value containing any of
// `[`, `{` or `"` is JSON (annotation-json.ts); anything else is the text form, a comma-separated list of
// `[namespace/]name[@ifname]`. Text form, per item, as Multus: the item, the namespace, the name and the
// ifname are each trimmed (Go's strings.TrimSpace); more than one "/" or "@" is refused; namespace and
// name must be DNS-1123 labels; the ifname must be a valid interface name (the kernel's rule, see
// interface-names.ts; Multus checks length, whitespace and "/" only); `name@` means no ifname; a missing
// namespace (`name`, `/name`) is the pod's namespace.
//
// Where netclaim differs from Multus (each a case Multus fails later or crashes on):
// - An empty or whitespace-only value means no networks; Multus looks up a NAD named "" and fails.
// - An empty entry (`a,,b`, `a,`, `ns/`) is refused here; Multus fails at the lookup of NAD "".
// - For the default-network annotation an empty value means "not set"; Multus fails the ADD. `[]` is
//   refused with a message; Multus indexes past the end of the list and panics.
import { CodedError } from "../../common/errors.ts";
import { parseJsonSelections } from "./annotation-json.ts";
import type { Parsed } from "./annotation-json.ts";
import { goTrimSpace } from "./go-compat.ts";
import { checkInterfaceName } from "./interface-names.ts";
import { namespaceProblem, textNameProblem } from "./object-names.ts";
import type { NetworkSelection, SelectionError } from "./types.ts";

export const NETWORKS_ANNOTATION = "k8s.v1.cni.cncf.io/networks";
export const DEFAULT_NETWORK_ANNOTATION = "v1.multus-cni.io/default-network";

export type ParseSelectionsResult =
  | { readonly ok: true; readonly selections: readonly NetworkSelection[] }
  | { readonly ok: false; readonly error: SelectionError };

export type ParseDefaultSelectionResult =
  | { readonly ok: true; readonly selection: NetworkSelection | undefined }
  | { readonly ok: false; readonly error: SelectionError };

export interface ParseSelectionsOptions {
  /** The annotation key named in messages; default `k8s.v1.cni.cncf.io/networks`. */
  readonly annotation?: string;
}

function isJsonForm(value: string): boolean {
  return /[[{"]/.test(value);
}

function invalid(annotation: string, message: string): { ok: false; error: SelectionError } {
  return { ok: false, error: new CodedError("INVALID_ANNOTATION", `${annotation}: ${message}`) };
}

/** One text item, already trimmed: `[namespace/]name[@ifname]`. */
function parseTextItem(item: string, defaultNamespace: string): Parsed<NetworkSelection> {
  const slashParts = item.split("/");
  if (slashParts.length > 2) return { ok: false, message: 'more than one "/"' };
  const namespace = slashParts.length === 2 ? goTrimSpace(slashParts[0] ?? "") : "";
  const atParts = (slashParts.at(-1) ?? "").split("@");
  if (atParts.length > 2) return { ok: false, message: 'more than one "@"' };
  const name = goTrimSpace(atParts[0] ?? "");
  const ifname = goTrimSpace(atParts[1] ?? "");
  const problem =
    (namespace !== "" ? namespaceProblem(namespace) : undefined) ??
    (name === "" ? "no network name" : textNameProblem(name)) ??
    (ifname !== "" ? checkInterfaceName(ifname) : undefined);
  if (problem !== undefined) return { ok: false, message: problem };
  return {
    ok: true,
    value: {
      namespace: namespace === "" ? defaultNamespace : namespace,
      name,
      ...(ifname !== "" ? { interfaceName: ifname } : {}),
    },
  };
}

function parseTextSelections(value: string, defaultNamespace: string): Parsed<NetworkSelection[]> {
  const selections: NetworkSelection[] = [];
  for (const [i, raw] of value.split(",").entries()) {
    const item = goTrimSpace(raw);
    const parsed = parseTextItem(item, defaultNamespace);
    if (!parsed.ok)
      return { ok: false, message: `entry ${i + 1} (${JSON.stringify(item)}): ${parsed.message}` };
    selections.push(parsed.value);
  }
  return { ok: true, value: selections };
}

/**
 * Parse a networks annotation value. `defaultNamespace` is used for entries without a namespace (the
 * pod's namespace for `k8s.v1.cni.cncf.io/networks`). Never throws.
 */
export function parseNetworkSelections(
  value: string,
  defaultNamespace: string,
  options: ParseSelectionsOptions = {},
): ParseSelectionsResult {
  const annotation = options.annotation ?? NETWORKS_ANNOTATION;
  if (goTrimSpace(value) === "") return { ok: true, selections: [] };
  const parsed = isJsonForm(value)
    ? parseJsonSelections(value, defaultNamespace)
    : parseTextSelections(value, defaultNamespace);
  return parsed.ok ? { ok: true, selections: parsed.value } : invalid(annotation, parsed.message);
}

/**
 * Parse `v1.multus-cni.io/default-network`: one network, in either form, replacing the cluster network
 * for this pod. Entries without a namespace use `multusNamespace` (Multus's rule, not the pod's
 * namespace). `selection` is undefined when the value is empty.
 */
export function parseDefaultNetworkSelection(
  value: string,
  multusNamespace: string,
): ParseDefaultSelectionResult {
  const parsed = parseNetworkSelections(value, multusNamespace, { annotation: DEFAULT_NETWORK_ANNOTATION });
  if (!parsed.ok) return parsed;
  if (goTrimSpace(value) === "") return { ok: true, selection: undefined };
  const [only, ...rest] = parsed.selections;
  if (only === undefined || rest.length > 0) {
    return invalid(
      DEFAULT_NETWORK_ANNOTATION,
      `exactly one network must be given, got ${parsed.selections.length}`,
    );
  }
  return { ok: true, selection: only };
}
