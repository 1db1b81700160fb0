// `netclaim kubelet-plugin`: the flags (DESIGN.md's contract; each also from NETCLAIM_<FLAG>, the node
// name also from NODE_NAME), the effective config logged at start, the process lifecycle: SIGTERM or
// SIGINT stops serving, removes the sockets, keeps the checkpoint and exits 0; a failed start exits 1.
// The plugin's modules load only when the command runs (src/cli/main.ts imports this file for --help).
// Companions are other servers of the same process the CLI composes in (the CNI server on --cni-socket,
// src/node-daemon): this part does not import them; it starts them after the plugin and stops them first.
import { Command } from "commander";
import { z } from "zod";
import { addFlags, requireCommandConfig } from "../common/config-command.ts";
import { OPS_FLAGS } from "../common/ops-flags.ts";
import { defineFlags, renderEffectiveConfig } from "../common/config.ts";
import type { ConfigOf, Env } from "../common/config.ts";
import { zBoolean, zPath } from "../common/config-schemas.ts";
import { errorMessage } from "../common/errors.ts";
import { createLogger } from "../common/logger.ts";
import type { Logger } from "../common/logger.ts";
import type { KubeClient } from "../k8s/client.ts";
import type { KubeletPlugin } from "./plugin.ts";
import { DEFAULT_DEVICE_INFO_DIR } from "../api/device-info.ts";
import {
  DEFAULT_KUBELET_PLUGINS_DIR,
  DEFAULT_KUBELET_REGISTRATION_DIR,
  DEFAULT_POD_RESOURCES_SOCKET,
} from "../k8s/kubelet-grpc.ts";

/** Exit code for flags that do not resolve (as commander uses for usage errors). */
export const EXIT_INVALID_CONFIG = 2;

const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const KUBELET_PLUGIN_FLAGS = defineFlags({
  "node-name": {
    schema: z.string().regex(DNS_SUBDOMAIN_RE, "expected a node name (DNS subdomain)"),
    description: "this node's name",
    envAliases: ["NODE_NAME"],
    valueName: "name",
  },
  "driver-name": {
    schema: z.string().regex(DNS_SUBDOMAIN_RE, "expected a DNS subdomain").max(63),
    description: "the DRA driver name (ResourceSlices, allocation results, CDI vendor)",
    default: "netclaim.dev",
    valueName: "name",
  },
  kubeconfig: {
    schema: z.string().optional(),
    description: "kubeconfig file; empty: in-cluster service account",
    valueName: "path",
  },
  "kubelet-registration-dir": {
    schema: zPath({ absolute: true }),
    description: "where the kubelet looks for plugin registration sockets",
    default: DEFAULT_KUBELET_REGISTRATION_DIR,
    valueName: "dir",
  },
  "kubelet-plugins-dir": {
    schema: zPath({ absolute: true }),
    description: "the kubelet's plugins dir; the DRA socket is <dir>/<driver>/dra.sock",
    default: DEFAULT_KUBELET_PLUGINS_DIR,
    valueName: "dir",
  },
  "pod-resources-socket": {
    schema: zPath({ absolute: true }),
    description: "the kubelet's PodResources socket (for the CNI server)",
    default: DEFAULT_POD_RESOURCES_SOCKET,
    valueName: "path",
  },
  "cdi-dir": {
    schema: zPath({ absolute: true }),
    description: "where claim CDI specs are written",
    default: "/var/run/cdi",
    valueName: "dir",
  },
  "state-dir": {
    schema: zPath({ absolute: true }),
    description: "where the checkpoint lives",
    default: "/var/lib/netclaim",
    valueName: "dir",
  },
  "sysfs-root": {
    schema: zPath({ absolute: true }),
    description: "sysfs mount to discover devices in and bind drivers through",
    default: "/sys",
    valueName: "dir",
  },
  "devices-config": {
    schema: zPath(),
    description: "YAML DeviceConfig: the device pools to publish",
    valueName: "path",
  },
  "device-info-dir": {
    schema: zPath({ absolute: true }),
    description: "where the CNI server writes NPWG device-info files (and device plugins wrote theirs)",
    default: DEFAULT_DEVICE_INFO_DIR,
    valueName: "dir",
  },
  "cni-socket": {
    schema: zPath({ absolute: true }),
    description: "socket of the CNI server (thick mode)",
    default: "/run/netclaim/cni.sock",
    valueName: "path",
  },
  ...OPS_FLAGS,
  "cni-server": {
    schema: zBoolean(),
    description:
      "host the CNI server on --cni-socket (netclaim as the meta-plugin); false where another meta-plugin (Multus) stays",
    default: "true",
    boolean: true,
  },
  "resource-health": {
    schema: zBoolean(),
    description: "serve and advertise v1alpha1.DRAResourceHealth",
    default: "true",
    boolean: true,
  },
  "delete-resource-slices-on-exit": {
    schema: zBoolean(),
    description: "delete this node's ResourceSlices when stopping (uninstall)",
    default: "false",
    boolean: true,
  },
});

