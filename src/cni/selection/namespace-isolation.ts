// Which namespaces a pod may take networks from, and which pods are "system" pods.
//
// API:
//   parseGlobalNamespaces(raw)              `globalNamespaces` config string → namespaces
//   checkNamespaceIsolation(input)          → SelectionResult<true>; NAMESPACE_ISOLATION error
//   checkSelectionsIsolation(sel, policy)   the first refused selection of a list, if any
//   defaultNetworkIsolationPolicy(p, ns)    the policy for the default-network annotation (netclaim's rule)
//   isSystemNamespace(podNamespace, list)   → boolean
//
// Namespace isolation (Multus GetNetworkDelegates, pkg/k8sclient/k8sclient.go): with `namespaceIsolation`
// on, a pod may use a NetworkAttachmentDefinition from its own namespace or from a "global" namespace.
// `globalNamespaces` is a comma-separated string; items are trimmed; when it is empty or absent the only
// global namespace is `default`, and giving a list replaces `default` rather than adding to it. Multus
// applies isolation to the `k8s.v1.cni.cncf.io/networks` selections only: not to the
// `v1.multus-cni.io/default-network` annotation, nor to clusterNetwork/defaultNetworks (which live in
// multusNamespace). Callers keep that: pass only the networks-annotation selections here.
//
// System namespaces (`systemNamespaces`, default ["kube-system"]): pods there get no `defaultNetworks`
// (Multus GetDefaultNetworks compares the pod's namespace, correctly) and Multus means to skip writing
// network-status for them too — but its CmdAdd compares the pod's NAME with the list, so in practice it
// writes network-status for kube-system pods and skips it for a pod that happens to be named
// "kube-system". netclaim compares the pod's NAMESPACE for both decisions: isSystemNamespace is the one
// rule, and the engine uses it for defaultNetworks and for the network-status write.
import { goTrimSpace } from "./go-compat.ts";
import { fail, succeed } from "./types.ts";
import type { NetworkSelection, SelectionResult } from "./types.ts";

export const DEFAULT_GLOBAL_NAMESPACES: readonly string[] = ["default"];
export const DEFAULT_SYSTEM_NAMESPACES: readonly string[] = ["kube-system"];

/** Multus's `globalNamespaces`: "a, b" → ["a", "b"]; empty or absent → ["default"]. Empty items are dropped. */
export function parseGlobalNamespaces(raw: string | undefined): readonly string[] {
  if (raw === undefined || raw === "") return DEFAULT_GLOBAL_NAMESPACES;
  return raw
    .split(",")
    .map((item) => goTrimSpace(item))
    .filter((item) => item !== "");
}

export interface IsolationPolicy {
  /** `namespaceIsolation`. */
  readonly enabled: boolean;
  /** Parsed `globalNamespaces` (see parseGlobalNamespaces). */
  readonly globalNamespaces: readonly string[];
}

export interface IsolationCheck extends IsolationPolicy {
  readonly podNamespace: string;
  /** The NetworkAttachmentDefinition the pod refers to. */
  readonly target: Pick<NetworkSelection, "namespace" | "name">;
}

function allowedList(podNamespace: string, globals: readonly string[]): string {
  const quoted = [podNamespace, ...globals.filter((g) => g !== podNamespace)].map((n) => JSON.stringify(n));
  return quoted.join(", ");
}

/** Whether the pod may use the target NAD; the error names the pod's namespace and the NAD. */
export function checkNamespaceIsolation(check: IsolationCheck): SelectionResult<true> {
  const { enabled, globalNamespaces, podNamespace, target } = check;
  if (!enabled || target.namespace === podNamespace || globalNamespaces.includes(target.namespace)) {
    return succeed(true);
  }
  return fail(
    "NAMESPACE_ISOLATION",
    `namespace isolation: a pod in namespace ${JSON.stringify(podNamespace)} may not use ` +
      `network-attachment-definition ${JSON.stringify(`${target.namespace}/${target.name}`)} ` +
      `(allowed namespaces: ${allowedList(podNamespace, globalNamespaces)})`,
  );
}

/** The first selection the pod may not use, checked in order, as Multus does before fetching any NAD. */
export function checkSelectionsIsolation(
  selections: readonly NetworkSelection[],
  podNamespace: string,
  policy: IsolationPolicy,
): SelectionResult<true> {
  for (const target of selections) {
    const checked = checkNamespaceIsolation({ ...policy, podNamespace, target });
    if (!checked.ok) return checked;
  }
  return succeed(true);
}

/**
 * The policy netclaim applies to the `v1.multus-cni.io/default-network` annotation (Multus applies none):
 * the same switch, with `multusNamespace` allowed too, where that annotation's NADs normally live.
 */
export function defaultNetworkIsolationPolicy(
  policy: IsolationPolicy,
  multusNamespace: string,
): IsolationPolicy {
  return { enabled: policy.enabled, globalNamespaces: [...policy.globalNamespaces, multusNamespace] };
}

/** Whether a pod in `podNamespace` is a system pod: no defaultNetworks, no network-status write. */
export function isSystemNamespace(
  podNamespace: string,
  systemNamespaces: readonly string[] = DEFAULT_SYSTEM_NAMESPACES,
): boolean {
  return systemNamespaces.includes(podNamespace);
}
