// `netclaim install-cni`'s work, run by the DaemonSet as an init container (one pass) or a sidecar
// (`watch`): the host's netns directory → the shim (and, if asked, the reference plugins the host lacks) in
// the CNI bin dir → the plugin's kubeconfig → wait for
// the readiness indicator file (bounded) → wait for a master config (bounded) and write netclaim's config.
// Writing the config last means the runtime sees netclaim as the node's network only once everything it
// runs is in place.
//
// With `watch`, a loop then re-checks every period and whenever the conf dir, the service account or the
// readiness file's directory changes: the kubeconfig follows token rotation, the config follows the
// master, a removed readiness file removes netclaim's config until the file is back (the Multus daemon
// removes its config and exits for its restart to wait again; here the wait happens in place). Problems
// in the loop are logged once per distinct message and retried; the last good files stay. `stop()` ends
// the loop and, with `cleanupOnExit`, removes netclaim's config (not the shim, not the kubeconfig: a
// pod being torn down still needs them for DEL).
//
// Host paths (bin dir, conf dir, readiness file, kubeconfig path, netns dir) are the host's; the
// installer reaches them under `hostRoot`.
//
// Public API: `CniInstallerOptions`, `InstallReport`, `CniInstaller`.
import { mkdir } from "node:fs/promises";
import { basename, dirname, join, posix } from "node:path";
import { removeStaleTempFiles } from "../../common/atomic-file.ts";
import type { Clock } from "../../common/clock.ts";
import { CodedError, errorMessage } from "../../common/errors.ts";
import { ProcessExec } from "../../common/exec.ts";
import type { Exec } from "../../common/exec.ts";
import type { Logger } from "../../common/logger.ts";
import { FileReadinessGate } from "../standalone/readiness.ts";
import { fsChangeWatcher } from "./change-watcher.ts";
import type { ChangeWatcher, WatchHandle } from "./change-watcher.ts";
import { removeCniConfig, syncCniConfig } from "./cni-config-file.ts";
import type { CniConfigFileOptions, ConfigSync } from "./cni-config-file.ts";
import { LAUNCHER_NAME } from "./launcher.ts";
import { syncKubeconfig } from "./kubeconfig-file.ts";
import { ensureHostNetnsDir } from "./netns-dir.ts";
import type { EnsuredNetnsDir } from "./netns-dir.ts";
import { CONF_FILE_NAME, CONFLIST_FILE_NAME } from "./render-config.ts";
import type { NetclaimConfigOptions } from "./render-config.ts";
import { installReferencePlugins } from "./reference-plugins.ts";
import type { ReferencePluginsResult } from "./reference-plugins.ts";
import { installShim } from "./shim-install.ts";
import type { ShimInstallResult } from "./shim-install.ts";
import { verifyCommand, verifyShim } from "./verify-shim.ts";
import type { VerifyMode } from "./verify-shim.ts";
import { WatchLoop } from "./watch-loop.ts";

const HOST_DIR_MODE = 0o755;

export interface CniInstallerOptions {
  hostRoot: string;
  /** Host paths. */
  binDir: string;
  confDir: string;
  masterCniFile?: string | undefined;
  /** Unset: the shim is not installed (it is there already). */
  shim?: { nodeBinary: string; bundleDir: string; compileCache: boolean; verify: VerifyMode } | undefined;
  /** Reference CNI plugins to copy where the host lacks them (reference-plugins.ts); unset: none. */
  referencePluginsDir?: string | undefined;
  /** The kubeconfig's host path, written into the config. */
  kubeconfigPath: string;
  /** Unset: the kubeconfig is not written (one is there already). */
  serviceAccountDir?: string | undefined;
  readinessIndicatorFile?: string | undefined;
  readinessTimeoutMs: number;
  masterTimeoutMs: number;
  /** "auto" or a host path. */
  hostNetnsDir: string;
  /** Passthrough fields of the generated config. */
  config: Omit<NetclaimConfigOptions, "masterPath" | "masterText" | "kubeconfig" | "readinessIndicatorFile">;
  watch: boolean;
  cleanupOnExit: boolean;
  checkIntervalMs: number;
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  logger: Logger;
  watcher?: ChangeWatcher;
  /** Runs the shim check (verify-shim.ts); default: child processes. */
  exec?: Exec;
}

