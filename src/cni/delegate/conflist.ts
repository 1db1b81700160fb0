// ADD, CHECK and DEL of one delegate network (a single plugin or a conflist), as libcni's
// AddNetworkList / CheckNetworkList / DelNetworkList run them:
//  - ADD: plugins in order, each one's result the next one's prevResult; the last result is the
//    network's. A failure stops the chain and is thrown as it is; like libcni, nothing is undone here:
//    rolling back (DEL of this network and of those attached before it) is the caller's decision.
//  - CHECK: only for cniVersion >= 0.4.0 (else code 1), skipped when `disableCheck`; plugins in order,
//    each with the network's prevResult.
//  - DEL: plugins in reverse order; the prevResult only for cniVersion >= 0.4.0; the first failure
//    stops it (the caller keeps its cache entry so that the runtime's retry can finish the job).
import { CniError } from "../protocol/errors.ts";
import { compareVersions } from "../protocol/version.ts";
import type { AttachmentEnv, DelegateCommand, DelegateOutput, DelegateRequest } from "./delegate-types.ts";
import type { JsonObject } from "./json.ts";
import { buildPluginStdin } from "./plugin-config.ts";
import type { DelegateNetwork } from "./plugin-config.ts";
import type { RunDelegateOptions } from "./run-delegate.ts";

/** What runs one plugin: a DelegateRunner, or a fake in tests. */
export interface DelegateExecutor {
  run(request: DelegateRequest, options?: RunDelegateOptions): Promise<DelegateOutput>;
}

/** Observer of every successful plugin run (e.g. to log the plugin's stderr). */
export type PluginRunObserver = (event: {
  command: DelegateCommand;
  type: string;
  output: DelegateOutput;
}) => void;

export interface NetworkCall {
  network: DelegateNetwork;
  attachment: AttachmentEnv;
  /** Every capability arg on offer (normalised); each plugin gets those it declares. */
  runtimeConfig?: JsonObject;
  signal?: AbortSignal;
  onRun?: PluginRunObserver;
}

export interface CachedResultCall extends NetworkCall {
  /** The network's ADD result, as cached. */
  prevResult?: JsonObject;
  /** Converts the cached result to the config's version (libcni does); default: as it is. */
  convertResult?: (result: JsonObject, cniVersion: string) => JsonObject;
}

export const CHECK_MIN_VERSION = "0.4.0";
/** The first version whose DEL carries the cached prevResult. */
export const DEL_PREV_RESULT_MIN_VERSION = "0.4.0";

const VALID_NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function versionAtLeast(version: string, minimum: string): boolean {
  return compareVersions(version, minimum) >= 0;
}

async function runPlugin(
  executor: DelegateExecutor,
  call: NetworkCall,
  command: DelegateCommand,
  plugin: JsonObject,
  prevResult: JsonObject | undefined,
): Promise<DelegateOutput> {
  const stdin = buildPluginStdin({
    network: call.network,
    plugin,
    prevResult,
    runtimeConfig: call.runtimeConfig,
  });
  const type = plugin.type as string;
  const output = await executor.run(
    { command, type, stdin, attachment: call.attachment },
    { signal: call.signal },
  );
  call.onRun?.({ command, type, output });
  return output;
}

/** ADD through the network's plugins; returns the last plugin's result. */
export async function addConflist(executor: DelegateExecutor, call: NetworkCall): Promise<JsonObject> {
  if (!VALID_NETWORK_NAME.test(call.network.name)) {
    throw new CniError(
      "INVALID_NETWORK_CONFIG",
      `invalid network name ${JSON.stringify(call.network.name)}: it must start with a letter or digit, followed by letters, digits, '_', '.' or '-'`,
    );
  }
  let result: JsonObject | undefined;
  for (const plugin of call.network.plugins) {
    const { output } = await runPlugin(executor, call, "ADD", plugin, result);
    // DelegateRunner guarantees a result for ADD; a fake that gives none is a bug in the test.
    if (output === undefined) throw new Error(`plugin ${String(plugin.type)} (add) returned no result`);
    result = output;
  }
  return result as JsonObject;
}

function cachedResultFor(call: CachedResultCall): JsonObject | undefined {
  if (call.prevResult === undefined) return undefined;
  return call.convertResult?.(call.prevResult, call.network.cniVersion) ?? call.prevResult;
}

/** CHECK through the network's plugins, in order. */
export async function checkConflist(executor: DelegateExecutor, call: CachedResultCall): Promise<void> {
  const version = call.network.cniVersion;
  if (!versionAtLeast(version, CHECK_MIN_VERSION)) {
    throw new CniError("INCOMPATIBLE_VERSION", `config version does not allow CHECK`, {
      details: `network ${call.network.name} has cniVersion ${JSON.stringify(version)}, CHECK needs ${CHECK_MIN_VERSION} or later`,
    });
  }
  if (call.network.disableCheck) return;
  const prevResult = cachedResultFor(call);
  for (const plugin of call.network.plugins) await runPlugin(executor, call, "CHECK", plugin, prevResult);
}

/** DEL through the network's plugins, last first. */
export async function delConflist(executor: DelegateExecutor, call: CachedResultCall): Promise<void> {
  const prevResult = versionAtLeast(call.network.cniVersion, DEL_PREV_RESULT_MIN_VERSION)
    ? cachedResultFor(call)
    : undefined;
  for (const plugin of [...call.network.plugins].reverse()) {
    await runPlugin(executor, call, "DEL", plugin, prevResult);
  }
}
