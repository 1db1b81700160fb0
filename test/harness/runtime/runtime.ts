// FakeRuntime: the CRI side of a container runtime, enough to drive CNI plugins the way containerd (or
// CRI-O) does, without containers: a pod sandbox is a netns (`<run prefix>-cni-<uuid>`, like containerd's
// /var/run/netns/cni-<uuid>) with lo up; its network is set up by the mini libcni with
// CNI_CONTAINERID = the 64-hex sandbox id, CNI_IFNAME = eth0, CNI_ARGS with the K8S_POD_* pairs and the
// capability args derived from the sandbox config. Plugins run inside the fake host netns.
import type { CriDnsConfig, PodSandboxConfig, RuntimeFlavor } from "./capability-args.ts";
import { capabilityArgsFor, cniArgsFor } from "./capability-args.ts";
import type { Cleanup } from "./cleanup.ts";
import type { JsonObject } from "./cni-config.ts";
import { parseNetworkConfig } from "./cni-config.ts";
import type { Exec } from "../../../src/common/exec.ts";
import type { GcAttachment, GcReport, ListCommandReport, RuntimeConf } from "./libcni.ts";
import { MiniLibcni } from "./libcni.ts";
import { newSandboxId, podNetnsName } from "./names.ts";
import type { Netns, NetnsManager } from "./netns.ts";
import { DEFAULT_PATH_ENV } from "./netns.ts";
import type { PluginRunEvent } from "./plugin-invoker.ts";
import { PluginInvoker } from "./plugin-invoker.ts";
import type { CacheEntry } from "./result-cache.ts";

export type { CriDnsConfig, PodSandboxConfig, RuntimeFlavor };

export const DEFAULT_IFNAME = "eth0";

export interface FakeRuntimeOptions {
  exec: Exec;
  /** Makes the pod netns; its directory is the pod netns directory (CNI_NETNS). */
  netns: NetnsManager;
  /** Where plugins run: the fake host. */
  hostNetns: Netns;
  /** CNI_PATH: plugin binaries are looked up here, in order. */
  binDirs: readonly string[];
  /** libcni's cache dir (results/ lives below it). */
  cacheDir: string;
  cleanup: Cleanup;
  runPrefix: string;
  flavor?: RuntimeFlavor;
  /** The runtime's own environment, inherited by plugins. Default: just PATH. */
  baseEnv?: Readonly<Record<string, string>>;
  pluginTimeoutMs?: number;
  onPluginRun?: (event: PluginRunEvent) => void;
}

export interface PodSandbox {
  readonly id: string;
  readonly config: PodSandboxConfig;
  readonly netns: Netns;
}

/** A .conf or .conflist, as JSON text or parsed. */
export type NetworkConfigInput = string | JsonObject;

export interface AttachOptions {
  /** CNI_IFNAME (default eth0). */
  ifName?: string;
}

export class FakeRuntime implements AsyncDisposable {
  readonly flavor: RuntimeFlavor;
  readonly cacheDir: string;
  private readonly options: FakeRuntimeOptions;
  private readonly libcni: MiniLibcni;
  private readonly sandboxes = new Map<string, { sandbox: PodSandbox; remove: () => Promise<void> }>();

  constructor(options: FakeRuntimeOptions) {
    this.options = options;
    this.flavor = options.flavor ?? "containerd";
    this.cacheDir = options.cacheDir;
    const invoker = new PluginInvoker({
      exec: options.exec,
      binDirs: options.binDirs,
      hostNetns: options.hostNetns,
      tools: options.netns.tools,
      baseEnv: options.baseEnv ?? { PATH: DEFAULT_PATH_ENV },
      timeoutMs: options.pluginTimeoutMs,
      onRun: options.onPluginRun,
    });
    this.libcni = new MiniLibcni({ invoker, cacheDir: options.cacheDir, binDirs: options.binDirs });
  }

  /** RunPodSandbox without the pause container: the pod's netns, with lo up. */
  async runPodSandbox(config: PodSandboxConfig): Promise<PodSandbox> {
    const netns = await this.options.netns.create(podNetnsName(this.options.runPrefix));
    const sandbox: PodSandbox = { id: newSandboxId(), config, netns };
    const remove = this.options.cleanup.add(
      `pod sandbox ${config.namespace}/${config.name} (${netns.name})`,
      () => this.destroySandbox(sandbox),
    );
    this.sandboxes.set(sandbox.id, { sandbox, remove });
    await this.options.netns.setLinkUp(netns, "lo");
    return sandbox;
  }