export type KubeletPluginConfig = ConfigOf<typeof KUBELET_PLUGIN_FLAGS>;

/** What a companion gets: the flags, the process's environment and logger, the API client, the plugin. */
export interface CompanionContext {
  config: KubeletPluginConfig;
  env: Env;
  logger: Logger;
  kube: KubeClient;
  plugin: KubeletPlugin;
}

/** Another server of the kubelet-plugin process (the CNI server). */
export interface Companion {
  readonly name: string;
  start(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

export type CompanionFactory = (context: CompanionContext) => Promise<Companion>;

/** Starts the companions in order; on a failure stops those started and rethrows. */
async function startCompanions(
  factories: readonly CompanionFactory[],
  context: CompanionContext,
  signal: AbortSignal,
): Promise<Companion[]> {
  const started: Companion[] = [];
  try {
    for (const factory of factories) {
      const companion = await factory(context);
      await companion.start(signal);
      started.push(companion);
    }
    return started;
  } catch (err) {
    await stopCompanions(started, context.logger);
    throw err;
  }
}

async function stopCompanions(companions: readonly Companion[], logger: Logger): Promise<void> {
  for (const companion of [...companions].reverse()) {
    await companion.stop().catch((err: unknown) => {
      logger.error({ companion: companion.name, err: errorMessage(err) }, "stopping failed");
    });
  }
}

/** Runs the plugin (and its companions) until SIGTERM/SIGINT; resolves with the exit code. */
export async function runKubeletPlugin(
  config: KubeletPluginConfig,
  env: Env,
  logger: Logger,
  companions: readonly CompanionFactory[] = [],
): Promise<number> {
  const [{ KubeletPlugin }, { createKubeClient }, { kubeConfigSourceFromFlag }, { loadDeviceConfig }] =
    await Promise.all([
      import("./plugin.ts"),
      import("../k8s/client.ts"),
      import("../k8s/kube-config.ts"),
      import("../api/device-config.ts"),
    ]);
  const controller = new AbortController();
  const onSignal = (name: string) => () => {
    logger.info({ signal: name }, "stopping");
    controller.abort();
  };
  process.once("SIGTERM", onSignal("SIGTERM"));
  process.once("SIGINT", onSignal("SIGINT"));
  const kube = createKubeClient(kubeConfigSourceFromFlag(config.kubeconfig, env), {
    component: "kubelet-plugin",
  });
  const plugin = new KubeletPlugin({
    nodeName: config.nodeName,
    driverName: config.driverName,
    registrationDir: config.kubeletRegistrationDir,
    pluginsDir: config.kubeletPluginsDir,
    cdiDir: config.cdiDir,
    stateDir: config.stateDir,
    sysfsRoot: config.sysfsRoot,
    deviceConfig: await loadDeviceConfig(config.devicesConfig),
    kube,
    logger,
    metricsAddress: config.metricsAddress,
    resourceHealth: config.resourceHealth,
    deleteResourceSlicesOnExit: config.deleteResourceSlicesOnExit,
  });
  await plugin.start(controller.signal);
  let running: Companion[];
  try {
    running = await startCompanions(companions, { config, env, logger, kube, plugin }, controller.signal);
  } catch (err) {
    await plugin.stop();
    throw err;
  }
  // a signal that came while the plugin or its companions were starting has fired already
  if (!controller.signal.aborted) {
    await new Promise<void>((resolve) =>
      controller.signal.addEventListener("abort", () => resolve(), { once: true }),
    );
  }
  await stopCompanions(running, logger);
  await plugin.stop();
  return 0;
}

/** The `kubelet-plugin` subcommand for src/cli/main.ts, with the companions the CLI composes in. */
export function kubeletPluginCommand(
  env: Env = process.env,
  companions: readonly CompanionFactory[] = [],
): Command {
  const command = new Command("kubelet-plugin").description(
    "the DRA kubelet plugin: registers with the kubelet, publishes devices, prepares claims",
  );
  addFlags(command, KUBELET_PLUGIN_FLAGS);
  command.action(async () => {
    let config: KubeletPluginConfig;
    try {
      config = requireCommandConfig(command, KUBELET_PLUGIN_FLAGS, env);
    } catch (err) {
      process.stderr.write(`netclaim kubelet-plugin: ${errorMessage(err)}\n`);
      process.exit(EXIT_INVALID_CONFIG);
    }
    const base = { component: "kubelet-plugin", node: config.nodeName };
    const logger = createLogger({ level: config.logLevel, base });
    logger.info({ config: renderEffectiveConfig(KUBELET_PLUGIN_FLAGS, config) }, "effective configuration");
    let code: number;
    try {
      code = await runKubeletPlugin(config, env, logger, companions);
    } catch (err) {
      logger.fatal({ err: errorMessage(err) }, "kubelet plugin failed");
      code = 1;
    }
    // Exit now: a gRPC channel or an HTTP agent left open must not keep a stopped plugin alive.
    process.exit(code);
  });
  return command;
}
