// `netclaim install-cni`: resolves the flags (flags.ts), logs the effective config, runs the installer
// (installer.ts) once, or with --watch (or --cleanup-config-on-exit) until SIGTERM/SIGINT, then stops it.
// Exit codes: 0 done, 1 failed, 2 invalid flags. src/cli/main.ts loads this file only for this command.
//
// Public API: `installCniCommand`, `runInstallCni`, `installerOptionsFrom`, `defaultShimBundleDir`,
// `EXIT_INVALID_CONFIG`.
import { existsSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { addFlags, requireCommandConfig } from "../../common/config-command.ts";
import { renderEffectiveConfig } from "../../common/config.ts";
import type { Env } from "../../common/config.ts";
import { realClock } from "../../common/clock.ts";
import { errorMessage } from "../../common/errors.ts";
import { createLogger } from "../../common/logger.ts";
import type { Logger } from "../../common/logger.ts";
import { INSTALL_CNI_FLAGS } from "./flags.ts";
import type { InstallCniConfig } from "./flags.ts";
import { CniInstaller } from "./installer.ts";
import type { CniInstallerOptions } from "./installer.ts";
import { BUNDLE_ENTRY } from "./launcher.ts";

export const EXIT_INVALID_CONFIG = 2;
const KUBECONFIG_RELATIVE = "netclaim.d/netclaim.kubeconfig";
const SEARCH_LEVELS = 5;

/**
 * The built bundle next to this code: the directory holding netclaim.mjs when the installer runs from the
 * bundle itself, else dist/shim of the checkout or package it runs from. Undefined when there is none.
 */
export function defaultShimBundleDir(moduleUrl: string = import.meta.url): string | undefined {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let level = 0; level < SEARCH_LEVELS; level++) {
    if (existsSync(join(dir, BUNDLE_ENTRY)) && existsSync(join(dir, "package.json"))) return dir;
    const dist = join(dir, "dist", "shim");
    if (existsSync(join(dist, BUNDLE_ENTRY))) return dist;
    dir = dirname(dir);
  }
  return undefined;
}

function shimOptions(config: InstallCniConfig): CniInstallerOptions["shim"] {
  if (!config.installShim) return undefined;
  const bundleDir = config.shimBundleDir ?? defaultShimBundleDir();
  if (bundleDir === undefined) {
    throw new Error(
      "no shim bundle found next to the installer: give --shim-bundle-dir (npm run build:shim)",
    );
  }
  return {
    nodeBinary: config.nodeBinary ?? process.execPath,
    bundleDir,
    compileCache: config.compileCache,
    verify: config.verifyShim,
  };
}

/** The installer's options from the resolved flags. */
export function installerOptionsFrom(
  config: InstallCniConfig,
  env: Env,
  logger: Logger,
): CniInstallerOptions {
  const watch = config.watch || config.cleanupConfigOnExit;
  return {
    hostRoot: config.hostRoot,
    binDir: config.cniBinDir,
    confDir: config.cniConfDir,
    masterCniFile: config.masterCniFile,
    shim: shimOptions(config),
    referencePluginsDir: config.referenceCniPluginsDir,
    kubeconfigPath: config.kubeconfigPath ?? posix.join(config.cniConfDir, KUBECONFIG_RELATIVE),
    serviceAccountDir: config.writeKubeconfig ? config.serviceAccountDir : undefined,
    readinessIndicatorFile: config.readinessIndicatorFile,
    readinessTimeoutMs: config.readinessTimeout,
    masterTimeoutMs: config.masterTimeout,
    hostNetnsDir: config.hostNetnsDir,
    config: {
      cniVersion: config.cniVersion,
      overrideNetworkName: config.overrideNetworkName,
      logLevel: config.cniLogLevel,
      logFile: config.cniLogFile,
      logToStderr: config.cniLogToStderr,
      namespaceIsolation: config.namespaceIsolation,
      globalNamespaces: config.globalNamespaces,
      cniDir: config.cniCacheDir,
      binDir: config.delegateBinDir,
      daemonSocket: config.daemonSocket,
      stateDir: config.stateDir,
      deviceInfoDir: config.deviceInfoDir,
    },
    watch,
    cleanupOnExit: config.cleanupConfigOnExit,
    checkIntervalMs: Math.max(1, config.checkInterval),
    env,
    clock: realClock,
    logger,
  };
}

/** Runs the installer; resolves with the exit code. Watching, it runs until `signal` aborts. */
export async function runInstallCni(options: CniInstallerOptions, signal: AbortSignal): Promise<number> {
  const installer = new CniInstaller(options);
  try {
    await installer.start(signal);
  } catch (err) {
    options.logger.fatal({ err: errorMessage(err) }, "install-cni failed");
    await installer.stop().catch((stopErr: unknown) => {
      options.logger.error({ err: errorMessage(stopErr) }, "install-cni: stop after the failure failed");
    });
    return 1;
  }
  if (options.watch && !signal.aborted) {
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  }
  await installer.stop();
  return 0;
}

/** The `install-cni` subcommand for src/cli/main.ts. */
export function installCniCommand(env: Env = process.env): Command {
  const command = new Command("install-cni").description(
    "installs the netclaim CNI plugin on the host and writes its CNI config (DaemonSet init or sidecar)",
  );
  addFlags(command, INSTALL_CNI_FLAGS);
  command.action(async () => {
    let config: InstallCniConfig;
    try {
      config = requireCommandConfig(command, INSTALL_CNI_FLAGS, env);
    } catch (err) {
      process.stderr.write(`netclaim install-cni: ${errorMessage(err)}\n`);
      process.exit(EXIT_INVALID_CONFIG);
    }
    const logger = createLogger({ level: config.logLevel, base: { component: "install-cni" } });
    logger.info({ config: renderEffectiveConfig(INSTALL_CNI_FLAGS, config) }, "effective configuration");
    const controller = new AbortController();
    const onSignal = (name: string) => () => {
      logger.info({ signal: name }, "stopping");
      controller.abort(new Error(`install-cni: ${name}`));
    };
    process.once("SIGTERM", onSignal("SIGTERM"));
    process.once("SIGINT", onSignal("SIGINT"));
    let code: number;
    try {
      code = await runInstallCni(installerOptionsFrom(config, env, logger), controller.signal);
    } catch (err) {
      logger.fatal({ err: errorMessage(err) }, "install-cni failed");
      code = 1;
    }
    process.exit(code);
  });
  return command;
}
