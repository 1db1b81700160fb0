// The networks a pod asks for, in attach order, each with its NAD, as the CNI side resolves them
// (src/cni/engine/resolve-networks.ts): 0. the cluster network (the CNI config's clusterNetwork or first
// delegate), replaced by the pod's `v1.multus-cni.io/default-network` (a NAD, namespace default
// multusNamespace, namespace isolation with multusNamespace allowed); 1. defaultNetworks unless the pod's
// namespace is a system namespace (or the other static delegates); 2. `k8s.v1.cni.cncf.io/networks` in
// order (namespace default: the pod's; namespace isolation). The annotation parsers, the isolation rules,
// the reference forms and the delegate-config checks are the CNI side's own functions. Where the CNI
// side stops at the first problem, explain marks the network and carries on. Pure.
//
// Public API: `NetworkDraft`, `NadRef`, `referencedNads`, `planNetworks`, `statusOf`.
import { parseDelegateConfig } from "../api/netconf-delegate.ts";
import { nadTargetOf } from "../api/netconf-network-ref.ts";
import type { NetworkReference } from "../api/netconf-network-ref.ts";
import { IP_POOL_ANNOTATION } from "../api/claim-addresses.ts";
import { parseDeviceIdFormat } from "../cni/correlation/handover.ts";
import { RESOURCE_NAME_ANNOTATION } from "../cni/correlation/types.ts";
import { nadSource } from "../cni/engine/nad-reader.ts";
import type { NetworkOrigin } from "../cni/engine/resolve-networks.ts";
import {
  DEFAULT_NETWORK_ANNOTATION,
  NETWORKS_ANNOTATION,
  parseDefaultNetworkSelection,
  parseNetworkSelections,
} from "../cni/selection/annotations.ts";
import {
  checkNamespaceIsolation,
  defaultNetworkIsolationPolicy,
  isSystemNamespace,
} from "../cni/selection/namespace-isolation.ts";
import type { IsolationPolicy } from "../cni/selection/namespace-isolation.ts";
import type { NetworkSelection } from "../cni/selection/types.ts";
import { finding } from "./explanation.ts";
import type { Finding, NadExplanation, NetworkExplanation, NetworkStatus } from "./explanation.ts";
import type { ExplainNad, ExplainPod, ExplainSettings } from "./snapshot.ts";

export interface NadRef {
  namespace: string;
  name: string;
}

/** A network as planned; `nadAnnotations` set when its NAD was found. */
export interface NetworkDraft {
  explanation: NetworkExplanation;
  selection?: NetworkSelection;
  nadAnnotations?: Readonly<Record<string, string>>;
}

/** missing when an error was found, deferred when the node decides, else ok. */
export function statusOf(findings: readonly Finding[], deferred: boolean): NetworkStatus {
  if (findings.some((f) => f.severity === "error")) return "missing";
  return deferred ? "deferred" : "ok";
}

function draft(name: string, origin: NetworkOrigin, findings: Finding[], deferred = false): NetworkDraft {
  return { explanation: { index: 0, name, origin, status: statusOf(findings, deferred), findings } };
}

function nadConfig(nad: ExplainNad, source: string): { config: NadExplanation["config"]; problem?: string } {
  const text = nad.spec?.config ?? "";
  if (text.trim() === "") return { config: { source: "conf-dir" } };
  try {
    const parsed = parseDelegateConfig(text, { source, defaultName: nad.metadata?.name ?? "" });
    const types = parsed.plugins.map((p) => (typeof p.type === "string" ? p.type : "?"));
    return { config: { source: "spec.config", kind: parsed.kind, types } };
  } catch (err) {
    return { config: { source: "spec.config" }, problem: (err as Error).message };
  }
}

interface NadLookup {
  nads: readonly ExplainNad[];
  origin: NetworkOrigin;
  selection?: NetworkSelection;
}

function findNad(nads: readonly ExplainNad[], ref: NadRef): ExplainNad | undefined {
  return nads.find((n) => n.metadata?.namespace === ref.namespace && n.metadata?.name === ref.name);
}

