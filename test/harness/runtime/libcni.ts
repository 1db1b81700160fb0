// A small libcni (containernetworking/cni libcni/api.go) over PluginInvoker: ADD through a list with
// prevResult chaining and the result cached; CHECK and DEL with the cached prevResult (cniVersion >= 0.4.0),
// DEL in reverse order; GC (stale cached attachments get a DEL, then each plugin a GC) and STATUS for
// cniVersion >= 1.1.0.
import { CNI_ERROR_CODES, CniPluginError } from "./cni-error.ts";
import type { JsonObject, NetworkConfigList } from "./cni-config.ts";
import {
  buildListCommandConfig,
  buildPluginConfig,
  pluginEnv,
  validateAttachment,
  versionAtLeast,
} from "./cni-config.ts";
import type { PluginInvoker } from "./plugin-invoker.ts";
import type { CacheEntry } from "./result-cache.ts";
import { deleteCacheEntry, listCacheEntries, readCacheEntry, writeCacheEntry } from "./result-cache.ts";

/** libcni.RuntimeConf. */
export interface RuntimeConf {
  containerId: string;
  netns: string;
  ifName: string;
  cniArgs: [string, string][];
  capabilityArgs: Record<string, unknown>;
}

export interface GcAttachment {
  containerID: string;
  ifname: string;
}

export type PluginOutcome =
  | { plugin: string; outcome: "ok" }
  /** The plugin predates CNI 1.1 (its VERSION does not list the config's version, or it says "unknown CNI_COMMAND"). */
  | { plugin: string; outcome: "unsupported"; error: CniPluginError; supportedVersions: string[] }
  | { plugin: string; outcome: "error"; error: Error };

export interface ListCommandReport {
  network: string;
  cniVersion: string;
  /** Why no plugin was asked (libcni sends GC/STATUS only for cniVersion >= 1.1.0). */
  skipped?: string;
  plugins: PluginOutcome[];
}

export interface GcReport extends ListCommandReport {
  /** Stale cached attachments that got a DEL, and what that DEL did. */
  deleted: { attachment: GcAttachment; error?: Error }[];
}

export const CHECK_MIN_VERSION = "0.4.0";
export const GC_MIN_VERSION = "1.1.0";

export class MiniLibcni {
  private readonly invoker: PluginInvoker;
  private readonly cacheDir: string;
  private readonly binDirs: readonly string[];

  constructor(options: { invoker: PluginInvoker; cacheDir: string; binDirs: readonly string[] }) {
    this.invoker = options.invoker;
    this.cacheDir = options.cacheDir;
    this.binDirs = options.binDirs;
  }

  private env(command: string, rt: RuntimeConf | undefined): Record<string, string> {
    return pluginEnv({
      command,
      containerId: rt?.containerId ?? "",
      netns: rt?.netns ?? "",
      cniArgs: rt?.cniArgs ?? [],
      ifName: rt?.ifName ?? "",
      cniPath: this.binDirs,
    });
  }

  async addNetworkList(list: NetworkConfigList, rt: RuntimeConf): Promise<JsonObject> {
    validateAttachment(rt.containerId, list.name, rt.ifName);
    let result: JsonObject | undefined;
    for (const plugin of list.plugins) {
      const type = plugin.type as string;
      const config = buildPluginConfig({
        list,
        plugin,
        prevResult: result,
        capabilityArgs: rt.capabilityArgs,
      });
      const out = await this.invoker.run({ type, command: "ADD", config, cniEnv: this.env("ADD", rt) });
      if (out === undefined) throw new Error(`plugin type="${type}" failed (add): no result on stdout`);
      // fixupResultVersion: a result without cniVersion is read as the config's version.
      result = { ...out, cniVersion: typeof out.cniVersion === "string" ? out.cniVersion : list.cniVersion };
    }
    const entry: CacheEntry = {
      containerId: rt.containerId,
      config: list.bytes,
      ifName: rt.ifName,
      networkName: list.name,
      netns: rt.netns,
      cniArgs: rt.cniArgs,
      capabilityArgs: rt.capabilityArgs,
      result,
    };
    await writeCacheEntry(this.cacheDir, entry);
    return result as JsonObject;
  }

  async cachedResult(list: NetworkConfigList, rt: RuntimeConf): Promise<JsonObject | undefined> {
    return (await readCacheEntry(this.cacheDir, list.name, rt.containerId, rt.ifName))?.result;
  }

  async checkNetworkList(list: NetworkConfigList, rt: RuntimeConf): Promise<void> {
    if (!versionAtLeast(list.cniVersion, CHECK_MIN_VERSION)) {
      throw new Error(`configuration version "${list.cniVersion}" does not support the CHECK command`);
    }
    if (list.disableCheck) return;
    const prevResult = await this.cachedResult(list, rt);
    for (const plugin of list.plugins) {
      const config = buildPluginConfig({ list, plugin, prevResult, capabilityArgs: rt.capabilityArgs });
      await this.invoker.run({
        type: plugin.type as string,
        command: "CHECK",
        config,
        cniEnv: this.env("CHECK", rt),
      });
    }
  }

