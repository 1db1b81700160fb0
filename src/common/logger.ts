// The one structured logger (pino): JSON lines with ISO time, on stderr or an append-only 0600 file, never
// on stdout (the CNI plugin's stdout carries only its result). Child loggers add `component`, `pod`,
// `claim`, `device`. Secrets under well-known keys are redacted; the rule is still "do not log secrets".
import { pino } from "pino";
import type { DestinationStream, Logger as PinoLogger } from "pino";
import { z } from "zod";

export type Logger = PinoLogger;

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const logLevelSchema = z.enum(LOG_LEVELS);

/** Keys whose values are secrets, wherever they appear in the first levels of a log object. */
const SECRET_KEYS = [
  "token",
  "bearerToken",
  "password",
  "authorization",
  "Authorization",
  "clientKey",
  "client-key-data",
  "clientKeyData",
  "privateKey",
  "apiKey",
] as const;

/** Paths redacted in every log line. Path syntax is pino's (fast-redact): one `*` matches one level. */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS.map((k) => `["${k}"]`),
  ...SECRET_KEYS.map((k) => `*["${k}"]`),
  ...SECRET_KEYS.map((k) => `*.*["${k}"]`),
  "headers.cookie",
  "*.headers.cookie",
  ...["kubeconfig.users[*].user", "users[*].user", "*.users[*].user"].flatMap((prefix) =>
    ["token", "password", "client-key-data"].map((k) => `${prefix}["${k}"]`),
  ),
];

export const REDACTED = "<redacted>";

export interface LoggerOptions {
  level?: LogLevel;
  /** stderr when absent; a file path (opened for append, created 0600); or a stream (tests). */
  destination?: string | DestinationStream;
  /** Bindings on every line, e.g. `{ component: "kubelet-plugin", node: "n1" }`. */
  base?: Record<string, unknown>;
  /** Extra redaction paths on top of REDACT_PATHS. */
  redact?: readonly string[];
}

const STDOUT_PATHS = new Set(["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]);
const LOG_FILE_MODE = 0o600;
const STDERR_FD = 2;

function openDestination(destination: LoggerOptions["destination"]): DestinationStream {
  if (destination === undefined) return pino.destination({ dest: STDERR_FD, sync: true });
  if (typeof destination !== "string") return destination;
  if (STDOUT_PATHS.has(destination)) {
    throw new Error(`log destination ${destination} is stdout, which is reserved for command results`);
  }
  // Synchronous writes: short-lived processes (the CNI plugin) must not lose lines on exit.
  return pino.destination({ dest: destination, append: true, sync: true, mode: LOG_FILE_MODE });
}

/** Creates the process logger. Throws on an invalid level or a log file that cannot be opened. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = logLevelSchema.parse(options.level ?? "info");
  const stream = openDestination(options.destination);
  return pino(
    {
      level,
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACT_PATHS, ...(options.redact ?? [])], censor: REDACTED },
    },
    stream,
  );
}

/** A logger that writes nothing: the default where a component's logger is optional. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
