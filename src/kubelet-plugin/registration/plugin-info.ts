// What the registration service answers (pure): the kubelet's PluginInfo for a DRA plugin, and how
// a NotifyRegistrationStatus call is recorded.
import { isAbsolute } from "node:path";
import {
  DRA_HEALTH_SERVICE_V1ALPHA1,
  DRA_PLUGIN_TYPE,
  DRA_SERVICE_V1,
  DRA_SERVICE_V1BETA1,
} from "../../k8s/kubelet-grpc.ts";
import type { PluginInfo } from "../../generated/pluginregistration-v1/pluginregistration/PluginInfo.ts";

export interface PluginInfoInput {
  driverName: string;
  /** Absolute path of the DRA service socket. */
  endpoint: string;
  /** The optional DRAResourceHealth service is served on the endpoint too. */
  resourceHealth: boolean;
}

/**
 * GetInfo's answer: type "DRAPlugin", the driver name (what ResourceSlices and allocation results
 * say), the absolute endpoint, and the gRPC services in the order the kubelet should prefer them.
 */
export function buildPluginInfo(input: PluginInfoInput): Required<PluginInfo> {
  if (input.driverName === "") throw new Error("plugin info: empty driver name");
  if (!isAbsolute(input.endpoint)) {
    throw new Error(`plugin info: endpoint ${input.endpoint} is not an absolute path`);
  }
  const versions = [DRA_SERVICE_V1, DRA_SERVICE_V1BETA1];
  if (input.resourceHealth) versions.push(DRA_HEALTH_SERVICE_V1ALPHA1);
  return {
    type: DRA_PLUGIN_TYPE,
    name: input.driverName,
    endpoint: input.endpoint,
    supported_versions: versions,
  };
}

/** The kubelet's last word on the registration. */
export type RegistrationState =
  | { status: "unknown" }
  | { status: "registered"; atMs: number }
  | { status: "failed"; error: string; atMs: number };

/** The state after a NotifyRegistrationStatus call. */
export function registrationStateFrom(
  notification: { plugin_registered: boolean; error: string },
  atMs: number,
): Exclude<RegistrationState, { status: "unknown" }> {
  if (notification.plugin_registered) return { status: "registered", atMs };
  const error = notification.error === "" ? "(the kubelet gave no reason)" : notification.error;
  return { status: "failed", error, atMs };
}
