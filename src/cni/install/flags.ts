// The flags of `netclaim install-cni` (each also from env NETCLAIM_<FLAG>), named after Multus's thin
// entrypoint where there is one: --cni-bin-dir, --cni-conf-dir, --cni-version, --override-network-name,
// --cleanup-config-on-exit, --readiness-indicator-file, --namespace-isolation, --global-namespaces;
// Multus's --multus-master-cni-file-name is --master-cni-file, --multus-kubeconfig-file-host is
// --kubeconfig-path, --multus-log-* are --cni-log-*, --additional-bin-dir is --delegate-bin-dir,
// --skip-multus-binary-copy is --install-shim=false. Paths of the host are host paths, reached under
// --host-root.
//
// Public API: `INSTALL_CNI_FLAGS`, `InstallCniConfig`.
import { z } from "zod";
import { mapLogLevel } from "../../api/netconf.ts";
import { defineFlags } from "../../common/config.ts";
import type { ConfigOf } from "../../common/config.ts";
import { zBoolean, zDuration, zPath } from "../../common/config-schemas.ts";
import { logLevelSchema } from "../../common/logger.ts";
import { SERVICE_ACCOUNT_DIR } from "../standalone/kube-access.ts";
import { isSupportedVersion } from "../protocol/version.ts";
import { isOwnConfigName } from "./master-selection.ts";
import { VERIFY_MODES } from "./verify-shim.ts";

const hostPath = (): z.ZodType<string> => zPath({ absolute: true });

