// The node daemon's composition: the kubelet plugin process also hosts the CNI server of the meta-plugin
// (DESIGN.md), on --cni-socket. The two parts never import each other; this module, which the CLI
// loads for `netclaim kubelet-plugin`, is the one place that knows both: it hands the plugin's API client,
// node name and logger to a CniServer and lets the plugin start and stop it as a companion.
//
// Public API: `cniServerCompanion`, `nodeDaemonCommand`.
import type { Command } from "commander";
import type { CompanionFactory } from "../kubelet-plugin/main.ts";

/** The CNI server as a companion of the kubelet plugin; its modules load only when it starts. */
export const cniServerCompanion: CompanionFactory = async (context) => {
  const { CniServer } = await import("../cni/server/cni-server.ts");
  const server = new CniServer({
    socketPath: context.config.cniSocket,
    nodeName: context.config.nodeName,
    kube: context.kube,
    logger: context.logger.child({ component: "cni-server" }),
    env: context.env,
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
