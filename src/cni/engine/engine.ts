// The CNI engine: one entry, `handle(request, netconf, signal)`, that runs a parsed CNI invocation
// (ADD, DEL, CHECK, GC, STATUS, VERSION) against the world given to the constructor and answers with the
// reply to print (stdout text + exit code). It never throws: every failure becomes a CNI error reply
// (`{cniVersion, code, msg, details}`) whose message names the pod, the network and the cause.
//
// The engine is the same for the standalone plugin (src/cni/standalone: API reads per call) and the
// daemon (later: informer caches); only the ports differ (ports.ts). The work per command lives in
// cmd-*.ts; the decisions are pure (plan-attachments.ts, resolve-networks.ts decides what to fetch).
//
// Public API: `CniEngine`, `CniEngineOptions`, `ExecutorFactory`, `AttachmentCacheStore`,
// `PodLookupOptions`, `DEFAULT_POD_LOOKUP`, `DEFAULT_READINESS_TIMEOUT_MS`.
import type { NetConf } from "../../api/netconf.ts";
import { emptyReply, errorReply, versionReply } from "../protocol/output.ts";
import type { CniReply } from "../protocol/output.ts";
import type { CniRequest } from "../protocol/skel.ts";
import { runAdd } from "./cmd-add.ts";
import { runCheck } from "./cmd-check.ts";
import { runDel } from "./cmd-del.ts";
import { runGc } from "./cmd-gc.ts";
import { runStatus } from "./cmd-status.ts";
import type { EngineContext } from "./context.ts";
import type { CniEngineOptions } from "./engine-options.ts";

export { DEFAULT_POD_LOOKUP, DEFAULT_READINESS_TIMEOUT_MS } from "./engine-options.ts";
export type {
  AttachmentCacheStore,
  CniEngineOptions,
  ExecutorFactory,
  PodLookupOptions,
} from "./engine-options.ts";

export class CniEngine {
  private readonly options: CniEngineOptions;

  constructor(options: CniEngineOptions) {
    this.options = options;
  }

  /** Runs one invocation; resolves with the reply to print, never rejects. */
  async handle(request: CniRequest, netconf: NetConf, signal?: AbortSignal): Promise<CniReply> {
    if (request.command === "VERSION") return versionReply();
    const ctx: EngineContext = { ...this.options, netconf, signal };
    try {
      switch (request.command) {
        case "ADD":
          return await runAdd(ctx, request);
        case "DEL":
          await runDel(ctx, request);
          return emptyReply();
        case "CHECK":
          await runCheck(ctx, request);
          return emptyReply();
        case "GC":
          await runGc(ctx, request);
          return emptyReply();
        case "STATUS":
          await runStatus(ctx, request);
          return emptyReply();
      }
    } catch (err) {
      // STATUS is polled by runtimes: "not ready" is an answer, not an incident.
      const level = request.command === "STATUS" ? "info" : "error";
      ctx.logger[level]({ command: request.command, err }, "CNI command failed");
      return errorReply(err, request.cniVersion);
    }
  }
}
