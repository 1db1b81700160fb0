// This node's devices as the plugin works with them: discovered (discovery/), looked up by Prepare
// (NodeDeviceSource), reported by the health stream (DeviceHealthSource) and handed to the
// ResourceSlice publisher on every change. Discovery runs again when a netdev appears in or leaves
// <sysfs>/class/net (fs.watch), periodically, and when Prepare asks (a device not found, a netdev
// name after a rebind); runs never overlap, and calls during one share the next.
import { watch } from "node:fs";
import type { FSWatcher } from "node:fs";
import { realClock } from "../../common/clock.ts";
import type { Clock, TimerHandle } from "../../common/clock.ts";
import { errorMessage } from "../../common/errors.ts";
import { silentLogger } from "../../common/logger.ts";
import type { Logger } from "../../common/logger.ts";
import type { Device } from "../../k8s/resource-slice-types.ts";
import type { DiscoveredDevice, DiscoveryResult } from "../discovery/index.ts";
import type { DeviceHealthSource, HealthDevice } from "../dra-service/ports.ts";
import { deviceKey } from "./plan-types.ts";
import type { NodeDevice } from "./plan-types.ts";
import type { NodeDeviceSource } from "./ports.ts";

export const RESCAN_INTERVAL_MS = 60_000;
/** fs.watch fires several events per netdev change; wait this long for the burst to end. */
export const WATCH_DEBOUNCE_MS = 200;

export interface DeviceInventoryOptions {
  /** The pool the devices are published in (the node name). */
  poolName: string;
  discover: (signal?: AbortSignal) => Promise<DiscoveryResult>;
  /** <sysfs>/class/net; unset: no watch. */
  watchDir?: string;
  rescanIntervalMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** Called with the new device list after each change (the ResourceSlice publisher). */
  onChange?: (devices: readonly DiscoveredDevice[]) => void;
}

/** The structural view Prepare and recovery use (null fields left out). */
export function toNodeDevice(device: DiscoveredDevice): NodeDevice {
  const node: NodeDevice = { name: device.name, kind: device.kind, resourceName: device.resourceName };
  if (device.pciAddress !== null) node.pciAddress = device.pciAddress;
  if (device.ifName !== null) node.ifName = device.ifName;
  if (device.pfName !== null) node.pfName = device.pfName;
  if (device.vfIndex !== null) node.vfIndex = device.vfIndex;
  if (device.driver !== null) node.driver = device.driver;
  if (device.iommuGroup !== null) node.iommuGroup = device.iommuGroup;
  node.attributes = device.attributes;
  return node;
}

/** The ResourceSlice entry of a device. */
export function toSliceDevice(device: DiscoveredDevice): Device {
  return { name: device.name, attributes: device.attributes };
}

export class DeviceInventory implements NodeDeviceSource {
  private readonly options: DeviceInventoryOptions;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private discovered: DiscoveredDevice[] = [];
  private byKey = new Map<string, NodeDevice>();
  private fingerprint = "";
  private problems = "";
  private running: Promise<ReadonlyMap<string, NodeDevice>> | undefined;
  private again: Promise<ReadonlyMap<string, NodeDevice>> | undefined;
  private readonly listeners = new Set<() => void>();
  private watcher: FSWatcher | undefined;
  private timer: TimerHandle | undefined;
  private debounce: TimerHandle | undefined;
  /** Discovery runs so far. */
  scans = 0;

  constructor(options: DeviceInventoryOptions) {
    this.options = options;
    this.clock = options.clock ?? realClock;
    this.logger = (options.logger ?? silentLogger()).child({ component: "devices" });
  }

  /** Watches for netdev changes and rescans periodically; the first scan is the caller's rescan(). */
  start(signal?: AbortSignal): void {
    const dir = this.options.watchDir;
    if (dir !== undefined) {
      try {
        this.watcher = watch(dir, () => this.soon());
        this.watcher.on("error", () => undefined);
      } catch (err) {
        this.logger.warn(
          { dir, err: errorMessage(err) },
          "cannot watch for netdev changes; periodic rescans only",
        );
      }
    }
    const interval = this.options.rescanIntervalMs ?? RESCAN_INTERVAL_MS;
    if (interval > 0) this.timer = this.clock.setInterval(() => void this.rescanQuietly(), interval);
    signal?.addEventListener("abort", () => void this.stop(), { once: true });
  }

  async stop(): Promise<void> {
    this.watcher?.close();
    this.watcher = undefined;
    this.timer?.cancel();
    this.debounce?.cancel();
    await this.running?.catch(() => undefined);
  }

  devices(): ReadonlyMap<string, NodeDevice> {
    return this.byKey;
  }

  /** The devices as discovery reported them, sorted by name. */
  list(): readonly DiscoveredDevice[] {
    return this.discovered;
  }

  /** Every published device, healthy: discovery reports only devices it can use. */
  healthDevices(): HealthDevice[] {
    return this.discovered.map((d) => ({
      poolName: this.options.poolName,
      deviceName: d.name,
      health: "HEALTHY",
    }));
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** DeviceHealthSource's view. */
  get health(): DeviceHealthSource {
    return { devices: () => this.healthDevices(), subscribe: (l) => this.subscribe(l) };
  }

  /** Discovers now (or right after the run in progress); resolves with the devices found. */
  rescan(signal?: AbortSignal): Promise<ReadonlyMap<string, NodeDevice>> {
    if (this.running === undefined) {
      this.running = this.scan(signal).finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.again ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.again = undefined;
        return this.rescan(signal);
      });
    return this.again;
  }

  private soon(): void {
    this.debounce?.cancel();
    this.debounce = this.clock.setTimeout(() => void this.rescanQuietly(), WATCH_DEBOUNCE_MS);
  }

  private async rescanQuietly(): Promise<void> {
    try {
      await this.rescan();
    } catch (err) {
      this.logger.warn(
        { err: errorMessage(err) },
        "device discovery failed; keeping the devices found before",
      );
    }
  }

  private async scan(signal?: AbortSignal): Promise<ReadonlyMap<string, NodeDevice>> {
    const result = await this.options.discover(signal);
    this.scans++;
    const problems = JSON.stringify(result.problems);
    if (problems !== this.problems && result.problems.length > 0) {
      this.logger.warn({ problems: result.problems }, "device discovery found problems");
    }
    this.problems = problems;
    const fingerprint = JSON.stringify(result.devices);
    if (fingerprint === this.fingerprint) return this.byKey;
    this.fingerprint = fingerprint;
    this.discovered = result.devices;
    this.byKey = new Map(
      result.devices.map((d) => [deviceKey(this.options.poolName, d.name), toNodeDevice(d)]),
    );
    this.logger.info({ devices: result.devices.map((d) => d.name) }, "devices changed");
    this.options.onChange?.(this.discovered);
    for (const listener of this.listeners) listener();
    return this.byKey;
  }
}
