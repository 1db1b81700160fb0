// The engine's constructor options: its dependencies (ports.ts, the delegate executor, the attachment
// cache, clock, logger) and its tunables with their production defaults.
import type { Clock } from "../../common/clock.ts";
import type { Logger } from "../../common/logger.ts";
import type { AttachmentCache } from "../cache/attachment-cache.ts";
import type { LocatingExecutor } from "../delegate/gc-status.ts";
import type {
  ClaimStatusWriter,
  ClusterView,
  ConfFiles,
  DefaultRouteApplier,
  DeviceInfoStore,
  DeviceSource,
  NetworkStatusWriter,
  ReadinessGate,
} from "./ports.ts";

/** The delegate executor for one invocation: plugins searched in `binDirs` (binDir, then CNI_PATH). */
export type ExecutorFactory = (binDirs: readonly string[]) => LocatingExecutor;

/** What the engine uses of an attachment cache (AttachmentCache; a fake may stand in). */
export type AttachmentCacheStore = Pick<
  AttachmentCache,
  "dir" | "pathFor" | "write" | "read" | "remove" | "list"
>;

/** Pod lookup on ADD: the API may not have the pod yet when the runtime calls (Multus polls 2.5 s). */
export interface PodLookupOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_POD_LOOKUP: PodLookupOptions = { attempts: 5, initialDelayMs: 250, maxDelayMs: 1_000 };
/** Multus waits 45 s for the readiness indicator file. */
export const DEFAULT_READINESS_TIMEOUT_MS = 45_000;

export interface CniEngineOptions {
  /** Reads of pods and NADs. Absent: no Kubernetes (static `delegates` only, as Multus without a client). */
  cluster?: ClusterView;
  /** Writes network-status. Absent: not written (no Kubernetes). */
  statusWriter?: NetworkStatusWriter;
  confFiles: ConfFiles;
  readiness: ReadinessGate;
  /** Applies default-route instructions inside the pod (IpRouteApplier in production). */
  routes: DefaultRouteApplier;
  executorFor: ExecutorFactory;
  /** The attachment cache of a cniDir (production: `(dir) => new AttachmentCache(dir)`). */
  cacheFor: (dir: string) => AttachmentCacheStore;
  clock: Clock;
  logger: Logger;
  podLookup?: PodLookupOptions;
  readinessTimeoutMs?: number;
  /** The pod's devices, for NADs with a resourceName (add-devices.ts). Absent: resourceNames are ignored. */
  deviceSource?: DeviceSource;
  /** Device-info files of attachments with a device. Absent: none are written. */
  deviceInfo?: DeviceInfoStore;
  /** ResourceClaim status.devices of attached claim devices. Absent: not written. */
  claimStatusWriter?: ClaimStatusWriter;
}
