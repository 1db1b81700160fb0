// Which delegate networks a pod gets, in attach order, with their configs fetched: the I/O half of
// planning (plan-attachments.ts is the pure half). Multus's order and lookups (pkg/k8sclient:
// GetDefaultNetworks, getNetDelegate, getKubernetesDelegate, TryLoadPodDelegates):
//   0. the default network: `clusterNetwork` (or the first of the static `delegates`), replaced by the
//      pod's `v1.multus-cni.io/default-network` (a NAD; namespace default multusNamespace);
//   1. `defaultNetworks`, unless the pod's namespace is one of `systemNamespaces`;
//      (with static `delegates`: the other delegates instead, for every pod)
//   2. the pod's `k8s.v1.cni.cncf.io/networks`, in order, each a NAD (namespace default: the pod's).
// clusterNetwork/defaultNetworks: a name is the NAD of that name in multusNamespace, else the CNI config
// in confDir whose network name matches; `ns/name` is that NAD (netclaim); a path is loaded as a file
// (or, for a directory, as the port decides). A NAD without spec.config is the confDir file named after
// the network. Namespace isolation refuses networks-annotation NADs outside the pod's namespace and the
// global namespaces before any is fetched; netclaim applies it to the default-network annotation too
// (Multus does not), allowing multusNamespace there, where that annotation's NADs normally live.
// A missing pod (or none named) gets the config's networks only, without defaultNetworks.
import type { DelegateConfig } from "../../api/netconf-delegate.ts";
import { nadTargetOf } from "../../api/netconf-network-ref.ts";
import type { NetworkReference } from "../../api/netconf-network-ref.ts";
import {
  DEFAULT_NETWORK_ANNOTATION,
  NETWORKS_ANNOTATION,
  parseDefaultNetworkSelection,
  parseNetworkSelections,
} from "../selection/annotations.ts";
import {
  checkNamespaceIsolation,
  checkSelectionsIsolation,
  defaultNetworkIsolationPolicy,
  isSystemNamespace,
} from "../selection/namespace-isolation.ts";
import type { NetworkSelection } from "../selection/types.ts";
import type { EngineContext } from "./context.ts";
import { problem, selectionFailure } from "./engine-errors.ts";
import { NadReader, nadSource } from "./nad-reader.ts";
import type { PodInfo } from "./ports.ts";

export type NetworkOrigin =
  "cluster-network" | "default-network-annotation" | "default-networks" | "delegates" | "networks-annotation";

export interface ResolvedNetwork {
  /** The network-status and cache name: `ns/name` for a NAD, the CNI config's name otherwise. */
  name: string;
  delegate: DelegateConfig;
  origin: NetworkOrigin;
  /** The annotation entry that asked for it; absent for the config's own networks. */
  selection?: NetworkSelection;
  /** The NAD's annotations (its resourceName among them), when the network is a NAD. */
  nadAnnotations?: Readonly<Record<string, string>>;
}

/** A network that could not be resolved (lenient mode only): it keeps its place and its selection. */
export interface UnresolvedNetwork {
  name: string;
  origin: NetworkOrigin;
  selection?: NetworkSelection;
  problem: Error;
}

export type NetworkSlot = ResolvedNetwork | UnresolvedNetwork;

export function isResolved(slot: NetworkSlot): slot is ResolvedNetwork {
  return !("problem" in slot);
}

export interface ResolveOptions {
  /** The pod as the API has it; undefined when missing or not named. */
  pod: PodInfo | undefined;
  /** DEL: keep going past networks that cannot be resolved, reporting them, instead of failing. */
  lenient?: boolean;
}

export interface Resolution {
  /** In attach order, index 0 the pod's default network. Strict mode: every slot is resolved. */
  networks: NetworkSlot[];
  /** Lenient mode: problems that lost whole groups of networks (an annotation that does not parse). */
  problems: Error[];
}

/** clusterNetwork or a defaultNetworks entry. */
async function resolveReference(
  ctx: EngineContext,
  nads: NadReader,
  ref: NetworkReference,
  origin: NetworkOrigin,
): Promise<ResolvedNetwork> {
  if (ref.kind === "path") {
    const delegate = await ctx.confFiles.load(ref.path);
    return { name: delegate.name, delegate, origin };
  }
  const { namespace, required } = nadTargetOf(ref, ctx.netconf.multusNamespace);
  if (required) {
    const { nad, delegate } = await nads.required(namespace, ref.name);
    return { name: `${namespace}/${ref.name}`, delegate, origin, nadAnnotations: nad.annotations };
  }
  const nad = await nads.get(namespace, ref.name);
  if (nad !== undefined) {
    const delegate = await nads.delegateOf(nad);
    return { name: `${namespace}/${ref.name}`, delegate, origin, nadAnnotations: nad.annotations };
  }
  const confDir = ctx.netconf.confDir;
  const file = await ctx.confFiles.findByNetworkName(confDir, ref.name);
  if (file !== undefined) return { name: file.name, delegate: file, origin };
  const where = ctx.cluster === undefined ? "" : `no ${nadSource(namespace, ref.name)} and `;
  throw problem(
    "NETWORK_NOT_FOUND",
    `network ${JSON.stringify(ref.name)}: ${where}no CNI config of that name in ${confDir}`,
  );
}

interface Placeholder {
  name: string;
  origin: NetworkOrigin;
  selection?: NetworkSelection;
}

