// The stand-in kubelet: plugin watcher + DRA client + PodResources server behind one start/stop.
// Tests run a pod through it (prepare its claims, as the kubelet does before RunPodSandbox) and then
// read PodResources over the real socket, as netclaim's CNI side does.
import { join } from "node:path";
import type { Clock } from "../../../src/common/clock.ts";
import type { AllocatableResourcesResponse } from "../../../src/generated/podresources-v1/v1/AllocatableResourcesResponse.ts";
import { KubeletDraClient } from "./dra-client.ts";
import type { DraResult, KubeletDraClientOptions } from "./dra-client.ts";
import { PluginWatcher } from "./plugin-watcher.ts";
import { PodResourcesServer } from "./pod-resources-server.ts";
import type { RegisteredPlugin, StandInPod } from "./types.ts";

/** The kubelet's directory layout under a root (/var/lib/kubelet on a node; a temp dir in tests). */
export function kubeletDirs(rootDir: string): {
  registrationDir: string;
  pluginsDir: string;
  podResourcesSocket: string;
} {
  return {
    registrationDir: join(rootDir, "plugins_registry"),
    pluginsDir: join(rootDir, "plugins"),
    podResourcesSocket: join(rootDir, "pod-resources", "kubelet.sock"),
  };
}

export interface FakeKubeletOptions {
  /** Required on purpose: a stand-in must never touch a real node's /var/lib/kubelet. */
  registrationDir: string;
  podResourcesSocket: string;
  clock?: Clock;
  /** GetInfo ping interval; 0 disables it (default 10 s, like the kubelet). */
  pingIntervalMs?: number;
  callTimeoutMs?: number;
  retry?: KubeletDraClientOptions["retry"];
}

export class FakeKubelet {
  readonly watcher: PluginWatcher;
  readonly dra: KubeletDraClient;
  readonly podResources: PodResourcesServer;
  private readonly activePods = new Map<string, StandInPod>();
  private allocatableResources: AllocatableResourcesResponse = { devices: [], cpu_ids: [], memory: [] };

  constructor(options: FakeKubeletOptions) {
    const watcherOptions = {
      registrationDir: options.registrationDir,
      ...pick(options, "clock", "pingIntervalMs"),
    };
    this.watcher = new PluginWatcher(watcherOptions);
    this.dra = new KubeletDraClient({
      plugins: this.watcher,
      ...pick(options, "clock", "callTimeoutMs", "retry"),
    });
    this.podResources = new PodResourcesServer({
      socketPath: options.podResourcesSocket,
      source: {
        pods: () => [...this.activePods.values()],
        prepared: (podUid) => this.dra.prepared(podUid),
        allocatable: () => this.allocatableResources,
      },
    });
  }

  async start(signal?: AbortSignal): Promise<void> {
    await this.watcher.start();
    await this.podResources.start();
    signal?.addEventListener("abort", () => void this.stop(), { once: true });
  }

  /** Stops both servers' sides; safe to call again or concurrently (abort + explicit stop). */
  async stop(): Promise<void> {
    await Promise.all([this.podResources.stop(), this.watcher.stop()]);
  }

  /** Resolves with the driver's plugin once it is registered. */
  async waitForPlugin(driverName: string): Promise<RegisteredPlugin> {
    await this.watcher.events.waitFor(() => this.watcher.getPlugin(driverName) !== undefined);
    const plugin = this.watcher.getPlugin(driverName);
    if (plugin === undefined) throw new Error(`DRA driver ${driverName} registered and went away again`);
    return plugin;
  }

  /** Admits a pod and prepares its claims; the pod is listed by PodResources whatever the outcome. */
  runPod(pod: StandInPod, signal?: AbortSignal): Promise<DraResult> {
    this.activePods.set(pod.uid, pod);
    return this.dra.prepareResources(pod, signal);
  }

  /** Unprepares what only this pod used and forgets the pod. */
  async removePod(podUid: string, signal?: AbortSignal): Promise<DraResult> {
    const result = await this.dra.unprepareResources(podUid, signal);
    this.activePods.delete(podUid);
    return result;
  }

  /** What GetAllocatableResources answers (device-plugin devices, CPUs, memory). */
  setAllocatable(resources: AllocatableResourcesResponse): void {
    this.allocatableResources = resources;
  }
}

function pick<T extends object, K extends keyof T>(from: T, ...keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (from[key] !== undefined) out[key] = from[key];
  return out;
}
