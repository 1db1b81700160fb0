// Devices from the kubelet plugin's prepared-claim state: in the plugin's own process (the CNI server) its
// checkpoint in memory; elsewhere (the standalone plugin) the checkpoint file in its --state-dir, read
// (never written) at each ADD — the plugin rewrites it as claims come and go. Every device of a claim in
// state "prepared" whose status.reservedFor held the pod's UID, claim by claim (src/api/checkpoint-index.ts).
// This is the source that sees pod-level claims no container references (PodResources lists only those a
// container does). A missing file means nothing was prepared here; a corrupt one is an error (the layered
// source logs it and asks the next source), never "no devices". The addresses the netclaim controller had
// allocated when the claim was prepared come with each device (`allocatedIps`), and the IPPool its config
// names (`ipPool`): a device with a pool but no addresses (prepared from an older file, or rebuilt) makes
// the layered source ask the API for them (device-source.ts).
//
// Public API: `checkpointCandidates`, `CheckpointDeviceReader`, `CheckpointDeviceReaderOptions`.
import { checkpointFilePath, readCheckpointFile } from "../../api/checkpoint-file.ts";
import type { CheckpointFileRead } from "../../api/checkpoint-file.ts";
import { devicesForPod } from "../../api/checkpoint-index.ts";
import type { Checkpoint } from "../../api/checkpoint.ts";
import type { DeviceQuery } from "../engine/ports.ts";
import type { PodDeviceReader, ReaderSkip } from "./device-source.ts";
import type { CandidateDevice } from "./types.ts";

/** The pod's devices in the checkpoint; the driver is the kubelet plugin's own (`driverName`). Pure. */
export function checkpointCandidates(
  checkpoint: Checkpoint,
  podUid: string,
  driverName: string,
): CandidateDevice[] {
  if (podUid === "") return [];
  return devicesForPod(checkpoint, podUid).map(({ claim, device }): CandidateDevice => {
    const candidate: CandidateDevice = {
      origin: "claim",
      sources: ["checkpoint"],
      claimNamespace: claim.namespace,
      claimName: claim.name,
      requestNames: [...device.requestNames],
      driver: driverName,
      pool: device.poolName,
      device: device.deviceName,
      kind: device.kind,
      cdiDeviceIds: [...device.cdiDeviceIDs],
    };
    if (device.shareID !== undefined) candidate.shareID = device.shareID;
    if (device.resourceName !== undefined) candidate.resourceNameAttr = device.resourceName;
    if (device.pciAddress !== undefined) candidate.pciAddress = device.pciAddress;
    if (device.ifName !== undefined) candidate.ifName = device.ifName;
    if (device.ips !== undefined && device.ips.length > 0) candidate.allocatedIps = [...device.ips];
    if (device.config.ipPool !== undefined) candidate.ipPool = device.config.ipPool;
    return candidate;
  });
}

export interface CheckpointDeviceReaderOptions {
  /** The checkpoint file (default: /var/lib/netclaim/checkpoint.json, the plugin's default --state-dir). */
  path?: string;
  /** The kubelet plugin's DRA driver name. */
  driverName: string;
  skipWhen?: ReaderSkip;
  /** Reads the file (tests). */
  readFile?: (path: string) => Promise<CheckpointFileRead>;
  /**
   * The kubelet plugin's prepared-claim state in memory, when the reader runs in the plugin's own process
   * (the CNI server): no file read per ADD. Undefined (the plugin not running yet): the file.
   */
  current?: () => Checkpoint | undefined;
}

export class CheckpointDeviceReader implements PodDeviceReader {
  readonly name = "checkpoint" as const;
  readonly skipWhen: ReaderSkip;
  readonly path: string;
  private readonly driverName: string;
  private readonly readFile: (path: string) => Promise<CheckpointFileRead>;
  private readonly current: (() => Checkpoint | undefined) | undefined;

  constructor(options: CheckpointDeviceReaderOptions) {
    this.path = options.path ?? checkpointFilePath();
    this.driverName = options.driverName;
    this.skipWhen = options.skipWhen ?? "never";
    this.readFile = options.readFile ?? readCheckpointFile;
    this.current = options.current;
  }

  async read(query: DeviceQuery): Promise<CandidateDevice[]> {
    if (query.pod.uid === "") return [];
    const inMemory = this.current?.();
    if (inMemory !== undefined) return checkpointCandidates(inMemory, query.pod.uid, this.driverName);
    const file = await this.readFile(this.path);
    if (file.status === "missing") return [];
    if (file.status === "corrupt") throw new Error(file.message);
    return checkpointCandidates(file.checkpoint, query.pod.uid, this.driverName);
  }
}
