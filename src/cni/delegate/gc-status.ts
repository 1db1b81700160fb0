// CNI 1.1 GC and STATUS of one delegate network, as libcni's GCNetworkList (the plugin half) and
// GetStatusNetworkList send them: only for cniVersion >= 1.1.0, each plugin with the list's name and
// version injected, no attachment (CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS empty), GC with
// `cni.dev/valid-attachments`. GC goes on past a failing plugin; STATUS stops at the first one.
//
// Whether a plugin knows GC/STATUS is decided from its VERSION answer, never from the error it gives:
// the reference plugins v1.1.x answer an unknown GC with code 3 "missing containerID" when
// CNI_CONTAINERID is empty (and code 4 with other messages when it is set), so their error cannot tell
// "unsupported" from "failed". VERSION answers are cached per executable path and mtime.
// (Removing stale attachments, the other half of libcni's GC, works on netclaim's own cache: planGc.)
import { CURRENT_VERSION, compareVersions } from "../protocol/version.ts";
import type { DelegateExecutor } from "./conflist.ts";
import { DelegateError } from "./delegate-error.ts";
import type { AttachmentEnv, GcAttachment } from "./delegate-types.ts";
import { NO_ATTACHMENT } from "./delegate-types.ts";
import type { LocatedPlugin } from "./find-plugin.ts";
import { buildListCommandStdin } from "./plugin-config.ts";
import type { DelegateNetwork } from "./plugin-config.ts";

export const GC_MIN_VERSION = "1.1.0";

/** An executor that can also say where a plugin's executable is (DelegateRunner). */
export interface LocatingExecutor extends DelegateExecutor {
  locate(type: string): Promise<LocatedPlugin>;
}

/** libcni's GetVersionInfo sends VERSION with these placeholders for plugins built on an old skel. */
const VERSION_ATTACHMENT: AttachmentEnv = { containerID: "", netns: "dummy", ifName: "dummy", cniArgs: "" };
const PRE_VERSION_PLUGIN = ["0.1.0"];

/** What plugins answer to VERSION, cached per executable (path + mtime) for the life of this object. */
export class PluginVersions {
  private readonly executor: LocatingExecutor;
  private readonly cache = new Map<string, Promise<string[]>>();

  constructor(executor: LocatingExecutor) {
    this.executor = executor;
  }

  async supportedVersions(type: string, signal?: AbortSignal): Promise<string[]> {
    const plugin = await this.executor.locate(type);
    const key = `${plugin.path}\0${plugin.mtimeMs}`;
    let answer = this.cache.get(key);
    if (answer === undefined) {
      answer = this.ask(type, signal);
      this.cache.set(key, answer);
      void answer.catch(() => this.cache.delete(key));
    }
    return answer;
  }

  private async ask(type: string, signal: AbortSignal | undefined): Promise<string[]> {
    try {
      const { output } = await this.executor.run(
        { command: "VERSION", type, stdin: { cniVersion: CURRENT_VERSION }, attachment: VERSION_ATTACHMENT },
        { signal },
      );
      const versions = output?.supportedVersions;
      if (!Array.isArray(versions))
        throw new Error(`plugin ${type} (version): no supportedVersions in its answer`);
      return versions.filter((v): v is string => typeof v === "string");
    } catch (err) {
      // A plugin older than VERSION itself (libcni: "unknown CNI_COMMAND: VERSION" means 0.1.0 only).
      if (err instanceof DelegateError && err.pluginError?.msg === "unknown CNI_COMMAND: VERSION") {
        return PRE_VERSION_PLUGIN;
      }
      throw err;
    }
  }
}

export type PluginOutcome =
  | { type: string; outcome: "ok" }
  /** Not asked: its VERSION answer does not list the network's cniVersion. */
  | { type: string; outcome: "unsupported"; supportedVersions: string[] }
  | { type: string; outcome: "error"; error: Error };

export interface ListCommandReport {
  network: string;
  cniVersion: string;
  /** Why no plugin was asked. */
  skipped?: string;
  plugins: PluginOutcome[];
}

export interface ListCommandCall {
  network: DelegateNetwork;
  signal?: AbortSignal;
}

function skip(network: DelegateNetwork, skipped: string): ListCommandReport {
  return { network: network.name, cniVersion: network.cniVersion, skipped, plugins: [] };
}

function versionTooOld(network: DelegateNetwork, command: string): string | undefined {
  if (compareVersions(network.cniVersion, GC_MIN_VERSION) >= 0) return undefined;
  return `cniVersion ${JSON.stringify(network.cniVersion)} is older than ${GC_MIN_VERSION}: no ${command}`;
}

async function eachPlugin(
  executor: LocatingExecutor,
  versions: PluginVersions,
  call: ListCommandCall & { command: "GC" | "STATUS"; validAttachments?: readonly GcAttachment[] },
): Promise<ListCommandReport> {
  const { network, command } = call;
  const plugins: PluginOutcome[] = [];
  for (const plugin of network.plugins) {
    const type = plugin.type as string;
    try {
      const supportedVersions = await versions.supportedVersions(type, call.signal);
      if (!supportedVersions.includes(network.cniVersion)) {
        plugins.push({ type, outcome: "unsupported", supportedVersions });
        continue;
      }
      const stdin = buildListCommandStdin(network, plugin, call.validAttachments);
      await executor.run({ command, type, stdin, attachment: NO_ATTACHMENT }, { signal: call.signal });
      plugins.push({ type, outcome: "ok" });
    } catch (err) {
      plugins.push({ type, outcome: "error", error: err instanceof Error ? err : new Error(String(err)) });
      if (command === "STATUS") break;
    }
  }
  return { network: network.name, cniVersion: network.cniVersion, plugins };
}

/** GC of every plugin of the network that supports it. */
export function gcConflist(
  executor: LocatingExecutor,
  versions: PluginVersions,
  call: ListCommandCall & { validAttachments: readonly GcAttachment[] },
): Promise<ListCommandReport> {
  const tooOld = versionTooOld(call.network, "GC");
  if (tooOld !== undefined) return Promise.resolve(skip(call.network, tooOld));
  if (call.network.disableGC) return Promise.resolve(skip(call.network, "disableGC is set"));
  return eachPlugin(executor, versions, { ...call, command: "GC" });
}

/** STATUS of the network's plugins, stopping at the first that is not ready. */
export function statusConflist(
  executor: LocatingExecutor,
  versions: PluginVersions,
  call: ListCommandCall,
): Promise<ListCommandReport> {
  const tooOld = versionTooOld(call.network, "STATUS");
  if (tooOld !== undefined) return Promise.resolve(skip(call.network, tooOld));
  return eachPlugin(executor, versions, { ...call, command: "STATUS" });
}

/** The first failure of a report, if any (STATUS: the reason the network is not ready). */
export function firstFailure(report: ListCommandReport): Error | undefined {
  for (const plugin of report.plugins) if (plugin.outcome === "error") return plugin.error;
  return undefined;
}
