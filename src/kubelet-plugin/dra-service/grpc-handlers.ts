// grpc-js handlers of k8s.io.kubelet.pkg.apis.dra.{v1,v1beta1}.DRAPlugin over one DraService. Both
// versions run the same code; v1beta1 answers simply lack share_id. A gRPC error is returned only for
// a malformed request (INVALID_ARGUMENT) or an unexpected failure of the service itself (INTERNAL);
// anything that goes wrong with one claim is that claim's `error`.
import * as grpc from "@grpc/grpc-js";
import { errorMessage } from "../../common/errors.ts";
import type { Logger } from "../../common/logger.ts";
import type { DRAPluginHandlers as V1Handlers } from "../../generated/dra-v1/k8s/io/kubelet/pkg/apis/dra/v1/DRAPlugin.ts";
import type { DRAPluginHandlers as V1beta1Handlers } from "../../generated/dra-v1beta1/k8s/io/kubelet/pkg/apis/dra/v1beta1/DRAPlugin.ts";
import { checkClaims, prepareResponse, unprepareResponse } from "./claims.ts";
import type { DraApiVersion, WireClaim } from "./claims.ts";
import type { DraService } from "./dra-service.ts";
import type { DraObserver } from "./ports.ts";

export interface HandlerContext {
  service: DraService;
  observer: DraObserver;
  logger: Logger;
  /** Aborts every call in flight when the server stops. */
  stopSignal: AbortSignal;
  now: () => number;
}

class MalformedRequest extends Error {}

/** Metadata key the plugin's own /healthz probe sends, so its calls stay out of the metrics. */
export const SELF_CHECK_METADATA_KEY = "netclaim-self-check";

type Run<Res> = (claims: WireClaim[], signal: AbortSignal) => Promise<Res>;

function unaryHandler<Res>(
  ctx: HandlerContext,
  names: { method: string; service: string },
  run: Run<Res>,
): grpc.handleUnaryCall<{ claims: WireClaim[] }, Res> {
  return (call, callback) => {
    const started = ctx.now();
    const controller = new AbortController();
    const abort = (): void => controller.abort(new Error(`${names.method} cancelled`));
    call.on("cancelled", abort);
    ctx.stopSignal.addEventListener("abort", abort, { once: true });
    const observed = call.metadata.get(SELF_CHECK_METADATA_KEY).length === 0;
    const finish = (code: grpc.status, err: grpc.ServiceError | null, value?: Res): void => {
      ctx.stopSignal.removeEventListener("abort", abort);
      if (observed)
        ctx.observer.callDone(names.method, names.service, grpc.status[code], ctx.now() - started);
      callback(err, value);
    };
    run(call.request.claims, controller.signal).then(
      (value) => finish(grpc.status.OK, null, value),
      (err: unknown) => {
        const code = err instanceof MalformedRequest ? grpc.status.INVALID_ARGUMENT : grpc.status.INTERNAL;
        const details = `${names.method}: ${errorMessage(err)}`;
        ctx.logger.error({ method: names.method, service: names.service, code, details }, "call failed");
        finish(code, Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() }));
      },
    );
  };
}

function checked(claims: WireClaim[]) {
  const check = checkClaims(claims);
  if (!check.ok) throw new MalformedRequest(check.error);
  return check.claims;
}

function handlersFor(ctx: HandlerContext, version: DraApiVersion, service: string) {
  return {
    NodePrepareResources: unaryHandler(
      ctx,
      { method: "NodePrepareResources", service },
      async (claims, signal) => {
        const outcomes = await ctx.service.prepareResources(checked(claims), signal);
        return { claims: prepareResponse(outcomes, version) };
      },
    ),
    NodeUnprepareResources: unaryHandler(
      ctx,
      { method: "NodeUnprepareResources", service },
      async (claims, signal) => {
        const outcomes = await ctx.service.unprepareResources(checked(claims), signal);
        return { claims: unprepareResponse(outcomes) };
      },
    ),
  };
}

export function draV1Handlers(ctx: HandlerContext): V1Handlers {
  return handlersFor(ctx, "v1", "v1.DRAPlugin");
}

export function draV1beta1Handlers(ctx: HandlerContext): V1beta1Handlers {
  return handlersFor(ctx, "v1beta1", "v1beta1.DRAPlugin");
}