  /** What libcni is given for this sandbox and interface. */
  runtimeConf(sandbox: PodSandbox, ifName: string = DEFAULT_IFNAME): RuntimeConf {
    return {
      containerId: sandbox.id,
      netns: sandbox.netns.path,
      ifName,
      cniArgs: cniArgsFor(sandbox.id, sandbox.config),
      capabilityArgs: capabilityArgsFor(this.flavor, sandbox.config),
    };
  }

  /**
   * CNI ADD through the list; returns the last plugin's result. On failure, like containerd, the network
   * is torn down again (a failing rollback DEL shows up in onPluginRun) and the ADD error is thrown.
   */
  async setUpPodNetwork(
    sandbox: PodSandbox,
    netconf: NetworkConfigInput,
    options: AttachOptions = {},
  ): Promise<JsonObject> {
    const list = parseNetworkConfig(netconf);
    const rt = this.runtimeConf(sandbox, options.ifName);
    try {
      return await this.libcni.addNetworkList(list, rt);
    } catch (err) {
      await this.libcni.delNetworkList(list, rt).catch(() => undefined);
      throw err;
    }
  }

  async checkPodNetwork(
    sandbox: PodSandbox,
    netconf: NetworkConfigInput,
    options: AttachOptions = {},
  ): Promise<void> {
    await this.libcni.checkNetworkList(
      parseNetworkConfig(netconf),
      this.runtimeConf(sandbox, options.ifName),
    );
  }

  /**
   * CNI DEL, last plugin first, with the cached prevResult. Without `netconf`, every network cached for
   * this sandbox (and interface, when given) is torn down from its cached config.
   */
  async tearDownPodNetwork(
    sandbox: PodSandbox,
    netconf?: NetworkConfigInput,
    options: AttachOptions = {},
  ): Promise<void> {
    if (netconf !== undefined) {
      await this.libcni.delNetworkList(
        parseNetworkConfig(netconf),
        this.runtimeConf(sandbox, options.ifName),
      );
      return;
    }
    for (const entry of await this.libcni.cachedAttachments(sandbox.id)) {
      if (options.ifName !== undefined && entry.ifName !== options.ifName) continue;
      await this.libcni.delNetworkList(
        parseNetworkConfig(entry.config),
        this.runtimeConf(sandbox, entry.ifName),
      );
    }
  }

  /** The cached result of the last ADD (what DEL and CHECK will get as prevResult). */
  cachedResult(
    sandbox: PodSandbox,
    netconf: NetworkConfigInput,
    options: AttachOptions = {},
  ): Promise<JsonObject | undefined> {
    return this.libcni.cachedResult(parseNetworkConfig(netconf), this.runtimeConf(sandbox, options.ifName));
  }

  cachedAttachments(sandbox?: PodSandbox): Promise<CacheEntry[]> {
    return this.libcni.cachedAttachments(sandbox?.id);
  }

  /** STATUS to each plugin (cniVersion >= 1.1.0); 1.0 plugins are reported as unsupported, not thrown. */
  status(netconf: NetworkConfigInput): Promise<ListCommandReport> {
    return this.libcni.statusNetworkList(parseNetworkConfig(netconf));
  }

  /** GC: DEL for cached attachments of this network not in `validAttachments`, then GC to each plugin. */
  gc(netconf: NetworkConfigInput, validAttachments: readonly GcAttachment[]): Promise<GcReport> {
    return this.libcni.gcNetworkList(parseNetworkConfig(netconf), validAttachments);
  }

  /** Tears down what is still attached (from the cache), then removes the netns. */
  async removePodSandbox(sandbox: PodSandbox): Promise<void> {
    const tracked = this.sandboxes.get(sandbox.id);
    if (tracked === undefined) return;
    this.sandboxes.delete(sandbox.id);
    await tracked.remove();
  }

  get liveSandboxes(): PodSandbox[] {
    return [...this.sandboxes.values()].map((s) => s.sandbox);
  }

  /** Removes every sandbox this runtime still has. */
  async dispose(): Promise<void> {
    const failures: unknown[] = [];
    for (const { sandbox } of [...this.sandboxes.values()].reverse()) {
      await this.removePodSandbox(sandbox).catch((err: unknown) => failures.push(err));
    }
    if (failures.length > 0) throw new AggregateError(failures, "remove pod sandboxes");
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  private async destroySandbox(sandbox: PodSandbox): Promise<void> {
    this.sandboxes.delete(sandbox.id);
    let teardownError: unknown;
    try {
      await this.tearDownPodNetwork(sandbox);
    } catch (err) {
      teardownError = err;
    }
    await this.options.netns.delete(sandbox.netns);
    if (teardownError !== undefined) {
      throw new Error(`tear down network of pod sandbox ${sandbox.id.slice(0, 12)}`, {
        cause: teardownError,
      });
    }
  }
}
