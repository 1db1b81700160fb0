// One POST /cni of the CNI server: the forwarded CNI_* variables and stdin parsed exactly as the
// standalone plugin parses its own (protocol/skel.ts, api/netconf.ts), run by the same CniEngine with the
// server's ports, answered as the plugin would have printed it. The call waits its turn in the request
// queue (request-queue.ts); a full queue answers "try again later" (code 11, HTTP 503). A call whose shim
// went away while it waited is not run: nobody would read its answer, and the runtime sends it again.
// Settings of the config that are the plugin process's own — `kubeconfig`, `logLevel`, `logFile`,
// `logToStderr` — are the server's here: its API client, its logger.
//
// Public API: `CallHandler`, `CallHandlerOptions`, `CallAnswer`, `EngineFactory`.
import { parseNetConf } from "../../api/netconf.ts";
import type { Logger } from "../../common/logger.ts";
import type { CniEngine } from "../engine/engine.ts";
import { errorReply, replyVersionOf, versionReply } from "../protocol/output.ts";
import type { CniReply } from "../protocol/output.ts";
import { parseCniRequest } from "../protocol/skel.ts";
import type { CniRequest } from "../protocol/skel.ts";
import { laneOf, QueueFullError } from "./request-queue.ts";
import type { RequestQueue } from "./request-queue.ts";
import type { CniCallBody, CniCallReply } from "./wire.ts";

/** The engine for one call: its sandbox's pod UID and container decide the per-call ports. */
export type EngineFactory = (call: { podUid: string; containerId: string }) => Pick<CniEngine, "handle">;

export interface CallHandlerOptions {
  engineFor: EngineFactory;
  queue: Pick<RequestQueue, "run">;
  /** Told of every DEL that succeeded (the status queue drops the container's queued write). */
  onDeleted?: (containerId: string) => void;
  logger: Logger;
  /** Aborts calls still running when the server gives up waiting for them at stop. */
  signal?: AbortSignal;
}

export interface CallAnswer {
  status: number;
  reply: CniCallReply;
}

function describe(request: CniRequest): Record<string, unknown> {
  if (request.command === "VERSION" || request.command === "GC" || request.command === "STATUS") {
    return { command: request.command };
  }
  return { command: request.command, containerId: request.containerId, ifName: request.ifName };
}

export class CallHandler {
  private readonly options: CallHandlerOptions;

  constructor(options: CallHandlerOptions) {
    this.options = options;
  }

  /** Never rejects: every failure is a CNI error reply. */
  async handle(body: CniCallBody, clientGone: () => boolean): Promise<CallAnswer> {
    const command = body.env.CNI_COMMAND ?? "";
    const containerId = body.env.CNI_CONTAINERID ?? "";
    try {
      const reply = await this.options.queue.run(laneOf(command), containerId, async () => {
        if (clientGone()) {
          this.options.logger.info({ command, containerId }, "the caller went away while queued; not run");
          return errorReply(new Error("the caller went away"), replyVersionOf(body.config));
        }
        return this.run(body);
      });
      return { status: 200, reply };
    } catch (err) {
      const status = err instanceof QueueFullError ? 503 : 500;
      if (status === 503) this.options.logger.warn({ command, containerId }, "CNI call refused: queue full");
      else this.options.logger.error({ command, containerId, err }, "CNI call failed unexpectedly");
      return { status, reply: errorReply(err, replyVersionOf(body.config)) };
    }
  }

  private async run(body: CniCallBody): Promise<CniReply> {
    const started = Date.now();
    let request: CniRequest;
    try {
      request = parseCniRequest(body.env, body.config);
      if (request.command === "VERSION") return versionReply();
      const netconf = parseNetConf(request.config);
      const logger = this.options.logger;
      for (const warning of netconf.warnings)
        logger.debug({ ...describe(request), warning }, "config warning");
      const podUid = "args" in request ? (request.args.k8s.podUid ?? "") : "";
      const containerId = "containerId" in request ? request.containerId : "";
      const engine = this.options.engineFor({ podUid, containerId });
      const reply = await engine.handle(request, netconf, this.options.signal);
      if (request.command === "DEL" && reply.exitCode === 0) this.options.onDeleted?.(containerId);
      logger.debug({ ...describe(request), exitCode: reply.exitCode, ms: Date.now() - started }, "CNI call");
      return reply;
    } catch (err) {
      return errorReply(err, replyVersionOf(body.config));
    }
  }
}
