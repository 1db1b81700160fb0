// The shim: `netclaim cni` with `daemonSocket` in its config forwards the call (CNI_* variables and stdin)
// to the CNI server on that socket and prints the server's answer unchanged. It loads only this file,
// forward.ts, the wire definitions and the CNI error/version tables: no config schemas, no engine, no
// Kubernetes client, so it starts about as fast as Node itself.
//
// When the server cannot be asked (decideShimReply, pure):
//   ADD, CHECK, GC  nobody listens on the socket: code 110, the message names the socket and the likely
//                   cause; the runtime retries the sandbox. Connected but no usable answer, or no
//                   connection within the connect timeout: code 11 (try again later).
//   DEL             nobody listens: run the DEL here, from the attachment cache only (the standalone
//                   engine without any API), so a pod can be torn down while the server is down or being
//                   upgraded. Any other failure: code 11, the runtime retries — running the DEL here while
//                   the server may still be running the same container's call would race it.
//   STATUS          not ready (code 50), with the reason.
//
// Public API: `ShimDecision`, `decideShimReply`, `ShimOptions`, `runShim`, `shimError`.
import { CNI_ERROR_CODES } from "../protocol/errors.ts";
import { CURRENT_VERSION, DEFAULT_CONFIG_VERSION, isSupportedVersion } from "../protocol/version.ts";
import { cniEnvOf } from "../server/wire.ts";
import type { CniCallReply } from "../server/wire.ts";
import type { ForwardCall, ForwardOutcome } from "./forward.ts";

export type ShimDecision = { kind: "reply"; reply: CniCallReply } | { kind: "local-del"; reason: string };

/** The error reply, in the config's version as the standalone plugin answers it. Pure. */
export function shimError(code: number, msg: string, cniVersion: unknown): CniCallReply {
  let version: string = CURRENT_VERSION;
  if (cniVersion === undefined || cniVersion === "") version = DEFAULT_CONFIG_VERSION;
  else if (isSupportedVersion(cniVersion)) version = cniVersion;
  return { stdout: JSON.stringify({ cniVersion: version, code, msg }, null, 4), exitCode: 1 };
}

export interface ShimDecisionInput {
  command: string;
  outcome: ForwardOutcome;
  socketPath: string;
  cniVersion: unknown;
}

/** What the shim answers for an outcome of forwarding. Pure. */
export function decideShimReply(input: ShimDecisionInput): ShimDecision {
  const { command, outcome, socketPath, cniVersion } = input;
  if (outcome.kind === "answered") return { kind: "reply", reply: outcome.reply };
  const server = `the netclaim CNI server at ${socketPath}`;
  if (command === "STATUS") {
    const why =
      outcome.kind === "down" ? `is not running (${outcome.reason})` : `did not answer (${outcome.reason})`;
    return {
      kind: "reply",
      reply: shimError(CNI_ERROR_CODES.PLUGIN_NOT_AVAILABLE, `not ready: ${server} ${why}`, cniVersion),
    };
  }
  if (outcome.kind === "down") {
    if (command === "DEL")
      return { kind: "local-del", reason: `${server} is not running (${outcome.reason})` };
    const msg =
      `${command}: ${server} is not reachable (${outcome.reason}): is the netclaim kubelet plugin running ` +
      "on this node? (daemonSocket in the CNI config names the socket)";
    return { kind: "reply", reply: shimError(CNI_ERROR_CODES.DAEMON_UNAVAILABLE, msg, cniVersion) };
  }
  const msg = `${command}: ${server} did not answer (${outcome.reason}); try again later`;
  return { kind: "reply", reply: shimError(CNI_ERROR_CODES.TRY_AGAIN_LATER, msg, cniVersion) };
}

export interface ShimOptions {
  env: Readonly<Record<string, string | undefined>>;
  stdin: Buffer;
  socketPath: string;
  /** The config's cniVersion as given (for error replies). */
  cniVersion: unknown;
  forward: (call: ForwardCall) => Promise<ForwardOutcome>;
  /** The DEL run here from the attachment cache, when nobody listens on the socket. */
  localDel: (reason: string) => Promise<CniCallReply>;
  signal?: AbortSignal;
}

/** One forwarded CNI call; resolves with the reply to print, never rejects (but for localDel). */
export async function runShim(options: ShimOptions): Promise<CniCallReply> {
  let config: string;
  try {
    config = new TextDecoder("utf-8", { fatal: true }).decode(options.stdin);
  } catch {
    const msg = "the network configuration on stdin is not valid UTF-8";
    return shimError(CNI_ERROR_CODES.DECODE_FAILURE, msg, undefined);
  }
  const command = options.env.CNI_COMMAND ?? "";
  const outcome = await options.forward({
    socketPath: options.socketPath,
    body: { env: cniEnvOf(options.env), config },
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const decision = decideShimReply({
    command,
    outcome,
    socketPath: options.socketPath,
    cniVersion: options.cniVersion,
  });
  return decision.kind === "reply" ? decision.reply : options.localDel(decision.reason);
}
