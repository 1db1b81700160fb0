// The plugin's logger from the netclaim config, with Multus's settings: `logLevel` (already mapped to our
// levels by parseNetConf; Multus's default "panic" logs almost nothing), `logFile` (appended to, created
// 0600, its directory made if missing, rotated per `logOptions`), `logToStderr` (default true). Both may be
// on at once: every line then goes to both. Never stdout: that carries only the CNI result.
// A log file that cannot be opened does not fail the CNI call: one warning goes to stderr and logging
// carries on with stderr (when logToStderr) or nowhere, as Multus does.
//
// Public API: `CniLogSettings`, `createCniLogger`, `CniLoggerIo`.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { pino } from "pino";
import type { DestinationStream } from "pino";
import { createLogger, silentLogger } from "../../common/logger.ts";
import type { Logger, LogLevel } from "../../common/logger.ts";
import type { NetConf } from "../../api/netconf.ts";
import { rotateLogFile } from "./log-rotation.ts";

export type CniLogSettings = Pick<NetConf, "logLevel" | "logFile" | "logToStderr" | "logOptions">;

export interface CniLoggerIo {
  /** Where warnings about the log file itself go (stderr). */
  warn: (line: string) => void;
  nowMs: () => number;
  /** The stderr stream for log lines (default fd 2, synchronous). */
  stderr?: DestinationStream;
  /** Opens the log file (default: pino.destination, append, sync, 0600). */
  openFile?: (path: string) => DestinationStream;
}

const STDERR_FD = 2;
const LOG_FILE_MODE = 0o600;
const LOG_DIR_MODE = 0o755;

function openLogFile(path: string): DestinationStream {
  mkdirSync(dirname(path), { recursive: true, mode: LOG_DIR_MODE });
  return pino.destination({ dest: path, append: true, sync: true, mode: LOG_FILE_MODE });
}

const STDOUT_PATHS = new Set(["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]);

function fileStream(settings: CniLogSettings, io: CniLoggerIo): DestinationStream | undefined {
  if (settings.logFile === "") return undefined;
  if (STDOUT_PATHS.has(settings.logFile)) {
    io.warn(`netclaim: logFile ${settings.logFile} is stdout, which carries only the CNI result; not used`);
    return undefined;
  }
  try {
    rotateLogFile(settings.logFile, settings.logOptions, io.nowMs());
  } catch (err) {
    io.warn(`netclaim: rotating log file ${settings.logFile}: ${(err as Error).message}`);
  }
  try {
    return (io.openFile ?? openLogFile)(settings.logFile);
  } catch (err) {
    io.warn(`netclaim: cannot open log file ${settings.logFile}: ${(err as Error).message}`);
    return undefined;
  }
}

/** The logger for one CNI invocation. */
export function createCniLogger(
  settings: CniLogSettings,
  io: CniLoggerIo,
  base: Record<string, unknown> = { component: "cni" },
): Logger {
  const level: LogLevel = settings.logLevel;
  if (level === "silent") return silentLogger();
  const streams: DestinationStream[] = [];
  if (settings.logToStderr) streams.push(io.stderr ?? pino.destination({ dest: STDERR_FD, sync: true }));
  const file = fileStream(settings, io);
  if (file !== undefined) streams.push(file);
  if (streams.length === 0) return silentLogger();
  const [only] = streams;
  const destination =
    streams.length === 1 && only !== undefined
      ? only
      : pino.multistream(streams.map((stream) => ({ stream, level: "trace" as const })));
  return createLogger({ level, destination, base });
}
