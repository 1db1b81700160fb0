// The engine tests' world (test/unit/cni/engine/support.ts) with correlation's ports: a fake
// DeviceSource, an in-memory device-info store and a recording claim status writer.
import { AttachmentCache } from "../../../../src/cni/cache/attachment-cache.ts";
import { CniEngine } from "../../../../src/cni/engine/engine.ts";
import type { CandidateDevice } from "../../../../src/cni/correlation/types.ts";
import type { NetworkAttachmentDefinition } from "../../../../src/cni/engine/ports.ts";
import { FakeClaimStatusWriter, FakeDeviceInfoStore, FakeDeviceSource } from "../../../fakes/cni-devices.ts";
import { makeWorld, nad } from "../engine/support.ts";
import type { World } from "../engine/support.ts";

export interface DeviceWorld extends World {
  source: FakeDeviceSource;
  store: FakeDeviceInfoStore;
  claims: FakeClaimStatusWriter;
}

export async function makeDeviceWorld(devices: CandidateDevice[] = []): Promise<DeviceWorld> {
  const world = await makeWorld();
  const source = new FakeDeviceSource(devices);
  const store = new FakeDeviceInfoStore();
  const claims = new FakeClaimStatusWriter();
  const engine = new CniEngine({
    cluster: world.cluster,
    statusWriter: world.writer,
    confFiles: world.confFiles,
    readiness: world.readiness,
    routes: world.routes,
    executorFor: world.delegates.factory(),
    cacheFor: (dir) => new AttachmentCache(dir),
    clock: world.clock,
    logger: world.log.logger,
    podLookup: { attempts: 3, initialDelayMs: 100, maxDelayMs: 400 },
    readinessTimeoutMs: 5_000,
    deviceSource: source,
    deviceInfo: store,
    claimStatusWriter: claims,
  });
  return { ...world, engine, source, store, claims };
}

/** A NAD whose annotations carry `resourceName` (and any others given). */
export function nadWithResource(
  namespace: string,
  name: string,
  resourceName: string,
  config: Record<string, unknown>,
  annotations: Record<string, string> = {},
): NetworkAttachmentDefinition {
  return {
    ...nad(namespace, name, config),
    annotations: { "k8s.v1.cni.cncf.io/resourceName": resourceName, ...annotations },
  };
}

export function hostDeviceConfig(name: string): Record<string, unknown> {
  return { cniVersion: "1.0.0", name, type: "host-device" };
}

export function sriovConfig(name: string): Record<string, unknown> {
  return {
    cniVersion: "1.0.0",
    name,
    type: "sriov",
    capabilities: { deviceID: true, CNIDeviceInfoFile: true, cdiDeviceIDs: true, mac: true },
    ipam: { type: "static" },
  };
}
