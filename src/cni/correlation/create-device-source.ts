// The production wiring of correlation's ports, for the standalone plugin and the CNI server alike:
// the layered DeviceSource (checkpoint → PodResources → API), the device-info file store and the claim
// status writer. The API parts are given as resource clients (direct API reads in standalone mode,
// informer-backed getters in the server), and are left out when there is no API.
//
// Public API: `CorrelationPortsOptions`, `CorrelationPorts`, `createCorrelationPorts`.
import type { ResourceClient } from "../../k8s/resource-client.ts";
import type { Logger } from "../../common/logger.ts";
import type { Clock } from "../../common/clock.ts";
import type { Checkpoint } from "../../api/checkpoint.ts";
import type { ClaimStatusWriter, DeviceInfoStore } from "../engine/ports.ts";
import type { ApiClaim, ApiPod, ApiSlice } from "./api-candidates.ts";
import { ApiDeviceReader } from "./api-source.ts";
import { CheckpointDeviceReader } from "./checkpoint-source.ts";
import { ApiClaimStatusWriter, cniFieldManager } from "./claim-status.ts";
import { FileDeviceInfoStore } from "./device-info-store.ts";
import { LayeredDeviceSource } from "./device-source.ts";
import type { PodDeviceReader } from "./device-source.ts";
import { PodResourcesDeviceReader } from "./pod-resources-source.ts";

export interface CorrelationPortsOptions {
  /** The netclaim config's driverName (the kubelet plugin's DRA driver). */
  driverName: string;
  /** The netclaim config's podResourcesSocket. */
  podResourcesSocket: string;
  /** The kubelet plugin's checkpoint file (default /var/lib/netclaim/checkpoint.json). */
  checkpointPath?: string;
  /** The plugin's checkpoint in memory, in its own process (checkpoint-source.ts). */
  checkpoint?: () => Checkpoint | undefined;
  /** Default /var/run/k8s.cni.cncf.io/devinfo. */
  deviceInfoDir?: string;
  /** Keep the PodResources channel open between reads (a long-lived server). */
  keepOpen?: boolean;
  logger: Logger;
  clock?: Clock;
  api?: {
    pods: Pick<ResourceClient<ApiPod>, "get">;
    claims: Pick<ResourceClient<ApiClaim>, "get" | "patch">;
    slices: Pick<ResourceClient<ApiSlice>, "list">;
    requestTimeoutMs?: number;
    /** Default `<driverName>/cni`. */
    fieldManager?: string;
  };
}

export interface CorrelationPorts {
  deviceSource: LayeredDeviceSource;
  deviceInfo: DeviceInfoStore;
  claimStatusWriter?: ClaimStatusWriter;
}

export function createCorrelationPorts(options: CorrelationPortsOptions): CorrelationPorts {
  const readers: PodDeviceReader[] = [
    new CheckpointDeviceReader({
      driverName: options.driverName,
      ...(options.checkpointPath === undefined ? {} : { path: options.checkpointPath }),
      ...(options.checkpoint === undefined ? {} : { current: options.checkpoint }),
    }),
    new PodResourcesDeviceReader({
      socketPath: options.podResourcesSocket,
      ...(options.keepOpen === undefined ? {} : { keepOpen: options.keepOpen }),
    }),
  ];
  const api = options.api;
  const timeout = api?.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: api.requestTimeoutMs };
  if (api !== undefined) readers.push(new ApiDeviceReader({ ...api, ...timeout }));
  const ports: CorrelationPorts = {
    deviceSource: new LayeredDeviceSource({ readers, logger: options.logger }),
    deviceInfo: new FileDeviceInfoStore(
      options.deviceInfoDir === undefined ? {} : { dir: options.deviceInfoDir },
    ),
  };
  if (api !== undefined) {
    ports.claimStatusWriter = new ApiClaimStatusWriter({
      claims: api.claims,
      fieldManager: api.fieldManager ?? cniFieldManager(options.driverName),
      ...timeout,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
  }
  return ports;
}
