// The DeviceSource the engine asks (engine/ports.ts): the pod's devices from several readers, tried in
// order and merged (merge-candidates.ts). Production order (create-device-source.ts):
//   1. the kubelet plugin's checkpoint — the only source of pod-level claims no container references;
//   2. PodResources `Get` — container claims (other drivers' too) and device-plugin devices;
//   3. the API server — pod.status.resourceClaimStatuses → claims → ResourceSlices.
// A reader is skipped when the devices already found settle every network as its `skipWhen` says:
// "all-by-attribute" (every network has a device by rule 1, the strongest: nothing a later source adds
// could change the answer) or "all-found" (every network has a device by some rule) — and, either way, every
// device that needs the netclaim controller's addresses has them (handover.ts `addressesPending`: a
// checkpoint written before the controller did lacks them, the API has them). So the node-local
// sources answer a warm ADD alone, and the API is asked only for what they cannot answer. A reader that
// fails (missing socket, corrupt checkpoint, API error) is logged and passed over: the next one may know.
//
// Public API: `PodDeviceReader`, `ReaderSkip`, `LayeredDeviceSource`, `LayeredDeviceSourceOptions`,
// `settles`.
import type { Logger } from "../../common/logger.ts";
import type { DeviceAnswer, DeviceQuery, DeviceSource } from "../engine/ports.ts";
import { correlate } from "./correlate.ts";
import { addressesPending } from "./handover.ts";
import { mergeCandidates } from "./merge-candidates.ts";
import type { CandidateDevice, DeviceSourceName } from "./types.ts";

export type ReaderSkip = "all-by-attribute" | "all-found" | "never";

/** One source of devices. Throws when it cannot answer; `[]` when it knows the pod has none. */
export interface PodDeviceReader {
  readonly name: DeviceSourceName;
  readonly skipWhen: ReaderSkip;
  read(query: DeviceQuery, signal?: AbortSignal): Promise<CandidateDevice[]>;
  /** Releases what the reader keeps open (a gRPC channel), if anything. */
  close?(): void;
}

/** Whether `candidates` settle `query` in the sense of `skip`. Pure. */
export function settles(
  query: DeviceQuery,
  candidates: readonly CandidateDevice[],
  skip: ReaderSkip,
): boolean {
  if (skip === "never") return false;
  const outcomes = correlate({ pod: query.pod, needs: query.needs, candidates });
  return outcomes.every(
    (o) =>
      o.kind === "device" &&
      (skip === "all-found" || o.rule === "attribute") &&
      addressesPending(o.need, o.device) === undefined,
  );
}

export interface LayeredDeviceSourceOptions {
  readers: readonly PodDeviceReader[];
  logger: Logger;
}

export class LayeredDeviceSource implements DeviceSource {
  private readonly readers: readonly PodDeviceReader[];
  private readonly logger: Logger;

  constructor(options: LayeredDeviceSourceOptions) {
    this.readers = options.readers;
    this.logger = options.logger;
  }

  async devicesFor(query: DeviceQuery, signal?: AbortSignal): Promise<DeviceAnswer> {
    let candidates: CandidateDevice[] = [];
    const consulted: DeviceSourceName[] = [];
    const pod = `${query.pod.namespace}/${query.pod.name}`;
    for (const reader of this.readers) {
      if (settles(query, candidates, reader.skipWhen)) {
        this.logger.debug({ pod, source: reader.name }, "device source not asked: the devices are settled");
        continue;
      }
      try {
        const found = await reader.read(query, signal);
        candidates = mergeCandidates(candidates, found);
        consulted.push(reader.name);
        this.logger.debug({ pod, source: reader.name, devices: found.length }, "device source answered");
      } catch (err) {
        signal?.throwIfAborted();
        this.logger.warn({ pod, source: reader.name, err }, "device source failed: trying the next one");
      }
    }
    return { candidates, consulted };
  }

  close(): void {
    for (const reader of this.readers) reader.close?.();
  }
}
