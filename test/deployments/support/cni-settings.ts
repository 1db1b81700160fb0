// The CNI side's settings for a DaemonSet's install-cni container, derived the way a node gets them:
// install-cni's resolved settings (containers.ts) → its installer options (src/cni/install/main.ts) →
// the CNI config it writes around a node's master config (render-config.ts) → that config parsed by the
// plugin (src/api/netconf.ts) → the settings `netclaim explain pod` applies (src/explain/snapshot.ts).
//
// Public API: `SAMPLE_MASTER`, `renderedCniConfig`, `cniSettingsOf`.
import type { IContainer } from "kubernetes-models/v1/Container";
import { parseNetConf } from "../../../src/api/netconf.ts";
import type { InstallCniConfig } from "../../../src/cni/install/flags.ts";
import { installerOptionsFrom } from "../../../src/cni/install/main.ts";
import { renderNetclaimConfig } from "../../../src/cni/install/render-config.ts";
import type { RenderedConfig } from "../../../src/cni/install/render-config.ts";
import { silentLogger } from "../../../src/common/logger.ts";
import { settingsFrom } from "../../../src/explain/snapshot.ts";
import type { ExplainSettings } from "../../../src/explain/snapshot.ts";
import { resolveContainer } from "./containers.ts";

/** A node's default network, as install-cni would find it in the conf dir. */
export const SAMPLE_MASTER = {
  path: "/etc/cni/net.d/10-cluster.conflist",
  text: JSON.stringify({
    cniVersion: "1.0.0",
    name: "cluster",
    plugins: [{ type: "bridge", bridge: "cni0" }],
  }),
};

/** The CNI config install-cni writes on a node with SAMPLE_MASTER. */
export function renderedCniConfig(installCni: IContainer): RenderedConfig {
  const resolved = resolveContainer(installCni);
  if (!resolved.ok) throw new Error(`install-cni: ${resolved.problems.join("; ")}`);
  const config = resolved.config as unknown as InstallCniConfig;
  const options = installerOptionsFrom(config, resolved.env, silentLogger());
  return renderNetclaimConfig({
    ...options.config,
    masterPath: SAMPLE_MASTER.path,
    masterText: SAMPLE_MASTER.text,
    kubeconfig: options.kubeconfigPath,
    readinessIndicatorFile: options.readinessIndicatorFile,
  });
}

/** What `netclaim explain pod` applies for pods of a node with that config. */
export function cniSettingsOf(installCni: IContainer, driverName: string): ExplainSettings {
  return settingsFrom(driverName, parseNetConf(renderedCniConfig(installCni).pluginConfig), "install-cni");
}
