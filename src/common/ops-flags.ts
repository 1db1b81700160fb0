// The flags every long-running subcommand (the kubelet plugin, the controller) shares, declared once: the
// operations endpoint (ops-server.ts) and the log level.
//
// Public API: `OPS_FLAGS`.
import { defineFlags } from "./config.ts";
import { zListenAddress } from "./config-schemas.ts";
import { logLevelSchema } from "./logger.ts";

export const OPS_FLAGS = defineFlags({
  "metrics-address": {
    schema: zListenAddress().optional(),
    description: "host:port for /healthz, /readyz and /metrics; unset: not served",
    valueName: "host:port",
  },
  "log-level": {
    schema: logLevelSchema,
    description: "trace, debug, info, warn, error, fatal or silent",
    default: "info",
    valueName: "level",
  },
});