export const INSTALL_CNI_FLAGS = defineFlags({
  "host-root": {
    schema: hostPath(),
    description: "the host's root file system as the installer sees it; host paths are reached under it",
    default: "/",
    valueName: "dir",
  },
  "cni-bin-dir": {
    schema: hostPath(),
    description: "host CNI bin dir: where the netclaim plugin (launcher, Node runtime, bundle) goes",
    default: "/opt/cni/bin",
    valueName: "dir",
  },
  "cni-conf-dir": {
    schema: hostPath(),
    description: "host CNI conf dir: where the master is found and netclaim's config is written",
    default: "/etc/cni/net.d",
    valueName: "dir",
  },
  "master-cni-file": {
    schema: z
      .string()
      .refine((s) => s !== "" && !s.includes("/"), "expected a file name in the conf dir")
      .refine((s) => !isOwnConfigName(s), "cannot be netclaim's own config")
      .optional(),
    description:
      "the conf dir's file to wrap as clusterNetwork; unset: the alphabetically first other config",
    valueName: "name",
  },
  "cni-version": {
    schema: z.string().refine(isSupportedVersion, "expected a CNI spec version netclaim supports").optional(),
    description: "required cniVersion (the master's must match); unset: the master's",
    valueName: "version",
  },
  "override-network-name": {
    schema: zBoolean(),
    description: "name netclaim's network after the master's instead of netclaim-cni-network",
    default: "false",
    boolean: true,
  },
  "kubeconfig-path": {
    schema: hostPath().optional(),
    description: "host path of the plugin's kubeconfig; unset: <cni-conf-dir>/netclaim.d/netclaim.kubeconfig",
    valueName: "path",
  },
  "write-kubeconfig": {
    schema: zBoolean(),
    description: "write the kubeconfig from the service account and refresh it on token rotation",
    default: "true",
    boolean: true,
  },
  "service-account-dir": {
    schema: zPath({ absolute: true }),
    description: "the installer pod's service account (token, ca.crt)",
    default: SERVICE_ACCOUNT_DIR,
    valueName: "dir",
  },
  "readiness-indicator-file": {
    schema: hostPath().optional(),
    description: "host file the default network creates when it is up: waited for, and put in the config",
    valueName: "path",
  },
  "readiness-timeout": {
    schema: zDuration(),
    description: "how long to wait for the readiness indicator file",
    default: "45s",
    valueName: "duration",
  },
  "master-timeout": {
    schema: zDuration(),
    description: "how long to wait for a master CNI config to appear",
    default: "2m",
    valueName: "duration",
  },
  watch: {
    schema: zBoolean(),
    description: "keep running: follow master changes and token rotation until SIGTERM",
    default: "false",
    boolean: true,
  },
  "cleanup-config-on-exit": {
    schema: zBoolean(),
    description: "remove netclaim's config on SIGTERM (implies --watch)",
    default: "false",
    boolean: true,
  },
  "check-interval": {
    schema: zDuration(),
    description: "period of the watch loop's checks (changes seen by fs.watch are handled at once)",
    default: "1s",
    valueName: "duration",
  },
  "host-netns-dir": {
    schema: z.union([z.literal("auto"), hostPath()]),
    description: "host netns directory to check (and create); auto: /run/netns, else /var/run/netns",
    default: "auto",
    valueName: "dir",
  },
  "install-shim": {
    schema: zBoolean(),
    description: "install the plugin into the CNI bin dir",
    default: "true",
    boolean: true,
  },
  "shim-bundle-dir": {
    schema: zPath({ absolute: true }).optional(),
    description: "the built bundle (npm run build:shim); unset: dist/shim of this installation",
    valueName: "dir",
  },
  "reference-cni-plugins-dir": {
    schema: zPath({ absolute: true }).optional(),
    description:
      "a dir of reference CNI plugins (the image's /opt/netclaim/cni-plugins) to copy into the CNI bin dir where the host lacks them; never replaces one",
    valueName: "dir",
  },
  "node-binary": {
    schema: zPath({ absolute: true }).optional(),
    description: "the Node runtime to install; unset: the one running the installer",
    valueName: "path",
  },
  "compile-cache": {
    schema: zBoolean(),
    description: "give the plugin a root-only Node compile cache (faster starts)",
    default: "true",
    boolean: true,
  },
  "verify-shim": {
    schema: z.enum(VERIFY_MODES),
    description:
      "run the installed plugin's VERSION before writing the config: chroot (into --host-root), direct, off; auto: chroot unless --host-root is /",
    default: "auto",
    valueName: "mode",
  },
  "daemon-socket": {
    schema: hostPath().optional(),
    description: "the CNI server's socket (thick mode), put in the config as daemonSocket",
    valueName: "path",
  },
  "device-info-dir": {
    schema: hostPath().optional(),
    description:
      "the kubelet plugin's --device-info-dir, put in the config as deviceInfoDir (the shim's DEL without the server removes device-info files there); unset: the default",
    valueName: "dir",
  },
  "state-dir": {
    schema: hostPath().optional(),
    description:
      "the kubelet plugin's --state-dir, put in the config as stateDir (standalone correlation); unset: the default",
    valueName: "dir",
  },
  "cni-log-level": {
    schema: z
      .string()
      .refine((s) => mapLogLevel(s) !== undefined, "expected debug, verbose, error or panic")
      .optional(),
    description: "the plugin's logLevel (Multus's levels, or netclaim's)",
    valueName: "level",
  },
  "cni-log-file": { schema: hostPath().optional(), description: "the plugin's logFile", valueName: "path" },
  "cni-log-to-stderr": {
    schema: zBoolean().optional(),
    description: "the plugin's logToStderr; unset: the plugin's default (true)",
    valueName: "bool",
  },
  "namespace-isolation": {
    schema: zBoolean(),
    description: "namespaceIsolation: pods use NADs of their own namespace (and the global ones)",
    default: "false",
    boolean: true,
  },
  "global-namespaces": {
    schema: z.string().optional(),
    description: "globalNamespaces, comma-separated (with --namespace-isolation)",
    valueName: "list",
  },
  "cni-cache-dir": { schema: hostPath().optional(), description: "the plugin's cniDir", valueName: "dir" },
  "delegate-bin-dir": {
    schema: hostPath().optional(),
    description: "the plugin's binDir: searched for delegates before CNI_PATH",
    valueName: "dirs",
  },
  "log-level": {
    schema: logLevelSchema,
    description: "the installer's log level",
    default: "info",
    valueName: "level",
  },
});

export type InstallCniConfig = ConfigOf<typeof INSTALL_CNI_FLAGS>;
