// Claim-to-network correlation for the standalone plugin, loaded at its first use: the engine asks the
// device source only for an ADD (or CHECK) with a NAD carrying a resourceName, so a STATUS, a DEL from the
// attachment cache or an ADD of plain networks never load the PodResources gRPC client or the API client
// code. One load serves both ports (device source and claim status writer); the API parts use the
// standalone engine's own lazy transport and are left out without Kubernetes.
//
// Public API: `LazyCorrelation`, `LazyCorrelationOptions`.
import type { NetConf } from "../../api/netconf.ts";
import type { Clock } from "../../common/clock.ts";
import type { Logger } from "../../common/logger.ts";
import type { Transport } from "../../k8s/http-transport.ts";
import type { CorrelationPorts } from "../correlation/create-device-source.ts";
import type {
  ClaimDeviceStatus,
  ClaimStatusWriter,
  DeviceAnswer,
  DeviceQuery,
  DeviceSource,
} from "../engine/ports.ts";

export interface LazyCorrelationOptions {
  netconf: Pick<NetConf, "driverName" | "podResourcesSocket" | "stateDir" | "deviceInfoDir">;
  /** The API transport; undefined without Kubernetes (then only the node-local sources answer). */
  transport: Transport | undefined;
  logger: Logger;
  clock: Clock;
  requestTimeoutMs?: number;
}

async function loadPorts(options: LazyCorrelationOptions): Promise<CorrelationPorts> {
  const [{ createCorrelationPorts }, { checkpointFilePath }] = await Promise.all([
    import("../correlation/create-device-source.ts"),
    import("../../api/checkpoint-file.ts"),
  ]);
  const { netconf, transport } = options;
  const base = {
    driverName: netconf.driverName,
    podResourcesSocket: netconf.podResourcesSocket,
    checkpointPath: checkpointFilePath(netconf.stateDir),
    deviceInfoDir: netconf.deviceInfoDir,
    logger: options.logger,
    clock: options.clock,
  };
  if (transport === undefined) return createCorrelationPorts(base);
  const [{ GenericResourceClient }, { RESOURCE_TYPES }] = await Promise.all([
    import("../../k8s/resource-client.ts"),
    import("../../k8s/resource-path.ts"),
  ]);
  return createCorrelationPorts({
    ...base,
    api: {
      pods: new GenericResourceClient({ transport, type: RESOURCE_TYPES.pods }),
      claims: new GenericResourceClient({ transport, type: RESOURCE_TYPES.resourceClaims }),
      slices: new GenericResourceClient({ transport, type: RESOURCE_TYPES.resourceSlices }),
      ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    },
  });
}

export class LazyCorrelation implements DeviceSource, ClaimStatusWriter {
  private readonly options: LazyCorrelationOptions;
  private loaded: Promise<CorrelationPorts> | undefined;

  constructor(options: LazyCorrelationOptions) {
    this.options = options;
  }

  private ports(): Promise<CorrelationPorts> {
    this.loaded ??= loadPorts(this.options);
    return this.loaded;
  }

  async devicesFor(query: DeviceQuery, signal?: AbortSignal): Promise<DeviceAnswer> {
    return (await this.ports()).deviceSource.devicesFor(query, signal);
  }

  async writeDeviceStatuses(
    claim: { namespace: string; name: string },
    devices: readonly ClaimDeviceStatus[],
    signal?: AbortSignal,
  ): Promise<void> {
    const writer = (await this.ports()).claimStatusWriter;
    if (writer === undefined) return; // no Kubernetes: nothing to write to
    await writer.writeDeviceStatuses(claim, devices, signal);
  }

  /** Releases what the loaded sources keep open (nothing, unless loaded). */
  close(): void {
    if (this.loaded === undefined) return;
    void this.loaded.then((p) => p.deviceSource.close()).catch(() => undefined);
  }
}