export interface InstallReport {
  netns: EnsuredNetnsDir;
  shim?: ShimInstallResult;
  referencePlugins?: ReferencePluginsResult;
  kubeconfig?: "written" | "unchanged";
  config: Extract<ConfigSync, { status: "written" | "unchanged" }>;
}

export class CniInstaller {
  private readonly options: CniInstallerOptions;
  private loop: WatchLoop | undefined;
  private handles: WatchHandle[] = [];

  constructor(options: CniInstallerOptions) {
    this.options = options;
  }

  /** Where the installer reaches a host path. */
  local(hostPath: string): string {
    return join(this.options.hostRoot, hostPath);
  }

  /** Installs; with `watch`, keeps watching until `signal` aborts or stop(). */
  async start(signal?: AbortSignal): Promise<InstallReport> {
    const { logger } = this.options;
    const netns = await this.ensureNetnsDir();
    const shim = await this.installShim();
    const referencePlugins = await this.installReferencePlugins();
    const kubeconfig = await this.syncKubeconfig();
    await this.removeTempLeftovers();
    await this.waitReadiness(signal);
    const config = await this.waitAndWriteConfig(signal);
    const file = posix.join(this.options.confDir, basename(config.file));
    logger.info({ file, master: config.master, status: config.status }, "CNI config in place");
    if (this.options.watch) this.startWatching(signal);
    const report: InstallReport = { netns, config };
    if (shim !== undefined) report.shim = shim;
    if (referencePlugins !== undefined) report.referencePlugins = referencePlugins;
    if (kubeconfig !== undefined) report.kubeconfig = kubeconfig;
    return report;
  }

  /** Ends the watch loop; removes netclaim's config when asked to. */
  async stop(): Promise<void> {
    this.closeWatches();
    await this.loop?.stop();
    this.loop = undefined;
    if (!this.options.cleanupOnExit) return;
    const removed = await removeCniConfig(this.local(this.options.confDir));
    this.options.logger.info({ removed }, "CNI config removed on exit");
  }

  /** Temp files a killed installer left next to the files it writes. */
  private async removeTempLeftovers(): Promise<void> {
    const confDir = this.local(this.options.confDir);
    const targets = [CONF_FILE_NAME, CONFLIST_FILE_NAME].map((name) => join(confDir, name));
    if (this.options.serviceAccountDir !== undefined) targets.push(this.local(this.options.kubeconfigPath));
    for (const target of targets) await removeStaleTempFiles(target);
  }

  private async ensureNetnsDir(): Promise<EnsuredNetnsDir> {
    const netns = await ensureHostNetnsDir(this.options.hostRoot, this.options.hostNetnsDir);
    const { logger } = this.options;
    logger.info(
      { netnsDir: netns.dir, real: netns.real, created: netns.create, aliases: netns.aliases },
      "host netns directory",
    );
    if (netns.separate.length > 0) {
      logger.warn(
        { netnsDir: netns.dir, separate: netns.separate },
        "the host has more than one netns directory; the CNI server's pod must mount each one the runtime uses",
      );
    }
    return netns;
  }

  private async installShim(): Promise<ShimInstallResult | undefined> {
    const { shim, logger } = this.options;
    if (shim === undefined) return undefined;
    const binDir = this.local(this.options.binDir);
    await mkdir(binDir, { recursive: true, mode: HOST_DIR_MODE }); // an existing one is left as it is
    await removeStaleTempFiles(join(binDir, LAUNCHER_NAME));
    const { verify, ...install } = shim;
    const result = await installShim({ binDir, logger, ...install });
    const launcher = posix.join(this.options.binDir, LAUNCHER_NAME);
    const command = verifyCommand(verify, this.options.hostRoot, launcher, result.launcher);
    if (command !== undefined) await verifyShim(this.options.exec ?? new ProcessExec(), command);
    logger.info(
      {
        launcher,
        bundleId: result.bundleId,
        written: result.written.length,
      },
      "CNI plugin installed",
    );
    return result;
  }

  private async installReferencePlugins(): Promise<ReferencePluginsResult | undefined> {
    const source = this.options.referencePluginsDir;
    if (source === undefined) return undefined;
    const binDir = this.local(this.options.binDir);
    await mkdir(binDir, { recursive: true, mode: HOST_DIR_MODE });
    const result = await installReferencePlugins(source, binDir);
    this.options.logger.info(
      { binDir: this.options.binDir, copied: result.copied, present: result.present.length },
      "reference CNI plugins in place",
    );
    return result;
  }