/** A network that is a NAD: found or not, its config, resourceName and IPPool. */
function nadNetwork(lookup: NadLookup, ref: NadRef): NetworkDraft {
  const name = `${ref.namespace}/${ref.name}`;
  const source = nadSource(ref.namespace, ref.name);
  const nad = findNad(lookup.nads, ref);
  const findings: Finding[] = [];
  const nadView: NadExplanation = { ...ref, found: nad !== undefined };
  let deferred = false;
  if (nad === undefined) {
    findings.push(finding("error", "NAD_NOT_FOUND", `${source} not found`));
  } else {
    const annotations = nad.metadata?.annotations ?? {};
    const resourceName = (annotations[RESOURCE_NAME_ANNOTATION] ?? "").trim();
    const ipPool = (annotations[IP_POOL_ANNOTATION] ?? "").trim();
    if (resourceName !== "") nadView.resourceName = resourceName;
    if (ipPool !== "") nadView.ipPool = ipPool;
    const { config, problem } = nadConfig(nad, source);
    nadView.config = config;
    if (problem !== undefined) findings.push(finding("error", "INVALID_NAD_CONFIG", problem));
    if (config?.source === "conf-dir") {
      deferred = true;
      const message = `${source} has no spec.config: the node's confDir must hold a CNI config named ${JSON.stringify(ref.name)}`;
      findings.push(finding("info", "CONF_DIR_NETWORK", message));
    }
    const format = parseDeviceIdFormat(annotations);
    if (!format.ok)
      findings.push(finding("error", "INVALID_DEVICE_ID_FORMAT", `${source}: ${format.problem}`));
  }
  const out = draft(name, lookup.origin, findings, deferred);
  out.explanation.nad = nadView;
  if (lookup.selection !== undefined) out.selection = lookup.selection;
  if (nad !== undefined) out.nadAnnotations = nad.metadata?.annotations ?? {};
  return out;
}

/** clusterNetwork or a defaultNetworks entry: a NAD, else (a plain name) the confDir file; a path. */
function referenceNetwork(
  nads: readonly ExplainNad[],
  ref: NetworkReference,
  origin: NetworkOrigin,
  ns: string,
) {
  if (ref.kind === "path") {
    const message = `network ${JSON.stringify(ref.path)} is a CNI config file on the node`;
    return draft(ref.path, origin, [finding("info", "CONF_DIR_NETWORK", message)], true);
  }
  const target = nadTargetOf(ref, ns);
  if (!target.required && findNad(nads, target) === undefined) {
    const message = `network ${JSON.stringify(ref.name)}: no ${nadSource(target.namespace, target.name)}; the CNI config of that name in the node's confDir`;
    return draft(ref.name, origin, [finding("info", "CONF_DIR_NETWORK", message)], true);
  }
  return nadNetwork({ nads, origin }, target);
}

function configNetworks(
  pod: ExplainPod,
  settings: ExplainSettings,
  nads: readonly ExplainNad[],
): NetworkDraft[] {
  const setting = settings.clusterNetwork;
  if (setting.kind === "unknown") {
    const message =
      "the pod's default network is the node's clusterNetwork, which the API does not show (--cni-config checks it)";
    return [
      draft(
        "cluster network",
        "cluster-network",
        [finding("info", "CLUSTER_NETWORK_UNKNOWN", message)],
        true,
      ),
    ];
  }
  if (setting.kind === "delegates") {
    return setting.names.map((name, i) => draft(name, i === 0 ? "cluster-network" : "delegates", []));
  }
  const ns = settings.multusNamespace;
  const list = [referenceNetwork(nads, setting.ref, "cluster-network", ns)];
  if (isSystemNamespace(pod.metadata?.namespace ?? "", settings.systemNamespaces)) return list;
  for (const ref of settings.defaultNetworkRefs)
    list.push(referenceNetwork(nads, ref, "default-networks", ns));
  return list;
}

function policyOf(settings: ExplainSettings): IsolationPolicy {
  return { enabled: settings.namespaceIsolation, globalNamespaces: settings.globalNamespaces };
}

function isolated(name: string, origin: NetworkOrigin, selection: NetworkSelection, message: string) {
  const out = draft(name, origin, [finding("error", "NAMESPACE_ISOLATION", message)]);
  out.selection = selection;
  return out;
}