  /**
   * DEL, last plugin first. Like libcni, the cache entry is removed only when a cached result was used,
   * so for cniVersion < 0.4.0 the entry stays behind.
   */
  async delNetworkList(list: NetworkConfigList, rt: RuntimeConf): Promise<void> {
    const prevResult = versionAtLeast(list.cniVersion, CHECK_MIN_VERSION)
      ? await this.cachedResult(list, rt)
      : undefined;
    for (const plugin of [...list.plugins].reverse()) {
      const config = buildPluginConfig({ list, plugin, prevResult, capabilityArgs: rt.capabilityArgs });
      await this.invoker.run({
        type: plugin.type as string,
        command: "DEL",
        config,
        cniEnv: this.env("DEL", rt),
      });
    }
    if (prevResult !== undefined) await deleteCacheEntry(this.cacheDir, list.name, rt.containerId, rt.ifName);
  }

  cachedAttachments(containerId?: string): Promise<CacheEntry[]> {
    return listCacheEntries(this.cacheDir, containerId);
  }

  async gcNetworkList(list: NetworkConfigList, validAttachments: readonly GcAttachment[]): Promise<GcReport> {
    const valid = new Set(validAttachments.map((a) => `${a.containerID}\n${a.ifname}`));
    const deleted: GcReport["deleted"] = [];
    for (const entry of await this.cachedAttachments()) {
      if (entry.networkName !== list.name || valid.has(`${entry.containerId}\n${entry.ifName}`)) continue;
      const attachment = { containerID: entry.containerId, ifname: entry.ifName };
      const rt: RuntimeConf = {
        containerId: entry.containerId,
        netns: entry.netns ?? "",
        ifName: entry.ifName,
        cniArgs: entry.cniArgs ?? [],
        capabilityArgs: entry.capabilityArgs ?? {},
      };
      try {
        await this.delNetworkList(list, rt);
        deleted.push({ attachment });
      } catch (err) {
        deleted.push({ attachment, error: err as Error });
      }
    }
    if (list.disableGC) return { ...this.skipped(list, "disableGC is set"), deleted };
    return { ...(await this.eachPlugin(list, "GC", validAttachments)), deleted };
  }

  statusNetworkList(list: NetworkConfigList): Promise<ListCommandReport> {
    return this.eachPlugin(list, "STATUS", undefined);
  }

  private skipped(list: NetworkConfigList, why: string): ListCommandReport {
    return { network: list.name, cniVersion: list.cniVersion, skipped: why, plugins: [] };
  }

  private async eachPlugin(
    list: NetworkConfigList,
    command: "GC" | "STATUS",
    validAttachments: readonly GcAttachment[] | undefined,
  ): Promise<ListCommandReport> {
    if (!versionAtLeast(list.cniVersion, GC_MIN_VERSION)) {
      return this.skipped(
        list,
        `cniVersion ${list.cniVersion} < ${GC_MIN_VERSION}: libcni sends no ${command}`,
      );
    }
    const plugins: PluginOutcome[] = [];
    for (const plugin of list.plugins) {
      const type = plugin.type as string;
      const config = buildListCommandConfig(list, plugin, validAttachments);
      try {
        await this.invoker.run({ type, command, config, cniEnv: this.env(command, undefined) });
        plugins.push({ plugin: type, outcome: "ok" });
      } catch (err) {
        plugins.push(await this.classify(type, list.cniVersion, err));
        // libcni stops STATUS at the first failing plugin.
        if (command === "STATUS") break;
      }
    }
    return { network: list.name, cniVersion: list.cniVersion, plugins };
  }

  private async classify(type: string, cniVersion: string, err: unknown): Promise<PluginOutcome> {
    if (!(err instanceof CniPluginError)) return { plugin: type, outcome: "error", error: err as Error };
    const error = err;
    const supportedVersions = await this.supportedVersions(type, cniVersion);
    const unknownCommand =
      error.code === CNI_ERROR_CODES.INVALID_ENVIRONMENT && error.msg.startsWith("unknown CNI_COMMAND");
    if (unknownCommand || !supportedVersions.includes(cniVersion)) {
      return { plugin: type, outcome: "unsupported", error, supportedVersions };
    }
    return { plugin: type, outcome: "error", error };
  }

  /** The plugin's VERSION answer (empty when it gives none). */
  async supportedVersions(type: string, cniVersion: string): Promise<string[]> {
    try {
      const out = await this.invoker.run({
        type,
        command: "VERSION",
        config: { cniVersion },
        cniEnv: this.env("VERSION", undefined),
      });
      const versions = out?.supportedVersions;
      return Array.isArray(versions) ? versions.filter((v): v is string => typeof v === "string") : [];
    } catch {
      return [];
    }
  }
}
