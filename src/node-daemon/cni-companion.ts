// The node daemon's composition: the kubelet plugin process also hosts the CNI server of the meta-plugin
// (DESIGN.md), on --cni-socket. The two parts never import each other; this module, which the CLI
// loads for `netclaim kubelet-plugin`, is the one place that knows both: it hands the plugin's API client,
// node name, logger and its own device state (driver name, checkpoint file in --state-dir, the kubelet's
// PodResources socket, --device-info-dir) to a CniServer, so that a NAD's resourceName finds the device
// the pod's claim got, and lets the plugin start and stop it as a companion; the server's readiness (its
// informers synced) joins the plugin's /readyz.
//
// Public API: `cniServerCompanion`, `nodeDaemonCommand`.
import type { Command } from "commander";
import type { CompanionFactory } from "../kubelet-plugin/main.ts";

/** The CNI server as a companion of the kubelet plugin; its modules load only when it starts. */
export const cniServerCompanion: CompanionFactory = async (context) => {
  if (!context.config.cniServer) {
    context.logger.info({}, "CNI server off (--cni-server=false): another meta-plugin serves the node");
    return { name: "cni-server", start: () => Promise.resolve(), stop: () => Promise.resolve() };
  }
  const [{ CniServer }, { checkpointFilePath }] = await Promise.all([
    import("../cni/server/cni-server.ts"),
    import("../api/checkpoint-file.ts"),
  ]);
  const { config } = context;
  const server = new CniServer({
    socketPath: config.cniSocket,
    nodeName: config.nodeName,
    kube: context.kube,
    logger: context.logger.child({ component: "cni-server" }),
    env: context.env,
    correlation: {
      driverName: config.driverName,
      podResourcesSocket: config.podResourcesSocket,
      checkpointPath: checkpointFilePath(config.stateDir),
      checkpoint: () => context.plugin.checkpoint,
      deviceInfoDir: config.deviceInfoDir,
    },
  });
  context.plugin.addReadinessCheck("cni-server", () => {
    const r = server.readiness();
    return r.ready ? { ok: true } : { ok: false, detail: r.reason };
  });
  return {
    name: "cni-server",
    start: (signal) => server.start(signal),
    stop: () => server.stop(),
  };
};

/** `netclaim kubelet-plugin` with the CNI server. */
export async function nodeDaemonCommand(env: NodeJS.ProcessEnv = process.env): Promise<Command> {
  const { kubeletPluginCommand } = await import("../kubelet-plugin/main.ts");
  return kubeletPluginCommand(env, [cniServerCompanion]);
}