function defaultOverride(
  pod: ExplainPod,
  settings: ExplainSettings,
  nads: readonly ExplainNad[],
  podFindings: Finding[],
): NetworkDraft | undefined {
  const value = pod.metadata?.annotations?.[DEFAULT_NETWORK_ANNOTATION];
  if (value === undefined) return undefined;
  const origin = "default-network-annotation";
  const parsed = parseDefaultNetworkSelection(value, settings.multusNamespace);
  if (!parsed.ok) {
    podFindings.push(finding("error", "INVALID_ANNOTATION", parsed.error.message));
    return draft(value, origin, [finding("error", "INVALID_ANNOTATION", parsed.error.message)]);
  }
  const selection = parsed.selection;
  if (selection === undefined) return undefined;
  const podNamespace = pod.metadata?.namespace ?? "";
  const policy = defaultNetworkIsolationPolicy(policyOf(settings), settings.multusNamespace);
  const allowed = checkNamespaceIsolation({ ...policy, podNamespace, target: selection });
  const name = `${selection.namespace}/${selection.name}`;
  if (!allowed.ok)
    return isolated(name, origin, selection, `${DEFAULT_NETWORK_ANNOTATION}: ${allowed.error.message}`);
  return nadNetwork({ nads, origin, selection }, selection);
}

function annotationNetworks(
  pod: ExplainPod,
  settings: ExplainSettings,
  nads: readonly ExplainNad[],
  podFindings: Finding[],
): NetworkDraft[] {
  const podNamespace = pod.metadata?.namespace ?? "";
  const parsed = parseNetworkSelections(pod.metadata?.annotations?.[NETWORKS_ANNOTATION] ?? "", podNamespace);
  if (!parsed.ok) {
    podFindings.push(finding("error", "INVALID_ANNOTATION", parsed.error.message));
    return [];
  }
  const origin = "networks-annotation";
  return parsed.selections.map((selection) => {
    const allowed = checkNamespaceIsolation({ ...policyOf(settings), podNamespace, target: selection });
    const name = `${selection.namespace}/${selection.name}`;
    if (!allowed.ok)
      return isolated(name, origin, selection, `${NETWORKS_ANNOTATION}: ${allowed.error.message}`);
    return nadNetwork({ nads, origin, selection }, selection);
  });
}

/** The pod's networks in attach order (indexes set), and the pod-level findings. */
export function planNetworks(
  pod: ExplainPod,
  settings: ExplainSettings,
  nads: readonly ExplainNad[],
): { networks: NetworkDraft[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const networks = configNetworks(pod, settings, nads);
  const override = defaultOverride(pod, settings, nads, findings);
  if (override !== undefined) networks[0] = override;
  networks.push(...annotationNetworks(pod, settings, nads, findings));
  networks.forEach((n, index) => {
    n.explanation.index = index;
    const s = n.selection;
    if (s === undefined) return;
    n.explanation.request = {
      namespace: s.namespace,
      name: s.name,
      ...(s.interfaceName === undefined ? {} : { interface: s.interfaceName }),
      ...(s.ips === undefined ? {} : { ips: [...s.ips] }),
      ...(s.mac === undefined ? {} : { mac: s.mac }),
    };
  });
  return { networks, findings };
}

/** The NADs `planNetworks` may look up, for the reader (each once). */
export function referencedNads(pod: ExplainPod, settings: ExplainSettings): NadRef[] {
  const seen = new Map<string, NadRef>();
  const add = ({ namespace, name }: NadRef): void =>
    void seen.set(`${namespace}/${name}`, { namespace, name });
  const refs = settings.clusterNetwork.kind === "reference" ? [settings.clusterNetwork.ref] : [];
  for (const ref of [...refs, ...settings.defaultNetworkRefs]) {
    if (ref.kind !== "path") add(nadTargetOf(ref, settings.multusNamespace));
  }
  const annotations = pod.metadata?.annotations ?? {};
  const defaults = parseDefaultNetworkSelection(
    annotations[DEFAULT_NETWORK_ANNOTATION] ?? "",
    settings.multusNamespace,
  );
  if (defaults.ok && defaults.selection !== undefined) add(defaults.selection);
  const parsed = parseNetworkSelections(
    annotations[NETWORKS_ANNOTATION] ?? "",
    pod.metadata?.namespace ?? "",
  );
  if (parsed.ok) parsed.selections.forEach(add);
  return [...seen.values()];
}
