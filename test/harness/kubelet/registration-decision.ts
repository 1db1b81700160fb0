// What the kubelet decides about a plugin's GetInfo answer (pure): accept it as a DRA plugin with a
// chosen service and endpoint, or reject it with the error text it sends back in
// NotifyRegistrationStatus. Mirrors kubelet's plugin manager (operation_generator.go) and DRA
// plugin manager (dra_plugin_manager.go validateSupportedServices).
import { isAbsolute } from "node:path";
import { DRA_PLUGIN_TYPE, KUBELET_DRA_SERVICES } from "../../../src/k8s/kubelet-grpc.ts";
import type { DraServiceVersion } from "../../../src/k8s/kubelet-grpc.ts";

export interface PluginInfoAnswer {
  type: string;
  name: string;
  endpoint: string;
  supported_versions: string[];
}

export type RegistrationDecision =
  | { ok: true; driverName: string; endpoint: string; service: DraServiceVersion }
  | { ok: false; error: string };

/** The first of the plugin's services (in the plugin's order) that the kubelet speaks. */
export function chooseDraService(
  supported: readonly string[],
  kubeletServices: readonly DraServiceVersion[] = KUBELET_DRA_SERVICES,
): { service: DraServiceVersion } | { error: string } {
  if (supported.length === 0)
    return { error: "empty list of supported gRPC services (aka supported versions)" };
  const service = supported.find((s): s is DraServiceVersion =>
    (kubeletServices as readonly string[]).includes(s),
  );
  if (service === undefined) {
    return {
      error:
        `none of services supported by the plugin (${JSON.stringify(supported)}) ` +
        `are supported by the kubelet (${JSON.stringify(kubeletServices)})`,
    };
  }
  return { service };
}

/**
 * Accepts or rejects a plugin found at `socketPath`. An empty endpoint means the registration socket
 * serves the DRA service too.
 */
export function decideRegistration(
  info: PluginInfoAnswer,
  socketPath: string,
  kubeletServices: readonly DraServiceVersion[] = KUBELET_DRA_SERVICES,
): RegistrationDecision {
  if (info.type !== DRA_PLUGIN_TYPE) {
    return {
      ok: false,
      error: `RegisterPlugin error -- no handler registered for plugin type: ${info.type} at socket ${socketPath}`,
    };
  }
  const endpoint = info.endpoint === "" ? socketPath : info.endpoint;
  const invalid = (why: string): RegistrationDecision => ({
    ok: false,
    error:
      "RegisterPlugin error -- plugin validation failed with err: invalid supported gRPC versions of " +
      `DRA driver plugin ${info.name} at endpoint ${endpoint}: ${why}`,
  });
  if (info.name === "")
    return { ok: false, error: `RegisterPlugin error -- empty plugin name at socket ${socketPath}` };
  if (!isAbsolute(endpoint)) {
    return {
      ok: false,
      error: `RegisterPlugin error -- endpoint ${endpoint} of plugin ${info.name} is not absolute`,
    };
  }
  const chosen = chooseDraService(info.supported_versions, kubeletServices);
  if ("error" in chosen) return invalid(chosen.error);
  return { ok: true, driverName: info.name, endpoint, service: chosen.service };
}