/** Runs `step`; in lenient mode a failure becomes an UnresolvedNetwork in its place. */
async function attempt(
  step: () => Promise<ResolvedNetwork>,
  options: ResolveOptions,
  placeholder: Placeholder,
): Promise<NetworkSlot> {
  try {
    return await step();
  } catch (err) {
    if (options.lenient !== true) throw err;
    return { ...placeholder, problem: err instanceof Error ? err : new Error(String(err)) };
  }
}

function refText(ref: NetworkReference): string {
  if (ref.kind === "path") return ref.path;
  return ref.kind === "nad" ? `${ref.namespace}/${ref.name}` : ref.name;
}

async function configNetworks(
  ctx: EngineContext,
  nads: NadReader,
  options: ResolveOptions,
): Promise<NetworkSlot[]> {
  const { netconf } = ctx;
  if (netconf.clusterNetworkRef === undefined) {
    return netconf.delegates.map((delegate, i) => ({
      name: delegate.name,
      delegate,
      origin: i === 0 ? "cluster-network" : "delegates",
    }));
  }
  const resolve = (ref: NetworkReference, origin: NetworkOrigin): Promise<NetworkSlot> =>
    attempt(() => resolveReference(ctx, nads, ref, origin), options, { name: refText(ref), origin });
  const list = [await resolve(netconf.clusterNetworkRef, "cluster-network")];
  const pod = options.pod;
  if (pod === undefined || isSystemNamespace(pod.namespace, netconf.systemNamespaces)) return list;
  for (const ref of netconf.defaultNetworkRefs) list.push(await resolve(ref, "default-networks"));
  return list;
}

async function defaultNetworkOverride(
  ctx: EngineContext,
  nads: NadReader,
  pod: PodInfo,
): Promise<ResolvedNetwork | undefined> {
  const value = pod.annotations[DEFAULT_NETWORK_ANNOTATION];
  if (value === undefined) return undefined;
  const parsed = parseDefaultNetworkSelection(value, ctx.netconf.multusNamespace);
  if (!parsed.ok) throw selectionFailure("", parsed.error);
  const selection = parsed.selection;
  if (selection === undefined) return undefined;
  const { netconf } = ctx;
  const policy = { enabled: netconf.namespaceIsolation, globalNamespaces: netconf.globalNamespaces };
  const allowed = checkNamespaceIsolation({
    ...defaultNetworkIsolationPolicy(policy, netconf.multusNamespace),
    podNamespace: pod.namespace,
    target: selection,
  });
  if (!allowed.ok) throw selectionFailure(DEFAULT_NETWORK_ANNOTATION, allowed.error);
  const { nad, delegate } = await nads.required(selection.namespace, selection.name);
  return {
    name: `${selection.namespace}/${selection.name}`,
    delegate,
    origin: "default-network-annotation",
    selection,
    nadAnnotations: nad.annotations,
  };
}

async function annotationNetworks(
  ctx: EngineContext,
  nads: NadReader,
  pod: PodInfo,
  options: ResolveOptions,
): Promise<NetworkSlot[]> {
  const parsed = parseNetworkSelections(pod.annotations[NETWORKS_ANNOTATION] ?? "", pod.namespace);
  if (!parsed.ok) throw selectionFailure("", parsed.error);
  const { netconf } = ctx;
  const policy = { enabled: netconf.namespaceIsolation, globalNamespaces: netconf.globalNamespaces };
  const allowed = checkSelectionsIsolation(parsed.selections, pod.namespace, policy);
  if (!allowed.ok) throw selectionFailure(NETWORKS_ANNOTATION, allowed.error);
  const list: NetworkSlot[] = [];
  for (const selection of parsed.selections) {
    const name = `${selection.namespace}/${selection.name}`;
    const origin = "networks-annotation" as const;
    const step = async (): Promise<ResolvedNetwork> => {
      const { nad, delegate } = await nads.required(selection.namespace, selection.name);
      return { name, delegate, origin, selection, nadAnnotations: nad.annotations };
    };
    list.push(await attempt(step, options, { name, origin, selection }));
  }
  return list;
}

function asProblem(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * The pod's networks in attach order (index 0: its default network). Strict mode throws the first
 * problem (a CniError naming the network, not yet the pod). Lenient mode (DEL) keeps going: a network
 * that cannot be resolved stays in its place as an UnresolvedNetwork (so the others keep their
 * interface names), an annotation that cannot be read is reported in `problems`.
 */
export async function resolveNetworks(ctx: EngineContext, options: ResolveOptions): Promise<Resolution> {
  const problems: Error[] = [];
  const nads = new NadReader(ctx);
  const networks = await configNetworks(ctx, nads, options);
  const pod = options.pod;
  if (pod !== undefined) {
    try {
      const override = await defaultNetworkOverride(ctx, nads, pod);
      if (override !== undefined) networks[0] = override;
    } catch (err) {
      if (options.lenient !== true) throw err;
      const placeholder = {
        name: pod.annotations[DEFAULT_NETWORK_ANNOTATION] ?? "",
        origin: "default-network-annotation" as const,
      };
      networks[0] = { ...placeholder, problem: asProblem(err) };
    }
    try {
      networks.push(...(await annotationNetworks(ctx, nads, pod, options)));
    } catch (err) {
      if (options.lenient !== true) throw err;
      problems.push(asProblem(err));
    }
  }
  if (networks.length === 0) {
    throw problem(
      "INVALID_NETWORK_CONFIG",
      "no network to attach: neither clusterNetwork nor delegates given",
    );
  }
  return { networks, problems };
}
