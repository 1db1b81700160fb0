// The engine with standalone ports: the plugin itself reads the API server (one GET per pod or NAD,
// network-status written with GET + update of pods/status), the devices of NADs with a resourceName from
// the kubelet plugin's checkpoint, PodResources and the API (lazy-correlation.ts), CNI config files from disk, the readiness
// file by polling, delegates executed as child processes with the runtime's environment, the attachment
// cache on disk. Nothing is opened or loaded here for the API: its client code loads at the first call
// (lazy-api-ports.ts), the connection opens at the first request (lazy-transport.ts), and `close()` lets
// the process exit afterwards.
//
// Public API: `StandaloneEngineOptions`, `StandaloneEngine`, `createStandaloneEngine`, `CNI_USER_AGENT`.
import type { NetConf } from "../../api/netconf.ts";
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import { ProcessExec } from "../../common/exec.ts";
import type { Exec } from "../../common/exec.ts";
import type { Logger } from "../../common/logger.ts";
import pkg from "../../../package.json" with { type: "json" };
import { AttachmentCache } from "../cache/attachment-cache.ts";
import { DelegateRunner } from "../delegate/run-delegate.ts";
import { CniEngine } from "../engine/engine.ts";
import type { CniEngineOptions } from "../engine/engine-options.ts";
import { IpRouteApplier } from "../engine/ip-route-applier.ts";
import { LazyApiPorts } from "./lazy-api-ports.ts";
import { LazyCorrelation } from "./lazy-correlation.ts";
import { FileDeviceInfoStore } from "../correlation/device-info-store.ts";
import { FsConfFiles } from "./conf-files.ts";
import { kubeSourceFor } from "./kube-access.ts";
import type { KubeSource } from "./kube-access.ts";
import { LazyTransport } from "./lazy-transport.ts";
import { FileReadinessGate } from "./readiness.ts";

/** Like src/k8s's userAgent ("netclaim/0.1.0 (cni)"), without importing the client that module loads. */
export const CNI_USER_AGENT = `netclaim/${pkg.version} (cni)`;

export interface StandaloneEngineOptions {
  netconf: NetConf;
  /** The process environment: KUBERNETES_SERVICE_* for in-cluster access, and what delegates inherit. */
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  exec?: Exec;
  clock?: Clock;
  /** Overrides of engine tunables (tests). */
  tuning?: Pick<CniEngineOptions, "podLookup" | "readinessTimeoutMs">;
  requestTimeoutMs?: number;
}

export interface StandaloneEngine {
  engine: CniEngine;
  /** How the API server is reached; undefined without Kubernetes. */
  kubeSource: KubeSource | undefined;
  /** Closes the API connection, if one was opened. */
  close(): void;
}

type KubePorts = Pick<CniEngineOptions, "cluster" | "statusWriter">;

function kubePorts(
  source: KubeSource | undefined,
  options: StandaloneEngineOptions,
  transport: LazyTransport,
): KubePorts {
  if (source === undefined) return {};
  const ports = new LazyApiPorts(async () => {
    const { createApiPorts } = await import("./api-ports.ts");
    return createApiPorts({
      transport,
      clock: options.clock ?? realClock,
      logger: options.logger,
      ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    });
  });
  return { cluster: ports, statusWriter: ports };
}

export function createStandaloneEngine(options: StandaloneEngineOptions): StandaloneEngine {
  const exec = options.exec ?? new ProcessExec();
  const clock = options.clock ?? realClock;
  const source = kubeSourceFor(options.netconf.kubeconfig, options.env);
  const transport = new LazyTransport(async () => {
    const { openKubeTransport } = await import("./kube-transport.ts");
    if (source === undefined) throw new Error("no kubeconfig and not in a cluster");
    return openKubeTransport(source, { userAgent: CNI_USER_AGENT });
  });
  const correlation = new LazyCorrelation({
    netconf: options.netconf,
    transport: source === undefined ? undefined : transport,
    logger: options.logger,
    clock,
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
  });
  const engine = new CniEngine({
    ...kubePorts(source, options, transport),
    deviceSource: correlation,
    deviceInfo: new FileDeviceInfoStore({ dir: options.netconf.deviceInfoDir }),
    claimStatusWriter: correlation,
    confFiles: new FsConfFiles(),
    readiness: new FileReadinessGate({ clock }),
    routes: new IpRouteApplier({ exec }),
    executorFor: (binDirs) => new DelegateRunner({ exec, binDirs, baseEnv: options.env, clock }),
    cacheFor: (dir) => new AttachmentCache(dir),
    clock,
    logger: options.logger,
    ...options.tuning,
  });
  const close = (): void => {
    correlation.close();
    transport.close();
  };
  return { engine, kubeSource: source, close };
}
