// What a runtime offers a CNI network as capability args, from the pod sandbox config. Pure.
// libcni then passes a plugin only the keys its `capabilities` enable, inside `runtimeConfig`.
//
// containerd (internal/cri: cniNamespaceOpts + go-cni): `io.kubernetes.cri.pod-annotations` always (a nil
// map, so JSON null, when the pod has none); portMappings when some hostPort > 0; bandwidth from the
// kubernetes.io/{ingress,egress}-bandwidth annotations; dns from the DNS config; cgroupPath from the
// cgroup parent. go-cni's structs have no json tags, so the values' keys are Go field names
// ("HostPort", "IngressRate", "Servers"): plugins decode them only because Go's json is case-insensitive.
// CRI-O (ocicni): camelCase keys (hostPort, ingressRate), no dns, annotations only when present.

export const RUNTIME_FLAVORS = ["containerd", "cri-o"] as const;
export type RuntimeFlavor = (typeof RUNTIME_FLAVORS)[number];

export const POD_ANNOTATIONS_CAPABILITY = "io.kubernetes.cri.pod-annotations";
export const INGRESS_BANDWIDTH_ANNOTATION = "kubernetes.io/ingress-bandwidth";
export const EGRESS_BANDWIDTH_ANNOTATION = "kubernetes.io/egress-bandwidth";
const MAX_UINT32 = 4_294_967_295;

/** CRI PortMapping. */
export interface CriPortMapping {
  containerPort: number;
  hostPort: number;
  protocol?: "TCP" | "UDP" | "SCTP";
  hostIp?: string;
}

export interface CriDnsConfig {
  servers?: string[];
  searches?: string[];
  options?: string[];
}

/** The parts of a CRI PodSandboxConfig the network setup reads. */
export interface PodSandboxConfig {
  namespace: string;
  name: string;
  uid: string;
  annotations?: Record<string, string>;
  portMappings?: CriPortMapping[];
  dnsConfig?: CriDnsConfig;
  cgroupParent?: string;
  /** More capability args (ips, mac, ipRanges, ...), passed as given; they override the derived ones. */
  extraCapabilityArgs?: Record<string, unknown>;
}

const SUFFIX_MULTIPLIERS: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity ("10M", "1Gi", "500k") as bits per second, rounded up like Quantity.Value(). */
export function parseBandwidthQuantity(text: string): number {
  const match = /^\+?(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(text.trim());
  const multiplier = match ? SUFFIX_MULTIPLIERS[match[2] ?? ""] : undefined;
  if (!match || multiplier === undefined)
    throw new Error(`invalid bandwidth quantity ${JSON.stringify(text)}`);
  const value = Math.ceil(Number(match[1]) * multiplier);
  if (value < 1e3) throw new Error(`resource is unreasonably small (< 1kbit): ${text}`);
  if (value > 1e15) throw new Error(`resource is unreasonably large (> 1Pbit): ${text}`);
  return value;
}

interface Bandwidth {
  ingressRate: number;
  ingressBurst: number;
  egressRate: number;
  egressBurst: number;
}

function bandwidthFrom(annotations: Record<string, string>): Bandwidth | undefined {
  const ingress = annotations[INGRESS_BANDWIDTH_ANNOTATION];
  const egress = annotations[EGRESS_BANDWIDTH_ANNOTATION];
  if (ingress === undefined && egress === undefined) return undefined;
  try {
    const ingressRate = ingress === undefined ? 0 : parseBandwidthQuantity(ingress);
    const egressRate = egress === undefined ? 0 : parseBandwidthQuantity(egress);
    return {
      ingressRate,
      ingressBurst: ingress === undefined ? 0 : MAX_UINT32,
      egressRate,
      egressBurst: egress === undefined ? 0 : MAX_UINT32,
    };
  } catch (cause) {
    throw new Error("reading pod bandwidth annotations", { cause });
  }
}

function hostPortMappings(config: PodSandboxConfig): CriPortMapping[] {
  return (config.portMappings ?? []).filter((m) => m.hostPort > 0);
}

function containerdArgs(config: PodSandboxConfig): Record<string, unknown> {
  const annotations = config.annotations ?? {};
  const args: Record<string, unknown> = {
    [POD_ANNOTATIONS_CAPABILITY]: Object.keys(annotations).length > 0 ? annotations : null,
  };
  const ports = hostPortMappings(config);
  if (ports.length > 0) {
    args.portMappings = ports.map((m) => ({
      HostPort: m.hostPort,
      ContainerPort: m.containerPort,
      Protocol: (m.protocol ?? "TCP").toLowerCase(),
      HostIP: m.hostIp ?? "",
    }));
  }
  const bw = bandwidthFrom(annotations);
  if (bw) {
    args.bandwidth = {
      IngressRate: bw.ingressRate,
      IngressBurst: bw.ingressBurst,
      EgressRate: bw.egressRate,
      EgressBurst: bw.egressBurst,
    };
  }
  if (config.dnsConfig) {
    const dns = config.dnsConfig;
    args.dns = { Servers: dns.servers ?? null, Searches: dns.searches ?? null, Options: dns.options ?? null };
  }
  if (config.cgroupParent) args.cgroupPath = config.cgroupParent;
  return args;
}

function crioArgs(config: PodSandboxConfig): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const ports = hostPortMappings(config);
  if (ports.length > 0) {
    args.portMappings = ports.map((m) => ({
      hostPort: m.hostPort,
      containerPort: m.containerPort,
      protocol: (m.protocol ?? "TCP").toLowerCase(),
      hostIP: m.hostIp ?? "",
    }));
  }
  const bw = bandwidthFrom(config.annotations ?? {});
  if (bw) args.bandwidth = { ...bw };
  if (config.cgroupParent) args.cgroupPath = config.cgroupParent;
  if (config.annotations) args[POD_ANNOTATIONS_CAPABILITY] = config.annotations;
  return args;
}

/** Every capability arg the runtime offers for this sandbox. */
export function capabilityArgsFor(flavor: RuntimeFlavor, config: PodSandboxConfig): Record<string, unknown> {
  const derived = flavor === "containerd" ? containerdArgs(config) : crioArgs(config);
  return { ...derived, ...config.extraCapabilityArgs };
}

/** CNI_ARGS pairs as CRI-O builds them (containerd passes the same pairs, in Go map order: unordered). */
export function cniArgsFor(sandboxId: string, config: PodSandboxConfig): [string, string][] {
  return [
    ["IgnoreUnknown", "1"],
    ["K8S_POD_NAMESPACE", config.namespace],
    ["K8S_POD_NAME", config.name],
    ["K8S_POD_INFRA_CONTAINER_ID", sandboxId],
    ["K8S_POD_UID", config.uid],
  ];
}
