// Fakes for correlation's engine ports: a DeviceSource answering scripted devices (recording each
// query), a DeviceInfoStore in memory (recording writes, reads and removals; files can be pre-seeded,
// e.g. a device plugin's), a ClaimStatusWriter recording writes (can be told to fail); and builders for
// candidate devices.
import { devicePluginCandidate } from "../../src/cni/correlation/pod-resources-candidates.ts";
import type { DeviceInfoFile } from "../../src/api/device-info.ts";
import { cniDeviceInfoPath, dpDeviceInfoPath } from "../../src/api/device-info.ts";
import type { CandidateDevice, DeviceSourceName } from "../../src/cni/correlation/types.ts";
import type {
  ClaimDeviceStatus,
  ClaimStatusWriter,
  DeviceAnswer,
  DeviceInfoStore,
  DeviceQuery,
  DeviceSource,
} from "../../src/cni/engine/ports.ts";

/** A claim device; every field overridable. Defaults: netclaim.dev, pool node-1, claim ns1/claim-a. */
export function claimDevice(fields: Partial<CandidateDevice> & { device: string }): CandidateDevice {
  return {
    origin: "claim",
    sources: ["checkpoint"],
    claimNamespace: "ns1",
    claimName: "claim-a",
    requestNames: ["req-0"],
    driver: "netclaim.dev",
    pool: "node-1",
    kind: "netdev",
    cdiDeviceIds: [],
    ...fields,
  };
}

/** A device-plugin device of `resourceName` with ID `id`, as PodResources gives it (production's builder). */
export function pluginDevice(
  resourceName: string,
  id: string,
  fields: Partial<CandidateDevice> = {},
): CandidateDevice {
  return { ...devicePluginCandidate(resourceName, id), ...fields };
}

export class FakeDeviceSource implements DeviceSource {
  readonly queries: DeviceQuery[] = [];
  devices: CandidateDevice[] = [];
  consulted: DeviceSourceName[] = ["checkpoint"];
  /** While set, every query rejects with it. */
  failWith: Error | undefined;

  constructor(devices: CandidateDevice[] = []) {
    this.devices = devices;
  }

  devicesFor(query: DeviceQuery): Promise<DeviceAnswer> {
    this.queries.push({ pod: { ...query.pod }, needs: query.needs.map((n) => ({ ...n })) });
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    return Promise.resolve({
      candidates: this.devices.map((d) => ({ ...d })),
      consulted: [...this.consulted],
    });
  }
}

export interface DeviceInfoEvent {
  op: "write" | "read" | "remove";
  path: string;
}

export class FakeDeviceInfoStore implements DeviceInfoStore {
  readonly dir: string;
  readonly files = new Map<string, DeviceInfoFile>();
  readonly events: DeviceInfoEvent[] = [];
  /** While set, writes reject with it. */
  failWritesWith: Error | undefined;

  constructor(dir = "/run/test-devinfo") {
    this.dir = dir;
  }

  cniPath(fileName: string): string {
    return cniDeviceInfoPath(fileName, this.dir);
  }

  /** Seeds a device plugin's file. */
  addDevicePluginFile(resourceName: string, deviceId: string, info: DeviceInfoFile): void {
    this.files.set(dpDeviceInfoPath(resourceName, deviceId, this.dir), info);
  }

  readDevicePluginInfo(resourceName: string, deviceId: string): Promise<DeviceInfoFile | undefined> {
    return this.read(dpDeviceInfoPath(resourceName, deviceId, this.dir));
  }

  write(path: string, info: DeviceInfoFile): Promise<void> {
    this.events.push({ op: "write", path });
    if (this.failWritesWith !== undefined) return Promise.reject(this.failWritesWith);
    this.files.set(path, structuredClone(info));
    return Promise.resolve();
  }

  read(path: string): Promise<DeviceInfoFile | undefined> {
    this.events.push({ op: "read", path });
    const found = this.files.get(path);
    return Promise.resolve(found === undefined ? undefined : structuredClone(found));
  }

  remove(path: string): Promise<boolean> {
    this.events.push({ op: "remove", path });
    return Promise.resolve(this.files.delete(path));
  }

  /** `op path` of every event, for compact assertions. */
  summary(): string[] {
    return this.events.map((e) => `${e.op} ${e.path}`);
  }
}

export interface ClaimStatusWrite {
  claim: { namespace: string; name: string };
  devices: ClaimDeviceStatus[];
}

export class FakeClaimStatusWriter implements ClaimStatusWriter {
  readonly writes: ClaimStatusWrite[] = [];
  failWith: Error | undefined;

  writeDeviceStatuses(
    claim: { namespace: string; name: string },
    devices: readonly ClaimDeviceStatus[],
  ): Promise<void> {
    this.writes.push({ claim: { ...claim }, devices: structuredClone([...devices]) });
    return this.failWith === undefined ? Promise.resolve() : Promise.reject(this.failWith);
  }
}
