// v1alpha1.DRAResourceHealth/NodeWatchResources (KEP-4680): a server stream that carries the complete
// list of the driver's devices with their health, sent at once, after every change of the list, and
// again before the kubelet's per-device timeout (30 s by default) would turn them Unknown.
import type * as grpc from "@grpc/grpc-js";
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import type { DRAResourceHealthHandlers } from "../../generated/dra-health-v1alpha1/v1alpha1/DRAResourceHealth.ts";
import type { DeviceHealth } from "../../generated/dra-health-v1alpha1/v1alpha1/DeviceHealth.ts";
import type { NodeWatchResourcesResponse } from "../../generated/dra-health-v1alpha1/v1alpha1/NodeWatchResourcesResponse.ts";
import type { DeviceHealthSource, HealthDevice } from "./ports.ts";

/** Resend period: a third of the kubelet's default 30 s device health timeout. */
export const HEALTH_RESEND_INTERVAL_MS = 10_000;
/** The kubelet keeps at most this much of a message (1021 characters and "..."). */
export const HEALTH_MESSAGE_MAX_CHARS = 1024;

/** The stream message for a device list at `nowMs` (pure). */
export function healthResponse(devices: readonly HealthDevice[], nowMs: number): NodeWatchResourcesResponse {
  const seconds = Math.floor(nowMs / 1000);
  return {
    devices: devices.map((d): DeviceHealth => {
      const entry: DeviceHealth = {
        device: { pool_name: d.poolName, device_name: d.deviceName },
        health: d.health,
        last_updated_time: seconds,
        health_check_timeout_seconds: 0,
      };
      if (d.message !== undefined) entry.message = truncate(d.message);
      return entry;
    }),
  };
}

function truncate(message: string): string {
  if (message.length <= HEALTH_MESSAGE_MAX_CHARS) return message;
  return `${message.slice(0, HEALTH_MESSAGE_MAX_CHARS - 3)}...`;
}

export interface ResourceHealthContext {
  source: DeviceHealthSource;
  /** Ends every stream when the server stops. */
  stopSignal: AbortSignal;
  clock?: Clock;
  resendIntervalMs?: number;
}

export function resourceHealthHandlers(ctx: ResourceHealthContext): DRAResourceHealthHandlers {
  const clock = ctx.clock ?? realClock;
  return {
    NodeWatchResources: (call) => {
      streamHealth(call, ctx, clock);
    },
  };
}

function streamHealth(
  call: grpc.ServerWritableStream<unknown, NodeWatchResourcesResponse>,
  ctx: ResourceHealthContext,
  clock: Clock,
): void {
  let open = true;
  const send = (): void => {
    if (open && !call.cancelled) call.write(healthResponse(ctx.source.devices(), clock.now()));
  };
  const unsubscribe = ctx.source.subscribe(send);
  const timer = clock.setInterval(send, ctx.resendIntervalMs ?? HEALTH_RESEND_INTERVAL_MS);
  const close = (): void => {
    if (!open) return;
    open = false;
    unsubscribe();
    timer.cancel();
    ctx.stopSignal.removeEventListener("abort", end);
  };
  const end = (): void => {
    const wasOpen = open;
    close();
    if (wasOpen && !call.cancelled) call.end();
  };
  call.on("cancelled", close);
  call.on("error", close);
  if (ctx.stopSignal.aborted) {
    end();
    return;
  }
  ctx.stopSignal.addEventListener("abort", end, { once: true });
  send();
}
