// Devices from the kubelet's PodResources API (pod-resources-client.ts, pod-resources-candidates.ts):
// container claims of every driver and device-plugin devices. The gRPC client and the protos load only
// when a read first happens (a network needs a device and the checkpoint did not settle it), and the
// socket is checked first so a node without the API fails fast with a clear message. Each read has its
// own deadline (default 5 s: the runtime is waiting). By default the channel is closed after each read,
// as a one-shot CNI process must (an open channel keeps it alive); a long-lived server passes
// `keepOpen` and calls close() when it stops.
//
// Public API: `PodResourcesDeviceReader`, `PodResourcesDeviceReaderOptions`,
// `DEFAULT_POD_RESOURCES_TIMEOUT_MS`.
import { stat } from "node:fs/promises";
import { NETCONF_DEFAULTS } from "../../api/netconf-schema.ts";
import type { DeviceQuery } from "../engine/ports.ts";
import type { PodDeviceReader, ReaderSkip } from "./device-source.ts";
import { podResourcesCandidates } from "./pod-resources-candidates.ts";
import type { PodResourcesGetter } from "./pod-resources-client.ts";
import type { CandidateDevice } from "./types.ts";

export const DEFAULT_POD_RESOURCES_TIMEOUT_MS = 5_000;

export interface PodResourcesDeviceReaderOptions {
  /** Default /var/lib/kubelet/pod-resources/kubelet.sock (the netclaim config's podResourcesSocket). */
  socketPath?: string;
  timeoutMs?: number;
  skipWhen?: ReaderSkip;
  keepOpen?: boolean;
  /** Opens the client (tests); default: the gRPC client, loaded on first use. */
  open?: (socketPath: string) => Promise<PodResourcesGetter>;
}

async function openGrpc(socketPath: string): Promise<PodResourcesGetter> {
  const { openPodResourcesClient } = await import("./pod-resources-client.ts");
  return openPodResourcesClient(socketPath);
}

export class PodResourcesDeviceReader implements PodDeviceReader {
  readonly name = "podresources" as const;
  readonly skipWhen: ReaderSkip;
  readonly socketPath: string;
  private readonly timeoutMs: number;
  private readonly keepOpen: boolean;
  private readonly open: (socketPath: string) => Promise<PodResourcesGetter>;
  private getter: Promise<PodResourcesGetter> | undefined;

  constructor(options: PodResourcesDeviceReaderOptions = {}) {
    this.socketPath = options.socketPath ?? NETCONF_DEFAULTS.podResourcesSocket;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_POD_RESOURCES_TIMEOUT_MS;
    this.skipWhen = options.skipWhen ?? "all-by-attribute";
    this.keepOpen = options.keepOpen ?? false;
    this.open = options.open ?? openGrpc;
  }

  async read(query: DeviceQuery, signal?: AbortSignal): Promise<CandidateDevice[]> {
    try {
      await stat(this.socketPath);
    } catch (err) {
      throw new Error(`PodResources socket ${this.socketPath} is not there`, { cause: err });
    }
    this.getter ??= this.open(this.socketPath);
    let getter: PodResourcesGetter;
    try {
      getter = await this.getter;
    } catch (err) {
      this.getter = undefined;
      throw new Error(`PodResources client for ${this.socketPath}`, { cause: err });
    }
    try {
      const pod = await getter.get(query.pod.namespace, query.pod.name, this.timeoutMs, signal);
      return podResourcesCandidates(pod);
    } finally {
      if (!this.keepOpen) this.close();
    }
  }

  close(): void {
    const getter = this.getter;
    this.getter = undefined;
    void getter?.then((g) => g.close()).catch(() => undefined);
  }
}