  private async syncKubeconfig(): Promise<"written" | "unchanged" | undefined> {
    const { serviceAccountDir, env, kubeconfigPath, logger } = this.options;
    if (serviceAccountDir === undefined) return undefined;
    const target = this.local(kubeconfigPath);
    const status = await syncKubeconfig({ serviceAccountDir, env, target });
    if (status === "written")
      logger.info({ kubeconfig: kubeconfigPath }, "kubeconfig written from the service account");
    return status;
  }

  private async waitReadiness(signal?: AbortSignal): Promise<void> {
    const file = this.options.readinessIndicatorFile;
    if (file === undefined) return;
    const gate = new FileReadinessGate({ clock: this.options.clock });
    if (await gate.isReady(this.local(file))) return;
    this.options.logger.info(
      { file, timeoutMs: this.options.readinessTimeoutMs },
      "waiting for the readiness indicator file",
    );
    await gate.waitReady(this.local(file), this.options.readinessTimeoutMs, signal);
  }

  configFileOptions(): CniConfigFileOptions {
    const { confDir, masterCniFile, config, kubeconfigPath, readinessIndicatorFile } = this.options;
    return {
      confDir: this.local(confDir),
      hostConfDir: confDir,
      masterName: masterCniFile,
      render: { ...config, kubeconfig: kubeconfigPath, readinessIndicatorFile },
    };
  }

  private async waitAndWriteConfig(signal?: AbortSignal): Promise<InstallReport["config"]> {
    const { clock, masterTimeoutMs, checkIntervalMs, logger } = this.options;
    const deadline = clock.now() + masterTimeoutMs;
    let logged = "";
    for (;;) {
      signal?.throwIfAborted();
      let problem: string;
      try {
        const sync = await syncCniConfig(this.configFileOptions());
        if (sync.status !== "no-master") {
          this.warnIfShadowed(sync);
          return sync;
        }
        problem = sync.reason;
      } catch (err) {
        if (!(err instanceof CodedError) || err.code !== "INVALID_MASTER") throw err;
        problem = errorMessage(err);
      }
      if (clock.now() >= deadline) {
        throw new CodedError(
          "TIMEOUT",
          `no usable master CNI config in ${this.options.confDir} within ${masterTimeoutMs}ms: ${problem}`,
        );
      }
      if (problem !== logged) logger.info({ problem }, "waiting for the master CNI config");
      logged = problem;
      await clock.sleep(Math.min(checkIntervalMs, Math.max(1, deadline - clock.now())), signal);
    }
  }

  private warnIfShadowed(sync: InstallReport["config"]): void {
    if (sync.shadowedBy.length === 0) return;
    this.options.logger.warn(
      { file: sync.file, sortsBefore: sync.shadowedBy },
      "config files sort before netclaim's: the runtime uses the first, so it will not call netclaim",
    );
  }

  private startWatching(signal?: AbortSignal): void {
    const { options } = this;
    const loop = new WatchLoop({
      clock: options.clock,
      intervalMs: options.checkIntervalMs,
      logger: options.logger,
      check: {
        kubeconfig: options.serviceAccountDir === undefined ? undefined : () => this.syncKubeconfig(),
        readinessFile:
          options.readinessIndicatorFile === undefined
            ? undefined
            : this.local(options.readinessIndicatorFile),
        config: () => syncCniConfig(this.configFileOptions()),
        removeConfig: () => removeCniConfig(this.local(options.confDir)),
      },
    });
    this.loop = loop;
    loop.start(signal);
    const watcher = options.watcher ?? fsChangeWatcher;
    const dirs = new Set([this.local(options.confDir)]);
    if (options.serviceAccountDir !== undefined) dirs.add(options.serviceAccountDir);
    if (options.readinessIndicatorFile !== undefined)
      dirs.add(dirname(this.local(options.readinessIndicatorFile)));
    this.handles = [...dirs].map((dir) => watcher.watch(dir, () => loop.wake()));
    signal?.addEventListener("abort", () => this.closeWatches(), { once: true });
  }

  private closeWatches(): void {
    for (const handle of this.handles) handle.close();
    this.handles = [];
  }
}
