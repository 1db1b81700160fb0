// How long the kubelet plugin's stop path may take at its worst, from the bounds its parts stop within
// (the sum is what terminationGracePeriodSeconds must exceed): the CNI server lets calls in flight finish
// (DEFAULT_STOP_GRACE_MS) and gives queued status writes a last attempt (drainMs), then the plugin stops:
// the DRA server's grace for calls in flight (DRA_SHUTDOWN_GRACE_MS), after which a prepare in flight may
// still be finishing a driver bind (BIND_SETTLE_TIMEOUT_MS) and an `ip` call (IP_TIMEOUT_MS) before the
// checkpoint settles.
//
// Public API: `STOP_PATH_BOUNDS_MS`, `stopPathMs`.
import { DEFAULT_STOP_GRACE_MS } from "../../../src/cni/server/cni-server.ts";
import { WRITE_QUEUE_DEFAULTS } from "../../../src/cni/server/write-queue.ts";
import { DRA_SHUTDOWN_GRACE_MS } from "../../../src/kubelet-plugin/dra-service/dra-server.ts";
import { IP_TIMEOUT_MS } from "../../../src/kubelet-plugin/prepare/device-settings.ts";
import { BIND_SETTLE_TIMEOUT_MS } from "../../../src/kubelet-plugin/prepare/driver-binder.ts";

export const STOP_PATH_BOUNDS_MS = {
  cniServerCalls: DEFAULT_STOP_GRACE_MS,
  cniServerStatusWrites: WRITE_QUEUE_DEFAULTS.drainMs,
  draServerCalls: DRA_SHUTDOWN_GRACE_MS,
  driverBind: BIND_SETTLE_TIMEOUT_MS,
  ipCall: IP_TIMEOUT_MS,
} as const;

export function stopPathMs(): number {
  return Object.values(STOP_PATH_BOUNDS_MS).reduce((a, b) => a + b, 0);
}
